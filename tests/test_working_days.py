"""Working days in England and Wales, which set when social care's feedback is due.

Dates are from the 2026 calendar: Easter is 3 April (Good Friday) to 6 April (Easter Monday);
Boxing Day falls on a Saturday, so its bank holiday is Monday 28 December. Clocks go forward
on Sunday 29 March and back on Sunday 25 October.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from referrals.working_days import add_working_days, end_of_working_days_after, is_working_day

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def day(month: int, number: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, number)


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (day(3, 13), True),  # an ordinary Friday
        (day(3, 14), False),  # Saturday
        (day(4, 3), False),  # Good Friday
        (day(4, 6), False),  # Easter Monday
        (day(12, 28), False),  # Boxing Day, moved to the Monday
        (day(12, 29), True),
    ],
    ids=["friday", "saturday", "good-friday", "easter-monday", "boxing-day-substitute", "29-dec"],
)
def test_a_working_day_is_a_weekday_that_is_not_a_bank_holiday(when, working):
    assert is_working_day(when) is working


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (day(3, 13), day(3, 16)),  # Friday: Monday
        (day(3, 14), day(3, 16)),  # Saturday: Monday
        (day(4, 2), day(4, 7)),  # the Thursday before Easter: Tuesday after Easter Monday
        (day(4, 3), day(4, 7)),  # Good Friday itself
        (day(12, 24), day(12, 29)),  # Christmas Eve: past Christmas and the Boxing Day Monday
        (day(12, 31), day(1, 4, 2027)),  # New Year's Eve: past New Year's Day, into 2027
    ],
    ids=["friday", "saturday", "easter-thursday", "good-friday", "christmas", "new-year"],
)
def test_one_working_day_later(start, expected):
    assert add_working_days(start, 1) == expected


def test_several_working_days_skip_every_holiday_on_the_way():
    # Thursday 2 April: Tuesday 7, Wednesday 8, Thursday 9.
    assert add_working_days(day(4, 2), 3) == day(4, 9)


def test_a_deadline_ends_at_midnight_london_time():
    friday_afternoon = datetime.datetime(2026, 3, 13, 15, 30, tzinfo=LONDON)

    due = end_of_working_days_after(friday_afternoon, 1)

    assert due == datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
    assert due.tzinfo == LONDON


def test_a_deadline_across_the_october_clock_change_is_in_gmt():
    friday_in_summer_time = datetime.datetime(2026, 10, 23, 16, 0, tzinfo=LONDON)
    assert friday_in_summer_time.utcoffset() == datetime.timedelta(hours=1)

    due = end_of_working_days_after(friday_in_summer_time, 1)

    assert due == datetime.datetime(2026, 10, 26, 23, 59, 59, tzinfo=UTC)
    assert due.utcoffset() == datetime.timedelta(0)


def test_a_deadline_across_the_march_clock_change_is_in_summer_time():
    due = end_of_working_days_after(datetime.datetime(2026, 3, 27, 16, 0, tzinfo=LONDON), 1)
    assert due == datetime.datetime(2026, 3, 30, 22, 59, 59, tzinfo=UTC)


def test_the_day_a_referral_was_made_is_the_london_day():
    # 23:30 UTC on Thursday is 00:30 on Friday in London: one working day later is Monday.
    late_thursday_utc = datetime.datetime(2026, 10, 22, 23, 30, tzinfo=UTC)
    due = end_of_working_days_after(late_thursday_utc, 1)
    assert due == datetime.datetime(2026, 10, 26, 23, 59, 59, tzinfo=LONDON)


def test_the_deadline_does_not_depend_on_the_active_timezone():
    friday_afternoon = datetime.datetime(2026, 3, 13, 15, 30, tzinfo=LONDON)
    with timezone.override("America/New_York"):
        due = end_of_working_days_after(friday_afternoon, 1)
    assert due == datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
