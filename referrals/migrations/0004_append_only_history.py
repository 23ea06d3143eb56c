"""History is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on every history
table, whoever asks (safeguard.db.append_only)."""

from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_forbid_deletes_children_links")]

    operations = append_only(
        "referrals_historicalreferral",
        "referrals_historicalreferral_children",
        "referrals_historicalagencycontact",
        "referrals_historicalexport",
        "referrals_historicalexport_children",
    )
