"""Reviews and holds are never deleted, and their history is append-only: PostgreSQL refuses
it, whoever asks (safeguard.db)."""

from django.db import migrations

from safeguard.db import append_only, forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [
        *forbid_deletes("retention_retentionreview", "retention_legalhold"),
        *append_only("retention_historicalretentionreview", "retention_historicallegalhold"),
    ]
