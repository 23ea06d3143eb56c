"""A subject access request waiting to be answered, so that the register, the queue's panel
and redaction have something to show: a parent of a Larkmoor High School pupil named in a
concern asked for their child's information 24 days ago; the DSL checked their identity two
days later. Assembling the file, redacting it and disclosing it are left for whoever tries
the demo. Recorded through the subject access services by Larkmoor's DSL."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from concerns.models import ConcernChild
from demo.school import L_DSL, LARKMOOR, Tally
from schools.models import HouseholdContact, School, User
from subject_access import services
from subject_access.models import Relationship, SubjectAccessRequest

RECEIVED_DAYS_AGO = 24


@transaction.atomic
def load_subject_access() -> dict[str, Tally]:
    """Add the request, if the school has none yet."""
    tally = Tally()
    larkmoor = School.objects.filter(urn=LARKMOOR.urn).first()
    dsl = User.objects.filter(email=L_DSL.email).first()
    if larkmoor is None or dsl is None:
        return {"Subject access": tally}
    if SubjectAccessRequest.objects.filter(school=larkmoor).exists():
        tally.present += 1
        return {"Subject access": tally}
    named = (
        ConcernChild.objects.filter(concern__school=larkmoor, pupil__is_on_roll=True)
        .select_related("pupil")
        .order_by("concern__reference", "pk")
        .first()
    )
    if named is None:
        return {"Subject access": tally}
    parent = HouseholdContact.objects.filter(pupil=named.pupil).order_by("priority").first()
    today = timezone.localdate()
    sar = services.request_record(
        pupil=named.pupil,
        by=dsl,
        requester_name=parent.name if parent else "Their mother",
        relationship=Relationship.PARENT,
        received_on=today - timedelta(days=RECEIVED_DAYS_AGO),
    )
    services.request_check_identity(
        sar=sar,
        by=dsl,
        checked_on=today - timedelta(days=RECEIVED_DAYS_AGO - 2),
        how="Passport seen at reception, and the address matches the school's records.",
    )
    tally.created += 1
    return {"Subject access": tally}
