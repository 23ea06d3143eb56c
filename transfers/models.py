"""A child protection file that follows a child to a new school (KCSIE: within 5 school days,
separately from the main pupil file, securely, with confirmation of receipt).

At the sending school a `Transfer` is the file sent for one leaver: where to, the DSL's
summary, the document as last sent (a frozen JSON snapshot, docs/transfer-format.md), when it
is due and its status. At a receiving school in the same deployment, or one that imports a
package, an `IncomingFile` is that school's own sealed copy, read-only for good.

Nothing here is deleted: PostgreSQL refuses it (migration 0002). An encrypted package waits
for its one download in a `Package` row, whose bytes are cleared once collected (a copy in
transit, like referrals.PendingDownload); the Transfer is the record.
"""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager
from schools.models import Pupil, School

# KCSIE: the file reaches the new school within 5 school days of the child leaving.
SCHOOL_DAYS_TO_SEND = 5


class Route(models.TextChoices):
    DEPLOYMENT = "deployment", "To a school that uses Safeguard here"
    PACKAGE = "package", "To another school, as an encrypted package"


class Status(models.TextChoices):
    SENT = "sent", "Sent"
    VIEWED = "viewed", "Viewed"
    RECEIVED = "received", "Received"
    DECLINED = "declined", "Declined"


class DeclineReason(models.TextChoices):
    WRONG_SCHOOL = "wrong_school", "Sent to the wrong school"
    NOT_OUR_PUPIL = "not_our_pupil", "Not our pupil"
    OTHER = "other", "Another reason"


class Transfer(models.Model):
    """One leaver's file, sent (and perhaps sent again) to their new school."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="transfers_out")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="transfers")
    route = models.CharField(max_length=12, choices=Route.choices)
    to_school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_in"
    )
    to_school_name = models.CharField("receiving school", max_length=200)
    to_school_urn = models.CharField("receiving school's URN", max_length=10, blank=True)
    # The leaving date the file was due from, and when it was due (schools.terms).
    leaving_date = models.DateField()
    due_on = models.DateField()
    due_estimated = models.BooleanField(
        default=False, help_text="Counted over a year whose term dates were not entered"
    )
    # The DSL's summary at the front of the file.
    why_known = models.TextField("why the child is known to the safeguarding team")
    current_risks = models.TextField("current risks")
    plans = models.TextField("plans and support in place")
    agencies = models.TextField("agencies involved, and their contacts")
    document = models.JSONField(help_text="The file as last sent (docs/transfer-format.md)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    times_sent = models.PositiveSmallIntegerField(default=1)
    viewed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # Who confirmed receipt: a user here, or the name and school typed on the receipt page.
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_by_name = models.CharField(max_length=150, blank=True)
    received_by_school = models.CharField(max_length=200, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_details = models.TextField(blank=True)

    objects = FetchModeManager()
    # The document is not copied into every history row: a file is kept once, as it
    # stands (and what was sent is in the PDF and JSON it made).
    history = HistoricalRecords(excluded_fields=["document"])

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "leaving_date"], name="one_file_per_leaving"),
            models.CheckConstraint(
                condition=~models.Q(route="deployment") | models.Q(to_school__isnull=False),
                name="deployment_transfer_has_school",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="received") | models.Q(received_at__isnull=False),
                name="received_transfer_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="declined_transfer_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "due_on"],
                name="transfer_outstanding",
                condition=models.Q(status__in=["sent", "viewed"]),
            )
        ]

    def __str__(self):
        return self.reference

    @property
    def is_outstanding(self) -> bool:
        return self.status in (Status.SENT, Status.VIEWED)


class NoSchoolReason(models.TextChoices):
    HOME_EDUCATED = "home_educated", "Educated at home (elective home education)"
    ABROAD = "abroad", "Moved abroad"
    NOT_KNOWN = "not_known", "Where they have gone is not known"
    OTHER = "other", "Another reason"


class NoSchool(models.Model):
    """A leaver with a file and no school to send it to: educated at home, gone abroad, or
    gone no one knows where (a child missing education). The file then goes to no school; the
    DSL records what was done instead, such as telling the local authority and sharing the
    file with it, and the file is no longer chased."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="no_school")
    leaving_date = models.DateField()
    reason = models.CharField(max_length=20, choices=NoSchoolReason.choices)
    details = models.TextField("what was done instead")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "leaving_date"], name="one_no_school_a_leaving"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.leaving_date})"


class Source(models.TextChoices):
    DEPLOYMENT = "deployment", "Sent through Safeguard"
    IMPORTED = "imported", "Imported from a package"


class IncomingStatus(models.TextChoices):
    AWAITING = "awaiting", "Waiting to be accepted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Replaced by a copy sent again"


class IncomingFile(models.Model):
    """A file that has come to this school: sealed, read-only for good. Before it is accepted
    the DSL team sees only who it is about and where it is from."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incoming_files")
    source = models.CharField(max_length=12, choices=Source.choices)
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="incoming"
    )
    reference = models.CharField("sender's reference", max_length=40)
    from_school_name = models.CharField(max_length=200)
    from_school_urn = models.CharField(max_length=10, blank=True)
    # Identification, from the document, to match the child before accepting.
    upn = models.CharField("UPN", max_length=13, blank=True)
    child_name = models.CharField(max_length=210)
    date_of_birth = models.DateField()
    document = models.JSONField()
    arrived_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=IncomingStatus.choices, default=IncomingStatus.AWAITING
    )
    first_opened_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The child at this school the file belongs to, once accepted.
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="earlier_files"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_details = models.TextField(blank=True)

    objects = FetchModeManager()
    # The document is not copied into every history row: a file is kept once, as it
    # stands (and what was sent is in the PDF and JSON it made).
    history = HistoricalRecords(excluded_fields=["document"])

    class Meta:
        ordering = ["-arrived_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(pupil__isnull=False),
                name="accepted_file_has_pupil",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="declined_file_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference} from {self.from_school_name}"


class Package(models.Model):
    """An encrypted package waiting for its one collection: downloaded by the sending DSL, or
    through a link e-mailed to the receiving school that expires. The password is never kept,
    so the encrypted bytes are, until collected or expired; then they are cleared."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="packages")
    content = models.BinaryField(null=True)
    sha256 = models.CharField(max_length=64)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    emailed_to = models.EmailField(blank=True)
    expires_at = models.DateTimeField()
    collected_at = models.DateTimeField(null=True, blank=True)

    objects = FetchModeManager()

    class Meta:
        ordering = ["-made_at"]

    def __str__(self):
        return f"Package for {self.transfer_id}, made {self.made_at:%Y-%m-%d %H:%M}"


class Receipt(models.Model):
    """A receipt link for a package: signed, single use, expiring. The receiving DSL opens it,
    gives their name and school, and that confirmation is the receipt."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="receipts")
    made_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # A newer link (the file sent again) replaces this one.
    replaced_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    confirmed_name = models.CharField(max_length=150, blank=True)
    confirmed_school = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-made_at"]

    def __str__(self):
        return f"Receipt link for {self.transfer_id}, made {self.made_at:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """The last file reference given out in a year (CPF-2027-0001), for the whole deployment:
    a receiving school sees the reference, so it must not repeat across schools."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    objects = FetchModeManager()

    def __str__(self):
        return f"File references of {self.year}: {self.last_number} given out"
