"""The access log is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on it."""

from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_forbid_changes")]

    operations = append_only(
        "audit_accessrecord",
    )
