"""The periods governors look at: terms and academic years of an English school, or dates of
their own choosing, each with the period it is compared with.

The academic year runs from 1 September to 31 August. Schools set their own term dates and
half-terms, so the three terms here are the usual reporting split, continuous so that every
day falls in exactly one: Autumn 1 September to 31 December, Spring 1 January to Easter
Sunday, Summer Easter Monday to 31 August. (Schools' Easter holidays straddle Easter, so the
split falls inside a holiday whichever year it is.)

The period picker's form lives here too, beside the periods it chooses between: it is the one
form of the dashboard and the report, and `forms.py` belongs to the registers' pages.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from django import forms
from django.db.models import TextChoices
from django.utils import formats, timezone

from safeguard.forms import DateInput
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
class Period:
    """From `start` to `end`, both days included, in the school's time zone."""

    start: date
    end: date
    span: Span
    name: str

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
            return term_of(self.start - timedelta(days=1))
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


def terms_of(start_year: int) -> list[Period]:
    """Autumn, Spring and Summer of the academic year beginning in September `start_year`."""
    spring_year = start_year + 1
    easter_sunday = easter(spring_year)
    return [
        Period(
            date(start_year, 9, 1), date(start_year, 12, 31), Span.TERM, f"Autumn term {start_year}"
        ),
        Period(date(spring_year, 1, 1), easter_sunday, Span.TERM, f"Spring term {spring_year}"),
        Period(
            easter_sunday + timedelta(days=1),
            date(spring_year, 8, 31),
            Span.TERM,
            f"Summer term {spring_year}",
        ),
    ]


def term_of(day: date) -> Period:
    return next(term for term in terms_of(academic_year_of(day)) if term.start <= day <= term.end)


def custom(start: date, end: date) -> Period:
    return Period(start, end, Span.CUSTOM, f"{_day(start)} to {_day(end)}")


def period_for(choice: str, *, today: date, start: date | None = None, end: date | None = None):
    """The period a choice means on `today`; CUSTOM needs `start` and `end`."""
    match PeriodChoice(choice):
        case PeriodChoice.THIS_TERM:
            return term_of(today)
        case PeriodChoice.LAST_TERM:
            return term_of(today).previous()
        case PeriodChoice.THIS_YEAR:
            return academic_year(academic_year_of(today))
        case PeriodChoice.LAST_YEAR:
            return academic_year(academic_year_of(today) - 1)
        case PeriodChoice.CUSTOM:
            if start is None or end is None:
                raise ValueError("A custom period needs a start and an end.")
            return custom(start, end)


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

    def chosen(self, *, today: date) -> Period | None:
        """The period chosen, or None if the form has errors. Unbound: this term."""
        if not self.is_bound:
            return period_for(PeriodChoice.THIS_TERM, today=today)
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return period_for(data["period"], today=today, start=data["start"], end=data["end"])
