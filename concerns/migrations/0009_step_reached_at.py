"""When each concern first reached each step, kept on the concern.

The governors' dashboard asks which step every concern was at on a given day; reading that
from the history cost a lookup per concern per figure. The services now write these dates;
here they are filled in for the concerns already recorded, from the history: the first row
at or past each step.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0008_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="evidence_preserved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="concern",
            name="referral_decided_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="concern",
            name="safety_checked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="concern",
            name="support_planned_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(
            """
        UPDATE concerns_concern c
           SET safety_checked_at = h.safety_checked_at,
               evidence_preserved_at = h.evidence_preserved_at,
               referral_decided_at = h.referral_decided_at,
               support_planned_at = h.support_planned_at
          FROM (SELECT id,
                       min(history_date) FILTER (WHERE step >= 2) AS safety_checked_at,
                       min(history_date) FILTER (WHERE step >= 3) AS evidence_preserved_at,
                       min(history_date) FILTER (WHERE step >= 4) AS referral_decided_at,
                       min(history_date) FILTER (WHERE step >= 5) AS support_planned_at
                  FROM concerns_historicalconcern
                 GROUP BY id) h
         WHERE h.id = c.id AND c.step >= 2
        """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
