"""Governors' oversight dashboard: periods, the figures, who sees them exactly, and that no
child can be recognised from them.

The figures are checked against a hand-built school (`spring_2026`): ten concerns across two
terms with known recording, safety-check, referral and feedback times, so every count,
median, percentile and share has a known answer worked out below.
"""

import datetime
import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from casework.queue import OverdueKind, overdue_items
from concerns import rules, services
from concerns.models import (
    Agency,
    Concern,
    FollowUpAction,
    FollowUpKind,
    GuidanceCard,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    UnnamedChild,
)
from oversight import periods
from oversight.periods import PeriodChoice, PeriodForm, Span
from oversight.statistics import (
    Rules,
    Share,
    dashboard_for,
    duration_text,
    exception_facts,
    school_statistics,
)
from referrals.models import Outcome, Referral
from schools.models import Membership, Pupil, Role, School, User
from tests.factories import (
    PupilFactory,
    answer_criteria,
    member,
    record_concern,
    record_referral,
)
from tests.test_chronology import work_through
from tests.test_views_concerns import page_text, signed_in

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=LONDON)
SPRING_2026 = periods.term_of(date(2026, 3, 20))
AUTUMN_2025 = periods.term_of(date(2025, 10, 1))


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- Periods -------------------------------------------------------------------------------


def test_terms_split_the_year_at_easter_2026():
    autumn, spring, summer = periods.terms_of(2025)

    assert (autumn.start, autumn.end) == (date(2025, 9, 1), date(2025, 12, 31))
    # Easter Sunday 2026 is 5 April.
    assert (spring.start, spring.end) == (date(2026, 1, 1), date(2026, 4, 5))
    assert (summer.start, summer.end) == (date(2026, 4, 6), date(2026, 8, 31))
    assert [t.name for t in (autumn, spring, summer)] == [
        "Autumn term 2025",
        "Spring term 2026",
        "Summer term 2026",
    ]


def test_terms_split_the_year_at_easter_2027():
    _, spring, summer = periods.terms_of(2026)

    # Easter Sunday 2027 is 28 March.
    assert spring.end == date(2027, 3, 28)
    assert summer.start == date(2027, 3, 29)
    assert periods.term_of(date(2027, 3, 28)).name == "Spring term 2027"
    assert periods.term_of(date(2027, 3, 29)).name == "Summer term 2027"


def test_every_day_of_a_year_falls_in_exactly_one_term():
    year = periods.academic_year(2026)
    day = year.start
    while day <= year.end:
        assert sum(t.start <= day <= t.end for t in periods.terms_of(2026)) == 1
        assert periods.term_of(day).start <= day <= periods.term_of(day).end
        day += timedelta(days=1)


def test_the_academic_year_runs_from_1_september_to_31_august():
    assert periods.academic_year_of(date(2026, 8, 31)) == 2025
    assert periods.academic_year_of(date(2026, 9, 1)) == 2026
    year = periods.period_for(PeriodChoice.THIS_YEAR, today=date(2026, 8, 31))
    assert (year.start, year.end, year.name) == (
        date(2025, 9, 1),
        date(2026, 8, 31),
        "academic year 2025 to 2026",
    )
    assert periods.period_for(PeriodChoice.THIS_YEAR, today=date(2026, 9, 1)).start == date(
        2026, 9, 1
    )


def test_each_period_is_compared_with_the_one_before():
    today = date(2026, 3, 20)

    this_term = periods.period_for(PeriodChoice.THIS_TERM, today=today)
    last_term = periods.period_for(PeriodChoice.LAST_TERM, today=today)
    assert this_term.name == "Spring term 2026"
    assert this_term.previous() == last_term
    assert last_term.name == "Autumn term 2025"
    # Autumn is compared with the Summer term of the year before.
    assert last_term.previous().name == "Summer term 2025"
    assert last_term.previous().start == date(2025, 4, 21)  # Easter Monday 2025

    last_year = periods.period_for(PeriodChoice.LAST_YEAR, today=today)
    assert last_year.name == "academic year 2024 to 2025"
    assert periods.period_for(PeriodChoice.THIS_YEAR, today=today).previous() == last_year


def test_a_custom_period_is_compared_with_as_many_days_before_it():
    chosen = periods.period_for(
        PeriodChoice.CUSTOM, today=date(2026, 3, 20), start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    before = chosen.previous()

    assert (before.start, before.end) == (date(2026, 1, 29), date(2026, 2, 28))
    assert before.days == chosen.days == 31
    assert before.span == Span.CUSTOM
    assert chosen.compared_as == "in the previous 31 days"


def test_a_period_starts_and_ends_at_midnight_in_london():
    spring = periods.term_of(date(2026, 1, 1))
    summer = spring.previous().previous().previous()  # Summer term 2025, in British Summer Time

    assert spring.starts_at == datetime.datetime(2026, 1, 1, tzinfo=LONDON)
    assert spring.ends_at == datetime.datetime(2026, 4, 6, tzinfo=LONDON)
    assert summer.ends_at.utcoffset() == timedelta(hours=1)
    assert [m.month for m in spring.months()] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"period": "custom"}, {"start": ["Enter the first day of the period"]}),
        (
            {"period": "custom", "start": "2026-03-31", "end": "2026-03-01"},
            {"end": ["The last day must be the same as or after the first"]},
        ),
        (
            {"period": "custom", "start": "2026-02-30", "end": "2026-03-01"},
            {"start": ["Enter the first day of the period as a real date"]},
        ),
        (
            {"period": "custom", "start": "2020-01-01", "end": "2026-03-01"},
            {"end": ["Choose a period of 3 years or less"]},
        ),
        ({"period": "fortnight"}, {"period": ["Choose a period from the list"]}),
    ],
)
def test_the_period_picker_explains_what_is_wrong(data, errors):
    form = PeriodForm(data)

    assert form.chosen(today=date(2026, 3, 20)) is None
    for field, messages in errors.items():
        assert form.errors[field] == messages


def test_dates_are_needed_only_for_dates_of_your_choice():
    form = PeriodForm({"period": "last_term"})
    assert form.chosen(today=date(2026, 3, 20)).name == "Autumn term 2025"

    # A date that is not a real date is still an error: what was typed is never dropped.
    form = PeriodForm({"period": "last_term", "start": "nonsense"})
    assert form.chosen(today=date(2026, 3, 20)) is None


# --- A hand-built school -------------------------------------------------------------------


