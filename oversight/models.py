"""The registers governors oversee (training, policies, named roles) and their checklist.

They hold the names of staff and governors, never a child's: nothing here links to a concern.
Rows are never deleted (a database trigger refuses it); a change is an edit with a reason,
kept in the history.
"""

import uuid
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager
from schools.models import School, User

# A date this close ahead is flagged "Expires soon" or "Review due soon".
SOON_DAYS = 60


class PersonRole(models.TextChoices):
    STAFF = "staff", "Member of staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    GOVERNOR = "governor", "Governor"
    OTHER = "other", "Other"


class CourseKind(models.TextChoices):
    DSL = "dsl", "Designated safeguarding lead training"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead training"
    GOVERNOR_INDUCTION = "governor_induction", "Governor safeguarding induction"
    GOVERNOR_REFRESHER = "governor_refresher", "Governor safeguarding refresher"
    WHOLE_STAFF = "whole_staff", "Whole-staff safeguarding and KCSIE update"
    CEOP = "ceop", "CEOP online safety (Thinkuknow)"
    PREVENT = "prevent", "Prevent"
    OTHER = "other", "Other"


# How long each kind of course stays in date, in years; None: it does not expire (an
# induction is done once; "other" courses have no standard). KCSIE: DSL training every two
# years, staff updates at least annually; the rest are common local practice.
COURSE_VALIDITY_YEARS = {
    CourseKind.DSL: 2,
    CourseKind.DEPUTY_DSL: 2,
    CourseKind.GOVERNOR_INDUCTION: None,
    CourseKind.GOVERNOR_REFRESHER: 3,
    CourseKind.WHOLE_STAFF: 1,
    CourseKind.CEOP: 2,
    CourseKind.PREVENT: 2,
    CourseKind.OTHER: None,
}


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_expiry(kind: str, completed_on: date) -> date | None:
    years = COURSE_VALIDITY_YEARS[CourseKind(kind)]
    return None if years is None else years_after(completed_on, years)


def _person_given():
    return Q(person__isnull=False) | ~Q(person_name="")


