import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import storages
from django.db import models
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager
from schools.models import Pupil, School


def private_storage():
    # Attachments were once files in this storage; migrations 0001 and 0013 still name it.
    return storages["private"]


class Category(models.Model):
    """A type of harm. Seeded categories have no school; a school may add its own."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="categories"
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    # Concerns about sexual imagery of children refuse image and video uploads outright.
    involves_sexual_imagery = models.BooleanField(default=False)
    # An adult seeking images or contact from a child is a crime: police must be told.
    adult_perpetrator = models.BooleanField(default=False)
    is_online_safety = models.BooleanField(default=False)
    # Sexual harm of any kind: a decision not to refer it is countersigned (see rules.py).
    is_sexual = models.BooleanField(default=False)
    # Sexual imagery, grooming, sextortion, exploitation: the DSL answers the UKCIS
    # immediate-referral questions before deciding (see rules.py).
    asks_referral_criteria = models.BooleanField(default=False)
    # Blackmail for money or more images (sextortion): coercion is a given, and the DSL asks
    # whether anything was paid, how and to whom.
    extortion = models.BooleanField(default=False)
    # Grooming, exploitation and sextortion are coercion by definition: the UKCIS question
    # about coercion is answered "yes" by the category, not by the DSL.
    implies_coercion = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["school", "slug"], name="category_slug_per_school"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(school=None), name="seeded_category_slug"
            ),
        ]

    def __str__(self):
        return self.name


class Step(models.IntegerChoices):
    """The workflow every concern follows, in order. A step can't be skipped."""

    RECORDED = 1, "Recorded"
    SAFETY_CHECKED = 2, "Safety checked"
    EVIDENCE_PRESERVED = 3, "Evidence preserved"
    REFERRAL_DECIDED = 4, "Referral decided"
    SUPPORT_PLANNED = 5, "Support planned"
    CLOSED = 6, "Closed"


