"""Who may see and keep the registers, and the registers as governors read them.

Access: the DSL team and the school's administrator keep the registers and the checklist;
governors read them; anyone else is refused (403), and a record of another school is not
found (404). Each register is read in a fixed number of queries, however many rows it has.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.dateformat import format as format_date

from oversight.models import (
    SOON_DAYS,
    ChecklistItem,
    ChecklistQuestion,
    CourseKind,
    NamedRole,
    NamedRoleKind,
    PersonRole,
    Policy,
    PolicyKind,
    PreparedReport,
    TrainingRecord,
)
from schools.acting import acting_membership
from schools.models import Membership, Role, School
from schools.policy import MANAGE_SCHOOL, READ_OVERSIGHT
from schools.selectors import membership_at, memberships_of


def _day(day: date) -> str:
    return format_date(day, "j F Y")


# --- Access --------------------------------------------------------------------------------


def oversight_membership(user, *, write: bool = False, chosen: str | None = None) -> Membership:
    """The school whose registers the user works on: the `chosen` one (schools.acting) if
    their role there allows, else the first where they keep them, else the first where they
    read them. 403 for anyone else, and for a reader asked to write."""
    memberships = memberships_of(user)
    if write:
        keeper = acting_membership(memberships, chosen, MANAGE_SCHOOL)
        if keeper is None:
            raise PermissionDenied("Only the safeguarding team or the school's administrator can.")
        return keeper
    reader = acting_membership(memberships, chosen, READ_OVERSIGHT, prefer=MANAGE_SCHOOL)
    if reader is None:
        raise PermissionDenied("Your role does not give access to the oversight registers.")
    return reader


def _for(user, queryset, uuid, *, write: bool):
    """One register row for `user`, by its UUID (see _allowed)."""
    return _allowed(user, queryset.select_related("school").filter(uuid=uuid).first(), write=write)


def _allowed(user, found, *, write: bool):
    """`found`, if `user` may read it (or change it, with `write`): 404 for nothing found or a
    row outside their schools, 403 for a role that may not."""
    if found is None:
        raise Http404("No such record")
    membership = membership_at(user, found.school_id)
    if membership is None:
        raise Http404("No such record")
    if not (MANAGE_SCHOOL if write else READ_OVERSIGHT)(membership):
        raise PermissionDenied("Your role may not change the oversight registers.")
    return found


def training_record_for(user, uuid, *, write: bool = False) -> TrainingRecord:
    return _for(user, TrainingRecord.objects.select_related("person"), uuid, write=write)


def policy_for(user, uuid, *, write: bool = False) -> Policy:
    return _for(user, Policy.objects.all(), uuid, write=write)


def named_role_for(user, uuid, *, write: bool = False) -> NamedRole:
    return _for(user, NamedRole.objects.select_related("person"), uuid, write=write)


def checklist_item_for(user, uuid, *, write: bool = False) -> ChecklistItem:
    """A question of a school's checklist: its row, or for a question not yet assessed, the
    unsaved row its address stands for (ChecklistItem.not_yet_assessed)."""
    items = ChecklistItem.objects.select_related("school", "assessed_by")
    found = items.filter(uuid=uuid).first() or _not_yet_assessed(user, uuid)
    return _allowed(user, found, write=write)


def _not_yet_assessed(user, uuid) -> ChecklistItem | None:
    """The unsaved item addressed by `uuid` at one of the user's schools, if any."""
    for membership in memberships_of(user):
        for question in ChecklistQuestion.values:
            item = ChecklistItem.not_yet_assessed(membership.school, question)
            if str(item.uuid) == str(uuid):
                return item
    return None