def _fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def _record(school, reporter, when, *categories, **extra) -> Concern:
    pupil = PupilFactory(school=school)
    with time_machine.travel(when, tick=False):
        return record_concern(
            school=school, reporter=reporter, pupils=[pupil], categories=categories, **extra
        )


def _check(concern, by, when, *, spoken_to: str = "") -> None:
    with time_machine.travel(when, tick=False):
        concern = _fresh(concern)
        services.concern_check_safety(
            concern=concern,
            by=by,
            version=concern.version,
            checks=[
                services.SafetyCheckInput(
                    child=child, safe_now=True, notes="Safe at home", spoken_to=spoken_to
                )
                for child in concern.children.all()
            ],
        )


def _refer(concern, by, made_at, *, agency=Agency.SOCIAL_CARE, urgent=False) -> Referral:
    with time_machine.travel(made_at + timedelta(minutes=5), tick=False):
        return record_referral(concern, by, agency, made_at=made_at, urgent=urgent)


def _preserve(concern, by, when, **extra) -> None:
    """The evidence step; on a sextortion concern, say whether anything was paid (`extra`)."""
    with time_machine.travel(when, tick=False):
        services.evidence_item_add(
            concern=concern,
            by=by,
            description="Messages on a phone",
            location="The mother's phone",
            held_by="The mother",
        )
        concern = _fresh(concern)
        services.concern_preserve_evidence(
            concern=concern,
            by=by,
            version=concern.version,
            advice_given_by="Dana Lead",
            advice_given_to="The mother",
            advice_given_at=when,
            **extra,
        )


def _decide(concern, by, when) -> None:
    """Refer, to the agencies whose referrals are recorded, having first answered the
    immediate-referral questions where the concern's categories ask them."""
    with time_machine.travel(when, tick=False):
        answer_criteria(_fresh(concern), by)
        concern = _fresh(concern)
        services.concern_decide_referral(
            concern=concern,
            by=by,
            version=concern.version,
            decision=ReferralDecision.REFER,
            rationale="",
            police_not_told_reason="The parent reported it to the police herself",
            parents_informed=True,
            parents_not_informed_reason="",
        )


def _plan_support(concern, by, when, *, review_date, follow_ups) -> None:
    with time_machine.travel(when, tick=False):
        services.support_action_add(
            concern=concern,
            by=by,
            child=concern.children.get(),
            action="Weekly check-in",
            owner="Pastoral lead",
            review_date=review_date,
        )
        for kind, due in follow_ups:
            services.follow_up_add(
                concern=concern,
                by=by,
                kind=kind,
                description="School-wide work",
                owner="Head teacher",
                due_date=due,
            )
        concern = _fresh(concern)
        services.concern_plan_support(concern=concern, by=by, version=concern.version)


def _feedback(referral, *, on_time: bool, outcome: str) -> None:
    due = Referral.objects.get(pk=referral.pk).feedback_due_at
    received = due - hours(2) if on_time else due + timedelta(days=1)
    Referral.objects.filter(pk=referral.pk).update(feedback_received_at=received, outcome=outcome)


def _confirm(referral, *, on_time: bool) -> None:
    due = Referral.objects.get(pk=referral.pk).confirmation_due_at
    confirmed = due - hours(1) if on_time else due + hours(2)
    Referral.objects.filter(pk=referral.pk).update(confirmed_in_writing_at=confirmed)


