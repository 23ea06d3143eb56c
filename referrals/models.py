import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from concerns.models import Agency, Concern, ConcernChild
from safeguard.db import FetchModeManager
from schools.models import School


class Method(models.TextChoices):
    PHONE = "phone", "Phone"
    PHONE_999 = "phone_999", "999 call"
    PHONE_101 = "phone_101", "101 call"
    PORTAL = "portal", "Online portal"
    SECURE_EMAIL = "secure_email", "Secure e-mail"
    IN_PERSON = "in_person", "In person"


PHONE_METHODS = (Method.PHONE, Method.PHONE_999, Method.PHONE_101)


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_SOUGHT = "not_sought", "Not sought"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice given to the school"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment (section 17)"
    CHILD_PROTECTION = "s47", "Child protection enquiry (section 47)"
    STRATEGY_MEETING = "strategy", "Strategy meeting"
    POLICE_INVESTIGATION = "police", "Police investigation"
    OTHER = "other", "Other"


# Kept by name so services can write one history row after the children are set.
REFERRAL_HISTORY = HistoricalRecords(m2m_fields=["children"])
EXPORT_HISTORY = HistoricalRecords(m2m_fields=["children"])


class Referral(models.Model):
    """One contact with one agency about a concern, and what came back from it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="referrals")
    # The concern's school, on the row itself: a school's referrals are counted from their
    # own rows (the governors' dashboard), not by joining every concern of the trust.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_name = models.CharField(
        "team or service", max_length=150, blank=True, help_text="For example: Demoshire MASH"
    )
    made_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    contact_name = models.CharField("person spoken to", max_length=150, blank=True)
    agency_reference = models.CharField("their reference", max_length=80, blank=True)
    children = models.ManyToManyField(ConcernChild, related_name="referrals")
    parents_aware = models.BooleanField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    consent_reason = models.TextField(
        blank=True, help_text="Why consent was not sought, or what the parents said"
    )
    risk_view = models.TextField("the referrer's view of risk")
    urgent = models.BooleanField(
        default=False, help_text="An urgent phone referral, to be confirmed in writing"
    )

    confirmation_due_at = models.DateTimeField(null=True, blank=True)
    confirmed_in_writing_at = models.DateTimeField(null=True, blank=True)
    feedback_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    feedback_received_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_details = models.TextField(blank=True)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = FetchModeManager()
    history = REFERRAL_HISTORY

    class Meta:
        ordering = ["made_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent="given") | ~models.Q(consent_reason=""),
                name="consent_not_given_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(urgent=False) | models.Q(confirmation_due_at__isnull=False),
                name="urgent_referral_has_confirmation_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(feedback_received_at=None) | ~models.Q(outcome=""),
                name="feedback_has_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["confirmation_due_at"],
                condition=models.Q(urgent=True, confirmed_in_writing_at=None),
                name="referral_confirmation_due",
            ),
            models.Index(
                fields=["feedback_due_at"],
                condition=models.Q(feedback_received_at=None),
                name="referral_feedback_due",
            ),
            models.Index(fields=["school", "made_at"], name="referral_school"),
        ]

    def __str__(self):
        return f"{self.get_agency_display()}, {self.made_at:%d %b %Y}"

    @property
    def agency_label(self) -> str:
        return self.agency_name or self.get_agency_display()


class ContactKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up: the school chased the agency"
    ESCALATION = "escalation", "Escalation"
    UPDATE = "update", "Update from the agency"
    MEETING = "meeting", "Meeting or call"


class AgencyContact(models.Model):
    """A later contact about a referral: chasing, escalating, or hearing back."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    happened_at = models.DateTimeField()
    with_whom = models.CharField(max_length=150, blank=True)
    notes = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.happened_at:%d %b %Y}"


class ExportKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CHRONOLOGY = "chronology", "Chronology"


class Export(models.Model):
    """A PDF that left the system: who made it, when, and about which children.

    Only a fingerprint of the file is kept; a password for a protected copy is never stored.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=ExportKind.choices)
    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    children = models.ManyToManyField(ConcernChild, related_name="exports", blank=True)
    password_protected = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField()

    objects = FetchModeManager()
    history = EXPORT_HISTORY

    class Meta:
        ordering = ["-exported_at"]

    def __str__(self):
        return f"{self.get_kind_display()} exported {self.exported_at:%d %b %Y %H:%M}"


class PendingDownload(models.Model):
    """A password-protected export waiting for its maker to download it, for ten minutes
    at most (referrals.exports): the password is never kept, so the encrypted file is. It
    lives in the database like everything else, so any app server can hand it over. Deleted
    when collected or expired: it is a copy in transit, and the Export row is the record."""

    export = models.OneToOneField(Export, on_delete=models.PROTECT, related_name="+")
    content = models.BinaryField()
    stashed_at = models.DateTimeField()

    objects = FetchModeManager()

    class Meta:
        indexes = [models.Index(fields=["stashed_at"], name="pending_download_age")]

    def __str__(self):
        return f"Download of export {self.export_id}, waiting since {self.stashed_at}"
