"""The dashboard's and the report's terms come from the school's own term dates (issue 15):
continuous, the holidays included, with the fixed Easter split only for a year whose dates
the school has not entered, and then said to be estimated."""

import datetime
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from oversight import periods
from oversight.periods import PeriodChoice, PeriodForm, Span
from schools import services as school_services
from tests.factories import PupilFactory, record_concern
from tests.test_oversight_report import download, text_of
from tests.test_views_concerns import page_text, signed_in

LONDON = ZoneInfo("Europe/London")
DASHBOARD = reverse("oversight:dashboard")

# Oakfield's year 2025 to 2026. Easter Sunday 2026 is 5 April: the fixed split would start
# the Summer term on 6 April, in the middle of Oakfield's Easter holiday.
OAKFIELD_2025 = {
    "autumn_1": (date(2025, 9, 3), date(2025, 10, 24)),
    "autumn_2": (date(2025, 11, 3), date(2025, 12, 19)),
    "spring_1": (date(2026, 1, 5), date(2026, 2, 13)),
    "spring_2": (date(2026, 2, 23), date(2026, 3, 27)),
    "summer_1": (date(2026, 4, 13), date(2026, 5, 22)),
    "summer_2": (date(2026, 6, 1), date(2026, 7, 22)),
}
OAKFIELD_2026 = {
    "autumn_1": (date(2026, 9, 2), date(2026, 10, 23)),
    "autumn_2": (date(2026, 11, 2), date(2026, 12, 18)),
    "spring_1": (date(2027, 1, 6), date(2027, 2, 12)),
    "spring_2": (date(2027, 2, 22), date(2027, 3, 26)),
    "summer_1": (date(2027, 4, 12), date(2027, 5, 28)),
    "summer_2": (date(2027, 6, 7), date(2027, 7, 21)),
}
HALF_TERM = datetime.datetime(2026, 2, 18, 12, tzinfo=LONDON)  # Oakfield's February half term


def enter_terms(school, year: int, halves) -> None:
    school_services.school_terms_set(school=school, by=None, academic_year=year, halves=halves)


@pytest.fixture
def oakfield_dates(school):
    enter_terms(school, 2025, OAKFIELD_2025)
    return school


def this_term(school, today: date):
    return periods.period_for(PeriodChoice.THIS_TERM, today=today, school=school)


# --- Periods ------------------------------------------------------------------------------


def test_terms_run_from_the_schools_own_dates(oakfield_dates):
    autumn = this_term(oakfield_dates, date(2025, 10, 1))
    spring = this_term(oakfield_dates, date(2026, 2, 18))
    summer = this_term(oakfield_dates, date(2026, 7, 1))

    assert (autumn.start, autumn.end) == (date(2025, 9, 1), date(2026, 1, 4))
    assert (spring.start, spring.end) == (date(2026, 1, 5), date(2026, 4, 12))
    assert (summer.start, summer.end) == (date(2026, 4, 13), date(2026, 8, 31))
    assert [t.name for t in (autumn, spring, summer)] == [
        "Autumn term 2025",
        "Spring term 2026",
        "Summer term 2026",
    ]
    assert not any(t.estimated for t in (autumn, spring, summer))


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2025, 9, 1), "Autumn term 2025"),  # before the first day back
        (date(2025, 10, 29), "Autumn term 2025"),  # October half term
        (date(2026, 1, 2), "Autumn term 2025"),  # the Christmas holiday, in the new year
        (date(2026, 1, 5), "Spring term 2026"),  # the first day of spring
        (date(2026, 2, 18), "Spring term 2026"),  # February half term
        (date(2026, 4, 10), "Spring term 2026"),  # the Easter holiday, after Easter Monday
        (date(2026, 4, 13), "Summer term 2026"),  # the first day of summer
        (date(2026, 8, 31), "Summer term 2026"),  # the summer holiday
    ],
)
def test_a_holiday_belongs_to_the_term_before_it(oakfield_dates, day, term):
    assert this_term(oakfield_dates, day).name == term


