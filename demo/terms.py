"""Term dates for the demo schools, worked out from the usual pattern of an English
school year, so that the demo has them whatever year it is loaded in: autumn from the first
weekday on or after 3 September, with half-term in the last week of October and Christmas
from the Friday before 21 December; spring from the first Monday on or after 4 January, with
half-term in the third week of February and the two weeks around Easter off; summer with
half-term in the week of the late May bank holiday, ending by 22 July."""

from datetime import date, timedelta

from dateutil.easter import easter
from django.db import transaction
from django.utils import timezone

from demo.school import HOLLYBROOK, LARKMOOR, OTHER, Tally
from schools import services
from schools.models import School, Term
from schools.terms import academic_year_of

MONDAY, FRIDAY = 0, 4


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _weekday_on_or_after(day: date) -> date:
    return day if day.weekday() < 5 else _on_or_after(day, MONDAY)


def demo_terms(academic_year: int) -> dict[str, tuple[date, date]]:
    """The six half terms of the academic year beginning in September `academic_year`."""
    spring_year = academic_year + 1
    october_break = _on_or_before(date(academic_year, 10, 31), MONDAY)
    february_break = _on_or_after(date(spring_year, 2, 15), MONDAY)
    easter_sunday = easter(spring_year)
    may_break = _on_or_before(date(spring_year, 5, 31), MONDAY)
    return {
        "autumn_1": (
            _weekday_on_or_after(date(academic_year, 9, 3)),
            october_break - timedelta(days=3),
        ),
        "autumn_2": (
            october_break + timedelta(days=7),
            _on_or_before(date(academic_year, 12, 20), FRIDAY),
        ),
        "spring_1": (
            _on_or_after(date(spring_year, 1, 4), MONDAY),
            february_break - timedelta(days=3),
        ),
        # Easter holiday: Holy Week and the week after Easter.
        "spring_2": (february_break + timedelta(days=7), easter_sunday - timedelta(days=9)),
        "summer_1": (easter_sunday + timedelta(days=8), may_break - timedelta(days=3)),
        "summer_2": (
            may_break + timedelta(days=7),
            _on_or_before(date(spring_year, 7, 22), FRIDAY),
        ),
    }


@transaction.atomic
def load_terms() -> dict[str, Tally]:
    """Last year's, this year's and next year's term dates at each demo school, for any year
    that has none yet; a year a school has entered is left alone."""
    tally = Tally()
    this_year = academic_year_of(timezone.localdate())
    for spec in (HOLLYBROOK, LARKMOOR, OTHER):
        school = School.objects.filter(urn=spec.urn).first()
        if school is None:
            continue
        for year in range(this_year - 1, this_year + 2):
            if Term.objects.filter(school=school, academic_year=year).exists():
                tally.present += 1
                continue
            services.school_terms_set(
                school=school, by=None, academic_year=year, halves=demo_terms(year)
            )
            tally.created += 1
    return {"term dates (years)": tally}
