"""Indexes for the DSL team's triage queue.

- concern_open: the school's open concerns (a few hundred of its thousands), for the new,
  assigned and overdue lists and the counts by step;
- concern_queue_order: "All concerns" in the order shown (open immediate danger first, then
  newest), so the first 50 are read from the index instead of sorting every concern.

Built CONCURRENTLY, so that a deployment does not lock the concerns table while they build.
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("concerns", "0007_history_lookup_index"),
        ("schools", "0004_school_staff_mfa_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="concern",
            index=models.Index(
                condition=models.Q(("step", 6), _negated=True),
                fields=["school", "recorded_at"],
                name="concern_open",
            ),
        ),
        AddIndexConcurrently(
            model_name="concern",
            index=models.Index(
                models.F("school"),
                models.OrderBy(
                    models.Case(
                        models.When(
                            models.Q(
                                ("immediate_danger", True), models.Q(("step", 6), _negated=True)
                            ),
                            then=models.Value(True),
                        ),
                        default=models.Value(False),
                        output_field=models.BooleanField(),
                    ),
                    descending=True,
                ),
                models.OrderBy(models.F("recorded_at"), descending=True),
                models.F("id"),
                name="concern_queue_order",
            ),
        ),
    ]
