"""History is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on every history
table, whoever asks (safeguard.db.append_only)."""

from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [("oversight", "0002_forbid_deletes")]

    operations = append_only(
        "oversight_historicaltrainingrecord",
        "oversight_historicalpolicy",
        "oversight_historicalnamedrole",
        "oversight_historicalchecklistitem",
    )
