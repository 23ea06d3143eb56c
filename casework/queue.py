"""The DSL team's triage queue: what is new, whose it is, and what is overdue.

Every selector takes the school of a DSL-team membership (never a user's whole reach) and
costs a fixed number of queries however many rows it returns. Those that depend on the time
take `now`, so tests can move the clock. Within every list, concerns where someone was said
to be in immediate danger come first.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.enums import TextChoices
from django.utils import formats, timezone

from concerns.models import (
    Concern,
    ConcernChild,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    UnnamedChild,
    YesNoUnknown,
    urgent_first,
)
from referrals.models import AgencyContact, ContactKind, Referral
from schools.models import Membership, Pupil, School, User
from schools.policy import HANDLE_CASES

OPEN_STEPS = [step for step in Step if step != Step.CLOSED]
UNASSIGNED = "unassigned"


class OverdueKind(TextChoices):
    SAFETY_CHECK = "safety_check", "safety check"
    CONFIRMATION = "confirmation", "written confirmation of an urgent referral"
    FEEDBACK = "feedback", "social care feedback"
    SUPPORT_REVIEW = "support_review", "support review"


# Deadlines set in hours carry a time; those that fall at the end of a day do not.
TIMED_KINDS = (OverdueKind.SAFETY_CHECK, OverdueKind.CONFIRMATION)


@dataclass(frozen=True)
class OverdueItem:
    """Something the DSL team should have done (or heard back about) by `due`."""

    kind: OverdueKind
    concern: Concern
    due: datetime
    # Referrals: which agency. Feedback: when the school last chased or escalated, if ever.
    agency: str = ""
    last_chased_at: datetime | None = None
    last_chase_kind: str = ""
    # Support reviews are counted per concern: how many of its actions are overdue.
    count: int = 1

    @property
    def urgent(self) -> bool:
        return self.concern.immediate_danger

    @property
    def timed(self) -> bool:
        return self.kind in TIMED_KINDS

    @property
    def what(self) -> str:
        if self.kind == OverdueKind.SUPPORT_REVIEW and self.count > 1:
            return f"{self.count} support reviews"
        return self.kind.label

    @property
    def due_text(self) -> str:
        local = timezone.localtime(self.due)
        if self.timed:
            return formats.date_format(local, "j M Y, H:i")
        return formats.date_format(local, "j M Y")

    @property
    def last_chase_text(self) -> str:
        """For example "Escalated 24 Oct 2026", or "" if the school has not chased."""
        if self.last_chased_at is None:
            return ""
        verb = "Escalated" if self.last_chase_kind == ContactKind.ESCALATION else "Chased"
        return f"{verb} {formats.date_format(timezone.localtime(self.last_chased_at), 'j M Y')}"

    def summary(self) -> str:
        """One line naming only the reference and the kind, fit for an e-mail."""
        return f"{self.concern.reference}: {self.what} overdue since {self.due_text}"


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def dsl_team(school: School | int) -> list[User]:
    """The school's active DSL and deputies: who a concern can be assigned to, and who is told."""
    return list(
        User.objects.filter(
            memberships__school=school, memberships__role__in=HANDLE_CASES.roles, is_active=True
        ).order_by("full_name", "pk")
    )


def new_concerns(school: School) -> QuerySet[Concern]:
    """Open concerns nobody in the DSL team has acknowledged yet, longest waiting first."""
    return (
        Concern.objects.filter(school=school, acknowledged_at=None)
        .exclude(step=Step.CLOSED)
        .select_related("reporter", "assignee")
        .order_by("-immediate_danger", "recorded_at", "pk")
    )


# The indicators of rules.indicators, as a filter (a decision not to refer where a criterion
# is met is refused, so that one is not needed here). tests/test_rules.py holds the two
# to the same answer.
INDICATOR = (
    Q(immediate_danger=True)
    | Q(adult_involved__in=(YesNoUnknown.YES, YesNoUnknown.UNKNOWN))
    | Q(categories__is_sexual=True)
    | Q(categories__involves_sexual_imagery=True)
    | Q(categories__adult_perpetrator=True)
    | Q(categories__is_online_safety=True)
)