def school_people(school: School) -> list[Membership]:
    """The school's members with their accounts, by name: who a register row may name."""
    return list(
        Membership.objects.filter(school=school)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


# --- Training ------------------------------------------------------------------------------


class Standing:
    """Where a training record or a policy stands today; the value is the tag's text."""

    OVERDUE = "Overdue"
    SOON = "Expires soon"
    IN_DATE = "In date"
    SUPERSEDED = "Superseded"
    REVIEW_SOON = "Review due soon"


TAG_COLOURS = {
    Standing.OVERDUE: "red",
    Standing.SOON: "yellow",
    Standing.REVIEW_SOON: "yellow",
    Standing.IN_DATE: "green",
    Standing.SUPERSEDED: "grey",
}


@dataclass(frozen=True)
class TrainingRow:
    record: TrainingRecord
    standing: str

    @property
    def colour(self) -> str:
        return TAG_COLOURS[self.standing]


@dataclass(frozen=True)
class Overdue:
    """Someone whose safeguarding training is not in date."""

    name: str
    role: str
    reason: str


# Whom each role needs trained, and in what. A deputy is trained to the DSL's standard
# (KCSIE), so either course will do.
ROLE_NEEDS = {
    PersonRole.DSL: (CourseKind.DSL,),
    PersonRole.DEPUTY_DSL: (CourseKind.DSL, CourseKind.DEPUTY_DSL),
    PersonRole.GOVERNOR: (CourseKind.GOVERNOR_INDUCTION,),
}
MEMBER_ROLES = {
    Role.DSL: PersonRole.DSL,
    Role.DEPUTY_DSL: PersonRole.DEPUTY_DSL,
    Role.GOVERNOR: PersonRole.GOVERNOR,
}
NAMED_ROLES = {
    NamedRoleKind.DSL: PersonRole.DSL,
    NamedRoleKind.DEPUTY_DSL: PersonRole.DEPUTY_DSL,
    NamedRoleKind.SAFEGUARDING_GOVERNOR: PersonRole.GOVERNOR,
    NamedRoleKind.FILTERING_GOVERNOR: PersonRole.GOVERNOR,
}
NEEDS_TEXT = {
    PersonRole.DSL: "No designated safeguarding lead training in date",
    PersonRole.DEPUTY_DSL: "No designated safeguarding lead training in date",
    PersonRole.GOVERNOR: "No governor safeguarding induction",
}


class _People:
    """Tells people apart across the registers: by account, or for someone recorded by
    name only, by that name (matched to an account at the school with the same name)."""

    def __init__(self, members: list[Membership]):
        self.names = {}
        self.by_name = {}
        for membership in members:
            self.names[("user", membership.user_id)] = membership.user.full_name
            self.by_name.setdefault(membership.user.full_name.casefold(), membership.user_id)

    def key(self, row) -> tuple:
        if row.person_id:
            self.names.setdefault(("user", row.person_id), row.display_name)
            return ("user", row.person_id)
        folded = row.person_name.strip().casefold()
        if folded in self.by_name:
            return ("user", self.by_name[folded])
        self.names.setdefault(("name", folded), row.person_name.strip())
        return ("name", folded)


@dataclass(frozen=True)
class DslTraining:
    name: str
    in_date: bool
    # The latest expiry of their in-date DSL training; None when it does not expire.
    expires_on: date | None


@dataclass
class TrainingRegister:
    rows: list[TrainingRow]
    overdue: list[Overdue]
    # People other than governors with CEOP (Thinkuknow) training in date.
    ceop_trained: int
    dsl_training: list[DslTraining] = field(default_factory=list)
    governors_untrained: int = 0

    @property
    def expiring_soon(self) -> list[TrainingRow]:
        return [row for row in self.rows if row.standing == Standing.SOON]


def _standing(record: TrainingRecord, *, today: date, superseded: bool) -> str:
    if superseded:
        return Standing.SUPERSEDED
    if record.expires_on is None:
        return Standing.IN_DATE
    if record.expires_on < today:
        return Standing.OVERDUE
    if record.expires_on <= today + timedelta(days=SOON_DAYS):
        return Standing.SOON
    return Standing.IN_DATE


def _training_register(
    records: list[TrainingRecord],
    members: list[Membership],
    roles: list[NamedRole],
    *,
    today: date,
) -> TrainingRegister:
    people = _People(members)
    # The latest record of each person and course supersedes the older ones.
    latest = {}
    keyed = []
    for record in sorted(records, key=lambda r: (r.completed_on, r.pk), reverse=True):
        key = people.key(record)
        keyed.append((key, record))
        latest.setdefault((key, record.kind), record)
    current = {record.pk for record in latest.values()}

    rows = [
        TrainingRow(record, _standing(record, today=today, superseded=record.pk not in current))
        for _, record in keyed
    ]
    rows.sort(
        key=lambda row: (
            row.record.display_name.casefold(),
            row.record.get_kind_display(),
            -row.record.completed_on.toordinal(),
        )
    )

    # Who holds a role that needs training: from their account's role, a current named
    # role, or a training record saying they are a governor (governors may have no account).
    needs = {}
    for membership in members:
        if membership.role in MEMBER_ROLES:
            needs.setdefault(("user", membership.user_id), set()).add(MEMBER_ROLES[membership.role])
    for named in roles:
        if named.role in NAMED_ROLES and named.is_current_on(today):
            needs.setdefault(people.key(named), set()).add(NAMED_ROLES[named.role])
    for key, record in keyed:
        if record.pk in current and record.person_role == PersonRole.GOVERNOR:
            needs.setdefault(key, set()).add(PersonRole.GOVERNOR)

    overdue = [
        Overdue(
            name=record.display_name,
            role=record.get_person_role_display(),
            reason=f"{record.get_kind_display()} expired on {_day(record.expires_on)}",
        )
        for record in latest.values()
        if record.expires_on is not None and record.expires_on < today
    ]
    dsl_training = []
    governors_untrained = 0
    for key, person_roles in needs.items():
        for person_role in sorted(person_roles):
            kinds = ROLE_NEEDS[person_role]
            held = [latest[key, kind] for kind in kinds if (key, kind) in latest]
            in_date = [r for r in held if r.expires_on is None or r.expires_on >= today]
            if person_role == PersonRole.DSL:
                expiries = [r.expires_on for r in in_date]
                dsl_training.append(
                    DslTraining(
                        name=people.names[key],
                        in_date=bool(in_date),
                        expires_on=None if None in expiries or not in_date else max(expiries),
                    )
                )
            if in_date:
                continue
            if person_role == PersonRole.GOVERNOR:
                governors_untrained += 1
            if not held:  # an expired course is already listed above
                overdue.append(
                    Overdue(
                        name=people.names[key],
                        role=PersonRole(person_role).label,
                        reason=NEEDS_TEXT[person_role],
                    )
                )
    overdue.sort(key=lambda o: (o.name.casefold(), o.reason))

    ceop = {
        key
        for (key, kind), record in latest.items()
        if kind == CourseKind.CEOP
        and record.person_role != PersonRole.GOVERNOR
        and (record.expires_on is None or record.expires_on >= today)
    }
    return TrainingRegister(
        rows=rows,
        overdue=overdue,
        ceop_trained=len(ceop),
        dsl_training=sorted(dsl_training, key=lambda t: t.name.casefold()),
        governors_untrained=governors_untrained,
    )


# --- Policies and roles ----------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    policy: Policy
    standing: str

    @property
    def colour(self) -> str:
        return TAG_COLOURS[self.standing]


def _policy_rows(policies: list[Policy], *, today: date) -> list[PolicyRow]:
    def standing(policy):
        if policy.next_review_due_on < today:
            return Standing.OVERDUE
        if policy.next_review_due_on <= today + timedelta(days=SOON_DAYS):
            return Standing.REVIEW_SOON
        return Standing.IN_DATE

    return [PolicyRow(policy, standing(policy)) for policy in policies]


# Roles KCSIE expects every school to have filled.
EXPECTED_ROLES = (
    NamedRoleKind.DSL,
    NamedRoleKind.SAFEGUARDING_GOVERNOR,
    NamedRoleKind.FILTERING_LEAD,
    NamedRoleKind.FILTERING_GOVERNOR,
)


@dataclass
class Registers:
    training: TrainingRegister
    policies: list[PolicyRow]
    current_roles: list[NamedRole]
    past_roles: list[NamedRole]
    # Labels of the roles KCSIE expects that nobody holds today.
    unfilled_roles: list[str]

    @property
    def policies_overdue(self) -> list[PolicyRow]:
        return [row for row in self.policies if row.standing == Standing.OVERDUE]


def registers_for(school: School, *, today: date) -> Registers:
    """All three registers of one school, in four queries:
    the school's members with their accounts, the training records with their people,
    the named roles with their people, and the policies."""
    members = school_people(school)
    records = list(TrainingRecord.objects.filter(school=school).select_related("person"))
    roles = list(NamedRole.objects.filter(school=school).select_related("person"))
    policies = list(Policy.objects.filter(school=school).order_by("next_review_due_on", "title"))

    current = [r for r in roles if r.is_current_on(today)]
    current.sort(key=lambda r: (NamedRoleKind.values.index(r.role), r.display_name))
    past = [r for r in roles if not r.is_current_on(today)]
    past.sort(key=lambda r: r.from_date, reverse=True)
    filled = {r.role for r in current}
    return Registers(
        training=_training_register(records, members, roles, today=today),
        policies=_policy_rows(policies, today=today),
        current_roles=current,
        past_roles=past,
        unfilled_roles=[role.label for role in EXPECTED_ROLES if role not in filled],
    )


# --- Checklist -----------------------------------------------------------------------------


def checklist_items(school: School) -> list[ChecklistItem]:
    """Every question of the school's checklist in order, with who assessed each: one query.
    A question not yet assessed has no row; it comes unsaved, "Not started"."""
    saved = {
        item.question: item
        for item in ChecklistItem.objects.filter(school=school).select_related("assessed_by")
    }
    return [
        saved.get(question) or ChecklistItem.not_yet_assessed(school, question)
        for question in ChecklistQuestion.values
    ]


def _policy_signal(registers: Registers, kind: PolicyKind) -> str:
    rows = [row for row in registers.policies if row.policy.kind == kind]
    if not rows:
        return f"Not on the policy register: {kind.label.lower()}."
    row = rows[0]  # the earliest due
    due = _day(row.policy.next_review_due_on)
    if row.standing == Standing.OVERDUE:
        return f"Overdue for review since {due}."
    return f"Last reviewed {_day(row.policy.last_reviewed_on)}; next review due {due}."


def _dsl_signal(training: DslTraining) -> str:
    if not training.in_date:
        return f"{training.name}: not in date."
    if training.expires_on is None:
        return f"{training.name}: in date."
    return f"{training.name}: in date until {_day(training.expires_on)}."


def register_signals(registers: Registers) -> dict[str, str]:
    """What the registers say about some checklist questions, to set beside the assessment."""
    training = registers.training
    if training.dsl_training:
        dsl = " ".join(_dsl_signal(t) for t in training.dsl_training)
    else:
        dsl = "No designated safeguarding lead is on the registers."
    link = [
        r.display_name
        for r in registers.current_roles
        if r.role == NamedRoleKind.SAFEGUARDING_GOVERNOR
    ]
    untrained = training.governors_untrained
    return {
        ChecklistQuestion.DSL_TRAINED: dsl,
        ChecklistQuestion.CEOP_TRAINED: (
            f"{training.ceop_trained} member{'s' if training.ceop_trained != 1 else ''} "
            "of staff with CEOP training in date."
        ),
        ChecklistQuestion.GOVERNORS_TRAINED: (
            f"{untrained} governor{'s' if untrained != 1 else ''} without a safeguarding induction."
            if untrained
            else "Every governor on the registers has had a safeguarding induction."
        ),
        ChecklistQuestion.GOVERNOR_OVERSIGHT: (
            f"Safeguarding governor: {', '.join(link)}."
            if link
            else "No safeguarding governor is named."
        ),
        ChecklistQuestion.FILTERING_REVIEWED: _policy_signal(
            registers, PolicyKind.FILTERING_MONITORING
        ),
        ChecklistQuestion.CP_POLICY_REVIEWED: _policy_signal(
            registers, PolicyKind.CHILD_PROTECTION
        ),
    }


def checklist_history(item: ChecklistItem) -> list:
    """The item's earlier assessments, latest first, with who made each: one query (none
    for a question not yet assessed)."""
    if item.pk is None:
        return []
    return list(
        ChecklistItem.history.filter(id=item.pk)
        .exclude(assessed_on=None)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


# --- Prepared reports ----------------------------------------------------------------------

# The dashboard lists its reader's reports asked for in this many days.
RECENT_REPORT_DAYS = 7


def prepared_report_for(user, uuid, *, with_file: bool = False) -> PreparedReport:
    """A report `user` asked for, if they may still read it (its file only `with_file`): 404
    for another reader's (whose existence is not theirs to know) or none; 403 once they no
    longer read the school's oversight figures, or no longer read them exactly for an exact
    copy."""
    reports = PreparedReport.objects.select_related("school")
    if not with_file:
        reports = reports.defer("content")
    found = reports.filter(uuid=uuid, asked_by=user).first()
    if found is None:
        raise Http404("No such report")
    memberships = [m for m in memberships_of(user) if m.school_id == found.school_id]
    allowed = MANAGE_SCHOOL if found.exact else READ_OVERSIGHT
    if not any(allowed(m) for m in memberships):
        raise PermissionDenied("Your role no longer gives access to this report.")
    return found


def recent_reports(user, school, *, now) -> list[PreparedReport]:
    """The reports `user` asked for at `school` lately, newest first, without their files."""
    return list(
        PreparedReport.objects.filter(
            school=school,
            asked_by=user,
            asked_at__gte=now - timedelta(days=RECENT_REPORT_DAYS),
        ).defer("content")[:5]
    )