def test_every_day_of_an_entered_year_falls_in_exactly_one_term(oakfield_dates):
    terms = periods.terms_of(2025, periods.term_dates_for(oakfield_dates, [2025]))
    day = date(2025, 9, 1)
    while day <= date(2026, 8, 31):
        assert sum(t.start <= day <= t.end for t in terms) == 1
        day += timedelta(days=1)


def test_a_year_without_dates_falls_back_to_the_easter_split_and_is_estimated(school):
    spring = this_term(school, date(2026, 2, 18))

    assert (spring.start, spring.end) == (date(2026, 1, 1), date(2026, 4, 5))
    assert spring.estimated
    assert spring == periods.term_of(date(2026, 2, 18))
    assert [(y.start, y.end) for y in periods.estimated_years(spring, spring.previous())] == [
        (date(2025, 9, 1), date(2026, 8, 31))
    ]


def test_the_term_before_comes_from_its_own_years_dates(school):
    # 2026 to 2027 entered, 2025 to 2026 not: Autumn 2026 is Oakfield's, and the Summer
    # term it is compared with is estimated.
    enter_terms(school, 2026, OAKFIELD_2026)

    autumn = this_term(school, date(2026, 10, 1))
    summer = autumn.previous()

    assert (autumn.start, autumn.end, autumn.estimated) == (
        date(2026, 9, 1),
        date(2027, 1, 5),
        False,
    )
    assert (summer.name, summer.start, summer.end) == (
        "Summer term 2026",
        date(2026, 4, 6),  # Easter Monday 2026
        date(2026, 8, 31),
    )
    assert summer.estimated
    assert [y.name for y in periods.estimated_years(autumn, summer)] == [
        "academic year 2025 to 2026"
    ]


def test_last_term_and_the_term_before_it_come_from_the_schools_dates(oakfield_dates):
    enter_terms(oakfield_dates, 2026, OAKFIELD_2026)

    last = periods.period_for(PeriodChoice.LAST_TERM, today=date(2027, 2, 1), school=oakfield_dates)

    assert (last.name, last.start, last.end) == (
        "Autumn term 2026",
        date(2026, 9, 1),
        date(2027, 1, 5),
    )
    before = last.previous()
    assert (before.name, before.start, before.end, before.estimated) == (
        "Summer term 2026",
        date(2026, 4, 13),
        date(2026, 8, 31),
        False,
    )


def test_a_term_costs_one_query_and_its_comparison_none(oakfield_dates, django_assert_num_queries):
    # - the school's first days of spring and summer, this academic year and last
    with django_assert_num_queries(1):
        spring = PeriodForm().chosen(today=date(2026, 2, 18), school=oakfield_dates)
        autumn = spring.previous()

    assert (autumn.start, autumn.end) == (date(2025, 9, 1), date(2026, 1, 4))


def test_years_and_dates_of_your_choice_read_no_term_dates(
    oakfield_dates, django_assert_num_queries
):
    with django_assert_num_queries(0):
        year = PeriodForm({"period": "this_year"}).chosen(
            today=date(2026, 2, 18), school=oakfield_dates
        )
        custom = PeriodForm({"period": "custom", "start": "2026-01-01", "end": "2026-01-31"})
        chosen = custom.chosen(today=date(2026, 2, 18), school=oakfield_dates)

    assert (year.span, year.estimated, chosen.span, chosen.estimated) == (
        Span.YEAR,
        False,
        Span.CUSTOM,
        False,
    )


# --- The dashboard and the report ---------------------------------------------------------


def record_on(school, reporter, when: datetime.datetime):
    with time_machine.travel(when, tick=False):
        record_concern(
            school=school,
            reporter=reporter,
            pupils=[PupilFactory(school=school)],
            categories=("neglect",),
        )


