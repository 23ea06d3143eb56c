"""The periods governors look at: terms and academic years of an English school, or dates of
their own choosing, each with the period it is compared with.

The academic year runs from 1 September to 31 August. Its three terms come from the school's
own term dates (schools.Term) and are continuous, so that every day falls in exactly one, the
holidays included: Autumn from 1 September to the day before the first spring half term
starts, Spring from then to the day before the first summer half term starts, Summer from
then to 31 August.

Where the school has not entered its term dates for a year, that year's terms are the usual
split instead, and marked `estimated` so that the page can say so: Autumn 1 September to 31
December, Spring 1 January to Easter Sunday, Summer Easter Monday to 31 August. (Schools'
Easter holidays straddle Easter, so the split falls inside a holiday whichever year it is.)

`period_for` reads the school's dates in one query, for this academic year and last: enough
for this term, last term and the term each is compared with. Years and dates of the reader's
choosing read none.

The period picker's form lives here too, beside the periods it chooses between: it is the one
form of the dashboard and the report, and `forms.py` belongs to the registers' pages.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from django import forms
from django.db.models import TextChoices
from django.utils import formats, timezone

from safeguard.forms import DateInput
from schools.models import School, Term
from schools.terms import academic_year_of

# A custom period may be at most this long: a longer one is no longer a report on a term.
MAX_CUSTOM_DAYS = 3 * 366


class Span(TextChoices):
    TERM = "term", "Term"
    YEAR = "year", "Academic year"
    CUSTOM = "custom", "Custom dates"


class PeriodChoice(TextChoices):
    THIS_TERM = "this_term", "This term"
    LAST_TERM = "last_term", "Last term"
    THIS_YEAR = "this_year", "This academic year"
    LAST_YEAR = "last_year", "Last academic year"
    CUSTOM = "custom", "Dates of your choice"


def _day(value: date) -> str:
    return formats.date_format(value, "j M Y")


@dataclass(frozen=True)
class TermDates:
    """Where a school's terms begin, for the academic years it has entered its term dates:
    academic year -> (first day of the first spring half term, of the first summer one).
    A year not here (not entered, or not read) is estimated."""

    starts: dict[int, tuple[date, date]]


def term_dates_for(school: School, academic_years: Iterable[int]) -> TermDates:
    """The school's term dates for `academic_years`: one query."""
    first_days: dict[int, dict[str, date]] = {}
    for year, half, starts_on in Term.objects.filter(
        school=school,
        academic_year__in=list(academic_years),
        half__in=[Term.Half.SPRING_1, Term.Half.SUMMER_1],
    ).values_list("academic_year", "half", "starts_on"):
        first_days.setdefault(year, {})[half] = starts_on
    return TermDates(
        {
            year: (halves[Term.Half.SPRING_1], halves[Term.Half.SUMMER_1])
            for year, halves in first_days.items()
            if len(halves) == 2
        }
    )


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the school's time zone. A term is
    `estimated` when its school's dates for the year were not entered (or not given)."""

    start: date
    end: date
    span: Span
    name: str
    estimated: bool = False
    # The school's dates the term came from, for the term before it (`previous`).
    term_dates: TermDates | None = field(default=None, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def dates(self) -> str:
        return f"{_day(self.start)} to {_day(self.end)}"

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period: midnight at the start of the next day."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def until(self, now: datetime) -> datetime:
        """When the period's snapshot figures are taken: its end, or `now` if that is sooner."""
        return min(self.ends_at, now)

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches, in order."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def previous(self) -> "Period":
        """The period this one is compared with: the term or year before, or as many days
        again, ending the day before this one starts."""
        if self.span == Span.TERM:
            return term_of(self.start - timedelta(days=1), self.term_dates)
        if self.span == Span.YEAR:
            return academic_year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return custom(end - timedelta(days=self.days - 1), end)

    @property
    def compared_as(self) -> str:
        """How a comparison names this period: "in Autumn term 2025", "in the previous 30 days"."""
        if self.span == Span.CUSTOM:
            return f"in the previous {self.days} day{'s' if self.days != 1 else ''}"
        return f"in {self.name}"


def academic_year(start_year: int) -> Period:
    return Period(
        start=date(start_year, 9, 1),
        end=date(start_year + 1, 8, 31),
        span=Span.YEAR,
        name=f"academic year {start_year} to {start_year + 1}",
    )


def terms_of(start_year: int, term_dates: TermDates | None = None) -> list[Period]:
    """Autumn, Spring and Summer of the academic year beginning in September `start_year`,
    from the school's `term_dates` if it has entered that year's, else estimated."""
    spring_year = start_year + 1
    one_day = timedelta(days=1)
    entered = term_dates.starts.get(start_year) if term_dates else None
    if entered:
        spring_starts, summer_starts = entered
    else:
        spring_starts, summer_starts = date(spring_year, 1, 1), easter(spring_year) + one_day
    return [
        Period(start, end, Span.TERM, name, estimated=entered is None, term_dates=term_dates)
        for start, end, name in [
            (date(start_year, 9, 1), spring_starts - one_day, f"Autumn term {start_year}"),
            (spring_starts, summer_starts - one_day, f"Spring term {spring_year}"),
            (summer_starts, date(spring_year, 8, 31), f"Summer term {spring_year}"),
        ]
    ]


def term_of(day: date, term_dates: TermDates | None = None) -> Period:
    return next(
        term
        for term in terms_of(academic_year_of(day), term_dates)
        if term.start <= day <= term.end
    )


def estimated_years(*periods: Period) -> list[Period]:
    """The academic years whose terms among `periods` are estimated, in order."""
    return [
        academic_year(year)
        for year in sorted(
            {academic_year_of(period.start) for period in periods if period.estimated}
        )
    ]


def custom(start: date, end: date) -> Period:
    return Period(start, end, Span.CUSTOM, f"{_day(start)} to {_day(end)}")


def period_for(
    choice: str,
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
    school: School | None = None,
):
    """The period a choice means on `today`; CUSTOM needs `start` and `end`. Terms come from
    `school`'s term dates (one query), or are estimated without a school."""
    match PeriodChoice(choice):
        case PeriodChoice.THIS_TERM:
            return term_of(today, _term_dates(school, today))
        case PeriodChoice.LAST_TERM:
            return term_of(today, _term_dates(school, today)).previous()
        case PeriodChoice.THIS_YEAR:
            return academic_year(academic_year_of(today))
        case PeriodChoice.LAST_YEAR:
            return academic_year(academic_year_of(today) - 1)
        case PeriodChoice.CUSTOM:
            if start is None or end is None:
                raise ValueError("A custom period needs a start and an end.")
            return custom(start, end)


def _term_dates(school: School | None, today: date) -> TermDates | None:
    # This year's and last: this term and last term, and the terms each is compared with,
    # all fall in them (Autumn's previous term is last year's Summer).
    if school is None:
        return None
    this_year = academic_year_of(today)
    return term_dates_for(school, [this_year - 1, this_year])


class PeriodForm(forms.Form):
    """The period picker, sent by GET to the dashboard and by POST for the report. Unbound,
    it means this term."""

    period = forms.ChoiceField(
        label="Period",
        choices=PeriodChoice.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
        initial=PeriodChoice.THIS_TERM,
        error_messages={
            "required": "Choose a period",
            "invalid_choice": "Choose a period from the list",
        },
    )
    start = forms.DateField(
        label="From",
        required=False,
        help_text="Only for dates of your choice",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": "Enter the first day of the period as a real date"},
    )
    end = forms.DateField(
        label="To",
        required=False,
        help_text="The last day, included",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": "Enter the last day of the period as a real date"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != PeriodChoice.CUSTOM:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Enter the first day of the period")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Enter the last day of the period")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be the same as or after the first")
            elif (end - start).days + 1 > MAX_CUSTOM_DAYS:
                self.add_error("end", "Choose a period of 3 years or less")
        return cleaned

    def chosen(self, *, today: date, school: School | None = None) -> Period | None:
        """The period chosen, or None if the form has errors. Unbound: this term. Terms come
        from `school`'s term dates."""
        if not self.is_bound:
            return period_for(PeriodChoice.THIS_TERM, today=today, school=school)
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return period_for(
            data["period"], today=today, start=data["start"], end=data["end"], school=school
        )