class DiscloserType(models.TextChoices):
    PARENT_CARER = "parent_carer", "A parent or carer"
    CHILD = "child", "The child"
    STAFF_OBSERVATION = "staff_observation", "My own observation as a member of staff"
    OTHER = "other", "Another person"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Agency(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care (MASH)"
    POLICE = "police", "Police"
    CEOP = "ceop", "CEOP"
    LADO = "lado", "LADO"
    EARLY_HELP = "early_help", "Early help"
    OTHER = "other", "Other agency"


class ReferralDecision(models.TextChoices):
    REFER = "refer", "Refer"
    NOT_REFER = "not_refer", "Do not refer"


class NotReferGround(models.TextChoices):
    """The only grounds on which guidance accepts not referring (DOMAIN.md). A parent's or
    carer's wish is deliberately not one of them."""

    ADVICE = "advice", "Children's social care or the police advised that no referral is needed"
    THRESHOLD = "threshold", "The local threshold for a referral is not met"
    KNOWN = "known", "The child already has a social worker, who has been told"


def urgent_first(prefix: str = "") -> models.Case:
    """True for an open concern where someone was said to be in immediate danger: such
    concerns sort first in every list. A closed one needs no triage, so it sorts with the
    rest. (The queue's index is built on this expression, so the two must stay the same.)"""
    return models.Case(
        models.When(
            models.Q(**{f"{prefix}immediate_danger": True})
            & ~models.Q(**{f"{prefix}step": Step.CLOSED}),
            then=models.Value(True),
        ),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )


# When a concern reached each step. The dates are left out of the history: they record when
# its rows were written.
STEP_REACHED_AT = {
    Step.SAFETY_CHECKED: "safety_checked_at",
    Step.EVIDENCE_PRESERVED: "evidence_preserved_at",
    Step.REFERRAL_DECIDED: "referral_decided_at",
    Step.SUPPORT_PLANNED: "support_planned_at",
}
# Kept by name so that services can write the one history row of a new concern by hand, after
# its categories are set (see services.concern_record).
CONCERN_HISTORY = HistoricalRecords(
    excluded_fields=["version", *STEP_REACHED_AT.values()], m2m_fields=["categories"]
)


class Concern(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="concerns")
    reference = models.CharField(max_length=20)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_raised"
    )
    recorded_at = models.DateTimeField()
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.RECORDED)
    # Bumped by every change; a form posts the version it showed, so a stale edit is refused.
    version = models.PositiveIntegerField(default=1)
    # When the concern first reached each step (the moment of that step's history row; a
    # correction later does not move it). Steps only go forward, so the step a concern was
    # at on any day can be read from these without its history: the governors' dashboard
    # does. Set by the services; not kept in the history, which they summarise.
    safety_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    evidence_preserved_at = models.DateTimeField(null=True, blank=True, editable=False)
    referral_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    support_planned_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The disclosure, as told.
    discloser_type = models.CharField(max_length=20, choices=DiscloserType.choices)
    discloser_name = models.CharField(max_length=150, blank=True)
    discloser_relationship = models.CharField(max_length=80, blank=True)
    disclosed_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    account = models.TextField(help_text="In the speaker's own words")
    categories = models.ManyToManyField(Category, related_name="concerns")
    adult_involved = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    parent_wishes = models.TextField(blank=True)
    immediate_danger = models.BooleanField(default=False)
    # Are other children involved or at risk? Blank on records made before the question.
    other_children = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)

    # The UKCIS immediate-referral questions the app cannot answer from what it holds (the
    # others come from adult_involved, immediate_danger and the children's ages: rules.py).
    # Blank until the DSL answers; "not known" counts as yes.
    criterion_coercion = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    criterion_unusual_content = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    criterion_sexual_acts = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    criterion_harm_risk = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    criteria_notes = models.TextField(blank=True)
    criteria_assessed_at = models.DateTimeField(null=True, blank=True)
    criteria_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Sextortion: whether money was paid, how and to whom, kept as evidence (not acted on).
    payment_made = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    payment_details = models.TextField(blank=True)

    # Evidence: the advice not to delete anything.
    evidence_advice_given_by = models.CharField(max_length=150, blank=True)
    evidence_advice_given_to = models.CharField(max_length=150, blank=True)
    evidence_advice_given_at = models.DateTimeField(null=True, blank=True)
    no_evidence_reason = models.TextField(blank=True)

    # Referral decision.
    referral_decision = models.CharField(
        max_length=10, choices=ReferralDecision.choices, blank=True
    )
    referral_agencies = ArrayField(
        models.CharField(max_length=20, choices=Agency.choices), default=list, blank=True
    )
    referral_made_at = models.DateTimeField(null=True, blank=True)
    referral_made_by = models.CharField(max_length=150, blank=True)
    referral_rationale = models.TextField(blank=True)
    police_not_told_reason = models.TextField(blank=True)
    parents_informed = models.BooleanField(null=True, blank=True)
    parents_not_informed_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Not referring: the ground and what stands behind it. Advice: who gave it, when, and
    # what they said. Threshold: the level, what happens instead and when it is reviewed.
    # Known to social care: the social worker and when they were told.
    not_refer_ground = models.CharField(max_length=12, choices=NotReferGround.choices, blank=True)
    not_refer_contact = models.CharField(max_length=150, blank=True)
    not_refer_contact_at = models.DateTimeField(null=True, blank=True)
    not_refer_advice = models.TextField(blank=True)
    threshold_level = models.CharField(max_length=120, blank=True)
    not_refer_review_date = models.DateField(null=True, blank=True)
    # A decision not to refer a concern with any indicator of risk is countersigned by
    # another member of the DSL team, with their own reason, before the concern moves on.
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersign_reason = models.TextField(blank=True)

    # School-wide follow-up: either actions are planned, or the reason none is needed.
    no_follow_up_reason = models.TextField(blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_summary = models.TextField(blank=True)

    # Triage: the DSL team acknowledges a new concern and gives it to one of its members.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_assigned",
    )

    objects = FetchModeManager()
    history = CONCERN_HISTORY

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "reference"], name="concern_reference_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(step__gte=1, step__lte=6), name="concern_step_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(referral_decision="not_refer")
                | ~models.Q(referral_rationale=""),
                name="not_referring_needs_rationale",
            ),
            models.CheckConstraint(
                condition=~models.Q(parents_informed=False)
                | ~models.Q(parents_not_informed_reason=""),
                name="parents_not_informed_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(step__lt=6)
                | (models.Q(closed_at__isnull=False) & ~models.Q(outcome_summary="")),
                name="closed_needs_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(countersigned_by=None)
                | (
                    models.Q(referral_decision="not_refer")
                    & models.Q(countersigned_at__isnull=False)
                    & ~models.Q(countersign_reason="")
                    & ~models.Q(countersigned_by=models.F("decided_by"))
                ),
                name="countersignature_by_another_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "step", "-recorded_at"]),
            models.Index(fields=["reporter", "-recorded_at"]),
            models.Index(fields=["assignee", "step"]),
            # The triage queue's lists and counts are of open concerns: a few hundred of a
            # school's thousands.
            models.Index(
                fields=["school", "recorded_at"],
                condition=~models.Q(step=Step.CLOSED),
                name="concern_open",
            ),
            # The governors' dashboard counts a school's concerns by when they were recorded,
            # closed and reached each step: all of it from this index alone (an index-only
            # scan), without reading the concerns' rows, which their accounts make wide.
            models.Index(
                fields=["school", "recorded_at"],
                include=[
                    "id",
                    "step",
                    "closed_at",
                    "safety_checked_at",
                    "evidence_preserved_at",
                    "referral_decided_at",
                    "support_planned_at",
                ],
                name="concern_school_dates",
            ),
            # "All concerns" in the queue, read in this order, so the first 50 of a school's
            # thousands are found without sorting them all.
            models.Index(
                models.F("school"),
                urgent_first().desc(),
                models.F("recorded_at").desc(),
                models.F("id"),
                name="concern_queue_order",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.step == Step.CLOSED

    @property
    def referral_agency_labels(self) -> list[str]:
        return [Agency(agency).label for agency in self.referral_agencies]

    def has_completed(self, step: Step) -> bool:
        return self.step >= step


class ChildRole(models.TextChoices):
    SUBJECT = "subject", "The child the concern is about"
    AFFECTED = "affected", "Another child affected"
    ALLEGED_HARMER = "alleged_harmer", "Child alleged to have harmed"
    WITNESS = "witness", "Witness"


# Children in these roles need a support plan before a concern can move on.
ROLES_NEEDING_SUPPORT = (ChildRole.SUBJECT, ChildRole.AFFECTED)


class ConcernChild(models.Model):
    """A child named in a concern, with their role and their own safety check."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="children")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="concern_links")
    role = models.CharField(max_length=20, choices=ChildRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    safe_now = models.BooleanField(null=True, blank=True)
    safety_notes = models.TextField(blank=True)
    safety_action = models.TextField(blank=True)
    safety_action_at = models.DateTimeField(null=True, blank=True)
    safety_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_checked_at = models.DateTimeField(null=True, blank=True)
    # Who has spoken to the child about this, and why: listening is right, investigating
    # (interviews, leading questions) is not the school's job.
    spoken_to = models.TextField(blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "pupil"], name="child_once_per_concern"),
            models.CheckConstraint(
                condition=~models.Q(safe_now=False)
                | (~models.Q(safety_action="") & models.Q(safety_action_at__isnull=False)),
                name="unsafe_child_needs_action",
            ),
        ]

    def __str__(self):
        return f"{self.pupil} ({self.get_role_display()})"

    @property
    def safety_checked(self) -> bool:
        return self.safe_now is not None


class EvidenceItem(models.Model):
    """Evidence is described and located, never collected: see DOMAIN.md rule 1."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="evidence_items")
    description = models.TextField()
    platform = models.CharField("app or platform", max_length=120, blank=True)
    usernames = models.CharField(max_length=200, blank=True)
    location = models.CharField("where it is", max_length=200)
    held_by = models.CharField("who holds it", max_length=150)
    device_custody = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.description[:60]


class Attachment(models.Model):
    """A document attached to a concern. Its bytes are AttachmentChunk rows in the same
    database, so one backup holds everything and app servers share no folder."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class AttachmentChunk(models.Model):
    """One piece of an attachment's bytes, in order. Written once with the attachment and
    never changed or deleted (the database refuses both); the attachment's own history
    records its name, size and sha256. Pieces keep each read and write to a bounded size,
    so a download streams without holding the whole file."""

    SIZE = 1024 * 1024

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="chunks")
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    objects = FetchModeManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "position"], name="attachment_chunk_position_unique"
            )
        ]

    def __str__(self):
        return f"piece {self.position} of attachment {self.attachment_id}"


class SupportAction(models.Model):
    """Support for one child, reviewed on its review date until it ends."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        ConcernChild, on_delete=models.PROTECT, related_name="support_actions"
    )
    action = models.TextField()
    owner = models.CharField(max_length=150)
    review_date = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    ended_on = models.DateField(null=True, blank=True)
    # The concern's school, on the row itself: a school's support is counted from its own
    # rows (the governors' dashboard), not by joining every concern of the trust.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["review_date", "pk"]
        indexes = [
            models.Index(
                fields=["review_date"],
                condition=models.Q(ended_on=None),
                name="support_review_due",
            ),
            models.Index(fields=["school", "ended_on"], name="support_school"),
        ]

    def __str__(self):
        return self.action[:60]


class SupportReview(models.Model):
    """A review of a support action: how it is going, and the next review date or its end."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(SupportAction, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField()
    next_review_date = models.DateField(null=True, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self):
        return self.notes[:60]


class FollowUpKind(models.TextChoices):
    PUPIL_LESSONS = "pupil_lessons", "Extra e-safety lessons for pupils"
    PARENT_SESSION = "parent_session", "E-safety session for parents"
    POLICY_REVIEW = "policy_review", "Review of the e-safety policy"
    STAFF_TRAINING = "staff_training", "Staff training"
    OTHER = "other", "Other school-wide action"


class FollowUpAction(models.Model):
    """School-wide follow-up: work that is about no one child."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completion_notes = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.get_kind_display()


class Note(models.Model):
    """Information added to a concern after it was recorded (by its reporter or the DSL team)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    added_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()
    # Never edited once added: PostgreSQL refuses UPDATE, DELETE and TRUNCATE (migration
    # concerns/0016_append_only_history; safeguard.db.is_append_only).
    append_only = True

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.text[:60]


class ReferenceCounter(models.Model):
    """The last concern number issued per school and year, locked while a number is taken."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_counter_per_school_year"),
        ]

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class UnnamedChild(models.Model):
    """A child who is involved or may be at risk but is not yet identified ("two friends at a
    sleepover"). An open item until they are named from the register or their identities
    are passed to social care or the police to establish."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="unnamed_children")
    description = models.TextField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    identified_as = models.OneToOneField(
        ConcernChild, on_delete=models.PROTECT, null=True, blank=True, related_name="described_as"
    )
    passed_to = models.CharField("identities passed to", max_length=200, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passed_to="") | models.Q(passed_at__isnull=False),
                name="passed_on_needs_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["concern"],
                condition=models.Q(identified_as=None, passed_to=""),
                name="unnamed_child_open",
            )
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.identified_as_id is None and not self.passed_to


# Kept by name so that a card and its categories are written in one history row.
GUIDANCE_HISTORY = HistoricalRecords(m2m_fields=["categories"])


class GuidanceCard(models.Model):
    """Advice for one kind of harm: what to say when told, what to tell the child and family,
    what not to do, whom to report to and how to get images removed. National cards (no
    school) are seeded from guidance_seed.py; a school's DSL team adds its own local ones
    (MASH, LADO and police contacts). A card with no category applies to every concern."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=80)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="guidance_cards"
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="guidance_cards")
    title = models.CharField(max_length=200)
    when_told = models.TextField("when a child or parent tells you", blank=True)
    tell_family = models.TextField("what to tell the child and family", blank=True)
    do_not = models.TextField("what not to do", blank=True)
    report_to = models.TextField("whom to report to", blank=True)
    removal = models.TextField("getting images removed", blank=True)
    source = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FetchModeManager()
    history = GUIDANCE_HISTORY

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="guidance_key_per_school"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(school=None), name="national_guidance_key"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_local(self) -> bool:
        return self.school_id is not None

    @property
    def has_family_advice(self) -> bool:
        return bool(self.tell_family.strip())


class AdviceGiven(models.Model):
    """A card's advice given to the child or family: by whom, to whom and when."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="advice_given")
    card = models.ForeignKey(GuidanceCard, on_delete=models.PROTECT, related_name="+")
    given_by = models.CharField(max_length=150)
    given_to = models.CharField(max_length=150)
    given_at = models.DateTimeField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["given_at", "pk"]

    def __str__(self):
        return f"{self.card} to {self.given_to}"


class PracticeFlag(models.Model):
    """Something written on a concern that reads as investigating rather than listening (a
    child questioned, other parents canvassed), raised for the DSL team to review."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="practice_flags")
    source = models.CharField(max_length=80)
    excerpt = models.TextField()
    concern_text = models.CharField(max_length=200)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reviewed_at=None) | ~models.Q(review_notes=""),
                name="flag_review_needs_notes",
            ),
        ]
        indexes = [
            models.Index(fields=["concern"], condition=models.Q(reviewed_at=None), name="flag_open")
        ]

    def __str__(self):
        return self.concern_text
