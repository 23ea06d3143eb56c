"""Autovacuum keeps the planner's statistics fresh on the tables that grow fastest (issue 17):
analysed after 1% of the rows changed, not 20% (safeguard.db.fresh_statistics)."""

from django.db import migrations

from safeguard.db import fresh_statistics


class Migration(migrations.Migration):
    dependencies = [("concerns", "0017_sexual_abuse_asks_criteria")]

    operations = fresh_statistics(
        "concerns_concern",
        "concerns_concernchild",
        "concerns_historicalconcern",
        "concerns_historicalconcernchild",
        "concerns_supportaction",
        "concerns_note",
    )
