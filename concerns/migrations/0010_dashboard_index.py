"""A covering index for the governors' dashboard: a school's concerns by recording date, with
the dates of each step and closing, so its counts are index-only scans. Built CONCURRENTLY.
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("concerns", "0009_step_reached_at"),
        ("schools", "0004_school_staff_mfa_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="concern",
            index=models.Index(
                fields=["school", "recorded_at"],
                include=(
                    "id",
                    "step",
                    "closed_at",
                    "safety_checked_at",
                    "evidence_preserved_at",
                    "referral_decided_at",
                    "support_planned_at",
                ),
                name="concern_school_dates",
            ),
        ),
    ]
