"""Working days in England and Wales: weekdays that are not bank holidays. Referrals count
their deadlines in them (referrals.working_days), and a school's calendar counts school days
only on them (schools.terms)."""

from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

import holidays

# A working day ends at midnight in England, whatever timezone a request has activated.
LONDON = ZoneInfo("Europe/London")


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; "ENG" is that list.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)
