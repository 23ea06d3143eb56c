"""A concern filed as sexual abuse is asked the immediate-referral questions too: with an
adult involved, it must go to children's social care and the police whether or not images
were shared (DOMAIN.md step 4; Working Together 2023)."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    Category.objects.filter(school=None, slug="sexual-abuse").update(asks_referral_criteria=True)


class Migration(migrations.Migration):
    dependencies = [("concerns", "0016_append_only_history")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
