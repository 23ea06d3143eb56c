"""What the seeded categories mean for the referral rules, the national guidance cards, and
no deletes on the new tables."""

from django.db import migrations

from safeguard.db import forbid_deletes

# slug: (is_sexual, asks_referral_criteria, extortion)
CATEGORY_FLAGS = {
    "online-grooming": (True, True, False),
    "sharing-nudes": (True, True, False),
    "sextortion": (True, True, True),
    "sexual-abuse": (True, False, False),
    "exploitation": (True, True, False),
}


def seed(apps, schema_editor):
    from concerns.guidance_seed import NATIONAL_CARDS

    Category = apps.get_model("concerns", "Category")
    GuidanceCard = apps.get_model("concerns", "GuidanceCard")
    for slug, (sexual, criteria, extortion) in CATEGORY_FLAGS.items():
        Category.objects.filter(school=None, slug=slug).update(
            is_sexual=sexual, asks_referral_criteria=criteria, extortion=extortion
        )
    # Categories a school added about sexual imagery or an adult seeking contact are asked
    # the same questions.
    Category.objects.exclude(school=None).filter(involves_sexual_imagery=True).update(
        is_sexual=True, asks_referral_criteria=True
    )
    Category.objects.exclude(school=None).filter(adult_perpetrator=True).update(
        is_sexual=True, asks_referral_criteria=True
    )
    by_slug = {c.slug: c for c in Category.objects.filter(school=None)}
    for position, data in enumerate(NATIONAL_CARDS, start=1):
        card, _ = GuidanceCard.objects.update_or_create(
            school=None,
            key=data["key"],
            defaults={
                "title": data["title"],
                "when_told": data["when_told"],
                "tell_family": data["tell_family"],
                "do_not": data["do_not"],
                "report_to": data["report_to"],
                "removal": data["removal"],
                "source": data["source"],
                "position": position * 10,
            },
        )
        card.categories.set([by_slug[slug] for slug in data["categories"]])


NEW_TABLES = [
    "concerns_unnamedchild",
    "concerns_historicalunnamedchild",
    "concerns_guidancecard",
    "concerns_historicalguidancecard",
    "concerns_historicalguidancecard_categories",
    "concerns_advicegiven",
    "concerns_historicaladvicegiven",
    "concerns_practiceflag",
    "concerns_historicalpracticeflag",
]


class Migration(migrations.Migration):
    dependencies = [("concerns", "0011_judgement_rules")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        *forbid_deletes(*NEW_TABLES),
    ]
