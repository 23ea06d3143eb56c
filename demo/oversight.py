"""The demo schools' registers and oversight checklists, made through the services.

Dates are counted back from the day of the load, so the picture stays the same whenever it
is loaded. At Hollybrook, what governors should notice: the DSL's training in date, the
deputy's expiring soon, one governor without a safeguarding induction (overdue), a
CEOP-trained class teacher, the online safety policy overdue for review, and a checklist
part answered. At Larkmoor, the secondary, a school whose registers are in order, with the
parents' guidance still being worked on. Every name is fictional. Running it again adds
only what is missing: rows are found by person and course, policy title, role and holder,
and a checklist question already assessed is left alone.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from demo import school as demo
from demo.school import Tally
from oversight import services
from oversight.models import (
    ChecklistItem,
    ChecklistQuestion,
    ChecklistStatus,
    CourseKind,
    NamedRole,
    NamedRoleKind,
    PersonRole,
    Policy,
    PolicyKind,
    TrainingRecord,
    years_after,
)
from schools.models import School, User

# People at Hollybrook without a login: a governor, the head and a former link governor.
GOVERNOR_WITHOUT_INDUCTION = "Colin Clarke"
HEADTEACHER = "Helen Hughes"
FORMER_LINK_GOVERNOR = "Robert Price"


@dataclass(frozen=True)
class _Training:
    who: demo.DemoAccount | str
    role: PersonRole
    kind: CourseKind
    title: str
    provider: str
    days_ago: int


TRAINING = (
    # The DSL's earlier course, superseded by the refresher below.
    _Training(
        demo.DSL,
        PersonRole.DSL,
        CourseKind.DSL,
        "Designated safeguarding lead: new to role",
        "Demoshire Safeguarding Children Partnership",
        950,
    ),
    _Training(
        demo.DSL,
        PersonRole.DSL,
        CourseKind.DSL,
        "Designated safeguarding lead refresher",
        "Demoshire Safeguarding Children Partnership",
        200,
    ),
    _Training(
        demo.DSL, PersonRole.DSL, CourseKind.PREVENT, "Prevent awareness", "Home Office", 300
    ),
    # Two years after this, less SOON_DAYS: "Expires soon".
    _Training(
        demo.DEPUTY,
        PersonRole.DEPUTY_DSL,
        CourseKind.DEPUTY_DSL,
        "Deputy designated safeguarding lead",
        "Demoshire Safeguarding Children Partnership",
        700,
    ),
    _Training(
        demo.STAFF,
        PersonRole.STAFF,
        CourseKind.CEOP,
        "Thinkuknow introduction",
        "CEOP Education (National Crime Agency)",
        240,
    ),
    _Training(
        demo.STAFF,
        PersonRole.STAFF,
        CourseKind.WHOLE_STAFF,
        "Keeping children safe in education: September update",
        "Hollybrook DSL",
        90,
    ),
    _Training(
        demo.ADMIN,
        PersonRole.STAFF,
        CourseKind.WHOLE_STAFF,
        "Keeping children safe in education: September update",
        "Hollybrook DSL",
        90,
    ),
    _Training(
        demo.GOVERNOR,
        PersonRole.GOVERNOR,
        CourseKind.GOVERNOR_INDUCTION,
        "Safeguarding for new governors",
        "Demoshire Governor Services",
        420,
    ),
    # A governor with Prevent training but no safeguarding induction: overdue.
    _Training(
        GOVERNOR_WITHOUT_INDUCTION,
        PersonRole.GOVERNOR,
        CourseKind.PREVENT,
        "Prevent awareness",
        "Home Office",
        150,
    ),
)


@dataclass(frozen=True)
class _Policy:
    kind: PolicyKind
    title: str
    days_ago: int
    approved_by: str
    notes: str = ""


POLICIES = (
    _Policy(
        PolicyKind.CHILD_PROTECTION,
        "Child protection and safeguarding policy",
        120,
        "Full governing body",
        "Updated for this year's Keeping children safe in education.",
    ),
    # Reviewed over a year ago: overdue.
    _Policy(
        PolicyKind.ONLINE_SAFETY,
        "Online safety policy",
        400,
        "Full governing body",
        "To be reviewed with the school-wide e-safety follow-up.",
    ),
    # Due within SOON_DAYS: "Review due soon".
    _Policy(
        PolicyKind.FILTERING_MONITORING,
        "Filtering and monitoring review",
        320,
        "Headteacher and filtering and monitoring governor",
    ),
    _Policy(PolicyKind.STAFF_CONDUCT, "Staff code of conduct", 200, "Full governing body"),
)


@dataclass(frozen=True)
class _Role:
    role: NamedRoleKind
    who: demo.DemoAccount | str
    from_days_ago: int
    to_days_ago: int | None = None


ROLES = (
    _Role(NamedRoleKind.DSL, demo.DSL, 1100),
    _Role(NamedRoleKind.DEPUTY_DSL, demo.DEPUTY, 720),
    _Role(NamedRoleKind.SAFEGUARDING_GOVERNOR, demo.GOVERNOR, 400),
    _Role(NamedRoleKind.SAFEGUARDING_GOVERNOR, FORMER_LINK_GOVERNOR, 1500, 401),
    _Role(NamedRoleKind.FILTERING_LEAD, HEADTEACHER, 600),
    _Role(NamedRoleKind.FILTERING_GOVERNOR, GOVERNOR_WITHOUT_INDUCTION, 200),
    _Role(NamedRoleKind.PREVENT_LEAD, demo.DSL, 1100),
    _Role(NamedRoleKind.ONLINE_SAFETY_LEAD, demo.STAFF, 300),
)

ASSESSMENTS = {
    ChecklistQuestion.SUPPORT_ONLINE_ABUSE: (
        ChecklistStatus.IN_PROGRESS,
        "The DSL talked governors through the procedure for children who have shared images, "
        "including Report Remove. Staff training on it is booked for next term.",
        30,
    ),
    ChecklistQuestion.PUPIL_GUIDANCE: (
        ChecklistStatus.MET,
        "The online safety lead showed the computing and PSHE lessons for every year group; "
        "pupils in the school council could say how to report something online.",
        45,
    ),
    ChecklistQuestion.PARENT_GUIDANCE: (
        ChecklistStatus.NOT_MET,
        "Only a newsletter item this year. An e-safety evening for parents is being planned.",
        45,
    ),
    ChecklistQuestion.GOVERNOR_OVERSIGHT: (
        ChecklistStatus.MET,
        "Termly safeguarding report to the full governing body; the link governor meets the "
        "DSL each half term.",
        20,
    ),
    ChecklistQuestion.CEOP_TRAINED: (
        ChecklistStatus.MET,
        "A class teacher, who is also the online safety lead, completed Thinkuknow training.",
        20,
    ),
    ChecklistQuestion.GOVERNORS_TRAINED: (
        ChecklistStatus.NOT_MET,
        "One governor has not had a safeguarding induction yet.",
        20,
    ),
}


# People at Larkmoor without a login: its headteacher.
LARKMOOR_HEADTEACHER = "Priya Pennington"

LARKMOOR_TRAINING = (
    _Training(
        demo.L_DSL,
        PersonRole.DSL,
        CourseKind.DSL,
        "Designated safeguarding lead refresher",
        "Demoshire Safeguarding Children Partnership",
        310,
    ),
    _Training(
        demo.L_DSL, PersonRole.DSL, CourseKind.PREVENT, "Prevent awareness", "Home Office", 400
    ),
    _Training(
        demo.L_DEPUTY,
        PersonRole.DEPUTY_DSL,
        CourseKind.DEPUTY_DSL,
        "Deputy designated safeguarding lead",
        "Demoshire Safeguarding Children Partnership",
        260,
    ),
    _Training(
        demo.L_STAFF,
        PersonRole.STAFF,
        CourseKind.CEOP,
        "Thinkuknow introduction",
        "CEOP Education (National Crime Agency)",
        180,
    ),
    _Training(
        demo.L_STAFF,
        PersonRole.STAFF,
        CourseKind.WHOLE_STAFF,
        "Keeping children safe in education: September update",
        "Larkmoor DSL",
        88,
    ),
    _Training(
        demo.L_ADMIN,
        PersonRole.STAFF,
        CourseKind.WHOLE_STAFF,
        "Keeping children safe in education: September update",
        "Larkmoor DSL",
        88,
    ),
    _Training(
        demo.L_GOVERNOR,
        PersonRole.GOVERNOR,
        CourseKind.GOVERNOR_INDUCTION,
        "Safeguarding for new governors",
        "Demoshire Governor Services",
        230,
    ),
)
LARKMOOR_POLICIES = (
    _Policy(
        PolicyKind.CHILD_PROTECTION,
        "Child protection and safeguarding policy",
        95,
        "Full governing body",
        "Updated for this year's Keeping children safe in education.",
    ),
    _Policy(
        PolicyKind.ONLINE_SAFETY,
        "Online safety policy",
        150,
        "Full governing body",
        "Includes the section on sextortion added after the National Crime Agency alert.",
    ),
    _Policy(
        PolicyKind.FILTERING_MONITORING,
        "Filtering and monitoring review",
        210,
        "Headteacher and safeguarding governor",
    ),
    _Policy(PolicyKind.STAFF_CONDUCT, "Staff code of conduct", 240, "Full governing body"),
)
LARKMOOR_ROLES = (
    _Role(NamedRoleKind.DSL, demo.L_DSL, 900),
    _Role(NamedRoleKind.DEPUTY_DSL, demo.L_DEPUTY, 500),
    _Role(NamedRoleKind.SAFEGUARDING_GOVERNOR, demo.L_GOVERNOR, 600),
    _Role(NamedRoleKind.FILTERING_LEAD, LARKMOOR_HEADTEACHER, 700),
    _Role(NamedRoleKind.FILTERING_GOVERNOR, demo.L_GOVERNOR, 300),
    _Role(NamedRoleKind.PREVENT_LEAD, demo.L_DSL, 900),
    _Role(NamedRoleKind.ONLINE_SAFETY_LEAD, demo.L_STAFF, 200),
)
LARKMOOR_ASSESSMENTS = {
    ChecklistQuestion.SUPPORT_ONLINE_ABUSE: (
        ChecklistStatus.MET,
        "The DSL took governors through the sextortion procedure: advice to the family, "
        "payment details kept for the police, referral the same day.",
        25,
    ),
    ChecklistQuestion.PUPIL_GUIDANCE: (
        ChecklistStatus.MET,
        "Tutor-time lessons and assemblies on sharing images and sextortion for Years 9 to 13; "
        "the school council could say how to report.",
        40,
    ),
    ChecklistQuestion.PARENT_GUIDANCE: (
        ChecklistStatus.IN_PROGRESS,
        "A letter on sextortion has gone home; the online session for parents is planned.",
        25,
    ),
    ChecklistQuestion.CEOP_TRAINED: (
        ChecklistStatus.MET,
        "The online safety lead, a form tutor, completed Thinkuknow training.",
        25,
    ),
}


@dataclass(frozen=True)
class _Registers:
    school: demo.SchoolSpec
    by: demo.DemoAccount  # who records them: the school's DSL
    training: tuple[_Training, ...]
    policies: tuple[_Policy, ...]
    roles: tuple[_Role, ...]
    assessments: dict


REGISTERS = (
    _Registers(demo.HOLLYBROOK, demo.DSL, TRAINING, POLICIES, ROLES, ASSESSMENTS),
    _Registers(
        demo.LARKMOOR,
        demo.L_DSL,
        LARKMOOR_TRAINING,
        LARKMOOR_POLICIES,
        LARKMOOR_ROLES,
        LARKMOOR_ASSESSMENTS,
    ),
)


def _person(who, users: dict[str, User]) -> dict:
    if isinstance(who, str):
        return {"person": None, "person_name": who}
    return {"person": users[who.email], "person_name": ""}


def _key(person: User | None, person_name: str) -> tuple:
    return (person.pk if person else None, person_name)


@transaction.atomic
def load_registers(*, today: date | None = None) -> dict[str, Tally]:
    """Add whatever is missing of the demo schools' registers and checklist answers; return
    the counts. Needs the demo schools and logins (`demo.school.load_demo`) first: a school
    or DSL login that is missing is passed over."""
    today = today or timezone.localdate()
    tallies = {
        "Training records": Tally(),
        "Policies": Tally(),
        "Named roles": Tally(),
        "Checklist answers": Tally(),
    }
    users = {
        user.email: user for user in User.objects.filter(email__in=[a.email for a in demo.ACCOUNTS])
    }
    for registers in REGISTERS:
        school = School.objects.filter(urn=registers.school.urn).first()
        if school is not None and registers.by.email in users:
            _load_school(school, registers, users, tallies, today=today)
    return tallies


def _load_school(
    school: School,
    registers: _Registers,
    users: dict[str, User],
    tallies: dict[str, Tally],
    *,
    today: date,
) -> None:
    by = users[registers.by.email]

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    tally = tallies["Training records"]
    present = {
        (*_key(r.person, r.person_name), r.kind, r.title)
        for r in TrainingRecord.objects.filter(school=school).select_related("person")
    }
    for spec in registers.training:
        person = _person(spec.who, users)
        if (*_key(**person), spec.kind, spec.title) in present:
            tally.present += 1
            continue
        services.training_record_add(
            school=school,
            by=by,
            person_role=spec.role,
            kind=spec.kind,
            title=spec.title,
            provider=spec.provider,
            completed_on=ago(spec.days_ago),
            **person,
        )
        tally.created += 1

    tally = tallies["Policies"]
    present = set(Policy.objects.filter(school=school).values_list("kind", "title"))
    for spec in registers.policies:
        if (spec.kind, spec.title) in present:
            tally.present += 1
            continue
        services.policy_add(
            school=school,
            by=by,
            kind=spec.kind,
            title=spec.title,
            last_reviewed_on=ago(spec.days_ago),
            next_review_due_on=years_after(ago(spec.days_ago), 1),
            approved_by=spec.approved_by,
            notes=spec.notes,
        )
        tally.created += 1

    tally = tallies["Named roles"]
    present = {
        (r.role, *_key(r.person, r.person_name))
        for r in NamedRole.objects.filter(school=school).select_related("person")
    }
    for spec in registers.roles:
        person = _person(spec.who, users)
        if (spec.role, *_key(**person)) in present:
            tally.present += 1
            continue
        services.named_role_add(
            school=school,
            by=by,
            role=spec.role,
            from_date=ago(spec.from_days_ago),
            to_date=None if spec.to_days_ago is None else ago(spec.to_days_ago),
            **person,
        )
        tally.created += 1

    tally = tallies["Checklist answers"]
    services.checklist_seed(school=school)
    items = {item.question: item for item in ChecklistItem.objects.filter(school=school)}
    for question, (status, evidence, days_ago) in registers.assessments.items():
        item = items[question]
        if item.assessed_on is not None:
            tally.present += 1
            continue
        services.checklist_assess(
            item=item, by=by, status=status, evidence=evidence, assessed_on=ago(days_ago)
        )
        tally.created += 1
