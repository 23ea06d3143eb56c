"""The figures governors oversee, for one school and one period, each beside the period before.

Everything is counted in PostgreSQL (grouped counts, and `percentile_cont` for medians and
90th percentiles) in a fixed number of queries however many concerns there are: see
`school_statistics`. No row of a concern, a child or a referral is ever loaded: only counts,
durations and shares leave the database, labelled with months, categories, agencies, outcomes,
steps and the states of the exceptions (DOMAIN.md rule 5).

Two layers:
- `school_statistics` gives the exact figures (`Statistics`), for the DSL team and tests;
- `present` turns them into what one audience may read (`Dashboard`): for governors a count
  from 1 to 4 becomes "fewer than 5", and a median, percentile or share worked out from fewer
  than 5 items becomes "too few to show". A withheld figure carries no value at all, so
  nothing drawn from it (a bar's length, a comparison) can give it away.
"""

from collections import Counter
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.postgres.aggregates import BoolOr
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    PositiveSmallIntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from casework.queue import (
    INDICATOR,
    OPEN_STEPS,
    OverdueKind,
    late_confirmation,
    late_feedback,
    late_review,
    late_safety_check,
)
from concerns.models import (
    STEP_REACHED_AT,
    AdviceGiven,
    Agency,
    Concern,
    FollowUpAction,
    FollowUpKind,
    NotReferGround,
    ReferralDecision,
    Step,
    SupportAction,
)
from concerns.rules import MET_ANSWERS
from oversight.periods import Period, estimated_years
from referrals.models import Outcome, Referral
from retention.selectors import RetentionCounts, retention_counts
from schools.models import School
from subject_access.selectors import RequestCounts, request_counts
from transfers.selectors import FileCounts, files_due

NO_OUTCOME = "No feedback yet"


# --- The exact figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Pair[T]:
    """A figure for the period and for the period it is compared with."""

    current: T
    previous: T


@dataclass(frozen=True)
class Timing:
    """How long something took, over the concerns where it has happened."""

    median: timedelta | None
    p90: timedelta | None
    measured: int


@dataclass(frozen=True)
class Share:
    """How many of those due were done in time."""

    on_time: int
    due: int

    @property
    def ratio(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class Month:
    month: date
    concerns: int
    online: int


@dataclass(frozen=True)
class FollowUps:
    planned: Pair[int]
    done: Pair[int]
    past_due_now: int


AGE_BANDS = (
    ("under_week", "Under 1 week"),
    ("week_to_month", "1 week to 1 month"),
    ("one_to_three_months", "1 to 3 months"),
    ("over_three_months", "Over 3 months"),
)

# The exceptions: row keys (as the queries return them) and their labels, in order.
NO_GROUND = "No ground recorded (decided before a ground was asked for)"
GROUNDS = {
    NotReferGround.ADVICE.value: "Children's social care or the police advised no referral",
    NotReferGround.THRESHOLD.value: "The local threshold for a referral was not met",
    NotReferGround.KNOWN.value: "The child already has a social worker, who was told",
}
SIGNATURES = {
    "countersigned": "Countersigned by a second member of the safeguarding team",
    "awaiting": "Waiting for a countersignature",
    "not_needed": "No countersignature needed",
}
CRITERIA_OUTCOMES = {
    "both": "Referred to children's social care and the police",
    "undecided": "Referral decision not yet made",
    "not_both": "Decided without referring to both",
}
UNNAMED = {
    "open": "Not yet identified",
    "resolved": "Identified, or passed to social care or the police to identify",
}
FLAGS = {
    "open": "Waiting for review by the safeguarding team",
    "reviewed": "Reviewed",
}


@dataclass(frozen=True)
class Exceptions:
    """Where a concern left the usual course, or something guidance asks for is still to do:
    over the concerns recorded in each period, as they stand now. Counts only; each dict
    holds every row of its table, in order, zeros included (a zero is worth seeing)."""

    not_referred_by_ground: dict[str, Pair[int]]
    not_referred_signature: dict[str, Pair[int]]
    criteria_met: dict[str, Pair[int]]
    unnamed_children: dict[str, Pair[int]]
    advice_not_recorded: Pair[int]
    practice_flags: dict[str, Pair[int]]


@dataclass
class Statistics:
    """Exact figures for one school and period. Labels are plain strings; no row of any
    record is kept here."""

    period: Period
    previous: Period
    # Snapshot figures (open concerns, support) are taken at these moments: each period's
    # end, or now if the period has not ended.
    as_of: datetime
    previous_as_of: datetime
    now: datetime
    concerns: Pair[int]
    online: Pair[int]
    months: list[Month]
    by_category: dict[str, Pair[int]]
    referrals: Pair[int]
    by_agency: dict[str, Pair[int]]
    by_outcome: dict[str, Pair[int]]
    to_safety_check: Pair[Timing]
    to_referral: Pair[Timing]
    confirmed_on_time: Pair[Share]
    feedback_on_time: Pair[Share]
    open_by_step: dict[str, Pair[int]]
    open_by_age: dict[str, Pair[int]]
    overdue_now: dict[str, int]
    support_active: Pair[int]
    follow_ups: dict[str, FollowUps]
    exceptions: Exceptions
    # Leavers' child protection files due in each period (transfers), counts only.
    files: Pair[FileCounts]
    # Subject access requests received in each period, and how they were answered, counts only.
    subject_access: Pair[RequestCounts]
    # Files reviewed in each period: kept for longer, or disposed of (and records destroyed).
    retention: Pair[RetentionCounts]

    @property
    def open_total(self) -> Pair[int]:
        return Pair(
            sum(pair.current for pair in self.open_by_step.values()),
            sum(pair.previous for pair in self.open_by_step.values()),
        )


def _between(name: str, start, end) -> Q:
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _pairs(rows, key: str, labels: dict[str, str]) -> dict[str, Pair[int]]:
    """Sum grouped rows (`current`, `previous`) by `key`, in the order of `labels`."""
    current, previous = Counter(), Counter()
    for row in rows:
        current[row[key]] += row["current"]
        previous[row[key]] += row["previous"]
    return {
        label: Pair(current[value], previous[value])
        for value, label in labels.items()
        if current[value] or previous[value]
    }


_TIMINGS_SQL = """
WITH concern_times AS MATERIALIZED (
    SELECT c.recorded_at,
           c.recorded_at >= %(split)s AS current,
           c.safety_checked_at AS checked_at,
           (SELECT min(r.made_at) FROM {referral} r WHERE r.concern_id = c.id) AS referred_at
      FROM {concern} c
     WHERE c.school_id = %(school)s AND c.recorded_at >= %(since)s AND c.recorded_at < %(until)s
)
SELECT {columns} FROM concern_times
"""


def _timings(school: School, *, since, split, until) -> dict:
    """Median and 90th percentile of the time to the safety check and to the first referral,
    for concerns recorded in each period, and how many each was measured over."""
    columns, names = [], []
    for which, current in [("current", "current"), ("previous", "NOT current")]:
        for name, interval, happened in [
            ("check", "checked_at - recorded_at", "checked_at IS NOT NULL"),
            (
                "referral",
                "GREATEST(referred_at - recorded_at, interval '0')",
                "referred_at IS NOT NULL",
            ),
        ]:
            where = f"FILTER (WHERE {current} AND {happened})"
            columns += [
                f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {interval}) {where}",
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {interval}) {where}",
                f"count(*) {where}",
            ]
            names += [f"{name}_median_{which}", f"{name}_p90_{which}", f"{name}_measured_{which}"]
    sql = _TIMINGS_SQL.format(
        referral=Referral._meta.db_table,
        concern=Concern._meta.db_table,
        columns=", ".join(columns),
    )
    params = {
        "school": school.pk,
        "since": since,
        "split": split,
        "until": until,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(names, cursor.fetchone(), strict=True))


