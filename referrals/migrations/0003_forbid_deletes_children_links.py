from django.db import migrations

from safeguard.db import forbid_deletes


class Migration(migrations.Migration):
    """Which children a referral or an export covered is part of the record, too."""

    dependencies = [("referrals", "0002_forbid_deletes")]

    operations = forbid_deletes("referrals_referral_children", "referrals_export_children")
