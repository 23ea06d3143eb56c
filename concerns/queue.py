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
    BooleanField,
    Case,
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.enums import TextChoices
from django.utils import formats, timezone

from concerns.models import Concern, ConcernChild, Step
from referrals.models import AgencyContact, ContactKind, Referral
from schools.models import DSL_TEAM, Membership, Pupil, School, User

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


def _urgent_first(prefix: str = "") -> Case:
    """Open concerns with someone in immediate danger sort first. A closed one needs no
    triage, so it sorts with the rest."""
    return Case(
        When(
            Q(**{f"{prefix}immediate_danger": True}) & ~Q(**{f"{prefix}step": Step.CLOSED}),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def dsl_team(school: School | int) -> list[User]:
    """The school's active DSL and deputies: who a concern can be assigned to, and who is told."""
    return list(
        User.objects.filter(
            memberships__school=school, memberships__role__in=DSL_TEAM, is_active=True
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


def open_counts_by_step(school: School) -> dict[Step, int]:
    """How many open concerns wait at each step, in one aggregate row."""
    counts = Concern.objects.filter(school=school).aggregate(
        **{f"step_{step.value}": Count("pk", filter=Q(step=step)) for step in OPEN_STEPS}
    )
    return {step: counts[f"step_{step.value}"] for step in OPEN_STEPS}


def assigned_to(user, school: School) -> QuerySet[Concern]:
    """Open concerns given to `user` at `school`, oldest first."""
    return (
        Concern.objects.filter(school=school, assignee=user)
        .exclude(step=Step.CLOSED)
        .order_by("-immediate_danger", "recorded_at", "pk")
    )


def overdue_items(school: School, *, now: datetime) -> list[OverdueItem]:
    """Everything overdue at `school` at `now`, in four queries (one per kind).

    - safety check: still at "Recorded" `safety_check_hours` after recording;
    - written confirmation: an urgent phone referral not confirmed by its deadline;
    - social care feedback: none recorded by its due time. Chasing or escalating does not
      resolve it; only the feedback does. The last chase is shown beside it;
    - support review: an action still running whose review date has passed, on an open
      concern (counted per concern).
    """
    items = []
    safety_due = timedelta(hours=school.safety_check_hours)
    for concern in Concern.objects.filter(
        school=school, step=Step.RECORDED, recorded_at__lt=now - safety_due
    ).order_by("recorded_at", "pk"):
        items.append(
            OverdueItem(
                kind=OverdueKind.SAFETY_CHECK, concern=concern, due=concern.recorded_at + safety_due
            )
        )

    for referral in (
        Referral.objects.filter(
            concern__school=school,
            urgent=True,
            confirmed_in_writing_at=None,
            confirmation_due_at__lt=now,
        )
        .select_related("concern")
        .order_by("confirmation_due_at", "pk")
    ):
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
        Referral.objects.filter(
            concern__school=school, feedback_received_at=None, feedback_due_at__lt=now
        )
        .annotate(
            last_chased_at=Subquery(chases.values("happened_at")[:1]),
            last_chase_kind=Subquery(chases.values("kind")[:1]),
        )
        .select_related("concern")
        .order_by("feedback_due_at", "pk")
    ):
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

    today = timezone.localdate(now)
    running_late = Q(
        children__support_actions__review_date__lt=today,
        children__support_actions__ended_on=None,
    )
    for concern in (
        Concern.objects.filter(school=school)
        .exclude(step=Step.CLOSED)
        .annotate(
            reviews_overdue=Count("children__support_actions", filter=running_late),
            review_due=Min("children__support_actions__review_date", filter=running_late),
        )
        .filter(reviews_overdue__gt=0)
        .order_by("review_due", "pk")
    ):
        items.append(
            OverdueItem(
                kind=OverdueKind.SUPPORT_REVIEW,
                concern=concern,
                due=_end_of(concern.review_due),
                count=concern.reviews_overdue,
            )
        )

    # Each query came back in due order; the sort is stable, so only danger moves rows.
    return sorted(items, key=lambda item: (not item.urgent, item.due))


def year_groups(school: School) -> list[str]:
    """The school's year groups in school order: Nursery, Reception, Year 1 ... Year 13."""
    names = Pupil.objects.filter(school=school).values_list("year_group", flat=True).distinct()

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
        concerns.annotate(children_count=Subquery(children), urgent=_urgent_first())
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
                    user=OuterRef("pk"), school_id=concern.school_id, role__in=DSL_TEAM
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
