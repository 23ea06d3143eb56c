"""Working days in England and Wales: weekdays that are not bank holidays.

Social care should acknowledge a referral and decide what to do within one working day
(Working Together to Safeguard Children 2023).
"""

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

# A working day ends at midnight in England, whatever timezone a request has activated.
LONDON = ZoneInfo("Europe/London")


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; "ENG" is that list.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (which itself need not be one)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def end_of_working_days_after(moment: datetime, count: int) -> datetime:
    """The end (23:59:59 London time) of the `count`th working day after `moment`."""
    local = timezone.localtime(moment, LONDON)
    due = add_working_days(local.date(), count)
    return timezone.make_aware(datetime.combine(due, time(23, 59, 59)), LONDON)