# --- The exceptions, as SQL ----------------------------------------------------------------
# `concerns.rules` decides for one concern at a time, in Python; these are the same rules as
# SQL over a row of concerns, so that the whole period is counted in one query. The facts
# that come from a concern's categories are aggregated once per concern, over one join to
# its categories (`exception_facts`), not looked up again by a subquery for every rule that
# reads them: such subqueries, hashed by PostgreSQL, each read every category row of the
# trust.

MET = list(MET_ANSWERS)

# Each fact from the categories: true where any of the concern's categories has the flag.
CATEGORY_FACTS = (
    "asks_referral_criteria",
    "extortion",
    "implies_coercion",
    "adult_perpetrator",
    "is_sexual",
    "involves_sexual_imagery",
    "is_online_safety",
)


def _any_category(flag: str) -> Coalesce:
    return Coalesce(BoolOr(f"categories__{flag}"), False)


def _any(condition: Q) -> Coalesce:
    """Whether any row the concern joins to meets `condition` (through left joins, so that a
    concern with no such row is counted too)."""
    return Coalesce(BoolOr(Value(True), filter=condition), False)


def _over_facts(condition: Q) -> Q:
    """`condition` with each lookup on the concern's categories (`categories__<flag>`) made a
    lookup on the aggregated fact of that name."""
    over = copy(condition)
    over.children = []
    for child in condition.children:
        if isinstance(child, Q):
            over.children.append(_over_facts(child))
            continue
        lookup, value = child
        if lookup.startswith("categories__"):
            lookup = lookup.removeprefix("categories__")
            if lookup not in CATEGORY_FACTS:
                raise ValueError(f"{lookup} is not aggregated: add it to CATEGORY_FACTS")
        over.children.append((lookup, value))
    return over