def awaiting_countersignature(school: School) -> QuerySet[Concern]:
    """Open concerns whose decision not to refer waits for a second DSL's signature."""
    waiting = Concern.objects.filter(INDICATOR, pk=OuterRef("pk"))
    return (
        Concern.objects.filter(
            school=school,
            referral_decision=ReferralDecision.NOT_REFER,
            countersigned_by=None,
        )
        .exclude(step=Step.CLOSED)
        .filter(Exists(waiting))
        .select_related("decided_by")
        .order_by("referral_decided_at", "pk")
    )


def to_review(school: School) -> QuerySet[Concern]:
    """Open concerns with a flagged entry not yet reviewed, or a child not yet identified."""
    flagged = PracticeFlag.objects.filter(concern=OuterRef("pk"), reviewed_at=None)
    unnamed = UnnamedChild.objects.filter(concern=OuterRef("pk"), identified_as=None, passed_to="")
    return (
        Concern.objects.filter(school=school)
        .exclude(step=Step.CLOSED)
        .annotate(flagged=Exists(flagged), unnamed=Exists(unnamed))
        .filter(Q(flagged=True) | Q(unnamed=True))
        .order_by("-immediate_danger", "recorded_at", "pk")
    )


@dataclass(frozen=True)
class OpenCounts:
    """The numbers at the top of the queue."""

    by_step: dict[Step, int]
    new: int
    assigned: int


def open_counts(school: School, user: User) -> OpenCounts:
    """How many open concerns wait at each step, how many are new, and how many are given
    to `user`: one aggregate row, over the school's open concerns only."""
    counts = (
        Concern.objects.filter(school=school)
        .exclude(step=Step.CLOSED)
        .aggregate(
            new=Count("pk", filter=Q(acknowledged_at=None)),
            assigned=Count("pk", filter=Q(assignee=user)),
            **{f"step_{step.value}": Count("pk", filter=Q(step=step)) for step in OPEN_STEPS},
        )
    )
    return OpenCounts(
        by_step={step: counts[f"step_{step.value}"] for step in OPEN_STEPS},
        new=counts["new"],
        assigned=counts["assigned"],
    )


def assigned_to(user, school: School) -> QuerySet[Concern]:
    """Open concerns given to `user` at `school`, oldest first."""
    return (
        Concern.objects.filter(school=school, assignee=user)
        .exclude(step=Step.CLOSED)
        .order_by("-immediate_danger", "recorded_at", "pk")
    )


# What makes each kind of item overdue. The queue's lists, its counts and "Overdue" tags,
# and the governors' dashboard all use these conditions, so they cannot disagree.


def late_safety_check(school: School, now: datetime) -> Q:
    """A concern still at "Recorded" `safety_check_hours` after it was recorded."""
    due = now - timedelta(hours=school.safety_check_hours)
    return Q(step=Step.RECORDED, recorded_at__lt=due)


def late_confirmation(now: datetime) -> Q:
    """A referral: urgent, and not confirmed in writing by its deadline."""
    return Q(urgent=True, confirmed_in_writing_at=None, confirmation_due_at__lt=now)


def late_feedback(now: datetime) -> Q:
    """A referral: no feedback recorded by its due time (chasing does not resolve it)."""
    return Q(feedback_received_at=None, feedback_due_at__lt=now)


def late_review(now: datetime) -> Q:
    """A support action still running whose review date has passed (on any concern: the
    queue and the dashboard count only those of open concerns)."""
    return Q(ended_on=None, review_date__lt=timezone.localdate(now))


def _late_safety_checks(school: School, now: datetime) -> QuerySet[Concern]:
    return Concern.objects.filter(late_safety_check(school, now), school=school)


def _late_confirmations(school: School, now: datetime) -> QuerySet[Referral]:
    return Referral.objects.filter(late_confirmation(now), school=school)


def _late_feedback(school: School, now: datetime) -> QuerySet[Referral]:
    return Referral.objects.filter(late_feedback(now), school=school)


def _late_review_concerns(school: School, now: datetime) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(school=school)
        .exclude(step=Step.CLOSED)
        .filter(
            Exists(SupportAction.objects.filter(late_review(now), child__concern=OuterRef("pk")))
        )
    )


def overdue_items(school: School, *, now: datetime) -> list[OverdueItem]:
    """Everything overdue at `school` at `now`: see `overdue`."""
    return overdue(school, now=now)[0]


