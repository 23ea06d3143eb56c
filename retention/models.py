"""How long a child's safeguarding file is kept, and what stops it being let go.

A file is reviewed at the child's 25th birthday (the IRMS toolkit for schools; the number of
years is settings.RETENTION_YEARS), and never before a new school has confirmed receipt of a
copy sent to it. A `RetentionReview` is one review's outcome: kept for a further period, with
the reason and the next review date. A `LegalHold` keeps a child's file, or every file of a
school, whatever its age, while an inquiry or a court case may need it (the IICSA hold).

Nothing here is deleted: PostgreSQL refuses it (migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager
from schools.models import Pupil, School


class Outcome(models.TextChoices):
    KEEP = "keep", "Keep for a further period"


class RetentionReview(models.Model):
    """The outcome of one review of a child's file."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="retention_reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField()
    next_review_on = models.DateField("next review date", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="keep") | models.Q(next_review_on__isnull=False),
                name="kept_file_has_next_review",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="review_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.decided_at:%d %b %Y})"


class LegalHold(models.Model):
    """A hold on one child's file (`pupil`), or on every file of the school (no pupil): the
    files are kept whatever their review date says until it is lifted, with a reason."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="legal_holds")
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField("why the hold was lifted", blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="hold_has_reason"),
            models.CheckConstraint(
                condition=(
                    models.Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                    | (
                        models.Q(lifted_at__isnull=False, lifted_by__isnull=False)
                        & ~models.Q(lift_reason="")
                    )
                ),
                name="lifted_hold_has_who_when_why",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "pupil"],
                name="legal_hold_in_force",
                condition=models.Q(lifted_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"Legal hold placed {self.placed_at:%d %b %Y}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None

    @property
    def whole_school(self) -> bool:
        return self.pupil_id is None
