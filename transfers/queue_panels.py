"""What the transfers app adds to the DSL team's casework pages (casework.hooks)."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from casework.hooks import EarlierPart, QueuePanel
from schools.models import Pupil, School
from transfers.models import IncomingFile, IncomingStatus
from transfers.selectors import incoming_awaiting, outstanding


def files_panel(school: School, now: datetime) -> QueuePanel | None:
    """Leavers' files due or overdue, and files come in waiting to be accepted."""
    today = timezone.localdate(now)
    due = outstanding(school, today=today)
    incoming = incoming_awaiting(school)
    if not due and not incoming:
        return None
    return QueuePanel(
        "transfers/queue_panel.html",
        {
            "overdue": [row for row in due if row.overdue],
            "due": [row for row in due if not row.overdue],
            "incoming": incoming,
        },
    )


def earlier_parts(pupil: Pupil) -> list[EarlierPart]:
    """Files accepted for this child from the schools they were at before."""
    return [
        EarlierPart(
            school_name=incoming.from_school_name,
            received_at=incoming.accepted_at,
            url=reverse("transfers:incoming", args=[incoming.uuid]),
            reference=incoming.reference,
        )
        for incoming in IncomingFile.objects.filter(
            pupil=pupil, status=IncomingStatus.ACCEPTED
        ).order_by("accepted_at")
    ]
