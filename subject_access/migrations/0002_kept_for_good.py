"""Nothing in the subject access register is deleted, and its history is append-only:
PostgreSQL refuses it, whoever asks (safeguard.db)."""

from django.db import migrations

from safeguard.db import append_only, forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("subject_access", "0001_initial")]

    operations = [
        *forbid_deletes("subject_access_subjectaccessrequest"),
        *append_only("subject_access_historicalsubjectaccessrequest"),
    ]
