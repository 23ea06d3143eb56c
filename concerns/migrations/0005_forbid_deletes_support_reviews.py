from django.db import migrations

from safeguard.db import forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("concerns", "0004_triage_and_support_reviews")]

    operations = forbid_deletes("concerns_supportreview", "concerns_historicalsupportreview")
