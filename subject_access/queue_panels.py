"""What the subject access app adds to the DSL team's queue (casework.hooks)."""

from datetime import datetime

from django.utils import timezone

from casework.hooks import QueuePanel
from schools.models import School
from subject_access.selectors import DUE_SOON_DAYS, due_soon


def deadlines_panel(school: School, now: datetime) -> QueuePanel | None:
    """Subject access requests overdue or due within a week: one query, and no panel when
    there are none."""
    today = timezone.localdate(now)
    rows = due_soon(school, today=today)
    if not rows:
        return None
    return QueuePanel(
        "subject_access/queue_panel.html",
        {
            "overdue": [sar for sar in rows if sar.overdue(today)],
            "due": [sar for sar in rows if not sar.overdue(today)],
            "today": today,
            "days": DUE_SOON_DAYS,
        },
    )
