"""Autovacuum keeps the planner's statistics fresh on the tables that grow fastest (issue 17):
analysed after 1% of the rows changed, not 20% (safeguard.db.fresh_statistics)."""

from django.db import migrations

from safeguard.db import fresh_statistics


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_subject_access_actions")]

    operations = fresh_statistics(
        "audit_accessrecord",
    )