def _true(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _advice_outstanding() -> Coalesce:
    """`services.advice_outstanding` is not empty: a national card with advice for the family,
    for one of the concern's categories, has no record of being given on this concern. Over
    the same join to the categories, and on to their cards."""
    card = "categories__guidance_cards"
    given = AdviceGiven.objects.filter(concern_id=OuterRef("pk"), card_id=OuterRef(card))
    return _any(
        Q(**{f"{card}__school": None})
        # Advice that is not only blank space (`GuidanceCard.has_family_advice`).
        & Q(**{f"{card}__tell_family__regex": r"\S"})
        & ~Q(Exists(given))
    )


def exception_facts(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """The concerns, each with what the exceptions are worked out from, grouped by concern:

    - `met`: `rules.criteria_met` is not empty: the concern's categories ask the UKCIS
      questions and one is answered yes or "not known", or the app answers one yes from what
      it holds (an adult involved or not known, a category that means an adult or coercion
      (grooming, exploitation, sextortion), a child with special educational needs or a
      disability, someone in immediate danger);
    - `indicated`: `rules.indicators` is not empty, so a decision not to refer needs a
      countersignature: the triage queue's filter (`casework.queue.INDICATOR`), or a
      criterion met (a decision not to refer can be left standing against one when the facts
      are corrected after it);
    - `outstanding`: `services.advice_outstanding` is not empty (see
      `_advice_outstanding`);
    - `both`: referred to children's social care and to the police.

    One simplification: an answer to the under-13 question counts whenever it is yes or not
    known. The rules ask it only while a named child was under 13 or a child is not yet
    identified, and answer "no" otherwise; the two differ only for a concern whose children
    changed after the DSL answered, until the answers are corrected."""
    facts = concerns.annotate(
        **{flag: _any_category(flag) for flag in CATEGORY_FACTS},
        sen=_any(Q(children__pupil__sen_disability=True)),
        social_care=_any(Q(referrals__agency=Agency.SOCIAL_CARE)),
        police=_any(Q(referrals__agency=Agency.POLICE)),
        outstanding=_advice_outstanding(),
    )
    met = Q(asks_referral_criteria=True) & (
        Q(adult_involved__in=MET)
        | Q(extortion=True)
        | Q(implies_coercion=True)
        | Q(adult_perpetrator=True)
        | Q(sen=True)
        | Q(criterion_coercion__in=MET)
        | Q(criterion_unusual_content__in=MET)
        | Q(criterion_sexual_acts__in=MET)
        | Q(immediate_danger=True)
        | Q(criterion_harm_risk__in=MET)
    )
    return facts.annotate(
        met=_true(met),
        indicated=_true(_over_facts(INDICATOR) | met),
        both=_true(Q(social_care=True) & Q(police=True)),
    )


# The columns `_exceptions` groups the concerns by: their combinations are few, however
# many concerns there are.
_GROUPED = (
    "current",
    "referral_decision",
    "not_refer_ground",
    "countersigned",
    "met",
    "indicated",
    "both",
    "advice",
)


def _signature(row: dict) -> str:
    """Whether a decision not to refer was countersigned or waits for it ("" for no such
    decision)."""
    if row["referral_decision"] != ReferralDecision.NOT_REFER:
        return ""
    if row["countersigned"]:
        return "countersigned"
    return "awaiting" if row["indicated"] else "not_needed"


def _criteria(row: dict) -> str:
    """What was decided where a criterion for an immediate referral is met ("" for none)."""
    if not row["met"]:
        return ""
    if row["referral_decision"] == ReferralDecision.REFER and row["both"]:
        return "both"
    return "undecided" if row["referral_decision"] == "" else "not_both"


def _exceptions(school: School, *, since, split, until) -> Exceptions:
    """The exceptions of the concerns recorded in each period, as they stand now, in two
    queries: the concerns counted by the facts each exception is worked out from; and their
    children not yet identified and their flagged entries, counted through joins."""
    concerns = Concern.objects.filter(_between("recorded_at", since, until), school=school)
    current = Q(recorded_at__gte=split)
    per_concern = exception_facts(concerns).annotate(
        current=_true(current),
        countersigned=_true(Q(countersigned_by__isnull=False)),
        # Advice is given during the evidence step: from its end on, it should be recorded.
        advice=_true(Q(step__gte=Step.EVIDENCE_PRESERVED) & Q(outstanding=True)),
    )
    # One row for each combination that occurs. The concerns are grouped by concern to
    # aggregate their categories, so counting them by combination is a query around that one.
    sql, params = per_concern.values(*_GROUPED).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(name) for name in _GROUPED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, count(*) FROM ({sql}) per_concern GROUP BY {columns}", params
        )
        rows = [(dict(zip(_GROUPED, row[:-1], strict=True)), row[-1]) for row in cursor]
    counted = {True: Counter(), False: Counter()}
    for row, n in rows:
        counts = counted[row["current"]]
        if signature := _signature(row):
            counts["ground:" + row["not_refer_ground"]] += n
            counts["signature:" + signature] += n
        if criteria := _criteria(row):
            counts["criteria:" + criteria] += n
        if row["advice"]:
            counts["advice"] += n

    # Children not yet identified and flagged entries, through two joins: distinct counts,
    # so that each child and each flag is counted once however the joins multiply rows.
    open_child = Q(unnamed_children__identified_as=None, unnamed_children__passed_to="")
    reviewed = Q(practice_flags__reviewed_at__isnull=False)
    joined = concerns.aggregate(
        **{
            name: Count(
                relation, filter=condition & (current if which else ~current), distinct=True
            )
            for which in (True, False)
            for name, relation, condition in [
                (f"unnamed_{which}", "unnamed_children", Q()),
                (f"unnamed_open_{which}", "unnamed_children", open_child),
                (f"flags_{which}", "practice_flags", Q()),
                (f"flags_reviewed_{which}", "practice_flags", reviewed),
            ]
        }
    )
    for which in (True, False):
        counts = counted[which]
        counts["unnamed:open"] = joined[f"unnamed_open_{which}"]
        counts["unnamed:resolved"] = joined[f"unnamed_{which}"] - counts["unnamed:open"]
        counts["flags:reviewed"] = joined[f"flags_reviewed_{which}"]
        counts["flags:open"] = joined[f"flags_{which}"] - counts["flags:reviewed"]

    def pairs(prefix: str, labels: dict[str, str]) -> dict[str, Pair[int]]:
        return {
            label: Pair(counted[True][f"{prefix}:{key}"], counted[False][f"{prefix}:{key}"])
            for key, label in labels.items()
        }

    by_ground = pairs("ground", GROUNDS)
    # Decisions from before a ground was asked for: shown only where there are any.
    without = pairs("ground", {"": NO_GROUND})
    if any(pair.current or pair.previous for pair in without.values()):
        by_ground.update(without)
    return Exceptions(
        not_referred_by_ground=by_ground,
        not_referred_signature=pairs("signature", SIGNATURES),
        criteria_met=pairs("criteria", CRITERIA_OUTCOMES),
        unnamed_children=pairs("unnamed", UNNAMED),
        advice_not_recorded=Pair(counted[True]["advice"], counted[False]["advice"]),
        practice_flags=pairs("flags", FLAGS),
    )


def school_statistics(school: School, period: Period, *, now: datetime) -> Statistics:
    """Every figure of the dashboard, in a fixed number of queries whatever the number of
    concerns:

    1. concerns by month, with the online-safety ones (this period and the one before);
    2. concerns by category;
    3. and 4. (one query) referrals by agency and outcome; urgent referrals confirmed in
       writing, and social care feedback, on time; and the confirmations and feedback
       overdue now;
    5. time from recording to the safety check and to the first referral (percentiles);
    6. open concerns by step and age, at each period's end (from the dates each step was
       reached); and the safety checks overdue now;
    7. support actions running at each period's end, and support reviews overdue now;
    8. school-wide follow-up planned and done, by kind;
    9. the exceptions of the concerns recorded in each period: decisions not to refer (by
       ground and countersignature), immediate-referral criteria met (and whether referred to
       both social care and the police), family advice not recorded as given;
    10. their children not yet identified, and their entries flagged as investigating;
    11. to 14. leavers' child protection files due in each period (see below);
    15. subject access requests received in each period, answered on time, late, or open.

    What is overdue now is counted by the triage queue's rules (`casework.queue.overdue_items`,
    which lists the items for the DSL team); a test holds the two to the same answers.
    """
    previous = period.previous()
    # Terms, years and custom periods are each followed at once by the next, so the two
    # periods together are one stretch of time, split at `period.starts_at`.
    since, split, until = previous.starts_at, period.starts_at, period.ends_at
    as_of, previous_as_of = period.until(now), previous.until(now)
    concerns = Concern.objects.filter(school=school)
    in_current = Case(
        When(recorded_at__gte=split, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )

    # 1. By month. Months are those of the school's time zone (the current one).
    online_category = Concern.categories.through.objects.filter(
        concern_id=OuterRef("pk"), category__is_online_safety=True
    )
    month_rows = (
        concerns.filter(_between("recorded_at", since, until))
        .annotate(month=TruncMonth("recorded_at", output_field=DateField()), current=in_current)
        .values("month", "current")
        .annotate(concerns=Count("pk"), online=Count("pk", filter=Q(Exists(online_category))))
        .order_by()
    )
    by_month: dict[date, Counter] = {month: Counter() for month in period.months()}
    totals = {True: Counter(), False: Counter()}
    for row in month_rows:
        totals[row["current"]].update(concerns=row["concerns"], online=row["online"])
        if row["current"]:
            by_month[row["month"]].update(concerns=row["concerns"], online=row["online"])

    # 2. By category (a concern may have several).
    category_rows = (
        Concern.categories.through.objects.filter(
            concern__school=school,
            concern__recorded_at__gte=since,
            concern__recorded_at__lt=until,
        )
        .values("category__name")
        .annotate(
            current=Count("pk", filter=Q(concern__recorded_at__gte=split)),
            previous=Count("pk", filter=Q(concern__recorded_at__lt=split)),
        )
        .order_by("category__position", "category__name")
    )
    by_category = {
        row["category__name"]: Pair(row["current"], row["previous"]) for row in category_rows
    }

    # 3 and 4, in one pass over the school's referrals: those made in each period, by agency
    # and outcome; the deadlines that fell due in each period (up to now: one still to come
    # is not late); and those missed with nothing recorded yet, now (the queue's "overdue").
    # Grouped by agency and outcome; the deadline counts are summed over the groups.
    made = _between("made_at", since, until)
    urgent = Q(urgent=True)
    confirmed = Q(confirmed_in_writing_at__lte=F("confirmation_due_at"))
    social_care = Q(agency=Agency.SOCIAL_CARE)
    heard = Q(feedback_received_at__lte=F("feedback_due_at"))
    unconfirmed_now = late_confirmation(now)
    unheard_now = late_feedback(now)
    windows = {"current": (split, as_of), "previous": (since, previous_as_of)}
    deadline_columns = {
        "overdue_confirmation": Count("pk", filter=unconfirmed_now),
        "overdue_feedback": Count("pk", filter=unheard_now),
        **{
            f"{name}_{which}": Count("pk", filter=condition & _between(field_name, start, end))
            for which, (start, end) in windows.items()
            for name, field_name, condition in [
                ("confirm_due", "confirmation_due_at", urgent),
                ("confirm_on_time", "confirmation_due_at", urgent & confirmed),
                ("feedback_due", "feedback_due_at", social_care),
                ("feedback_on_time", "feedback_due_at", social_care & heard),
            ]
        },
    }
    referral_rows = list(
        Referral.objects.filter(school=school)
        .filter(
            made
            | (urgent & _between("confirmation_due_at", since, as_of))
            | (social_care & _between("feedback_due_at", since, as_of))
            | unconfirmed_now
            | unheard_now
        )
        .values("agency", "outcome")
        .annotate(
            current=Count("pk", filter=made & Q(made_at__gte=split)),
            previous=Count("pk", filter=made & Q(made_at__lt=split)),
            **deadline_columns,
        )
        .order_by()
    )
    deadline_counts = {name: sum(row[name] for row in referral_rows) for name in deadline_columns}

    # 5. Time to the safety check (when the concern reached that step) and to the first
    # referral. A referral made before the concern was written down (a 999 call) counts as
    # taking no time. Each concern's two moments are worked out once, in a materialised CTE,
    # and the percentiles are taken over that; the ORM would repeat the referral subquery in
    # each of the twelve aggregates.
    timing_values = _timings(school, since=since, split=split, until=until)

    def timing(name: str, which: str) -> Timing:
        return Timing(
            median=timing_values[f"{name}_median_{which}"],
            p90=timing_values[f"{name}_p90_{which}"],
            measured=timing_values[f"{name}_measured_{which}"],
        )

    # 6. Open concerns at each period's end: the step each concern was at then is the last
    # it had reached by that moment (steps only go forward, and the concern keeps when it
    # reached each); none if it was recorded later. Now, it is the concern's own. And the
    # safety checks overdue now: still at "Recorded" past the school's deadline. A concern
    # closed before both moments is left out (closing is final).
    def step_at(moment: datetime):
        if moment >= now:
            return F("step")
        reached = [
            (Step.CLOSED, "closed_at"),
            *((step, STEP_REACHED_AT[step]) for step in reversed(list(STEP_REACHED_AT))),
            (Step.RECORDED, "recorded_at"),
        ]
        return Case(
            *(When(**{f"{name}__lt": moment}, then=Value(step.value)) for step, name in reached),
            default=None,
            output_field=PositiveSmallIntegerField(),
        )

    snapshots = {"current": ("step_now", as_of), "previous": ("step_before", previous_as_of)}
    open_counts = {}
    for which, (name, moment) in snapshots.items():
        still_open = Q(**{f"{name}__in": OPEN_STEPS})
        for step in OPEN_STEPS:
            open_counts[f"step{step.value}_{which}"] = Count("pk", filter=Q(**{name: step}))
        week, month, three = (
            moment - timedelta(days=7),
            moment - relativedelta(months=1),
            moment - relativedelta(months=3),
        )
        bands = [
            Q(recorded_at__gt=week),
            Q(recorded_at__lte=week, recorded_at__gt=month),
            Q(recorded_at__lte=month, recorded_at__gt=three),
            Q(recorded_at__lte=three),
        ]
        for (key, _), band in zip(AGE_BANDS, bands, strict=True):
            open_counts[f"{key}_{which}"] = Count("pk", filter=still_open & band)
    safety_check_late = late_safety_check(school, now)
    open_values = (
        concerns.filter(Q(closed_at=None) | Q(closed_at__gte=previous_as_of))
        .annotate(step_now=step_at(as_of), step_before=step_at(previous_as_of))
        .aggregate(overdue_safety_check=Count("pk", filter=safety_check_late), **open_counts)
    )

    # 7. Support actions running at each period's end: added by then, not ended by the
    # period's last day. And reviews overdue now: running, review date passed, on an open
    # concern.
    def not_ended_by(moment: datetime) -> Q:
        last_day = timezone.localdate(moment - timedelta(microseconds=1))
        return Q(ended_on=None) | Q(ended_on__gt=last_day)

    def running(moment: datetime) -> Q:
        return Q(added_at__lt=moment) & not_ended_by(moment)

    today = timezone.localdate(now)
    review_late = late_review(now) & ~Q(child__concern__step=Step.CLOSED)
    # Only support not ended by the earlier moment can be counted by any of the three.
    support = SupportAction.objects.filter(not_ended_by(previous_as_of), school=school).aggregate(
        current=Count("pk", filter=running(as_of)),
        previous=Count("pk", filter=running(previous_as_of)),
        overdue=Count("pk", filter=review_late),
    )

    # 8. School-wide follow-up: planned (added) and done in each period, and what is past its
    # due date now.
    past_due = Q(completed_on=None, due_date__lt=today)
    planned_in = {"current": (split, until), "previous": (since, split)}
    done_in = {"current": (period.start, period.end), "previous": (previous.start, previous.end)}
    follow_up_rows = (
        FollowUpAction.objects.filter(concern__school=school)
        .filter(
            _between("added_at", since, until)
            | Q(completed_on__range=(previous.start, period.end))
            | past_due
        )
        .values("kind")
        .annotate(
            **{
                f"planned_{which}": Count("pk", filter=_between("added_at", *span))
                for which, span in planned_in.items()
            },
            **{
                f"done_{which}": Count("pk", filter=Q(completed_on__range=span))
                for which, span in done_in.items()
            },
            past_due=Count("pk", filter=past_due),
        )
        .order_by()
    )
    follow_ups_by_kind = {row["kind"]: row for row in follow_up_rows}

    # 9 and 10. The exceptions (see `_exceptions`).
    exceptions = _exceptions(school, since=since, split=split, until=until)

    # 11 to 14. Leavers' child protection files that fell due in each period, and whether the
    # new school had them by then: the term dates, the leavers with a file, their transfers,
    # and those with no school to go to (the last two only when there are leavers).
    def days(start: datetime, end: datetime) -> tuple[date, date]:
        return timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))

    files = files_due(
        school,
        {"current": days(split, as_of), "previous": days(since, previous_as_of)},
        today=today,
    )

    # 15. Subject access requests received in each period, and how they stand today.
    requests = request_counts(
        school,
        {"current": days(split, as_of), "previous": days(since, previous_as_of)},
        today=today,
    )

    # 16. Files reviewed in each period: kept for longer, or disposed of.
    reviews = retention_counts(
        school, {"current": days(split, as_of), "previous": days(since, previous_as_of)}
    )

    overdue = {
        OverdueKind.SAFETY_CHECK: open_values["overdue_safety_check"],
        OverdueKind.CONFIRMATION: deadline_counts["overdue_confirmation"],
        OverdueKind.FEEDBACK: deadline_counts["overdue_feedback"],
        OverdueKind.SUPPORT_REVIEW: support["overdue"],
    }
    return Statistics(
        period=period,
        previous=previous,
        as_of=as_of,
        previous_as_of=previous_as_of,
        now=now,
        concerns=Pair(totals[True]["concerns"], totals[False]["concerns"]),
        online=Pair(totals[True]["online"], totals[False]["online"]),
        months=[
            Month(month, counts["concerns"], counts["online"]) for month, counts in by_month.items()
        ],
        by_category=by_category,
        referrals=Pair(
            sum(row["current"] for row in referral_rows),
            sum(row["previous"] for row in referral_rows),
        ),
        by_agency=_pairs(referral_rows, "agency", dict(Agency.choices)),
        by_outcome=_pairs(referral_rows, "outcome", {**dict(Outcome.choices), "": NO_OUTCOME}),
        to_safety_check=Pair(timing("check", "current"), timing("check", "previous")),
        to_referral=Pair(timing("referral", "current"), timing("referral", "previous")),
        confirmed_on_time=Pair(
            Share(
                deadline_counts["confirm_on_time_current"], deadline_counts["confirm_due_current"]
            ),
            Share(
                deadline_counts["confirm_on_time_previous"], deadline_counts["confirm_due_previous"]
            ),
        ),
        feedback_on_time=Pair(
            Share(
                deadline_counts["feedback_on_time_current"], deadline_counts["feedback_due_current"]
            ),
            Share(
                deadline_counts["feedback_on_time_previous"],
                deadline_counts["feedback_due_previous"],
            ),
        ),
        open_by_step={
            step.label: Pair(
                open_values[f"step{step.value}_current"], open_values[f"step{step.value}_previous"]
            )
            for step in OPEN_STEPS
        },
        open_by_age={
            label: Pair(open_values[f"{key}_current"], open_values[f"{key}_previous"])
            for key, label in AGE_BANDS
        },
        overdue_now={kind.label: overdue[kind] for kind in OverdueKind},
        support_active=Pair(support["current"], support["previous"]),
        follow_ups={
            label: FollowUps(
                planned=Pair(row.get("planned_current", 0), row.get("planned_previous", 0)),
                done=Pair(row.get("done_current", 0), row.get("done_previous", 0)),
                past_due_now=row.get("past_due", 0),
            )
            for kind, label in FollowUpKind.choices
            for row in [follow_ups_by_kind.get(kind, {})]
        },
        exceptions=exceptions,
        files=Pair(files["current"], files["previous"]),
        subject_access=Pair(requests["current"], requests["previous"]),
        retention=Pair(reviews["current"], reviews["previous"]),
    )