def overdue(
    school: School, *, now: datetime, limit: int | None = None
) -> tuple[list[OverdueItem], int]:
    """What is overdue at `school` at `now` (all, or the first `limit`), immediate danger
    first, then longest overdue, and how many items there are in all, in four queries (one
    per kind):

    - safety check: still at "Recorded" `safety_check_hours` after recording;
    - written confirmation: an urgent phone referral not confirmed by its deadline;
    - social care feedback: none recorded by its due time. Chasing or escalating does not
      resolve it; only the feedback does. The last chase is shown beside it;
    - support review: an action still running whose review date has passed, on an open
      concern (counted per concern).

    With a `limit`, each query returns at most that many in the same order, so the first
    `limit` of the four together are exactly the first `limit` of everything; each also
    counts all its rows (a window count, taken before the limit).
    """
    items = []
    totals: dict[OverdueKind, int] = {}
    everything = Window(Count("pk"))
    safety_due = timedelta(hours=school.safety_check_hours)
    for concern in (
        _late_safety_checks(school, now)
        .annotate(kind_total=everything)
        .order_by("-immediate_danger", "recorded_at", "pk")[:limit]
    ):
        totals[OverdueKind.SAFETY_CHECK] = concern.kind_total
        items.append(
            OverdueItem(
                kind=OverdueKind.SAFETY_CHECK, concern=concern, due=concern.recorded_at + safety_due
            )
        )

    for referral in (
        _late_confirmations(school, now)
        .annotate(kind_total=everything)
        .select_related("concern")
        .order_by("-concern__immediate_danger", "confirmation_due_at", "pk")[:limit]
    ):
        totals[OverdueKind.CONFIRMATION] = referral.kind_total
        items.append(
            OverdueItem(
                kind=OverdueKind.CONFIRMATION,
                concern=referral.concern,
                due=referral.confirmation_due_at,
                agency=referral.agency_label,
            )
        )

    chases = AgencyContact.objects.filter(
        referral=OuterRef("pk"), kind__in=[ContactKind.FOLLOW_UP, ContactKind.ESCALATION]
    ).order_by("-happened_at", "-pk")
    for referral in (
        _late_feedback(school, now)
        .annotate(
            kind_total=everything,
            last_chased_at=Subquery(chases.values("happened_at")[:1]),
            last_chase_kind=Subquery(chases.values("kind")[:1]),
        )
        .select_related("concern")
        .order_by("-concern__immediate_danger", "feedback_due_at", "pk")[:limit]
    ):
        totals[OverdueKind.FEEDBACK] = referral.kind_total
        items.append(
            OverdueItem(
                kind=OverdueKind.FEEDBACK,
                concern=referral.concern,
                due=referral.feedback_due_at,
                agency=referral.agency_label,
                last_chased_at=referral.last_chased_at,
                last_chase_kind=referral.last_chase_kind or "",
            )
        )

    # Counted for the concerns listed only, by subqueries (a join and GROUP BY would count
    # the support of every open concern of the school first).
    late = (
        SupportAction.objects.filter(late_review(now), child__concern=OuterRef("pk"))
        .order_by()
        .values("child__concern")
    )
    for concern in (
        _late_review_concerns(school, now)
        .annotate(
            kind_total=everything,
            reviews_overdue=Subquery(late.annotate(n=Count("pk")).values("n")),
            review_due=Subquery(late.annotate(first=Min("review_date")).values("first")),
        )
        .order_by("-immediate_danger", "review_due", "pk")[:limit]
    ):
        totals[OverdueKind.SUPPORT_REVIEW] = concern.kind_total
        items.append(
            OverdueItem(
                kind=OverdueKind.SUPPORT_REVIEW,
                concern=concern,
                due=_end_of(concern.review_due),
                count=concern.reviews_overdue,
            )
        )

    # Each query came back in that order; the sort is stable, so equal items keep the order
    # of the kinds. Every row of a kind carries the kind's total.
    items = sorted(items, key=lambda item: (not item.urgent, item.due))[:limit]
    return items, sum(totals.values())


