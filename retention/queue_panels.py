"""What the retention app adds to the DSL team's queue (casework.hooks)."""

from datetime import datetime

from casework.hooks import QueuePanel
from retention.selectors import disposals_waiting
from schools.models import School


def disposals_panel(school: School, now: datetime) -> QueuePanel | None:
    """Disposals proposed and waiting for a second member of the DSL team: one query, and no
    panel when there are none."""
    waiting = disposals_waiting(school)
    if not waiting:
        return None
    return QueuePanel("retention/queue_panel.html", {"waiting": waiting})
