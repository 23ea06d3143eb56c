"""Where a higher app shows its own part of the DSL team's pages (docs/architecture.md: a
lower layer never imports a higher one, so the higher one passes functions in).

The transfers app fills these in its AppConfig.ready(): the queue's panel of files to send
and incoming files, and the earlier parts of a child's file received from other schools.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from schools.models import Pupil, School


@dataclass(frozen=True)
class QueuePanel:
    """A section of the queue: its template, and what the template reads."""

    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EarlierPart:
    """A part of a child's file kept by another school, received sealed."""

    school_name: str
    received_at: datetime
    url: str
    reference: str


# (school, now) -> a panel, or None when there is nothing to show.
QUEUE_PANELS: list[Callable[[School, datetime], QueuePanel | None]] = []
# (pupil) -> the earlier parts of the child's file, oldest first.
CHRONOLOGY_PARTS: list[Callable[[Pupil], list[EarlierPart]]] = []


def queue_panels(school: School, now: datetime) -> list[QueuePanel]:
    return [panel for make in QUEUE_PANELS if (panel := make(school, now)) is not None]


def earlier_parts(pupil: Pupil) -> list[EarlierPart]:
    return [part for find in CHRONOLOGY_PARTS for part in find(pupil)]
