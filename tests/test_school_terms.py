"""A school's term dates, and the school days counted in them (schools.terms): a child's
file is due at their new school within 5 school days of the move (KCSIE)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse

from demo.school import HOLLYBROOK, Tally
from demo.terms import demo_terms, load_terms
from safeguard.errors import WorkflowError
from schools import services
from schools.models import School, Term
from schools.terms import Counted, calendar_for
from tests.test_views_concerns import page_text, signed_in

D = datetime.date
# A primary school's year, as a local authority publishes it: half-term breaks in October,
# February and May, Christmas and Easter holidays between the terms.
YEAR_2025 = {
    "autumn_1": (D(2025, 9, 3), D(2025, 10, 24)),
    "autumn_2": (D(2025, 11, 3), D(2025, 12, 19)),
    "spring_1": (D(2026, 1, 5), D(2026, 2, 13)),
    "spring_2": (D(2026, 2, 23), D(2026, 3, 27)),
    "summer_1": (D(2026, 4, 13), D(2026, 5, 22)),
    "summer_2": (D(2026, 6, 1), D(2026, 7, 22)),
}
YEAR_2026 = {
    "autumn_1": (D(2026, 9, 3), D(2026, 10, 23)),
    "autumn_2": (D(2026, 11, 2), D(2026, 12, 18)),
    "spring_1": (D(2027, 1, 4), D(2027, 2, 12)),
    "spring_2": (D(2027, 2, 22), D(2027, 3, 26)),
    "summer_1": (D(2027, 4, 12), D(2027, 5, 28)),
    "summer_2": (D(2027, 6, 7), D(2027, 7, 21)),
}
TODAY = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def both_years(school, dsl):
    services.school_terms_set(school=school, by=dsl, academic_year=2025, halves=YEAR_2025)
    services.school_terms_set(school=school, by=dsl, academic_year=2026, halves=YEAR_2026)


# --- Counting school days ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_july_leavers_file_is_due_on_the_fifth_school_day_counting_into_the_new_term(
    school, both_years
):
    calendar = calendar_for(school)
    # Friday 17 July: Monday to Wednesday are the last three days of the year, then the
    # summer holiday, then Thursday 3 and Friday 4 September.
    due = calendar.add_school_days(D(2026, 7, 17), 5)
    assert due.day == D(2026, 9, 4)
    assert not due.estimated


@pytest.mark.django_db
def test_half_term_weekends_and_bank_holidays_are_not_school_days(school, both_years):
    calendar = calendar_for(school)
    # Wednesday before October half-term: Thursday, Friday, then 3, 4 and 5 November.
    assert calendar.add_school_days(D(2025, 10, 22), 5).day == D(2025, 11, 5)
    # Thursday 30 April 2026: Friday 1 May, then the May Day bank holiday is skipped.
    assert calendar.add_school_days(D(2026, 4, 30), 5).day == D(2026, 5, 8)
    # Leaving in the Easter holiday counts from the first day of the summer term.
    assert calendar.add_school_days(D(2026, 4, 1), 5).day == D(2026, 4, 17)
    assert calendar.school_days_between(D(2025, 10, 20), D(2025, 11, 7)) == 10


@pytest.mark.django_db
def test_a_year_with_no_term_dates_counts_working_days_and_says_so(school, dsl):
    services.school_terms_set(school=school, by=dsl, academic_year=2025, halves=YEAR_2025)
    calendar = calendar_for(school)
    # 20, 21 and 22 July are school days; August is holiday in the known year; then the
    # unknown year counts Tuesday 1 and Wednesday 2 September, as working days.
    due = calendar.add_school_days(D(2026, 7, 17), 5)
    assert due == Counted(D(2026, 9, 2), estimated=True)
    # A school with no dates at all counts working days: after Christmas Day and Boxing
    # Day (a Saturday, so its bank holiday is Monday 28), Tuesday 29 December.
    new_school = calendar_for(School.objects.create(name="New School"))
    assert new_school.add_school_days(D(2026, 12, 24), 1) == Counted(D(2026, 12, 29), True)


# --- Entering and correcting them ----------------------------------------------------------


@pytest.mark.django_db
def test_term_dates_are_entered_and_corrected_with_a_history_row_for_each_change(
    school, dsl, deputy
):
    services.school_terms_set(school=school, by=dsl, academic_year=2026, halves=YEAR_2026)
    assert Term.objects.filter(school=school, academic_year=2026).count() == 6
    entered = Term.history.filter(school=school)
    assert {(h.history_user, h.history_change_reason) for h in entered} == {
        (dsl, "Term dates for 2026 to 2027 entered")
    }

    corrected = {**YEAR_2026, "autumn_2": (D(2026, 11, 2), D(2026, 12, 17))}
    services.school_terms_set(school=school, by=deputy, academic_year=2026, halves=corrected)
    changes = Term.history.filter(history_user=deputy)
    assert [(h.half, h.ends_on, h.history_change_reason) for h in changes] == [
        ("autumn_2", D(2026, 12, 17), "Term dates for 2026 to 2027 corrected")
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"spring_1": (D(2027, 1, 4), D(2027, 1, 1))},
            "spring_1_ends",
            "Spring, first half must end on or after the day it starts",
        ),
        (
            {"autumn_1": (D(2026, 8, 28), D(2026, 10, 23))},
            "autumn_1_starts",
            "Autumn, first half must fall between 1 September 2026 and 31 August 2027",
        ),
        (
            {"spring_2": (D(2027, 2, 10), D(2027, 3, 26))},
            "spring_2_starts",
            "Spring, second half must start after spring, first half ends",
        ),
    ],
)
@pytest.mark.django_db
def test_dates_out_of_the_year_or_out_of_order_are_refused_beside_the_field(
    school, dsl, change, field, message
):
    with pytest.raises(WorkflowError) as refused:
        services.school_terms_set(
            school=school, by=dsl, academic_year=2026, halves={**YEAR_2026, **change}
        )
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert not Term.objects.filter(school=school).exists()


@pytest.mark.django_db(transaction=True)
def test_term_dates_are_never_deleted(school, dsl):
    services.school_terms_set(school=school, by=dsl, academic_year=2026, halves=YEAR_2026)
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        Term.objects.filter(school=school).delete()
    assert Term.objects.filter(school=school).count() == 6


# --- The pages -----------------------------------------------------------------------------


def _posted(halves) -> dict:
    data = {}
    for half, (first, last) in halves.items():
        data[f"{half}_starts"], data[f"{half}_ends"] = first.isoformat(), last.isoformat()
    return data


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_dsl_enters_this_years_term_dates_from_the_settings(school, dsl):
    client = signed_in(dsl)
    settings_page = client.get(reverse("school_settings"))
    assert reverse("school_terms") in settings_page.content.decode()
    before = page_text(client.get(reverse("school_terms")))
    assert "No term dates entered for 2026 to 2027." in before

    response = client.post(reverse("school_terms_edit", args=[2026]), _posted(YEAR_2026))

    assert response.status_code == 302
    assert response.url == reverse("school_terms")
    after = page_text(client.get(reverse("school_terms")))
    assert "The term dates for 2026 to 2027 have been saved." in after
    assert "Autumn, second half 2 November 2026 to 18 December 2026" in after
    assert "No term dates entered for 2027 to 2028." in after
    assert Term.history.filter(history_user=dsl).count() == 6


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_a_refused_date_is_shown_beside_its_field_and_keeps_what_was_typed(school, dsl):
    client = signed_in(dsl)
    typed = _posted({**YEAR_2026, "spring_2": (D(2027, 2, 10), D(2027, 3, 26))})
    typed["summer_2_ends"] = "2027-07-32"

    response = client.post(reverse("school_terms_edit", args=[2026]), typed)

    text = page_text(response)
    assert response.status_code == 200
    assert text.startswith("Error: Term dates 2026 to 2027")
    assert "Enter the last day of summer, second half as a real date" in text
    assert 'value="2027-02-10"' in response.content.decode()
    assert not Term.objects.exists()
    typed["summer_2_ends"] = "2027-07-21"
    response = client.post(reverse("school_terms_edit", args=[2026]), typed)
    assert "Spring, second half must start after spring, first half ends" in page_text(response)
    assert 'href="#id_spring_2_starts"' in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_only_last_year_this_year_and_the_next_two_can_be_entered(school, dsl):
    client = signed_in(dsl)
    for year in (2025, 2028):
        page = page_text(client.get(reverse("school_terms_edit", args=[year])))
        assert f"Term dates {year} to {year + 1}" in page
    for year in (2024, 2029):
        refused = client.post(reverse("school_terms_edit", args=[year]), _posted(YEAR_2026))
        assert refused.status_code == 404
    assert not Term.objects.exists()


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_term_dates_page_costs_the_same_with_two_years_entered(
    school, dsl, both_years, django_assert_num_queries
):
    client = signed_in(dsl)
    client.get(reverse("school_terms"))
    # session, user, memberships for the navigation; the memberships to act through;
    # this year's and next year's half terms.
    with django_assert_num_queries(5):
        response = client.get(reverse("school_terms"))
    assert "Spring, first half 4 January 2027 to 12 February 2027" in page_text(response)


# --- The demo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_pattern_gives_a_valid_year_every_year(school, dsl):
    for year in range(2020, 2040):
        halves = demo_terms(year)
        services.school_terms_set(school=school, by=dsl, academic_year=year, halves=halves)
        calendar = calendar_for(school)
        # About 190 teaching days, less a bank holiday or two.
        teaching = calendar.school_days_between(D(year, 9, 1), D(year + 1, 8, 31))
        assert 180 <= teaching <= 195, (year, teaching)
    assert demo_terms(2026)["autumn_2"] == (D(2026, 11, 2), D(2026, 12, 18))


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_demo_enters_three_years_of_term_dates_once(dsl):
    School.objects.create(name=HOLLYBROOK.name, urn=HOLLYBROOK.urn)
    assert load_terms()["term dates (years)"] == Tally(created=3, present=0)
    assert load_terms()["term dates (years)"] == Tally(created=0, present=3)
    assert sorted(set(Term.objects.values_list("academic_year", flat=True))) == [2025, 2026, 2027]
