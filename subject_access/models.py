"""A subject access request for a child's safeguarding file (UK GDPR Art. 15): who asked, for
which pupil, when it was received, how the requester's identity was checked, its deadline
(one calendar month from receipt, extendable by up to two more with a reason: Art. 12(3)),
and how it ended: disclosed, or refused with a reason.

The child's file assembled for disclosure is frozen on the request, and each `Redaction` is a
passage of it withheld, with why (subject_access.passages).

Nothing here is deleted and its history is append-only: PostgreSQL refuses it (migrations
0002 and 0004). The register is the school's evidence that it answered on time.
"""

import uuid
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager
from schools.models import Pupil, School

# UK GDPR Art. 12(3): a further two months where requests are complex or numerous.
MAX_EXTENSION_MONTHS = 2


def months_after(day: date, months: int) -> date:
    """The same date `months` calendar months later, or the last day of that month if it has
    no such date (ICO guidance: a request received on 31 January is due on 28 February, or 29
    in a leap year)."""
    return day + relativedelta(months=months)


class Relationship(models.TextChoices):
    CHILD = "child", "The child"
    PARENT = "parent", "A parent or carer with parental responsibility"
    REPRESENTATIVE = "representative", "Someone acting for them, such as a solicitor"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    IDENTITY_CHECKED = "identity_checked", "Identity checked"
    EXTENDED = "extended", "Extended"
    DISCLOSED = "disclosed", "Disclosed"
    REFUSED = "refused", "Refused"


OPEN = (Status.RECEIVED, Status.IDENTITY_CHECKED, Status.EXTENDED)
CLOSED = (Status.DISCLOSED, Status.REFUSED)


class SubjectAccessRequest(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester_name = models.CharField("name of the person asking", max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    received_on = models.DateField("date received")
    # One month from receipt; with an extension, one to two months more (months_after).
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    identity_checked_on = models.DateField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_check = models.TextField("how identity was checked", blank=True)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    # Disclosed or refused on this date.
    closed_on = models.DateField(null=True, blank=True)
    disclosure = models.TextField("what was disclosed, and how", blank=True)
    refusal_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # The child's whole file as assembled for disclosure (transfers.document), frozen so that
    # the passages marked for redaction are the passages disclosed; and its redacted PDF.
    file = models.JSONField(null=True, blank=True)
    file_assembled_at = models.DateTimeField(null=True, blank=True)
    pdf_made_at = models.DateTimeField(null=True, blank=True)

    objects = FetchModeManager()
    # The file is kept once, not copied into every history row.
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=MAX_EXTENSION_MONTHS),
                name="sar_extension_at_most_two_months",
            ),
            models.CheckConstraint(
                condition=models.Q(extension_months=0) | ~models.Q(extension_reason=""),
                name="sar_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["disclosed", "refused"])
                | models.Q(closed_on__isnull=False),
                name="sar_closed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="sar_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="disclosed")
                | models.Q(identity_checked_on__isnull=False),
                name="sar_disclosed_after_identity_check",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "due_on"],
                name="sar_open_due",
                condition=models.Q(status__in=["received", "identity_checked", "extended"]),
            )
        ]

    def __str__(self):
        return f"Subject access request for {self.pupil_id} received {self.received_on}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def first_due_on(self) -> date:
        """The deadline before any extension."""
        return months_after(self.received_on, 1)

    @property
    def answered_late(self) -> bool:
        return self.closed_on is not None and self.closed_on > self.due_on

    def overdue(self, today: date) -> bool:
        return self.is_open and today > self.due_on

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


class RedactionReason(models.TextChoices):
    """Why a passage is withheld (Data Protection Act 2018, Sch. 2 to 4)."""

    THIRD_PARTY = "third_party", "Third party"
    STAFF = "staff", "Staff member"
    OTHER_CHILD = "other_child", "Other child"
    SERIOUS_HARM = "serious_harm", "Serious harm"
    LEGAL_ADVICE = "legal_advice", "Legal advice"


class Redaction(models.Model):
    """A passage of the request's assembled file withheld from the requester, and why. A
    redaction lifted keeps its row, with no reason: the history shows both."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="redactions"
    )
    # The passage's key in the assembled file (subject_access.passages).
    passage = models.CharField(max_length=60)
    reason = models.CharField(max_length=20, choices=RedactionReason.choices, blank=True)
    details = models.TextField("why it is withheld", blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "passage"], name="one_redaction_a_passage"),
            models.CheckConstraint(
                condition=models.Q(reason="") | ~models.Q(details=""),
                name="redaction_has_details",
            ),
        ]

    def __str__(self):
        return f"{self.passage}: {self.reason or 'not redacted'}"
