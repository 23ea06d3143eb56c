from django.db import migrations

from safeguard.db import forbid_deletes

# (slug, name, involves_sexual_imagery, adult_perpetrator, is_online_safety)
SEEDED = [
    ("online-grooming", "Online grooming", False, True, True),
    ("sharing-nudes", "Sharing nudes and semi-nudes", True, False, True),
    ("sextortion", "Sextortion (financially motivated sexual extortion)", True, True, True),
    ("sexual-abuse", "Sexual abuse", False, False, False),
    ("child-on-child", "Child-on-child abuse", False, False, False),
    ("physical", "Physical abuse", False, False, False),
    ("emotional", "Emotional abuse", False, False, False),
    ("neglect", "Neglect", False, False, False),
    ("domestic-abuse", "Domestic abuse", False, False, False),
    ("self-harm", "Self-harm", False, False, False),
    ("radicalisation", "Radicalisation", False, False, False),
    ("exploitation", "Child sexual or criminal exploitation", False, False, False),
    ("other", "Other", False, False, False),
]

PROTECTED_TABLES = [
    "concerns_concern",
    "concerns_historicalconcern",
    "concerns_historicalconcern_categories",
    "concerns_concernchild",
    "concerns_historicalconcernchild",
    "concerns_evidenceitem",
    "concerns_historicalevidenceitem",
    "concerns_attachment",
    "concerns_historicalattachment",
    "concerns_supportaction",
    "concerns_historicalsupportaction",
    "concerns_followupaction",
    "concerns_historicalfollowupaction",
    "concerns_note",
    "concerns_historicalnote",
    "concerns_category",
    "concerns_historicalcategory",
]


def seed(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    for position, (slug, name, imagery, adult, online) in enumerate(SEEDED, start=1):
        Category.objects.update_or_create(
            school=None,
            slug=slug,
            defaults={
                "name": name,
                "involves_sexual_imagery": imagery,
                "adult_perpetrator": adult,
                "is_online_safety": online,
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        *forbid_deletes(*PROTECTED_TABLES),
    ]