# --- What one audience may read ----------------------------------------------------------

TOO_FEW = "too few to show"


@dataclass(frozen=True)
class Shown:
    """One figure as its reader sees it. A withheld figure has no value, only its words."""

    value: float | int | timedelta | None
    text: str
    withheld: bool = False
    # Said after the figure where there is room: "(3 of 4)".
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.text} {self.detail}" if self.detail else self.text


def duration_text(value: timedelta) -> str:
    """ "45 minutes", "3 hours 5 minutes", "2 days 4 hours": to the minute under a day, to the
    hour beyond."""
    minutes = round(value.total_seconds() / 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if minutes < 60:
        return unit(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    days, hours = divmod(hours + (1 if minutes >= 30 else 0), 24)
    return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")


@dataclass(frozen=True)
class Rules:
    """How figures are shown: exactly (the DSL team, the school's administrator) or with
    small numbers withheld (governors)."""

    exact: bool
    threshold: int = field(default_factory=lambda: settings.SMALL_NUMBER_THRESHOLD)

    @property
    def fewer_than(self) -> str:
        return f"fewer than {self.threshold}"

    def count(self, n: int) -> Shown:
        if not self.exact and 0 < n < self.threshold:
            return Shown(None, self.fewer_than, withheld=True)
        return Shown(n, f"{n:,}")

    def _enough(self, items: int) -> bool:
        return self.exact or items >= self.threshold

    def duration(self, value: timedelta | None, items: int) -> Shown:
        if items == 0 or value is None:
            return Shown(None, "none yet")
        if not self._enough(items):
            return Shown(None, TOO_FEW, withheld=True)
        return Shown(value, duration_text(value))

    def share(self, share: Share) -> Shown:
        if share.due == 0:
            return Shown(None, "none due")
        if not self._enough(share.due):
            return Shown(None, TOO_FEW, withheld=True)
        percent = round(100 * share.ratio)
        # Governors see the percentage of how many, not how many were late.
        detail = f"({share.on_time} of {share.due})" if self.exact else f"of {share.due:,}"
        return Shown(percent, f"{percent}%", detail=detail)


@dataclass(frozen=True)
class Figure:
    """A headline: the figure, and how it compares with the period before."""

    label: str
    current: Shown
    comparison: str = ""
    note: str = ""


def compare(current: Shown, previous: Shown, before: Period) -> str:
    """ "up from 9 in Autumn term 2025", "the same as in ...", or "compared with fewer than 5
    in ..." when either side is withheld or missing, so no direction hints at its value."""
    where = before.compared_as
    if current.value is None or previous.value is None:
        return f"compared with {previous.text} {where}"
    if current.value == previous.value:
        return f"the same as {where}"
    direction = "up" if current.value > previous.value else "down"
    return f"{direction} from {previous.text} {where}"


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Shown, ...]


@dataclass(frozen=True)
class Breakdown:
    """A table of figures, drawn as a bar chart of its first `charted` columns."""

    key: str
    title: str
    # The heading of the rows' labels, then of each figure's column.
    heading: str
    columns: tuple[str, ...]
    rows: list[Row]
    empty: str = "None in this period."
    charted: int = 1
    # Drawn as columns (a series over time) rather than bars.
    columns_chart: bool = False
    note: str = ""
    # Why governors should look at it, in plain English (the exceptions).
    why: str = ""

    @property
    def has_figures(self) -> bool:
        return any(cell.value or cell.withheld for row in self.rows for cell in row.cells)


@dataclass
class Dashboard:
    """What the dashboard and the report show to one audience."""

    school_name: str
    period: Period
    previous: Period
    exact: bool
    threshold: int
    as_of: datetime
    ended: bool
    headlines: list[Figure]
    timings: Breakdown
    breakdowns: list[Breakdown]
    # Tables without charts, each with why it matters: see `_exception_breakdowns`.
    exceptions: list[Breakdown] = field(default_factory=list)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    @property
    def estimated_years(self) -> list[Period]:
        """The academic years whose terms here are estimated: the school has not entered
        their term dates."""
        return estimated_years(self.period, self.previous)


def _counted(rules: Rules, pair: Pair[int]) -> tuple[Shown, Shown]:
    return rules.count(pair.current), rules.count(pair.previous)


def present(stats: Statistics, *, school_name: str, exact: bool) -> Dashboard:
    """The figures as one audience may read them (see the module's docstring)."""
    rules = Rules(exact=exact)
    period, before = stats.period, stats.previous
    this, last = "This period", before.name[:1].upper() + before.name[1:]
    if period.span == "custom":
        last = f"Previous {before.days} days"
    ended = period.has_ended(stats.now)

    def headline(label: str, pair: Pair, show: Callable, note: str = "") -> Figure:
        current, previous = show(pair.current), show(pair.previous)
        return Figure(label, current, compare(current, previous, before), note)

    def timing_shown(timing: Timing, which: str) -> Shown:
        return rules.duration(getattr(timing, which), timing.measured)

    def pair_rows(pairs: dict[str, Pair[int]]) -> list[Row]:
        return [Row(label, _counted(rules, pair)) for label, pair in pairs.items()]

    snapshot = "at the end of the period" if ended else "now"
    headlines = [
        headline("Concerns recorded", stats.concerns, rules.count),
        headline("Online-safety concerns", stats.online, rules.count),
        headline("Referrals made", stats.referrals, rules.count),
        headline(
            "Median time from recording to the safety check",
            stats.to_safety_check,
            lambda t: timing_shown(t, "median"),
        ),
        headline(
            "Median time from recording to the first referral",
            stats.to_referral,
            lambda t: timing_shown(t, "median"),
        ),
        headline(
            "Urgent referrals confirmed in writing on time",
            stats.confirmed_on_time,
            rules.share,
            note="Of those whose deadline fell in the period",
        ),
        headline(
            "Social care feedback received on time",
            stats.feedback_on_time,
            rules.share,
            note="Of those due in the period",
        ),
        headline(f"Open concerns {snapshot}", stats.open_total, rules.count),
        headline(f"Support actions running {snapshot}", stats.support_active, rules.count),
        headline(
            "Leavers' child protection files received on time",
            Pair(
                *(
                    Share(f.on_time, f.due - f.no_school)
                    for f in (stats.files.current, stats.files.previous)
                )
            ),
            rules.share,
            note="Of those due in the period (5 school days after the child left) that had a "
            "school to go to",
        ),
        Figure(
            "Actions overdue now",
            rules.count(sum(stats.overdue_now.values())),
            note="Safety checks, written confirmations, social care feedback and support reviews",
        ),
    ]

    timings = Breakdown(
        key="timings",
        heading="Time",
        title="Time from recording a concern",
        columns=("Median", "90th percentile", "Concerns measured", f"Median, {last}"),
        rows=[
            Row(
                label,
                (
                    timing_shown(pair.current, "median"),
                    timing_shown(pair.current, "p90"),
                    rules.count(pair.current.measured),
                    timing_shown(pair.previous, "median"),
                ),
            )
            for label, pair in [
                ("To the safety check", stats.to_safety_check),
                ("To the first referral", stats.to_referral),
            ]
        ],
        charted=0,
        note="Over the concerns recorded in the period where it has happened.",
    )

    month_label = "{:%b %Y}".format
    breakdowns = [
        Breakdown(
            key="months",
            heading="Month",
            title="Concerns recorded by month",
            columns=("All concerns", "Online-safety concerns"),
            rows=[
                Row(month_label(m.month), (rules.count(m.concerns), rules.count(m.online)))
                for m in stats.months
            ],
            charted=2,
            columns_chart=True,
            note="Online-safety concerns are those in a category marked as online safety, "
            "such as online grooming, sharing nudes and sextortion.",
        ),
        Breakdown(
            key="categories",
            heading="Category",
            title="Concerns by category",
            columns=(this, last),
            rows=pair_rows(stats.by_category),
            charted=2,
            note="A concern can be in more than one category.",
        ),
        Breakdown(
            key="agencies",
            heading="Agency",
            title="Referrals by agency",
            columns=(this, last),
            rows=pair_rows(stats.by_agency),
            charted=2,
        ),
        Breakdown(
            key="outcomes",
            heading="Outcome",
            title="Referrals by outcome",
            columns=(this, last),
            rows=pair_rows(stats.by_outcome),
            charted=2,
        ),
        Breakdown(
            key="steps",
            heading="Step reached",
            title=f"Open concerns {snapshot}, by step",
            columns=(this, f"{last}, at its end"),
            rows=pair_rows(stats.open_by_step),
            empty="No open concerns.",
            charted=2,
            note="The step each open concern has reached: the next step is what it waits for.",
        ),
        Breakdown(
            key="ages",
            heading="Time since recording",
            title=f"Open concerns {snapshot}, by time since recording",
            columns=(this, f"{last}, at its end"),
            rows=pair_rows(stats.open_by_age),
            empty="No open concerns.",
            charted=2,
        ),
        Breakdown(
            key="overdue",
            heading="Action",
            title="Actions overdue now",
            columns=("Overdue",),
            rows=[
                Row(label[:1].upper() + label[1:], (rules.count(n),))
                for label, n in stats.overdue_now.items()
            ],
            empty="Nothing is overdue.",
            note="Safety checks not recorded in time, urgent referrals not confirmed in "
            "writing by their deadline, social care feedback not received when due, and "
            "support reviews past their date.",
        ),
        Breakdown(
            key="follow_ups",
            heading="Kind of follow-up",
            title="School-wide follow-up",
            columns=(
                "Planned",
                "Done",
                f"Planned, {last}",
                f"Done, {last}",
                "Past its due date now",
            ),
            rows=[
                Row(
                    label,
                    (
                        *_counted(rules, Pair(f.planned.current, f.done.current)),
                        *_counted(rules, Pair(f.planned.previous, f.done.previous)),
                        rules.count(f.past_due_now),
                    ),
                )
                for label, f in stats.follow_ups.items()
            ],
            charted=2,
            note="Work for the whole school after a concern: lessons, sessions for parents, "
            "policy reviews, staff training.",
        ),
        Breakdown(
            key="files",
            heading="Leavers' files",
            title="Child protection files of leavers, due in the period",
            columns=(this, last),
            rows=[
                Row(label, _counted(rules, Pair(getattr(current, name), getattr(before, name))))
                for label, name in [
                    ("Received by the new school on time", "on_time"),
                    ("Received late", "late"),
                    ("No school to send it to: the local authority told", "no_school"),
                    ("Not received yet", "not_received"),
                ]
                for current, before in [(stats.files.current, stats.files.previous)]
            ],
            empty="No leaver's file fell due.",
            note="A leaver's file is due at the new school 5 school days after the child "
            "leaves (KCSIE), counted in the school's own term dates.",
        ),
        Breakdown(
            key="subject_access",
            heading="Subject access requests",
            title="Subject access requests received in the period",
            columns=(this, last),
            rows=[
                Row(label, _counted(rules, Pair(getattr(current, name), getattr(before, name))))
                for label, name in [
                    ("Received", "received"),
                    ("Answered on time", "on_time"),
                    ("Answered late", "late"),
                    ("Not answered yet", "open"),
                    ("Not answered, and past the deadline", "overdue"),
                ]
                for current, before in [
                    (stats.subject_access.current, stats.subject_access.previous)
                ]
            ],
            empty="No subject access request was received.",
            note="A request for a child's information is answered (disclosed, or refused with "
            "a reason) within one calendar month of receipt, or up to two months more when it "
            "was extended. Counted as the requests stand now.",
        ),
        Breakdown(
            key="retention",
            heading="File reviews",
            title="Children's files reviewed in the period",
            columns=(this, last),
            rows=[
                Row(label, _counted(rules, Pair(getattr(current, name), getattr(before, name))))
                for label, name in [
                    ("Kept for a further period, with a reason", "kept"),
                    ("Disposed of, by two members of the DSL team", "disposed"),
                    ("Records destroyed by those disposals", "records"),
                ]
                for current, before in [(stats.retention.current, stats.retention.previous)]
            ],
            empty="No file was reviewed.",
            note="A child's file is reviewed when the child is 25 (the IRMS toolkit for "
            "schools). Each disposal leaves a certificate of what was destroyed, kept for good; "
            "a file under a legal hold is never disposed of.",
        ),
    ]
    return Dashboard(
        school_name=school_name,
        period=period,
        previous=before,
        exact=exact,
        threshold=rules.threshold,
        as_of=stats.as_of,
        ended=ended,
        headlines=headlines,
        timings=timings,
        breakdowns=breakdowns,
        exceptions=_exception_breakdowns(stats.exceptions, pair_rows, columns=(this, last)),
    )


def _exception_breakdowns(
    exceptions: Exceptions, pair_rows: Callable, *, columns: tuple[str, str]
) -> list[Breakdown]:
    """The exceptions as tables, each with why it matters. No charts: the figures are few, and
    what counts is whether each is zero."""
    recorded = "Of the concerns recorded in each period, as they stand now."
    return [
        Breakdown(
            key="not_referred_grounds",
            heading="Ground",
            title="Decisions not to refer, by ground",
            columns=columns,
            rows=pair_rows(exceptions.not_referred_by_ground),
            empty="No decisions not to refer.",
            charted=0,
            note=recorded,
            why="Guidance accepts only three grounds for not referring a concern to "
            "children's social care: advice from social care or the police, the local "
            "threshold for a referral not being met, or a child who already has a social "
            "worker who has been told. A parent's wish is never a ground.",
        ),
        Breakdown(
            key="not_referred_signatures",
            heading="Countersignature",
            title="Decisions not to refer, countersigned or not",
            columns=columns,
            rows=pair_rows(exceptions.not_referred_signature),
            empty="No decisions not to refer.",
            charted=0,
            note=recorded,
            why="Where there was any sign of risk (an adult involved, sexual or online harm, "
            "someone in immediate danger), a second member of the safeguarding team must "
            "agree with a decision not to refer, with their own reason, before the concern "
            "moves on. A decision waiting for a countersignature has not yet had that check.",
        ),
        Breakdown(
            key="criteria_met",
            heading="Referral",
            title="Concerns where an immediate-referral criterion was met",
            columns=columns,
            rows=pair_rows(exceptions.criteria_met),
            empty="No concern met an immediate-referral criterion.",
            charted=0,
            note=recorded + " A criterion answered “not known” counts as met, as guidance says.",
            why="National guidance on nudes and semi-nudes (UKCIS, 2024) says some cases must "
            "be referred at once to children's social care and the police: an adult is "
            "involved; a child was coerced, blackmailed or groomed; the images are unusual "
            "for the child's age or violent; they involve sexual acts and a child under 13; "
            "or a child is at immediate risk of harm. Every such concern should be referred "
            "to both.",
        ),
        Breakdown(
            key="unnamed_children",
            heading="Children described but not named",
            title="Children not yet identified",
            columns=columns,
            rows=pair_rows(exceptions.unnamed_children),
            empty="No children were described without being named.",
            charted=0,
            note="Children described on the concerns recorded in each period, as they stand now.",
            why="Other children may be involved or at risk before the school knows who they "
            "are (for example, “two friends at a sleepover”). Until each is named from the "
            "register, or what is known is passed to social care or the police to find "
            "them, nobody may be making sure that they are safe.",
        ),
        Breakdown(
            key="advice_not_recorded",
            heading="Concerns",
            title="Family advice not recorded as given",
            columns=columns,
            rows=pair_rows(
                {"Past the evidence step, advice not recorded": exceptions.advice_not_recorded}
            ),
            empty="Family advice is recorded as given on every concern past the evidence step.",
            charted=0,
            note=recorded,
            why="Children and families need clear advice straight away: not to delete "
            "messages or images, not to pay a blackmailer, how to get images removed and "
            "where to find help. Once a concern is past the evidence step, the national "
            "advice for its kind of harm should be recorded as given, by whom and to whom.",
        ),
        Breakdown(
            key="practice_flags",
            heading="Flagged entries",
            title="Entries flagged as investigating",
            columns=columns,
            rows=pair_rows(exceptions.practice_flags),
            empty="No entries were flagged.",
            charted=0,
            note="Entries on the concerns recorded in each period, as they stand now.",
            why="Staff should listen and pass on, not investigate. The app flags entries that "
            "read as investigating: a child questioned, other parents asked or told, images "
            "looked at, or the alleged offender contacted. These can harm a child or a "
            "police investigation, so the safeguarding team reviews each one.",
        ),
    ]


def dashboard_for(school: School, period: Period, *, exact: bool, now: datetime) -> Dashboard:
    return present(school_statistics(school, period, now=now), school_name=school.name, exact=exact)
