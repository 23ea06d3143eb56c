"""The DSL enters the school's term dates, from the school settings, in a real browser:
a date out of order is refused beside its field with everything typed kept, then saved."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from schools.models import Term
from schools.terms import academic_year_of
from tests.test_school_terms import YEAR_2025, YEAR_2026

FORMS = {2025: YEAR_2025, 2026: YEAR_2026}


def test_the_dsl_enters_this_years_term_dates(
    page: Page, live_server, sign_in, assert_accessible, school, dsl
):
    year = academic_year_of(timezone.localdate())
    halves = FORMS.get(year, YEAR_2026)
    if year not in FORMS:  # a later year: the same dates, moved on (none is 29 February)
        shift = year - 2026
        halves = {
            half: (first.replace(year=first.year + shift), last.replace(year=last.year + shift))
            for half, (first, last) in halves.items()
        }
    sign_in(dsl)
    page.goto(f"{live_server.url}/school/settings/")
    page.get_by_role("link", name="Your term dates").click()
    expect(page.get_by_role("heading", name="Term dates", level=1)).to_be_visible()
    assert_accessible("term dates, none entered")

    page.get_by_role("link", name=f"Enter the term dates for {year} to {year + 1}").click()
    for half, (first, last) in halves.items():
        label = half.replace("_1", ", first half").replace("_2", ", second half")
        page.get_by_label(f"First day of {label}").fill(first.isoformat())
        page.get_by_label(f"Last day of {label}").fill(last.isoformat())
    # The second half of spring typed as starting in the first.
    wrong = halves["spring_1"][1].isoformat()
    page.get_by_label("First day of spring, second half").fill(wrong)
    page.get_by_role("button", name="Save the term dates").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Spring, second half must start after spring, first half ends")
    expect(page.get_by_label("First day of spring, second half")).to_have_value(wrong)
    expect(page.get_by_label("Last day of summer, second half")).to_have_value(
        halves["summer_2"][1].isoformat()
    )
    assert_accessible("term dates, with errors")
    assert not Term.objects.exists()

    page.get_by_label("First day of spring, second half").fill(halves["spring_2"][0].isoformat())
    page.get_by_role("button", name="Save the term dates").click()

    expect(
        page.get_by_text(f"The term dates for {year} to {year + 1} have been saved.")
    ).to_be_visible()
    first, last = halves["autumn_2"]
    expect(page.get_by_text(f"{first:%-d %B %Y} to {last:%-d %B %Y}")).to_be_visible()
    assert_accessible("term dates, this year entered")
    assert Term.objects.filter(school=school, academic_year=year).count() == 6
