"""A school's calendar: which days are school days, counted from the term dates it keeps.

A school day is a weekday in one of the school's half terms that is not a bank holiday.
Where a school has not entered its term dates for an academic year, every working day of
that year counts instead, and whatever is counted across it is *estimated*: a page says so
and asks for the dates, rather than inventing holidays the school may not have.

KCSIE asks for a child protection file to reach the new school within 5 school days of the
child leaving: `SchoolCalendar.add_school_days(leaving_date, 5)`. Counted from a July
leaving date, that lands in the new term, as it should.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from safeguard.working_days import is_working_day
from schools.models import School, Term

# A run of this many days with no school day in it means the calendar is wrong (a year with
# terms that cover nothing), not a long holiday: stop rather than loop for ever.
LONGEST_GAP_DAYS = 400


def academic_year_of(day: date) -> int:
    """The calendar year in which `day`'s academic year began (September)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass(frozen=True)
class Counted:
    """A date counted in school days, and whether any day of the count was estimated."""

    day: date
    estimated: bool


@dataclass(frozen=True)
class SchoolCalendar:
    terms: tuple[tuple[date, date], ...]  # (first day, last day), in order
    years_known: frozenset[int]  # academic years with at least one term entered

    def estimated(self, day: date) -> bool:
        return academic_year_of(day) not in self.years_known

    def is_school_day(self, day: date) -> bool:
        if not is_working_day(day):
            return False
        if self.estimated(day):
            return True
        return any(first <= day <= last for first, last in self.terms)

    def add_school_days(self, day: date, count: int) -> Counted:
        """The `count`th school day after `day` (which itself need not be one)."""
        estimated = False
        gap = 0
        while count > 0:
            day += timedelta(days=1)
            gap += 1
            if gap > LONGEST_GAP_DAYS:
                raise ValueError(f"No school day within {LONGEST_GAP_DAYS} days of {day}")
            if self.is_school_day(day):
                estimated = estimated or self.estimated(day)
                count -= 1
                gap = 0
        return Counted(day, estimated)

    def school_days_between(self, first: date, last: date) -> int:
        """How many school days there are from `first` to `last`, both included."""
        days = (last - first).days + 1
        return sum(self.is_school_day(first + timedelta(days=n)) for n in range(max(days, 0)))


def calendar_for(school: School) -> SchoolCalendar:
    """The school's calendar, from its term dates: one query."""
    rows = list(
        Term.objects.filter(school=school)
        .order_by("starts_on")
        .values_list("academic_year", "starts_on", "ends_on")
    )
    return SchoolCalendar(
        terms=tuple((first, last) for _, first, last in rows),
        years_known=frozenset(year for year, _, _ in rows),
    )


def terms_of_year(school: School, academic_year: int) -> dict[str, Term]:
    """The school's half terms of one academic year, by half; one query."""
    return {
        term.half: term for term in Term.objects.filter(school=school, academic_year=academic_year)
    }