def overdue_among(school: School, concerns, *, now: datetime) -> set[int]:
    """The primary keys of those of `concerns` (primary keys) with anything overdue."""
    ids = list(concerns)
    if not ids:
        return set()
    parts = [
        _late_safety_checks(school, now).filter(pk__in=ids).order_by().values_list("pk"),
        _late_confirmations(school, now)
        .filter(concern__in=ids)
        .order_by()
        .values_list("concern_id"),
        _late_feedback(school, now).filter(concern__in=ids).order_by().values_list("concern_id"),
        _late_review_concerns(school, now).filter(pk__in=ids).order_by().values_list("pk"),
    ]
    return {pk for (pk,) in parts[0].union(*parts[1:]).order_by()}


def year_groups(school: School) -> list[str]:
    """The school's year groups in school order: Nursery, Reception, Year 1 ... Year 13."""
    # No ordering: the pupils' own (by name) would make DISTINCT keep one row per pupil.
    names = (
        Pupil.objects.filter(school=school)
        .order_by()
        .values_list("year_group", flat=True)
        .distinct()
    )

    def school_order(name: str):
        number = re.search(r"\d+", name)
        return (number is not None, int(number.group()) if number else 0, name)

    return sorted((name for name in names if name), key=school_order)


def concerns_matching(
    school: School,
    *,
    category: str = "",
    year_group: str = "",
    step: int | None = None,
    assignee: User | str | None = None,
    recorded_from: date | None = None,
    recorded_to: date | None = None,
    search: str = "",
) -> QuerySet[Concern]:
    """The school's concerns, filtered, with open immediate-danger concerns first.

    `assignee` is a member of the team or UNASSIGNED. `search` matches a reference from its
    start, or every word of it a name (legal or preferred, first or last) of one child.
    Filters on children and categories use EXISTS, so no row is repeated and the children
    count stays right.
    """
    concerns = Concern.objects.filter(school=school)
    if category:
        concerns = concerns.filter(
            Exists(
                Concern.categories.through.objects.filter(
                    concern=OuterRef("pk"), category__slug=category
                )
            )
        )
    if year_group:
        concerns = concerns.filter(
            Exists(
                ConcernChild.objects.filter(concern=OuterRef("pk"), pupil__year_group=year_group)
            )
        )
    if step is not None:
        concerns = concerns.filter(step=step)
    if assignee == UNASSIGNED:
        concerns = concerns.filter(assignee=None)
    elif assignee is not None:
        concerns = concerns.filter(assignee=assignee)
    if recorded_from:
        concerns = concerns.filter(recorded_at__date__gte=recorded_from)
    if recorded_to:
        concerns = concerns.filter(recorded_at__date__lte=recorded_to)
    if search := search.strip():
        named = Q()
        for word in search.split():
            named &= (
                Q(pupil__legal_first_name__icontains=word)
                | Q(pupil__legal_last_name__icontains=word)
                | Q(pupil__preferred_first_name__icontains=word)
                | Q(pupil__preferred_last_name__icontains=word)
            )
        concerns = concerns.filter(
            Q(reference__istartswith=search)
            | Exists(ConcernChild.objects.filter(named, concern=OuterRef("pk")))
        )
    # The children are counted by a subquery, for the rows shown only; a join and GROUP BY
    # would count them for every concern of the school before the list is cut.
    children = (
        ConcernChild.objects.filter(concern=OuterRef("pk"))
        .order_by()
        .values("concern")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        concerns.annotate(children_count=Subquery(children), urgent=urgent_first())
        .select_related("assignee")
        .prefetch_related("categories")
        .order_by("-urgent", "-recorded_at", "pk")
    )


@dataclass(frozen=True)
class Triage:
    """Who can take a concern, and the people its triage fields name."""

    team: list[User]
    assignee: User | None
    acknowledged_by: User | None


def concern_triage(concern: Concern) -> Triage:
    """The school's DSL team and the concern's assignee and acknowledger, in one query (either
    may have left the team since)."""
    named = [pk for pk in (concern.assignee_id, concern.acknowledged_by_id) if pk]
    people = (
        User.objects.annotate(
            in_team=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), school_id=concern.school_id, role__in=HANDLE_CASES.roles
                )
            )
        )
        .filter(Q(in_team=True, is_active=True) | Q(pk__in=named))
        .order_by("full_name", "pk")
    )
    by_pk = {user.pk: user for user in people}
    return Triage(
        team=[user for user in by_pk.values() if user.in_team and user.is_active],
        assignee=by_pk.get(concern.assignee_id),
        acknowledged_by=by_pk.get(concern.acknowledged_by_id),
    )