@pytest.fixture
def spring_2026(school, staff, dsl):
    """Spring term 2026 (1 January to Easter Sunday, 5 April), seen on 20 March at noon, and
    the Autumn term 2025 before it.

    Spring: seven concerns. Time to safety check (hours): 0.5, 1, 2, 3, 4, 10 (C7 is not
    checked yet). First referral (hours): 1, 2, 3, 5, 8 (C1's and C3's police referrals,
    later, are not their first; C6 and C7 are not referred). C1 (grooming, whether an adult
    is involved not known) and C3 (sextortion) meet an immediate-referral criterion, so each
    is referred to social care and the police; C2 (nudes shared between children, no adult)
    meets none. Urgent referrals: C1-C4, C4 confirmed late.
    Social care feedback: C1-C5, C5's late. At the end: C1 closed, C2 support planned, C3
    referral decided, C4 evidence preserved, C5 and C6 safety checked, C7 recorded.

    Autumn: three concerns, checked after 5, 6 and 7 hours, all still at "Safety checked";
    P1 referred to social care after 4 hours, its feedback never received.
    """
    s = school
    c1 = _record(s, staff, at(1, 12), "online-grooming")
    c2 = _record(s, staff, at(1, 26), "sharing-nudes", adult_involved="no")
    c3 = _record(s, staff, at(2, 9), "sextortion")
    c4 = _record(s, staff, at(2, 23), "neglect")
    c5 = _record(s, staff, at(3, 2), "neglect")
    c6 = _record(s, staff, at(3, 9), "physical")
    _record(s, staff, at(3, 19), "online-grooming")  # C7, not checked yet
    for concern, checked in [
        (c1, at(1, 12, 9, 30)),
        (c2, at(1, 26, 10)),
        (c3, at(2, 9, 11)),
        (c4, at(2, 23, 12)),
        (c5, at(3, 2, 13)),
        (c6, at(3, 9, 19)),
    ]:
        _check(concern, dsl, checked)

    r1 = _refer(c1, dsl, at(1, 12, 10), urgent=True)
    _refer(c1, dsl, at(1, 13, 5), agency=Agency.POLICE)
    r2 = _refer(c2, dsl, at(1, 26, 11), urgent=True)
    r3 = _refer(c3, dsl, at(2, 9, 12), urgent=True)
    _refer(c3, dsl, at(2, 9, 13), agency=Agency.POLICE)
    r4 = _refer(c4, dsl, at(2, 23, 14), urgent=True)
    r5 = _refer(c5, dsl, at(3, 2, 17))
    for referral, on_time in [(r1, True), (r2, True), (r3, True), (r4, False)]:
        _confirm(referral, on_time=on_time)
    for referral, on_time, outcome in [
        (r1, True, Outcome.CHILD_PROTECTION),
        (r2, True, Outcome.ASSESSMENT),
        (r3, True, Outcome.CHILD_PROTECTION),
        (r4, True, Outcome.EARLY_HELP),
        (r5, False, Outcome.NO_FURTHER_ACTION),
    ]:
        _feedback(referral, on_time=on_time, outcome=outcome)

    for concern, day in [(c1, 13), (c2, 27)]:
        _preserve(concern, dsl, at(1, day, 10))
        _decide(concern, dsl, at(1, day, 11))
    _preserve(c3, dsl, at(2, 10, 10), payment_made="no")
    _decide(c3, dsl, at(2, 10, 11))
    _preserve(c4, dsl, at(2, 24, 10))

    _plan_support(
        c1,
        dsl,
        at(1, 20, 10),
        review_date=date(2026, 2, 20),
        follow_ups=[
            (FollowUpKind.PUPIL_LESSONS, date(2026, 2, 15)),
            (FollowUpKind.PARENT_SESSION, date(2026, 3, 20)),
        ],
    )
    _plan_support(
        c2,
        dsl,
        at(2, 2, 10),
        review_date=date(2026, 3, 1),  # past on 20 March: a review overdue
        follow_ups=[
            (FollowUpKind.POLICY_REVIEW, date(2026, 3, 1)),  # past due, not done
            (FollowUpKind.STAFF_TRAINING, date(2026, 4, 30)),
        ],
    )
    for kind, done_on in [
        (FollowUpKind.PUPIL_LESSONS, date(2026, 2, 10)),
        (FollowUpKind.PARENT_SESSION, date(2026, 3, 15)),
    ]:
        with time_machine.travel(at(3, 16), tick=False):
            services.follow_up_complete(
                follow_up=FollowUpAction.objects.get(concern=c1, kind=kind),
                by=dsl,
                completed_on=done_on,
                notes="Done",
            )
    SupportAction.objects.filter(child__concern=c1).update(ended_on=date(2026, 3, 1))
    with time_machine.travel(at(3, 16, 10), tick=False):
        c1 = _fresh(c1)
        services.concern_close(
            concern=c1, by=dsl, version=c1.version, outcome_summary="Support in place."
        )

    p1 = _record(s, staff, at(10, 6, year=2025), "neglect")
    p2 = _record(s, staff, at(11, 3, year=2025), "online-grooming")
    p3 = _record(s, staff, at(11, 17, year=2025), "neglect")
    _check(p1, dsl, at(10, 6, 14, year=2025))
    _check(p2, dsl, at(11, 3, 15, year=2025))
    _check(p3, dsl, at(11, 17, 16, year=2025))
    _refer(p1, dsl, at(10, 6, 13, year=2025))
    return s


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def test_concerns_are_counted_by_month_with_the_online_safety_ones(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert [(m.month, m.concerns, m.online) for m in stats.months] == [
        (date(2026, 1, 1), 2, 2),
        (date(2026, 2, 1), 2, 1),
        (date(2026, 3, 1), 3, 1),
        (date(2026, 4, 1), 0, 0),
    ]
    assert (stats.concerns.current, stats.concerns.previous) == (7, 3)
    assert (stats.online.current, stats.online.previous) == (4, 1)


def test_concerns_are_counted_by_category(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert {name: (p.current, p.previous) for name, p in stats.by_category.items()} == {
        "Online grooming": (2, 1),
        "Sharing nudes and semi-nudes": (1, 0),
        "Sextortion (financially motivated sexual extortion)": (1, 0),
        "Physical abuse": (1, 0),
        "Neglect": (2, 2),
    }


def test_referrals_are_counted_by_agency_and_outcome(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert (stats.referrals.current, stats.referrals.previous) == (7, 1)
    assert {a: (p.current, p.previous) for a, p in stats.by_agency.items()} == {
        "Children's social care (MASH)": (5, 1),
        "Police": (2, 0),
    }
    assert {o: (p.current, p.previous) for o, p in stats.by_outcome.items()} == {
        "Early help": (1, 0),
        "No further action": (1, 0),
        "Child and family assessment (section 17)": (1, 0),
        "Child protection enquiry (section 47)": (2, 0),
        "No feedback yet": (2, 1),
    }


def test_time_to_safety_check_and_to_first_referral_are_median_and_90th_percentile(
    spring_2026, frozen
):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    check = stats.to_safety_check.current
    # 0.5, 1, 2, 3, 4, 10 hours: median (2 + 3) / 2; 90th percentile at rank 4.5 of 0-5:
    # 4 + 0.5 * (10 - 4).
    assert (check.median, check.p90, check.measured) == (hours(2.5), hours(7), 6)
    referral = stats.to_referral.current
    # 1, 2, 3, 5, 8 hours: median 3; 90th percentile at rank 3.6 of 0-4: 5 + 0.6 * (8 - 5).
    assert (referral.median, referral.p90, referral.measured) == (hours(3), hours(6.8), 5)

    before = stats.to_safety_check.previous
    # 5, 6, 7 hours.
    assert (before.median, before.p90, before.measured) == (hours(6), hours(6.8), 3)
    assert stats.to_referral.previous.median == hours(4)


def test_a_referral_made_before_the_concern_was_recorded_counts_as_immediate(
    school, staff, dsl, frozen
):
    concern = _record(school, staff, at(3, 2), "neglect")
    # The 999 call came first; the concern was written down afterwards.
    Referral.objects.filter(pk=_refer(concern, dsl, at(3, 2, 10)).pk).update(made_at=at(3, 2, 8))

    stats = school_statistics(school, SPRING_2026, now=frozen)

    assert stats.to_referral.current.median == timedelta(0)


def test_shares_on_time_count_the_deadlines_that_fell_in_the_period(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert stats.confirmed_on_time.current == Share(on_time=3, due=4)
    assert stats.confirmed_on_time.current.ratio == 0.75
    assert stats.feedback_on_time.current == Share(on_time=4, due=5)
    assert stats.confirmed_on_time.previous == Share(on_time=0, due=0)
    assert stats.feedback_on_time.previous == Share(on_time=0, due=1)


def test_a_deadline_still_to_come_is_not_counted_as_missed(school, staff, dsl, frozen):
    concern = _record(school, staff, at(3, 20, 8), "neglect")
    _refer(concern, dsl, at(3, 20, 10), urgent=True)  # due in writing tomorrow

    stats = school_statistics(school, SPRING_2026, now=frozen)

    assert stats.confirmed_on_time.current == Share(on_time=0, due=0)
    assert stats.feedback_on_time.current == Share(on_time=0, due=0)


def test_open_concerns_are_counted_by_step_and_age_at_each_periods_end(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert {s: (p.current, p.previous) for s, p in stats.open_by_step.items()} == {
        "Recorded": (1, 0),
        "Safety checked": (5, 3),
        "Evidence preserved": (1, 0),
        "Referral decided": (1, 0),
        "Support planned": (1, 0),
    }
    assert {band: (p.current, p.previous) for band, p in stats.open_by_age.items()} == {
        "Under 1 week": (1, 0),
        "1 week to 1 month": (3, 0),
        "1 to 3 months": (2, 3),
        "Over 3 months": (3, 0),
    }
    assert (stats.open_total.current, stats.open_total.previous) == (9, 3)


def test_a_concern_closed_after_a_period_counts_as_open_at_its_end(spring_2026, frozen):
    # C1 was closed on 16 March: open at the step it had reached on 1 March.
    custom = periods.custom(date(2026, 2, 1), date(2026, 2, 28))

    stats = school_statistics(spring_2026, custom, now=frozen)

    assert stats.open_by_step["Support planned"].current == 2  # C1 and C2
    assert stats.as_of == datetime.datetime(2026, 3, 1, tzinfo=LONDON)


def test_support_and_follow_up_are_counted(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    # C1's action ended on 1 March; C2's runs on.
    assert (stats.support_active.current, stats.support_active.previous) == (1, 0)
    follow_ups = {
        kind: (f.planned.current, f.done.current, f.planned.previous, f.past_due_now)
        for kind, f in stats.follow_ups.items()
    }
    assert follow_ups == {
        "Extra e-safety lessons for pupils": (1, 1, 0, 0),
        "E-safety session for parents": (1, 1, 0, 0),
        "Review of the e-safety policy": (1, 0, 0, 1),
        "Staff training": (1, 0, 0, 0),
        "Other school-wide action": (0, 0, 0, 0),
    }


def test_overdue_actions_are_counted_by_the_queues_own_rules(spring_2026, frozen):
    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    # C7 unchecked for a day; P1's feedback never came; C2's support review of 1 March.
    assert stats.overdue_now == {
        "safety check": 1,
        "written confirmation of an urgent referral": 0,
        "social care feedback": 1,
        "support review": 1,
    }
    listed = {kind.label: 0 for kind in OverdueKind}
    for item in overdue_items(spring_2026, now=frozen):
        listed[item.kind.label] += item.count
    assert stats.overdue_now == listed


def test_overdue_counts_match_the_queue_for_a_missed_confirmation(school, staff, dsl, frozen):
    concern = _record(school, staff, at(3, 16), "neglect")
    _refer(concern, dsl, at(3, 16, 10), urgent=True)

    stats = school_statistics(school, SPRING_2026, now=frozen)

    assert stats.overdue_now["written confirmation of an urgent referral"] == 1
    assert [item.kind for item in overdue_items(school, now=frozen)].count(
        OverdueKind.CONFIRMATION
    ) == 1


def test_nothing_from_another_school_is_counted(spring_2026, other_school, other_dsl, frozen):
    other = _record(other_school, other_dsl, at(3, 2), "neglect")
    _check(other, other_dsl, at(3, 2, 10))

    stats = school_statistics(spring_2026, SPRING_2026, now=frozen)

    assert stats.concerns.current == 7
    assert stats.to_safety_check.current.measured == 6


# --- What each reader sees ---------------------------------------------------------------


def headlines(dashboard) -> dict[str, str]:
    return {
        figure.label: ", ".join(filter(None, [str(figure.current), figure.comparison]))
        for figure in dashboard.headlines
    }


def test_the_dsl_team_sees_exact_figures_with_comparisons(spring_2026, frozen):
    shown = headlines(dashboard_for(spring_2026, SPRING_2026, exact=True, now=frozen))

    assert shown == {
        "Concerns recorded": "7, up from 3 in Autumn term 2025",
        "Online-safety concerns": "4, up from 1 in Autumn term 2025",
        "Referrals made": "7, up from 1 in Autumn term 2025",
        "Median time from recording to the safety check": (
            "2 hours 30 minutes, down from 6 hours in Autumn term 2025"
        ),
        "Median time from recording to the first referral": (
            "3 hours, down from 4 hours in Autumn term 2025"
        ),
        "Urgent referrals confirmed in writing on time": (
            "75% (3 of 4), compared with none due in Autumn term 2025"
        ),
        "Social care feedback received on time": ("80% (4 of 5), up from 0% in Autumn term 2025"),
        "Open concerns now": "9, up from 3 in Autumn term 2025",
        "Support actions running now": "1, up from 0 in Autumn term 2025",
        "Leavers' child protection files received on time": (
            "none due, compared with none due in Autumn term 2025"
        ),
        "Actions overdue now": "3",
    }


def test_governors_see_small_numbers_withheld(spring_2026, frozen):
    shown = headlines(dashboard_for(spring_2026, SPRING_2026, exact=False, now=frozen))

    assert shown == {
        "Concerns recorded": "7, compared with fewer than 5 in Autumn term 2025",
        "Online-safety concerns": "fewer than 5, compared with fewer than 5 in Autumn term 2025",
        "Referrals made": "7, compared with fewer than 5 in Autumn term 2025",
        # Six checks: enough to show; the three before are too few.
        "Median time from recording to the safety check": (
            "2 hours 30 minutes, compared with too few to show in Autumn term 2025"
        ),
        "Median time from recording to the first referral": (
            "3 hours, compared with too few to show in Autumn term 2025"
        ),
        # Four urgent referrals are too few to give a share of.
        "Urgent referrals confirmed in writing on time": (
            "too few to show, compared with none due in Autumn term 2025"
        ),
        "Social care feedback received on time": (
            "80% of 5, compared with too few to show in Autumn term 2025"
        ),
        "Open concerns now": "9, compared with fewer than 5 in Autumn term 2025",
        "Support actions running now": "fewer than 5, compared with 0 in Autumn term 2025",
        "Leavers' child protection files received on time": (
            "none due, compared with none due in Autumn term 2025"
        ),
        "Actions overdue now": "fewer than 5",
    }


def test_a_withheld_figure_carries_no_value(spring_2026, frozen):
    dashboard = dashboard_for(spring_2026, SPRING_2026, exact=False, now=frozen)

    cells = [
        cell
        for breakdown in [dashboard.timings, *dashboard.breakdowns, *dashboard.exceptions]
        for row in breakdown.rows
        for cell in row.cells
    ] + [figure.current for figure in dashboard.headlines]
    withheld = [cell for cell in cells if cell.withheld]
    assert withheld
    assert all(cell.value is None for cell in withheld)
    assert {cell.text for cell in withheld} == {"fewer than 5", "too few to show"}
    assert all(
        cell.value is None or cell.value == 0 or cell.value >= 5
        for cell in cells
        if isinstance(cell.value, int)
    )


def test_three_concerns_are_fewer_than_5_for_a_governor_and_3_for_the_dsl(
    school, staff, dsl, frozen
):
    for day in (2, 3, 4):
        concern = _record(school, staff, at(3, day), "neglect")
        _check(concern, dsl, at(3, day, 10))

    governor = dashboard_for(school, SPRING_2026, exact=False, now=frozen)
    team = dashboard_for(school, SPRING_2026, exact=True, now=frozen)

    assert str(governor.headlines[0].current) == "fewer than 5"
    assert str(team.headlines[0].current) == "3"
    # A median over three checks (one hour each).
    assert str(governor.headlines[3].current) == "too few to show"
    assert str(team.headlines[3].current) == "1 hour"


def test_the_threshold_is_a_setting(school, staff, settings, frozen):
    settings.SMALL_NUMBER_THRESHOLD = 3
    for day in (2, 3, 4):
        _record(school, staff, at(3, day), "neglect")

    governor = dashboard_for(school, SPRING_2026, exact=False, now=frozen)

    assert str(governor.headlines[0].current) == "3"
    assert Rules(exact=False).count(2).text == "fewer than 3"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=6, minutes=48), "6 hours 48 minutes"),
        (timedelta(days=1, hours=4, minutes=40), "1 day 5 hours"),
        (timedelta(days=3), "3 days"),
    ],
)
def test_durations_read_as_words(value, text):
    assert duration_text(value) == text


# --- The page ------------------------------------------------------------------------------

DASHBOARD = reverse("oversight:dashboard")


def words(response) -> str:
    """The page's words, with a figure set in bold joined to the comma after it."""
    return page_text(response).replace(" ,", ",")


@pytest.mark.parametrize("persona", ["governor", "dsl", "deputy", "school_admin"])
def test_the_dashboard_is_open_to_governors_the_dsl_team_and_the_administrator(
    persona, request, spring_2026, frozen
):
    response = signed_in(request.getfixturevalue(persona)).get(DASHBOARD)

    assert response.status_code == 200
    text = page_text(response)
    assert "Spring term 2026" in text
    assert "Concerns recorded 7" in text


def test_staff_may_not_see_the_dashboard(staff):
    response = signed_in(staff).get(DASHBOARD)

    assert response.status_code == 403


def test_the_dashboard_needs_signing_in(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={DASHBOARD}"


def test_the_dashboard_shows_only_the_users_own_school(spring_2026, other_dsl, frozen):
    response = signed_in(other_dsl).get(DASHBOARD)

    text = page_text(response)
    assert "Riverside Academy" in text
    assert "Concerns recorded 0" in text


def test_governors_see_suppressed_figures_and_the_dsl_exact_ones(
    spring_2026, governor, dsl, frozen
):
    governor_text = words(signed_in(governor).get(DASHBOARD))
    dsl_text = words(signed_in(dsl).get(DASHBOARD))

    assert "Online-safety concerns fewer than 5, compared with fewer than 5" in governor_text
    assert "Online-safety concerns 4, up from 1 in Autumn term 2025" in dsl_text
    assert "Urgent referrals confirmed in writing on time too few to show" in governor_text
    assert "75% (3 of 4)" in dsl_text


def test_the_period_picker_chooses_the_period(spring_2026, dsl, frozen):
    response = signed_in(dsl).get(DASHBOARD, {"period": "last_term"})

    text = words(response)
    assert "Autumn term 2025" in text
    assert "Concerns recorded 3, up from 0 in Summer term 2025" in text


def test_custom_dates_with_errors_are_shown_in_the_error_summary(dsl, frozen):
    response = signed_in(dsl).get(
        DASHBOARD, {"period": "custom", "start": "2026-03-31", "end": "2026-03-01"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Safeguarding oversight" in body
    assert 'href="#id_end"' in body
    assert "The last day must be the same as or after the first" in page_text(response)
    assert "Headlines" not in page_text(response)


def test_charts_are_svg_with_a_title_and_a_table_and_no_inline_style(spring_2026, governor, frozen):
    body = signed_in(governor).get(DASHBOARD).content.decode()

    svgs = re.findall(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", body, flags=re.S)
    assert len(svgs) >= 8
    for svg in svgs:
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        for label in labelled:
            assert f'id="{label}"' in svg
        assert "<title" in svg
    assert "style=" not in body
    assert body.count("Show the figures as a table") == len(svgs)
    # A withheld bar is drawn empty and dashed, with its words.
    assert 'stroke-dasharray="4 3"' in body
    assert ">fewer than 5</text>" in body


def test_the_dashboard_costs_the_same_for_3_concerns_as_for_30(
    school, staff, dsl, governor, django_assert_num_queries
):
    def record(count):
        # Every other concern checked (with a flagged entry) and referred; every third has a
        # child not yet identified: each exception grows with the concerns.
        for number in range(count):
            unnamed = ["A friend, not yet named"] if number % 3 == 0 else []
            concern = _record(
                school,
                staff,
                at(3, 2 + number % 15),
                "neglect",
                "sextortion",
                other_children="yes" if unnamed else "",
                unnamed_children=unnamed,
            )
            if number % 2:
                _check(concern, dsl, at(3, 2 + number % 15, 11), spoken_to=QUESTIONED)
                _refer(concern, dsl, at(3, 2 + number % 15, 12), urgent=True)

    client = signed_in(governor)
    # - the session
    # - the signed-in user
    # - the user's memberships, with their schools (whose dashboard, exactly or not)
    # - the school's term dates this academic year and last (where this term and the one
    #   before begin): one more since the terms came from the school's own dates
    # - concerns by month, with the online-safety ones
    # - concerns by category
    # - referrals by agency and outcome, with deadlines met and missed (written
    #   confirmations, social care feedback), in one pass
    # - time to the safety check and to the first referral (percentiles)
    # - open concerns by step and age at each period's end; safety checks overdue
    # - support actions running; support reviews overdue
    # - school-wide follow-up by kind
    # - the exceptions: the period's concerns grouped by decision not to refer (ground and
    #   countersignature), immediate-referral criteria met (and referred to both social care
    #   and the police) and family advice not recorded as given
    # - the exceptions: their children not yet identified and their flagged entries
    # - the school's term dates again, all years, to count when leavers' files fell due
    #   (5 school days from a leaving date may cross into another year)
    # - its leavers with a file (none: their transfers are not asked for)
    # - subject access requests received in each period: answered on time, late, open and
    #   overdue, counted in one row
    # - files kept after review in each period, in one row; and the disposal certificates
    #   of either period (their children and counts)
    # - the reports the reader asked for lately (oversight.tasks)
    # - the user's memberships again, for the navigation
    expected = 20
    record(3)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(expected):
        three = client.get(DASHBOARD)
    record(27)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(expected):
        thirty = client.get(DASHBOARD)

    assert "Concerns recorded fewer than 5" in page_text(three)
    assert "Concerns recorded 30" in page_text(thirty)
    assert "Not yet identified fewer than 5" in page_text(three)
    assert "Not yet identified 10" in page_text(thirty)
    assert "Waiting for review by the safeguarding team 14" in page_text(thirty)


def test_governors_go_from_home_to_the_dashboard(governor):
    response = signed_in(governor).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


# --- The exceptions governors oversee -------------------------------------------------------

THRESHOLD_NOT_MET = "The local threshold for a referral was not met"
ADVISED = "Children's social care or the police advised no referral"
KNOWN = "The child already has a social worker, who was told"


def _not_refer(concern, by, when, grounds: services.NotReferring) -> None:
    """Decide not to refer on `grounds`, as guidance allows, after answering the
    immediate-referral questions where they are asked."""
    with time_machine.travel(when, tick=False):
        answer_criteria(_fresh(concern), by)
        concern = _fresh(concern)
        services.concern_decide_referral(
            concern=concern,
            by=by,
            version=concern.version,
            decision=ReferralDecision.NOT_REFER,
            rationale="No sign of significant harm: support in school instead.",
            police_not_told_reason="",
            parents_informed=True,
            parents_not_informed_reason="",
            not_referring=grounds,
        )


def _advise(concern, by, when, card: str) -> None:
    with time_machine.travel(when, tick=False):
        services.advice_record(
            concern=_fresh(concern),
            by=by,
            card=GuidanceCard.objects.get(school=None, key=card),
            given_by="Dana Lead",
            given_to="The child's mother",
            given_at=when,
        )


QUESTIONED = "Kept her back after class and questioned her about who sent the photos."


@pytest.fixture
def exceptions_school(school, staff, dsl, deputy, other_school, other_dsl):
    """Spring term 2026, seen on 20 March, with one of each exception; Autumn 2025 before it.

    E1 neglect, no adult: not referred, threshold not met; no countersignature needed.
    E2 neglect, an adult involved (a sign of risk): not referred on the MASH's advice,
       waiting for a countersignature.
    E3 nudes shared between children, no adult, no criterion met: not referred (the child
       has a social worker), countersigned by the deputy.
    E4 grooming, adult not known (a criterion met): referred to social care and the police;
       its family advice not recorded; its safety check flagged, then reviewed.
    E5 sextortion (a criterion met): safety checked only, not yet decided; three friends
       described, one passed to the police, two not yet identified; its check flagged.
    E6 grooming, adult not known: recorded before the rules as referred to social care only;
       its check flagged.
    Family advice is recorded on E1, E2, E3 and E6 (E5 is not past the evidence step).
    P1 (Autumn 2025) neglect, no adult: not referred, threshold not met; no advice recorded.
    Another school's concern, with a child not yet identified, is never counted.
    """
    s = school
    e1 = _record(s, staff, at(1, 12), "neglect", adult_involved="no")
    e2 = _record(s, staff, at(1, 19), "neglect", adult_involved="yes")
    e3 = _record(s, staff, at(2, 2), "sharing-nudes", adult_involved="no")
    e4 = _record(s, staff, at(2, 9), "online-grooming")
    e5 = _record(
        s,
        staff,
        at(3, 2),
        "sextortion",
        other_children="yes",
        unnamed_children=[
            "A friend from the swimming club, about 14",
            "Two boys from the year above, names not known",
            "A cousin who visited at half term",
        ],
    )
    e6 = _record(s, staff, at(3, 9), "online-grooming")
    for concern, day, spoken_to in [
        (e1, (1, 12), ""),
        (e2, (1, 19), ""),
        (e3, (2, 2), ""),
        (e4, (2, 9), QUESTIONED),
        (e5, (3, 2), QUESTIONED),
        (e6, (3, 9), QUESTIONED),
    ]:
        _check(concern, dsl, at(*day, 10), spoken_to=spoken_to)
    for concern, day in [(e1, (1, 12)), (e2, (1, 19)), (e3, (2, 2)), (e4, (2, 9)), (e6, (3, 9))]:
        _preserve(concern, dsl, at(*day, 11))
    for concern, day, card in [
        (e1, (1, 12), "neglect-family"),
        (e2, (1, 19), "neglect-family"),
        (e3, (2, 2), "sharing-nudes-family"),
        (e6, (3, 9), "online-grooming-family"),
    ]:
        _advise(concern, dsl, at(*day, 11, 30), card)

    _not_refer(
        e1,
        dsl,
        at(1, 12, 12),
        services.NotReferring(
            ground=NotReferGround.THRESHOLD,
            threshold_level="Level 2: early help",
            advice="An early help assessment, reviewed by the pastoral lead",
            review_date=date(2026, 5, 1),
        ),
    )
    _not_refer(
        e2,
        dsl,
        at(1, 19, 12),
        services.NotReferring(
            ground=NotReferGround.ADVICE,
            contact="Duty officer, Testshire MASH",
            contact_at=at(1, 19, 11, 45),
            advice="No referral needed: offer early help.",
        ),
    )
    _not_refer(
        e3,
        dsl,
        at(2, 2, 12),
        services.NotReferring(
            ground=NotReferGround.KNOWN,
            contact="Sam Social, Testshire children's services",
            contact_at=at(2, 2, 11, 45),
        ),
    )
    with time_machine.travel(at(2, 3, 9), tick=False):
        e3 = _fresh(e3)
        services.concern_countersign(
            concern=e3,
            by=deputy,
            version=e3.version,
            reason="Agreed: the social worker knows and is acting on it.",
        )

    _refer(e4, dsl, at(2, 9, 12))
    _refer(e4, dsl, at(2, 9, 13), agency=Agency.POLICE)
    _decide(e4, dsl, at(2, 9, 14))
    with time_machine.travel(at(2, 10, 9), tick=False):
        services.practice_flag_review(
            flag=PracticeFlag.objects.get(concern=e4),
            by=deputy,
            notes="Talked to the teacher about listening rather than asking questions.",
        )

    with time_machine.travel(at(3, 3, 9), tick=False):
        services.unnamed_child_pass_on(
            unnamed=UnnamedChild.objects.filter(concern=e5).first(),
            by=dsl,
            passed_to="DC Example, Testshire Police",
            passed_at=at(3, 3, 8),
        )

    # A decision that no longer stands: referred to social care only, although a criterion
    # is met. The services refuse to record one; it is left by a decision recorded before
    # the rules, or one whose facts were corrected after it (the concern is then held until
    # the decision is corrected). Made here as the first would have left it.
    _refer(e6, dsl, at(3, 9, 12))
    Concern.objects.filter(pk=e6.pk).update(
        referral_decision=ReferralDecision.REFER, step=Step.REFERRAL_DECIDED
    )

    p1 = _record(s, staff, at(10, 6, year=2025), "neglect", adult_involved="no")
    _check(p1, dsl, at(10, 6, 10, year=2025))
    _preserve(p1, dsl, at(10, 6, 11, year=2025))
    _not_refer(
        p1,
        dsl,
        at(10, 6, 12, year=2025),
        services.NotReferring(
            ground=NotReferGround.THRESHOLD,
            threshold_level="Level 1: universal services",
            advice="Pastoral check-ins each week",
            review_date=date(2025, 12, 1),
        ),
    )

    _record(
        other_school,
        other_dsl,
        at(3, 2),
        "sextortion",
        other_children="yes",
        unnamed_children=["A friend from another school"],
    )
    return s


def exception_figures(dashboard) -> dict[str, dict[str, tuple[str, ...]]]:
    """Each exception table as its reader sees it: title, then each row's cells."""
    return {
        breakdown.title: {
            row.label: tuple(str(cell) for cell in row.cells) for row in breakdown.rows
        }
        for breakdown in dashboard.exceptions
    }


def test_the_exceptions_are_counted_for_a_known_set_of_concerns(exceptions_school, frozen):
    exceptions = school_statistics(exceptions_school, SPRING_2026, now=frozen).exceptions

    def pairs(table):
        return {label: (pair.current, pair.previous) for label, pair in table.items()}

    assert pairs(exceptions.not_referred_by_ground) == {
        ADVISED: (1, 0),
        THRESHOLD_NOT_MET: (1, 1),
        KNOWN: (1, 0),
    }
    assert pairs(exceptions.not_referred_signature) == {
        "Countersigned by a second member of the safeguarding team": (1, 0),
        "Waiting for a countersignature": (1, 0),
        "No countersignature needed": (1, 1),
    }
    assert pairs(exceptions.criteria_met) == {
        "Referred to children's social care and the police": (1, 0),
        "Referral decision not yet made": (1, 0),
        "Decided without referring to both": (1, 0),
    }
    assert pairs(exceptions.unnamed_children) == {
        "Not yet identified": (2, 0),
        "Identified, or passed to social care or the police to identify": (1, 0),
    }
    assert (exceptions.advice_not_recorded.current, exceptions.advice_not_recorded.previous) == (
        1,
        1,
    )
    assert pairs(exceptions.practice_flags) == {
        "Waiting for review by the safeguarding team": (2, 0),
        "Reviewed": (1, 0),
    }


def test_the_exception_queries_agree_with_the_rules_concern_by_concern(exceptions_school):
    """The dashboard counts in SQL what `concerns.rules` and the services decide one concern
    at a time in Python: the two must give the same answer for every concern."""
    queried = exception_facts(Concern.objects.filter(school=exceptions_school))

    answers = {
        concern.reference: (concern.met, concern.indicated, concern.outstanding)
        for concern in queried
    }
    expected = {
        concern.reference: (
            bool(rules.criteria_met(concern)),
            bool(rules.indicators(concern)),
            bool(services.advice_outstanding(concern)),
        )
        for concern in Concern.objects.filter(school=exceptions_school)
    }
    assert answers == expected
    # Every answer is both true and false somewhere, so the comparison means something.
    for column in range(3):
        assert {answer[column] for answer in expected.values()} == {True, False}


def test_the_dsl_team_sees_the_exceptions_exactly(exceptions_school, frozen):
    shown = exception_figures(dashboard_for(exceptions_school, SPRING_2026, exact=True, now=frozen))

    assert shown["Decisions not to refer, by ground"] == {
        ADVISED: ("1", "0"),
        THRESHOLD_NOT_MET: ("1", "1"),
        KNOWN: ("1", "0"),
    }
    assert shown["Family advice not recorded as given"] == {
        "Past the evidence step, advice not recorded": ("1", "1")
    }
    assert shown["Children not yet identified"]["Not yet identified"] == ("2", "0")


def test_governors_see_every_exception_below_5_withheld(exceptions_school, frozen):
    dashboard = dashboard_for(exceptions_school, SPRING_2026, exact=False, now=frozen)

    shown = exception_figures(dashboard)
    assert shown["Decisions not to refer, by ground"] == {
        ADVISED: ("fewer than 5", "0"),
        THRESHOLD_NOT_MET: ("fewer than 5", "fewer than 5"),
        KNOWN: ("fewer than 5", "0"),
    }
    assert shown["Entries flagged as investigating"] == {
        "Waiting for review by the safeguarding team": ("fewer than 5", "0"),
        "Reviewed": ("fewer than 5", "0"),
    }
    cells = [cell for b in dashboard.exceptions for row in b.rows for cell in row.cells]
    assert {cell.text for cell in cells} == {"fewer than 5", "0"}
    assert all(cell.value is None for cell in cells if cell.withheld)


def test_a_governor_sees_an_exception_that_reaches_the_threshold(
    exceptions_school, settings, frozen
):
    settings.SMALL_NUMBER_THRESHOLD = 2

    shown = exception_figures(
        dashboard_for(exceptions_school, SPRING_2026, exact=False, now=frozen)
    )

    assert shown["Children not yet identified"] == {
        "Not yet identified": ("2", "0"),
        "Identified, or passed to social care or the police to identify": ("fewer than 2", "0"),
    }
    assert shown["Entries flagged as investigating"][
        "Waiting for review by the safeguarding team"
    ] == ("2", "0")


def test_the_page_shows_the_exceptions_with_why_each_matters(
    exceptions_school, governor, dsl, frozen
):
    governor_text = words(signed_in(governor).get(DASHBOARD))
    dsl_text = words(signed_in(dsl).get(DASHBOARD))

    assert "Exceptions to look at" in governor_text
    for title in [
        "Decisions not to refer, by ground",
        "Decisions not to refer, countersigned or not",
        "Concerns where an immediate-referral criterion was met",
        "Children not yet identified",
        "Family advice not recorded as given",
        "Entries flagged as investigating",
    ]:
        assert title in governor_text, title
    assert governor_text.count("Why this matters:") == 6
    assert "A parent's wish is never a ground." in governor_text
    assert "must be referred at once to children's social care and the police" in governor_text
    assert "Waiting for a countersignature fewer than 5 0" in governor_text
    assert "Decided without referring to both fewer than 5 0" in governor_text
    assert "Waiting for a countersignature 1 0" in dsl_text
    assert "Decided without referring to both 1 0" in dsl_text


def test_the_exceptions_tables_are_accessible(exceptions_school, governor, frozen):
    body = signed_in(governor).get(DASHBOARD).content.decode()

    section = body[body.index('id="exceptions"') :]
    tables = re.findall(r"<table class=\"govuk-table\">.*?</table>", section, flags=re.S)
    assert len(tables) >= 6
    for table in tables:
        assert "<caption" in table
        assert '<th scope="col"' in table
        assert '<th scope="row"' in table


def test_a_decision_not_to_refer_made_before_grounds_were_asked_for_is_shown(
    school, staff, dsl, frozen
):
    concern = _record(school, staff, at(3, 2), "neglect", adult_involved="no")
    _check(concern, dsl, at(3, 2, 10))
    _preserve(concern, dsl, at(3, 2, 11))
    # As such a decision was left by the app before the rules: a rationale, no ground.
    Concern.objects.filter(pk=concern.pk).update(
        referral_decision=ReferralDecision.NOT_REFER,
        referral_rationale="Monitoring in school.",
        step=Step.REFERRAL_DECIDED,
    )

    shown = exception_figures(dashboard_for(school, SPRING_2026, exact=True, now=frozen))

    assert shown["Decisions not to refer, by ground"] == {
        ADVISED: ("0", "0"),
        THRESHOLD_NOT_MET: ("0", "0"),
        KNOWN: ("0", "0"),
        "No ground recorded (decided before a ground was asked for)": ("1", "0"),
    }
    assert shown["Decisions not to refer, countersigned or not"]["No countersignature needed"] == (
        "1",
        "0",
    )


def test_a_school_without_exceptions_is_told_so(school, staff, dsl, governor, frozen):
    concern = _record(school, staff, at(3, 2), "neglect", adult_involved="no")
    _check(concern, dsl, at(3, 2, 10))

    text = words(signed_in(governor).get(DASHBOARD))

    assert "No decisions not to refer." in text
    assert "No concern met an immediate-referral criterion." in text
    assert "No children were described without being named." in text
    assert "No entries were flagged." in text


def test_the_exceptions_name_no_child_and_quote_no_concern(
    exceptions_school, governor, dsl, frozen
):
    for user in (governor, dsl):
        text = " ".join(page_text(signed_in(user).get(DASHBOARD)).split())
        assert "Exceptions to look at" in text
        leaks = [found for found in identities(exceptions_school) if found in text]
        assert leaks == []


# --- No child can be recognised ------------------------------------------------------------


def identities(school: School) -> list[str]:
    """Everything that would identify a child or a concern, in the forms the app prints."""
    found = []
    for pupil in Pupil.objects.filter(school=school).only(
        "legal_first_name",
        "legal_last_name",
        "preferred_first_name",
        "preferred_last_name",
        "date_of_birth",
        "upn",
    ):
        found += [pupil.legal_name, pupil.full_name, pupil.upn]
        dob = pupil.date_of_birth
        found += [
            dob.strftime("%d/%m/%Y"),
            f"{dob.day} {dob:%b %Y}",
            f"{dob.day} {dob:%B %Y}",
            dob.strftime("%d %b %Y"),
            dob.isoformat(),
        ]
    for concern in Concern.objects.filter(school=school).only(
        "reference",
        "account",
        "discloser_name",
        "location",
        "parent_wishes",
        "not_refer_contact",
        "not_refer_advice",
        "threshold_level",
        "countersign_reason",
    ):
        found += [concern.reference, concern.account[:40]]
        found += [text for text in (concern.discloser_name, concern.parent_wishes) if text]
        # What the exceptions are counted from: the words written about them.
        found += [
            text[:40]
            for text in (
                concern.not_refer_contact,
                concern.not_refer_advice,
                concern.threshold_level,
                concern.countersign_reason,
            )
            if text
        ]
    found += [
        text[:40]
        for text in UnnamedChild.objects.filter(concern__school=school).values_list(
            "description", flat=True
        )
    ]
    for excerpt, notes in PracticeFlag.objects.filter(concern__school=school).values_list(
        "excerpt", "review_notes"
    ):
        found += [text[:40] for text in (excerpt, notes) if text]
    return found


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    hollybrook = School.objects.get(urn="990101")
    governor = User.objects.get(email="governor@demo.example")
    return hollybrook, governor


def test_the_dashboard_names_no_child_and_quotes_no_concern(demo):
    hollybrook, governor = demo
    client = signed_in(governor)

    for choice in ("this_term", "this_year", "last_year"):
        text = " ".join(page_text(client.get(DASHBOARD, {"period": choice})).split())
        assert "Concerns recorded" in text
        leaks = [found for found in identities(hollybrook) if found in text]
        assert leaks == []
    assert Concern.objects.filter(school=hollybrook).count() >= 10


def test_governors_are_still_refused_every_concern_page(demo):
    hollybrook, governor = demo
    client = signed_in(governor)
    concern = Concern.objects.filter(school=hollybrook).exclude(step=Step.RECORDED).first()
    pupil = concern.children.select_related("pupil").first().pupil

    for url in [
        reverse("concerns:list"),
        reverse("concerns:queue"),
        reverse("concerns:detail", args=[concern.uuid]),
        reverse("concerns:history", args=[concern.uuid]),
        reverse("concerns:chronology", args=[pupil.uuid]),
    ]:
        assert client.get(url).status_code == 403, url


def test_a_governor_who_also_works_at_another_school_keeps_the_home_page(school):
    # Someone who can record a concern somewhere starts where staff do.
    other = School.objects.create(name="Elsewhere")
    person = member(school, Role.GOVERNOR, email="both@example.org", full_name="Bo Both")
    Membership.objects.create(user=person, school=other, role=Role.STAFF)

    response = signed_in(person).get(reverse("home"))

    assert response.status_code == 200
    assert "Record a concern" in response.content.decode()


def test_support_and_referrals_carry_their_concerns_school(school, staff, dsl, pupils):
    """The dashboard counts a school's support actions and referrals by the school on their
    own rows: every one made through the workflow has its concern's."""
    concern = work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)

    support = SupportAction.objects.filter(child__concern=concern)
    referrals = Referral.objects.filter(concern=concern)
    assert support.count() == len(pupils) and referrals.count() == 2
    assert {row.school_id for row in [*support, *referrals]} == {school.pk}
