from django.db import migrations

from safeguard.db import forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = forbid_deletes(
        "referrals_referral",
        "referrals_historicalreferral",
        "referrals_historicalreferral_children",
        "referrals_agencycontact",
        "referrals_historicalagencycontact",
        "referrals_export",
        "referrals_historicalexport",
        "referrals_historicalexport_children",
    )
