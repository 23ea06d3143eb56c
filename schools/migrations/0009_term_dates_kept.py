"""Term dates are corrected, never deleted, and their history is append-only, like every
record a deadline is counted from (safeguard.db)."""

from django.db import migrations

from safeguard.db import append_only, forbid_deletes


class Migration(migrations.Migration):
    dependencies = [("schools", "0008_term_dates")]

    operations = [
        *forbid_deletes("schools_term"),
        *append_only("schools_historicalterm"),
    ]
