"""Working days in England and Wales: weekdays that are not bank holidays.

Social care should acknowledge a referral and decide what to do within one working day
(Working Together to Safeguard Children 2023).
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safeguard.working_days import LONDON, is_working_day

__all__ = ["LONDON", "add_working_days", "end_of_working_days_after", "is_working_day"]


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