def test_the_dashboard_shows_the_schools_terms_and_counts_a_holiday_in_the_term_before(
    oakfield_dates, staff, dsl
):
    # Recorded in the Christmas holiday: Autumn, at Oakfield. (The fixed split says Spring.)
    record_on(oakfield_dates, staff, datetime.datetime(2026, 1, 2, 10, tzinfo=LONDON))
    for day in (6, 7):
        record_on(oakfield_dates, staff, datetime.datetime(2026, 1, day, 10, tzinfo=LONDON))

    with time_machine.travel(HALF_TERM, tick=False):
        response = signed_in(dsl).get(DASHBOARD)

    text = page_text(response).replace(" ,", ",")
    assert "Spring term 2026 5 Jan 2026 to 12 Apr 2026, so far." in text
    assert "Compared with Autumn term 2025 (1 Sep 2025 to 4 Jan 2026)." in text
    assert "Concerns recorded 2, up from 1 in Autumn term 2025" in text
    assert "estimated" not in text
    assert "Enter the term dates" not in text


def test_without_term_dates_the_dashboard_says_the_terms_are_estimated(school, dsl):
    with time_machine.travel(HALF_TERM, tick=False):
        response = signed_in(dsl).get(DASHBOARD)

    text = page_text(response)
    assert "Spring term 2026 1 Jan 2026 to 5 Apr 2026, so far." in text
    assert (
        "Term dates for 2025 to 2026 are not entered, so that year's terms are estimated: "
        "Autumn to 31 December, Spring to Easter Sunday, Summer from Easter Monday."
    ) in text
    # The DSL team keeps the term dates: they are sent to enter them.
    assert response.context["can_enter_terms"]
    edit = reverse("school_terms_edit", args=[2025])
    assert f'href="{edit}"' in response.content.decode()
    assert "Enter the term dates for 2025 to 2026" in text


def test_a_governor_is_told_who_can_enter_the_missing_term_dates(school, governor):
    with time_machine.travel(HALF_TERM, tick=False):
        response = signed_in(governor).get(DASHBOARD)

    text = page_text(response)
    assert "Term dates for 2025 to 2026 are not entered" in text
    assert "The safeguarding team or the school's administrator can enter them." in text
    assert "Enter the term dates" not in text


def test_only_the_year_without_dates_is_said_to_be_estimated(school, dsl):
    enter_terms(school, 2026, OAKFIELD_2026)

    with time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=LONDON), tick=False):
        text = page_text(signed_in(dsl).get(DASHBOARD))

    assert "Autumn term 2026 1 Sep 2026 to 5 Jan 2027, so far." in text
    assert "Compared with Summer term 2026 (6 Apr 2026 to 31 Aug 2026)." in text
    assert "Term dates for 2025 to 2026 are not entered" in text
    assert "Term dates for 2026 to 2027" not in text


def test_a_year_or_dates_of_your_choice_are_never_estimated(school, dsl):
    with time_machine.travel(HALF_TERM, tick=False):
        text = page_text(signed_in(dsl).get(DASHBOARD, {"period": "this_year"}))

    assert "Academic year 2025 to 2026" in text
    assert "estimated" not in text


def test_the_report_uses_the_schools_terms(oakfield_dates, dsl):
    with time_machine.travel(HALF_TERM, tick=False):
        report = text_of(download(dsl, period="this_term"))

    assert "5 Jan 2026 to 12 Apr 2026 (so far" in report
    assert "compared with Autumn term 2025 (1 Sep 2025 to 4 Jan 2026)" in report
    assert "estimated" not in report


def test_the_report_says_when_its_terms_are_estimated(school, governor):
    with time_machine.travel(HALF_TERM, tick=False):
        report = text_of(download(governor, period="last_term"))

    assert "Safeguarding report: Autumn term 2025" in report
    assert "Term dates for 2025 to 2026 are not entered" in report
    assert "Term dates for 2024 to 2025 are not entered" in report
