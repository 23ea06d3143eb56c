"""Redactions are never deleted (a lifted one keeps its row), and their history is
append-only: PostgreSQL refuses it, whoever asks (safeguard.db)."""

from django.db import migrations

from safeguard.db import append_only, forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("subject_access", "0003_redaction")]

    operations = [
        *forbid_deletes("subject_access_redaction"),
        *append_only("subject_access_historicalredaction"),
    ]
