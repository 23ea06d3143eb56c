import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safeguard.db import FetchModeManager


class School(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=10, blank=True, help_text="Unique reference number")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    local_authority = models.CharField(max_length=120, blank=True)
    # Deadlines the school sets: its own expectation for the safety check, and its local
    # authority's deadline for confirming an urgent phone referral in writing.
    safety_check_hours = models.PositiveSmallIntegerField(
        default=4, help_text="Hours after recording by which every child's safety is checked"
    )
    written_confirmation_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="Hours after an urgent phone referral by which it is confirmed in writing",
    )
    # The safeguarding team, governors and administrators always use a second factor
    # (schools.policy); the school decides whether the rest of its staff must too.
    staff_mfa_required = models.BooleanField(
        "Staff must use a second factor",
        default=False,
        help_text="Members of staff sign in with an authenticator app as well as a password",
    )

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Term(models.Model):
    """One half term of a school's year, from its first teaching day to its last. The days
    between half terms (holidays and half-term breaks) are not school days; a file due "within
    5 school days" of a move is counted in them (schools.terms)."""

    class Half(models.TextChoices):
        AUTUMN_1 = "autumn_1", "Autumn, first half"
        AUTUMN_2 = "autumn_2", "Autumn, second half"
        SPRING_1 = "spring_1", "Spring, first half"
        SPRING_2 = "spring_2", "Spring, second half"
        SUMMER_1 = "summer_1", "Summer, first half"
        SUMMER_2 = "summer_2", "Summer, second half"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="terms")
    # The calendar year in which the academic year begins (September).
    academic_year = models.PositiveSmallIntegerField()
    half = models.CharField(max_length=10, choices=Half.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "half"], name="one_of_each_half_a_year"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="term_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_half_display()} {self.academic_year}: {self.starts_on} to {self.ends_on}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may see comes from their school memberships."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use Django's admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email


class Role(models.TextChoices):
    STAFF = "staff", "Member of staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    GOVERNOR = "governor", "Governor"
    SCHOOL_ADMIN = "school_admin", "School administrator"


class Membership(models.Model):
    """A user's role at one school. A trust's staff may belong to several schools."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # An invitation gives someone a role before they have used it. Until they first sign in
    # after that (joined_at), the school sees only what its administrator typed: the name and
    # job title, never what another school knows of an address that already had an account.
    invited_name = models.CharField(max_length=150, blank=True)
    invited_job_title = models.CharField(max_length=120, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True, default=timezone.now)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_role_per_school"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.school})"

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None

    @property
    def name(self) -> str:
        """The person's name as this school may see it."""
        if self.has_joined or not self.invited_name:
            return self.user.full_name
        return self.invited_name

    @property
    def job_title(self) -> str:
        return self.user.job_title if self.has_joined else self.invited_job_title

    # Shorthands for the two rules most pages ask (schools.policy, which imports this module).
    @property
    def is_dsl_team(self) -> bool:
        from schools.policy import HANDLE_CASES

        return HANDLE_CASES(self)

    @property
    def can_record(self) -> bool:
        from schools.policy import RECORD_CONCERNS

        return RECORD_CONCERNS(self)


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other or not stated"


class Boarding(models.TextChoices):
    DAY = "day", "Day pupil"
    WEEKLY = "weekly", "Weekly boarder"
    FULL = "full", "Full boarder"


class Pupil(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, help_text="Unique pupil number")
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    year_group = models.CharField(max_length=20, help_text="For example Year 4 or Reception")
    class_name = models.CharField("class", max_length=40, blank=True)
    boarding = models.CharField(max_length=10, choices=Boarding.choices, default=Boarding.DAY)
    first_language = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=80, blank=True)
    sen_disability = models.BooleanField("SEN or disability", default=False)
    sen_details = models.CharField("SEN or disability details", max_length=200, blank=True)
    address = models.TextField(blank=True)
    is_on_roll = models.BooleanField(default=True)
    # A leaver: the day they leave (or left), and where they are going. The child protection
    # file must reach the new school within 5 school days of it (transfers). The destination
    # is a school in this deployment where one is known, else as the MIS or the DSL wrote it.
    leaving_date = models.DateField(null=True, blank=True)
    destination = models.CharField("destination school", max_length=200, blank=True)
    destination_school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="arrivals"
    )

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="one_pupil_per_upn_per_school"),
        ]
        indexes = [
            models.Index(fields=["school", "legal_last_name", "legal_first_name"]),
            models.Index(
                fields=["school", "leaving_date"],
                name="pupil_leavers",
                condition=models.Q(leaving_date__isnull=False),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def destination_name(self) -> str:
        if self.destination_school_id is not None:
            return self.destination_school.name
        return self.destination

    @property
    def full_name(self) -> str:
        first = self.preferred_first_name or self.legal_first_name
        last = self.preferred_last_name or self.legal_last_name
        return f"{first} {last}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    def age_on(self, day) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class HouseholdContact(models.Model):
    """A parent, carer or other adult in the child's household, from the school's MIS."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="contacts")
    priority = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=60)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=True)

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "priority"], name="one_contact_per_priority"),
        ]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class FailedNotification(models.Model):
    """An e-mail that could not be sent after every retry (schools.notifications). The
    school's administrators and DSL team see it until one of them retries it or marks it
    dealt with; it is never deleted.

    It holds what the e-mail itself may hold: a reference, a link and addresses, never a
    child's name or a detail of a concern.
    """

    class Outcome(models.TextChoices):
        OPEN = "", "Not dealt with"
        RETRIED = "retried", "Sent again"
        DEALT_WITH = "dealt_with", "Dealt with"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="failed_notifications"
    )
    what = models.CharField(max_length=200)
    recipients = models.TextField(help_text="The addresses it was for, one a line")
    # A path in the app (a concern, the people page), with who may follow it.
    link = models.CharField(max_length=200, blank=True)
    dsl_team_only = models.BooleanField(
        default=False, help_text="About a concern: only the DSL team see the link"
    )
    reason = models.TextField()
    attempts = models.PositiveSmallIntegerField()
    failed_at = models.DateTimeField(default=timezone.now)
    # Enough to queue it again: the task's import path and its arguments.
    task_path = models.CharField(max_length=200)
    task_args = models.JSONField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FetchModeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-failed_at"]
        indexes = [
            models.Index(
                fields=["school", "failed_at"],
                name="failed_notification_open",
                condition=models.Q(outcome=""),
            )
        ]

    def __str__(self):
        return f"{self.what} ({self.failed_at:%Y-%m-%d %H:%M})"

    def what_for(self, *, dsl_team: bool) -> str:
        """What it was, as someone in the DSL team or not may be told: a concern's reference
        is the DSL team's alone."""
        if self.dsl_team_only and not dsl_team:
            return "An e-mail to the DSL team about their work"
        return self.what
