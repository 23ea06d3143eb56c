"""A child's chronology as a PDF (the child protection file that goes to a new school), made
like every PDF of the app by referrals.pdf.render_pdf: tagged, OFFICIAL-SENSITIVE on every
page, never an image."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from casework.chronology import Event, chronology_for
from referrals.pdf import render_pdf
from schools.models import HouseholdContact, Pupil


@dataclass
class ChronologyDocument:
    pupil: Pupil
    generated_at: datetime
    generated_by: object
    age: int
    household: list[HouseholdContact]
    events: list[Event]

    @property
    def school(self):
        return self.pupil.school

    @property
    def concern_references(self) -> list[str]:
        return list(dict.fromkeys(event.concern_reference for event in self.events))


def chronology_document(pupil: Pupil, *, by, now: datetime) -> ChronologyDocument:
    pupil = Pupil.objects.select_related("school").get(pk=pupil.pk)
    return ChronologyDocument(
        pupil=pupil,
        generated_at=now,
        generated_by=by,
        age=pupil.age_on(timezone.localdate(now)),
        household=list(HouseholdContact.objects.filter(pupil=pupil).order_by("priority")),
        events=chronology_for(pupil),
    )


def render_chronology(pupil: Pupil, *, by, now: datetime | None = None) -> bytes:
    document = chronology_document(pupil, by=by, now=now or timezone.now())
    return render_pdf("referrals/pdf/chronology.html", {"doc": document})
