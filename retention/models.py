"""How long a child's safeguarding file is kept, and what stops it being let go.

A file is reviewed at the child's 25th birthday (the IRMS toolkit for schools; the number of
years is settings.RETENTION_YEARS), and never before a new school has confirmed receipt of a
copy sent to it. A `RetentionReview` is one review's outcome: kept for a further period, with
the reason and the next review date. A `LegalHold` keeps a child's file, or every file of a
school, whatever its age, while an inquiry or a court case may need it (the IICSA hold). A
`Disposal` is a file let go: proposed by one member of the DSL team, confirmed by another, and
then, kept for good, its certificate.

Nothing here is deleted: PostgreSQL refuses it (migrations 0002 and 0003). A disposal is the
one act that deletes a child's records, through one database function (migration 0003).
"""

import uuid
from datetime import date

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


class DisposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a second member of the DSL team"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DISPOSED = "disposed", "Disposed of"


class Disposal(models.Model):
    """A child's file disposed of after its review: proposed with a reason by one member of
    the DSL team, then confirmed by another, when the database function `retention_dispose`
    destroys the file in the same transaction. What is left is this row, the certificate: who
    decided, who confirmed, when, why, and what kind and how many records were destroyed
    (`counts`, by kind). It keeps, of the children, only their names and dates of birth and
    the references of their concerns (`children`), so that a later question about a child can
    be answered: the school held a file, and destroyed it on this day. The row is never
    deleted, and once disposed of it is never changed (PostgreSQL refuses both).

    `pupil` is the child whose file was proposed for disposal; the function clears it as it
    deletes the child. Files sharing a concern are disposed of together, so `children` may
    name more than one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="disposals")
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="disposals"
    )
    status = models.CharField(
        max_length=10, choices=DisposalStatus.choices, default=DisposalStatus.PROPOSED
    )
    reason = models.TextField("why the file is disposed of")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField("why the proposal was withdrawn", blank=True)
    # [{"name", "date_of_birth" (ISO), "references": [concern references]}], at disposal.
    children = models.JSONField(default=list, blank=True)
    # {kind: how many records of it were destroyed}: retention.selectors.DISPOSED_KINDS.
    counts = models.JSONField(default=dict, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="disposal_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(status="disposed")
                | (
                    models.Q(
                        confirmed_by__isnull=False, confirmed_at__isnull=False, pupil__isnull=True
                    )
                    & ~models.Q(confirmed_by=models.F("proposed_by"))
                ),
                name="disposal_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn")
                | (
                    models.Q(withdrawn_by__isnull=False, withdrawn_at__isnull=False)
                    & ~models.Q(withdraw_reason="")
                ),
                name="withdrawn_disposal_has_who_when_why",
            ),
            # One proposal waiting per child's file.
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(status="proposed"),
                name="one_disposal_waiting_per_file",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"], name="disposal_by_school")]

    def __str__(self):
        return f"Disposal proposed {self.proposed_at:%d %b %Y} ({self.get_status_display()})"

    @property
    def waiting(self) -> bool:
        return self.status == DisposalStatus.PROPOSED

    @property
    def disposed(self) -> bool:
        return self.status == DisposalStatus.DISPOSED

    @property
    def records_destroyed(self) -> int:
        return sum(self.counts.values())

    @property
    def certified_children(self) -> list[dict]:
        """`children`, each with `born` as a date."""
        return [
            {**child, "born": date.fromisoformat(child["date_of_birth"])} for child in self.children
        ]
