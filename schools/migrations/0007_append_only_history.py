"""History is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on every history
table, whoever asks (safeguard.db.append_only)."""

from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [("schools", "0006_failed_notification")]

    operations = append_only(
        "schools_historicalschool",
        "schools_historicalmembership",
        "schools_historicalpupil",
        "schools_historicalhouseholdcontact",
        "schools_historicalfailednotification",
    )