class TrainingRecord(models.Model):
    """One course one person completed. A newer record of the same person and kind
    supersedes this one; neither is ever deleted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="training_records")
    # Someone with an account, or (for a governor or visitor without one) just a name.
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=150, blank=True)
    person_role = models.CharField(max_length=20, choices=PersonRole.choices)
    kind = models.CharField("course", max_length=30, choices=CourseKind.choices)
    title = models.CharField("course title", max_length=200, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person_name", "kind", "-completed_on"]
        constraints = [
            models.CheckConstraint(condition=_person_given(), name="training_names_a_person"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("completed_on")),
                name="training_expires_after_completion",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.display_name}"

    @property
    def display_name(self) -> str:
        """Needs `person` selected with the record."""
        return self.person.full_name if self.person_id else self.person_name


class PolicyKind(models.TextChoices):
    CHILD_PROTECTION = "child_protection", "Child protection and safeguarding policy"
    ONLINE_SAFETY = "online_safety", "Online safety policy"
    FILTERING_MONITORING = "filtering_monitoring", "Filtering and monitoring review"
    STAFF_CONDUCT = "staff_conduct", "Staff behaviour policy (code of conduct)"
    OTHER = "other", "Other"


def default_next_review(last_reviewed_on: date) -> date:
    # Each of these is reviewed every year (KCSIE; the filtering and monitoring standards).
    return years_after(last_reviewed_on, 1)


class Policy(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="policies")
    kind = models.CharField(max_length=30, choices=PolicyKind.choices)
    title = models.CharField(max_length=200)
    last_reviewed_on = models.DateField()
    next_review_due_on = models.DateField()
    approved_by = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["next_review_due_on", "title"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_due_on__gt=models.F("last_reviewed_on")),
                name="policy_review_due_after_last_review",
            ),
        ]

    def __str__(self):
        return self.title


class NamedRoleKind(models.TextChoices):
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    SAFEGUARDING_GOVERNOR = "safeguarding_governor", "Safeguarding governor (link governor)"
    FILTERING_LEAD = "filtering_lead", "Filtering and monitoring lead (senior leadership)"
    FILTERING_GOVERNOR = "filtering_governor", "Filtering and monitoring governor"
    PREVENT_LEAD = "prevent_lead", "Prevent lead"
    ONLINE_SAFETY_LEAD = "online_safety_lead", "Online safety lead"
    OTHER = "other", "Other"


class NamedRole(models.Model):
    """Who holds a safeguarding responsibility, from when, until when (blank: still does)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="named_roles")
    role = models.CharField(max_length=30, choices=NamedRoleKind.choices)
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=150, blank=True)
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "-from_date"]
        constraints = [
            models.CheckConstraint(condition=_person_given(), name="named_role_names_a_person"),
            models.CheckConstraint(
                condition=Q(to_date__isnull=True) | Q(to_date__gte=models.F("from_date")),
                name="named_role_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.display_name}"

    @property
    def display_name(self) -> str:
        """Needs `person` selected with the role."""
        return self.person.full_name if self.person_id else self.person_name

    def is_current_on(self, day: date) -> bool:
        return self.from_date <= day and (self.to_date is None or self.to_date >= day)


class ChecklistQuestion(models.TextChoices):
    """What governors ask after a case like DOMAIN.md's, and what the registers should show."""

    SUPPORT_ONLINE_ABUSE = (
        "support_online_abuse",
        "The school knows how to support a child who has shared images or been groomed online",
    )
    PUPIL_GUIDANCE = "pupil_guidance", "Guidance to pupils on online safety is sufficient"
    PARENT_GUIDANCE = "parent_guidance", "Guidance to parents on online safety is sufficient"
    GOVERNOR_OVERSIGHT = (
        "governor_oversight",
        "Governors have oversight of safeguarding (regular reports, a link governor)",
    )
    CEOP_TRAINED = "ceop_trained", "There are CEOP-trained staff"
    GOVERNORS_TRAINED = "governors_trained", "All governors have had safeguarding training"
    FILTERING_REVIEWED = "filtering_reviewed", "Filtering and monitoring are reviewed annually"
    CP_POLICY_REVIEWED = (
        "cp_policy_reviewed",
        "The child protection policy has been reviewed this year",
    )
    DSL_TRAINED = "dsl_trained", "The DSL's training is in date"


# The checklist's order on the page.
CHECKLIST_ORDER = {key: position for position, key in enumerate(ChecklistQuestion.values)}


class ChecklistStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


STATUS_COLOURS = {
    ChecklistStatus.NOT_STARTED: "grey",
    ChecklistStatus.IN_PROGRESS: "blue",
    ChecklistStatus.MET: "green",
    ChecklistStatus.NOT_MET: "red",
}


class ChecklistItem(models.Model):
    """One question of a school's oversight checklist and the governors' latest answer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="checklist_items")
    question = models.CharField(max_length=40, choices=ChecklistQuestion.choices)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=ChecklistStatus.choices, default=ChecklistStatus.NOT_STARTED
    )
    assessed_on = models.DateField(null=True, blank=True)
    # About the school's practice; governors read it, so it never names a child.
    evidence = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "question"], name="one_checklist_item_per_question"
            ),
        ]

    def __str__(self):
        return self.get_question_display()

    @classmethod
    def not_yet_assessed(cls, school: School, question: str) -> "ChecklistItem":
        """The question's row before it is first assessed: unsaved, "Not started". Its UUID
        comes from the school's and the question's, so the page can link to the question
        before the row exists, and the row keeps that address once saved."""
        return cls(
            uuid=uuid.uuid5(school.uuid, question),
            school=school,
            question=question,
            position=CHECKLIST_ORDER[question],
        )

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]


# A report still being prepared this long after it was asked for has lost its worker.
REPORT_STALLED_AFTER = timedelta(minutes=10)
# A prepared report's file is kept this long, then cleared (oversight.services.report_ask).
REPORT_KEPT = timedelta(days=7)


class ReportStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


class PreparedReport(models.Model):
    """A termly report asked for by one reader, rendered by the task worker
    (`oversight.tasks.prepare_report`) so that asking costs the request only two inserts.

    It holds anonymised figures and the registers, never a child's name (as the PDF it
    renders). The figures are as they stood when it was asked for (`asked_at`), and as exact
    as its reader was allowed then (`exact`); only that reader may download it, and only
    while they still may read it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    # The period picker's answers (oversight.periods.PeriodForm), worked out again by the task.
    period_choice = models.JSONField()
    period_name = models.CharField(max_length=100)
    exact = models.BooleanField()
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.PREPARING
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # How long the worker took to render it: the figure `make bench` reports.
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    content = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)

    objects = FetchModeManager()

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["asked_by", "-asked_at"], name="prepared_report_reader")]

    def __str__(self):
        return f"{self.period_name} report for {self.school_id}, {self.get_status_display()}"

    @property
    def stalled(self) -> bool:
        """Still "being prepared" long after it was asked for: its worker died mid-render
        (killed, redeployed). Shown as not prepared, and asked for afresh."""
        return (
            self.status == ReportStatus.PREPARING
            and timezone.now() - self.asked_at > REPORT_STALLED_AFTER
        )

    @property
    def expired(self) -> bool:
        """Kept no longer: the file is cleared after REPORT_KEPT (the row, who asked for
        what and when, stays). An exact copy is not kept for ever."""
        return timezone.now() - self.asked_at > REPORT_KEPT

    @property
    def shown_status(self) -> str:
        return ReportStatus.FAILED if self.stalled else self.status
