"""Leavers at the demo schools, so that the DSL team has files to send: Hollybrook's Year 6
leave at the end of the summer term for Larkmoor High School (as the MIS would say), and one
child with a concern moved away during this term to a school outside the demo, whose file is
now overdue. Recorded through the service, by Hollybrook's DSL, as they would by hand."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from concerns.models import ChildRole, ConcernChild
from demo.school import HOLLYBROOK, LARKMOOR, Tally
from schools.models import Membership, Pupil, Role, School, Term
from schools.terms import academic_year_of, calendar_for
from transfers import services

# The in-year mover's new school is outside this deployment: their file goes as a package.
ELSEWHERE = "St Aidan's Primary School, Northshire"
# The in-year mover left this many school days ago: past the 5 the file had.
MOVER_LEFT_SCHOOL_DAYS_AGO = 7


def _school_days_before(calendar, day: date, count: int) -> date:
    while count:
        day -= timedelta(days=1)
        if calendar.is_school_day(day):
            count -= 1
    return day


@transaction.atomic
def load_leavers() -> dict[str, Tally]:
    """Leaving dates for Hollybrook's Year 6 and its in-year mover, where none is recorded;
    a leaving date already recorded is left alone."""
    tally = Tally()
    hollybrook = School.objects.filter(urn=HOLLYBROOK.urn).first()
    larkmoor = School.objects.filter(urn=LARKMOOR.urn).first()
    dsl = (
        Membership.objects.filter(school=hollybrook, role=Role.DSL)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if hollybrook is None or larkmoor is None or dsl is None:
        return {"leavers": tally}
    today = timezone.localdate()
    end_of_year = (
        Term.objects.filter(
            school=hollybrook, academic_year=academic_year_of(today), half=Term.Half.SUMMER_2
        )
        .values_list("ends_on", flat=True)
        .first()
    )
    year_6 = Pupil.objects.filter(school=hollybrook, year_group="Year 6").order_by("upn")
    for pupil in year_6 if end_of_year else []:
        if pupil.leaving_date is not None:
            tally.present += 1
            continue
        services.pupil_leaving_set(
            pupil=pupil,
            by=dsl.user,
            leaving_date=end_of_year,
            destination_school=larkmoor,
            destination="",
        )
        tally.created += 1

    mover = (
        ConcernChild.objects.filter(concern__school=hollybrook, role=ChildRole.SUBJECT)
        .exclude(pupil__year_group="Year 6")
        .select_related("pupil")
        .order_by("concern__recorded_at", "pk")
        .first()
    )
    if mover is not None:
        if mover.pupil.leaving_date is not None:
            tally.present += 1
        else:
            calendar = calendar_for(hollybrook)
            services.pupil_leaving_set(
                pupil=Pupil.objects.get(pk=mover.pupil_id),
                by=dsl.user,
                leaving_date=_school_days_before(calendar, today, MOVER_LEFT_SCHOOL_DAYS_AGO),
                destination_school=None,
                destination=ELSEWHERE,
            )
            tally.created += 1
    return {"leavers": tally}
