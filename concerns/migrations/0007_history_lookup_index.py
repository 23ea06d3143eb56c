"""An index on the concern history by concern and date.

The governors' dashboard asks, for each concern, when it first reached a step and which step
it was at on a given day; without this index PostgreSQL walks the whole history in date
order for each concern (tens of seconds on a trust's five years). Made CONCURRENTLY, so
that a deployment does not lock the history table while it builds. RunSQL rather than
AddIndex: the historical model's Meta belongs to django-simple-history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("concerns", "0006_follow_up_completion")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS concerns_historicalconcern_id_date "
            "ON concerns_historicalconcern (id, history_date)",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS concerns_historicalconcern_id_date",
        )
    ]
