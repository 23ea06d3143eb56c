"""The subject access register as the DSL team sees it: already scoped to a school, and one
request fetched for a user only through `request_for` (404 outside their schools, 403 in a
school where their role does not handle cases)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.http import Http404

from schools.models import Membership, School
from schools.policy import HANDLE_CASES
from schools.selectors import member_for
from subject_access.models import CLOSED, OPEN, SubjectAccessRequest

# The DSL team's queue shows requests due within this many days, and those overdue.
DUE_SOON_DAYS = 7


def register(school: School) -> list[SubjectAccessRequest]:
    """Every request of the school: the open ones first, soonest due, then the closed ones,
    latest received first. One query."""
    return sorted(
        # Not the file assembled for disclosure: a list needs none of it.
        SubjectAccessRequest.objects.filter(school=school).select_related("pupil").defer("file"),
        key=lambda sar: (
            (0, sar.due_on.toordinal(), sar.pk)
            if sar.is_open
            else (1, -sar.received_on.toordinal(), -sar.pk)
        ),
    )


def due_soon(school: School, *, today: date) -> list[SubjectAccessRequest]:
    """Open requests overdue or due within DUE_SOON_DAYS, soonest due first. One query."""
    return list(
        SubjectAccessRequest.objects.filter(
            school=school, status__in=OPEN, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
        .select_related("pupil")
        .defer("file")
        .order_by("due_on", "pk")
    )


def request_for(user, sar_uuid) -> tuple[SubjectAccessRequest, Membership]:
    """A request the user's school received, for its DSL team."""
    sar = (
        SubjectAccessRequest.objects.select_related(
            "school", "pupil", "identity_checked_by", "recorded_by"
        )
        .filter(uuid=sar_uuid)
        .first()
    )
    if sar is None:
        raise Http404("No such request")
    membership = member_for(
        user,
        sar.school_id,
        HANDLE_CASES,
        missing="No such request",
        refusal="Only the DSL team keeps the subject access register.",
    )
    return sar, membership


@dataclass(frozen=True)
class RequestCounts:
    """Subject access requests received in a stretch of days, anonymised: counts only."""

    received: int
    on_time: int  # disclosed or refused by the deadline
    late: int  # disclosed or refused after it
    open: int  # not answered yet
    overdue: int  # not answered yet, and past the deadline (of those open)


def request_counts(
    school: School, spans: dict[str, tuple[date, date]], *, today: date
) -> dict[str, RequestCounts]:
    """How the requests received in each span of days (first and last day included) went, as
    they stand today. One query, however many spans."""
    answered = Q(status__in=CLOSED)
    in_time = Q(closed_on__lte=F("due_on"))
    is_open = Q(status__in=OPEN)
    aggregates = {}
    for name, (first, last) in spans.items():
        received = Q(received_on__range=(first, last))
        aggregates |= {
            f"{name}_received": Count("pk", filter=received),
            f"{name}_on_time": Count("pk", filter=received & answered & in_time),
            f"{name}_late": Count("pk", filter=received & answered & ~in_time),
            f"{name}_open": Count("pk", filter=received & is_open),
            f"{name}_overdue": Count("pk", filter=received & is_open & Q(due_on__lt=today)),
        }
    row = SubjectAccessRequest.objects.filter(school=school).aggregate(**aggregates)
    return {
        name: RequestCounts(
            row[f"{name}_received"],
            row[f"{name}_on_time"],
            row[f"{name}_late"],
            row[f"{name}_open"],
            row[f"{name}_overdue"],
        )
        for name in spans
    }
