"""A person's schools and roles, and the school records they may reach: its people and
pupils, and a pupil's safeguarding file.

Out of the person's schools is never found (404); another role of that school is refused
(403). Which role may do what is schools.policy.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from safeguard.errors import WorkflowError
from schools.acting import acting_membership
from schools.models import FailedNotification, Membership, Pupil, School
from schools.policy import HANDLE_CASES, MANAGE_PEOPLE, MANAGE_SCHOOL, Rule


def memberships_of(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("school").order_by("school__name")
    )


def membership_at(user, school_id: int) -> Membership | None:
    return Membership.objects.filter(user=user, school_id=school_id).first()


def member_for(user, school_id: int, rule: Rule, *, missing: str, refusal: str) -> Membership:
    """The user's membership at the school of a record they asked for, if `rule` lets them:
    404 (`missing`) outside their schools, 403 (`refusal`) for a role that may not."""
    membership = membership_at(user, school_id)
    if membership is None:
        raise Http404(missing)
    if not rule(membership):
        raise PermissionDenied(refusal)
    return membership


def require(rule: Rule, user, school_id: int, refusal: str) -> Membership:
    """For a service: the user's membership at the school, if `rule` lets them act there;
    WorkflowError (`refusal`) if not. The views have asked already; the service asks for
    itself, so that no caller can skip it."""
    membership = membership_at(user, school_id)
    if membership is None or not rule(membership):
        raise WorkflowError(refusal)
    return membership


def pupil_for(user, pupil_uuid) -> tuple[Pupil, Membership]:
    """Fetch one pupil's safeguarding file for `user`: the DSL team of the pupil's school only.

    404 when the pupil is at a school the user doesn't belong to; 403 for any other role there.
    """
    pupil = Pupil.objects.select_related("school").filter(uuid=pupil_uuid).first()
    if pupil is None:
        raise Http404("No such pupil")
    membership = member_for(
        user,
        pupil.school_id,
        HANDLE_CASES,
        missing="No such pupil",
        refusal="Only the safeguarding team sees a child's chronology.",
    )
    return pupil, membership


def admin_membership(user, *, chosen: str | None = None) -> Membership:
    """The school the user administers: the `chosen` one (schools.acting) if they administer
    it, else the first; 403 if they administer none."""
    membership = acting_membership(memberships_of(user), chosen, MANAGE_PEOPLE)
    if membership is None:
        raise PermissionDenied("Only the school's administrator manages its people.")
    return membership


def people_of(school: School) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(school=school)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def person_for(user, person_uuid, *, chosen: str | None = None) -> tuple[Membership, Membership]:
    """(the person's membership at the school `user` administers, the admin's own).

    403 if `user` administers no school; 404 if the person is not a member of theirs.
    """
    admin = admin_membership(user, chosen=chosen)
    person = people_of(admin.school).filter(user__uuid=person_uuid).first()
    if person is None:
        raise Http404("No such person at this school")
    return person, admin


def pupil_import_membership(user, *, chosen: str | None = None) -> Membership:
    """The school whose pupils the user may import, as its administrator or DSL team: the
    `chosen` one (schools.acting) if their role there allows, else the first."""
    membership = acting_membership(memberships_of(user), chosen, MANAGE_SCHOOL)
    if membership is None:
        raise PermissionDenied(
            "Only the school's administrator or safeguarding team can import pupils."
        )
    return membership


# How many failed notifications the banner lists; the rest are counted.
FAILED_NOTIFICATIONS_SHOWN = 10


def open_failed_notifications(school: School, *, dsl_team: bool) -> list[FailedNotification]:
    """The school's notifications that never went and that no one has dealt with yet, most
    recent first: for its administrators and DSL team only. Each gets `shown_what` and
    `shown_link`, what a viewer in the DSL team (or not) may be told of it."""
    failures = list(
        FailedNotification.objects.filter(school=school, outcome=FailedNotification.Outcome.OPEN)
        .order_by("-failed_at")
        .only("uuid", "what", "recipients", "link", "dsl_team_only", "reason", "failed_at")[
            : FAILED_NOTIFICATIONS_SHOWN + 1
        ]
    )
    for failure in failures:
        failure.shown_what = failure.what_for(dsl_team=dsl_team)
        failure.shown_link = failure.link if dsl_team or not failure.dsl_team_only else ""
    return failures


def failed_notification_for(user, failure_uuid) -> tuple[FailedNotification, Membership]:
    """(the failed notification, the user's membership of its school) for its
    administrators and DSL team; 403 for its other members, 404 for everyone else."""
    failure = FailedNotification.objects.filter(uuid=failure_uuid).first()
    membership = next(
        (m for m in memberships_of(user) if failure and m.school_id == failure.school_id), None
    )
    if membership is None:
        raise Http404("No such notification")
    if not MANAGE_SCHOOL(membership):
        raise PermissionDenied("Only the school's administrators and DSL team see these.")
    return failure, membership
