"""Nothing about a file sent or received is deleted, and history is append-only: PostgreSQL
refuses it, whoever asks (safeguard.db)."""

from django.db import migrations

from safeguard.db import append_only, forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]

    operations = [
        *forbid_deletes(
            "transfers_transfer",
            "transfers_incomingfile",
            "transfers_receipt",
            "transfers_package",
            "transfers_referencecounter",
            "transfers_noschool",
        ),
        *append_only(
            "transfers_historicaltransfer",
            "transfers_historicalincomingfile",
            "transfers_historicalreceipt",
            "transfers_historicalnoschool",
        ),
    ]
