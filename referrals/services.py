"""Referrals to other agencies, and everything that follows them: written confirmation of
an urgent call, social care's feedback, and the school's follow-ups and escalations."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from concerns.models import Agency, Concern, ConcernChild
from referrals.models import (
    PHONE_METHODS,
    REFERRAL_HISTORY,
    AgencyContact,
    Consent,
    ContactKind,
    Method,
    Outcome,
    Referral,
)
from referrals.working_days import end_of_working_days_after
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError

# Working Together 2023: social care decides within one working day of a referral.
SOCIAL_CARE_FEEDBACK_WORKING_DAYS = 1

# The history reason for each kind of contact (the choice labels are too long for it).
CONTACT_REASONS = {
    ContactKind.FOLLOW_UP: "Follow-up recorded",
    ContactKind.ESCALATION: "Escalation recorded",
    ContactKind.UPDATE: "Update from the agency recorded",
    ContactKind.MEETING: "Meeting or call recorded",
}


def _not_future(moment: datetime | None, what: str) -> None:
    if moment is not None and moment > timezone.now():
        raise WorkflowError(f"The time {what} cannot be in the future.")


@transaction.atomic
def referral_record(
    *,
    concern: Concern,
    by,
    agency: str,
    made_at: datetime,
    method: str,
    children: list[ConcernChild],
    parents_aware: bool,
    consent: str,
    risk_view: str,
    agency_name: str = "",
    contact_name: str = "",
    agency_reference: str = "",
    consent_reason: str = "",
    urgent: bool = False,
) -> Referral:
    """Record a referral made to one agency, with the deadlines that follow from it."""
    concern = Concern.objects.select_for_update().select_related("school").get(pk=concern.pk)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if agency not in Agency.values:
        raise WorkflowError("Choose the agency.")
    if method not in Method.values:
        raise WorkflowError("Choose how the referral was made.")
    if consent not in Consent.values:
        raise WorkflowError("Say whether the parents consented.")
    _not_future(made_at, "of the referral")
    if not children:
        raise WorkflowError("Choose the children the referral is about.")
    if any(child.concern_id != concern.pk for child in children):
        raise WorkflowError("Choose children named in this concern.")
    if consent != Consent.GIVEN and not consent_reason.strip():
        raise WorkflowError("Say why consent was not given or not sought.")
    if not risk_view.strip():
        raise WorkflowError("Give your view of the risk, with your reasons.")
    if urgent and method not in PHONE_METHODS:
        raise WorkflowError("Only a phone referral is confirmed in writing afterwards.")
    referral = Referral(
        concern=concern,
        school_id=concern.school_id,
        agency=agency,
        agency_name=agency_name.strip(),
        made_at=made_at,
        method=method,
        made_by=by,
        contact_name=contact_name.strip(),
        agency_reference=agency_reference.strip(),
        parents_aware=parents_aware,
        consent=consent,
        consent_reason=consent_reason.strip(),
        risk_view=risk_view.strip(),
        urgent=urgent,
        confirmation_due_at=(
            made_at + timedelta(hours=concern.school.written_confirmation_hours) if urgent else None
        ),
        feedback_due_at=(
            end_of_working_days_after(made_at, SOCIAL_CARE_FEEDBACK_WORKING_DAYS)
            if agency == Agency.SOCIAL_CARE
            else None
        ),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    stamp_history(referral, by=by, reason=f"Referral to {referral.agency_label} recorded")
    # One history row holding the children covered (see concerns.services.concern_record).
    referral.skip_history_when_saving = True
    referral.save()
    referral.children.set(children)
    del referral.skip_history_when_saving
    REFERRAL_HISTORY.create_historical_record(referral, "+")
    return referral


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("concern").get(pk=referral.pk)


@transaction.atomic
def referral_confirm_in_writing(*, referral: Referral, by, confirmed_at: datetime) -> Referral:
    """Record that an urgent phone referral has been confirmed in writing."""
    referral = _locked(referral)
    if not referral.urgent:
        raise WorkflowError("Only an urgent phone referral needs confirming in writing.")
    _not_future(confirmed_at, "of the written confirmation")
    if confirmed_at < referral.made_at:
        raise WorkflowError("The written confirmation cannot come before the referral.")
    correction = referral.confirmed_in_writing_at is not None
    referral.confirmed_in_writing_at = confirmed_at
    stamp_history(
        referral,
        by=by,
        reason="Written confirmation corrected" if correction else "Confirmed in writing",
    )
    referral.save(update_fields=["confirmed_in_writing_at"])
    return referral


@transaction.atomic
def referral_record_feedback(
    *,
    referral: Referral,
    by,
    received_at: datetime,
    outcome: str,
    details: str,
    acknowledged_at: datetime | None = None,
) -> Referral:
    """Record what the agency decided. This resolves an overdue feedback item."""
    referral = _locked(referral)
    if outcome not in Outcome.values:
        raise WorkflowError("Choose the outcome.")
    _not_future(received_at, "the feedback arrived")
    _not_future(acknowledged_at, "of the acknowledgement")
    if received_at < referral.made_at:
        raise WorkflowError("Feedback cannot arrive before the referral was made.")
    if acknowledged_at is not None and acknowledged_at < referral.made_at:
        raise WorkflowError("The acknowledgement cannot come before the referral was made.")
    if not details.strip():
        raise WorkflowError("Describe what the agency said and decided.")
    correction = referral.feedback_received_at is not None
    referral.feedback_received_at = received_at
    referral.acknowledged_at = acknowledged_at or referral.acknowledged_at or received_at
    referral.outcome = outcome
    referral.outcome_details = details.strip()
    stamp_history(
        referral, by=by, reason="Feedback corrected" if correction else "Feedback recorded"
    )
    referral.save(
        update_fields=["feedback_received_at", "acknowledged_at", "outcome", "outcome_details"]
    )
    return referral


@transaction.atomic
def agency_contact_record(
    *,
    referral: Referral,
    by,
    kind: str,
    happened_at: datetime,
    notes: str,
    with_whom: str = "",
) -> AgencyContact:
    """Record chasing, escalating, or hearing from an agency about a referral."""
    referral = _locked(referral)
    if kind not in ContactKind.values:
        raise WorkflowError("Choose the kind of contact.")
    _not_future(happened_at, "of the contact")
    if not notes.strip():
        raise WorkflowError("Describe the contact.")
    contact = AgencyContact(
        referral=referral,
        kind=kind,
        happened_at=happened_at,
        with_whom=with_whom.strip(),
        notes=notes.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    stamp_history(contact, by=by, reason=CONTACT_REASONS[kind])
    contact.save()
    return contact
