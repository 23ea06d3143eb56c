"""Referrals to other agencies, and what follows them, through referrals.services.

The DOMAIN.md case: the DSL rings children's social care about Amelia, Bella and Chloe,
tells the police, confirms the urgent call in writing, and chases social care's feedback.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from concerns.models import Agency, Concern, Step
from referrals import services
from referrals.models import AgencyContact, Consent, ContactKind, Method, Outcome, Referral
from safeguard.errors import WorkflowError
from tests.factories import PupilFactory, record_concern, record_referral

LONDON = ZoneInfo("Europe/London")
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def refused(message: str):
    """The service refuses with exactly this message (it is shown to the user as it is)."""
    return pytest.raises(WorkflowError, match=f"^{re.escape(message)}$")


def history_of(instance) -> list[tuple[str, int, str]]:
    rows = instance.history.order_by("history_date", "history_id")
    return [(h.history_type, h.history_user_id, h.history_change_reason) for h in rows]


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def concern(school, staff, pupils):
    """Amelia is the subject; Bella and Chloe are affected."""
    return record_concern(school=school, reporter=staff, pupils=pupils)


@pytest.fixture
def urgent_call(concern, dsl):
    """The DSL's urgent phone call to social care, an hour ago."""
    return record_referral(concern, dsl, urgent=True, made_at=timezone.now() - HOUR)


# Recording a referral.


def test_a_referral_records_who_made_it_how_and_about_which_children(concern, dsl):
    amelia, bella, _chloe = concern.children.order_by("pk")
    made_at = timezone.now() - 20 * MINUTE

    referral = record_referral(
        concern,
        dsl,
        agency=Agency.SOCIAL_CARE,
        agency_name="  Testshire MASH ",
        made_at=made_at,
        method=Method.PHONE,
        contact_name="Sam Social",
        agency_reference="MASH/2026/118",
        children=[amelia, bella],
        parents_aware=True,
        consent=Consent.REFUSED,
        consent_reason="The mother does not want anyone told.",
    )

    saved = fresh(referral)
    assert (saved.concern_id, saved.agency, saved.agency_name) == (
        concern.pk,
        Agency.SOCIAL_CARE,
        "Testshire MASH",
    )
    assert (saved.made_at, saved.method, saved.made_by_id) == (made_at, Method.PHONE, dsl.pk)
    assert (saved.contact_name, saved.agency_reference) == ("Sam Social", "MASH/2026/118")
    # The parents' refusal is recorded beside the referral; it did not stop it.
    assert (saved.consent, saved.consent_reason) == (
        Consent.REFUSED,
        "The mother does not want anyone told.",
    )
    assert saved.recorded_by_id == dsl.pk
    assert sorted(saved.children.values_list("pk", flat=True)) == [amelia.pk, bella.pk]
    # Not urgent: nothing to confirm in writing.
    assert (saved.urgent, saved.confirmation_due_at) == (False, None)


def test_recording_a_referral_leaves_one_history_row_holding_its_children(concern, dsl):
    amelia, bella, _chloe = concern.children.order_by("pk")

    referral = record_referral(concern, dsl, agency_name="Testshire MASH", children=[amelia, bella])

    assert history_of(referral) == [("+", dsl.pk, "Referral to Testshire MASH recorded")]
    (row,) = referral.history.all()
    assert sorted(link.concernchild_id for link in row.children.all()) == [amelia.pk, bella.pk]


def test_an_urgent_phone_referral_is_due_in_writing_within_the_schools_hours(urgent_call):
    assert urgent_call.confirmation_due_at == urgent_call.made_at + datetime.timedelta(hours=24)


def test_the_school_sets_how_long_written_confirmation_may_take(school, concern, dsl):
    school.written_confirmation_hours = 48
    school.save(update_fields=["written_confirmation_hours"])

    referral = record_referral(concern, dsl, urgent=True)

    assert fresh(referral).confirmation_due_at == referral.made_at + datetime.timedelta(hours=48)


@pytest.mark.parametrize(
    ("made_at", "due"),
    [
        (
            datetime.datetime(2026, 3, 13, 15, 30, tzinfo=LONDON),
            datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON),
        ),
        (
            datetime.datetime(2026, 4, 2, 15, 30, tzinfo=LONDON),
            datetime.datetime(2026, 4, 7, 23, 59, 59, tzinfo=LONDON),
        ),
    ],
    ids=["friday-afternoon", "before-easter"],
)
def test_social_care_feedback_is_due_by_the_end_of_the_next_working_day(
    school, staff, dsl, pupils, made_at, due
):
    with time_machine.travel(made_at + 10 * MINUTE, tick=False):
        concern = record_concern(
            school=school,
            reporter=staff,
            pupils=pupils,
            disclosed_at=made_at - HOUR,
        )
        referral = record_referral(concern, dsl, agency=Agency.SOCIAL_CARE, made_at=made_at)

    assert fresh(referral).feedback_due_at == due


@pytest.mark.parametrize("agency", [Agency.POLICE, Agency.CEOP])
def test_no_feedback_deadline_is_set_for_other_agencies(concern, dsl, agency):
    referral = record_referral(concern, dsl, agency=agency, method=Method.PHONE_101)
    assert fresh(referral).feedback_due_at is None


def _close(concern: Concern) -> None:
    # Closing takes the whole workflow (test_services drives it); only the state matters here.
    Concern.objects.filter(pk=concern.pk).update(
        step=Step.CLOSED, closed_at=timezone.now(), outcome_summary="Closed for the test."
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: {"made_at": timezone.now() + HOUR},
            "The time of the referral cannot be in the future.",
        ),
        (lambda c: {"children": []}, "Choose the children the referral is about."),
        (
            lambda c: {
                "children": list(
                    record_concern(
                        school=c.school,
                        reporter=c.reporter,
                        pupils=[PupilFactory(school=c.school)],
                    ).children.all()
                )
            },
            "Choose children named in this concern.",
        ),
        (
            lambda c: {"consent": Consent.REFUSED, "consent_reason": "  "},
            "Say why consent was not given or not sought.",
        ),
        (lambda c: {"consent": Consent.NOT_SOUGHT}, "Say why consent was not given or not sought."),
        (lambda c: {"risk_view": " \n "}, "Give your view of the risk, with your reasons."),
        (
            lambda c: {"urgent": True, "method": Method.SECURE_EMAIL},
            "Only a phone referral is confirmed in writing afterwards.",
        ),
        (lambda c: {"agency": "social_services"}, "Choose the agency."),
        (lambda c: {"method": "fax"}, "Choose how the referral was made."),
        (lambda c: {"consent": ""}, "Say whether the parents consented."),
    ],
    ids=[
        "future",
        "no-children",
        "child-of-another-concern",
        "consent-refused-without-reason",
        "consent-not-sought-without-reason",
        "no-risk-view",
        "urgent-by-email",
        "unknown-agency",
        "unknown-method",
        "no-consent-answer",
    ],
)
def test_an_incomplete_referral_is_refused(concern, dsl, change, message):
    fields = change(concern)
    with refused(message):
        record_referral(concern, dsl, **fields)
    assert not Referral.objects.exists()
    assert not Referral.history.exists()


def test_a_closed_concern_takes_no_new_referral(concern, dsl):
    _close(concern)
    with refused("This concern is closed. Add a note to it instead."):
        record_referral(concern, dsl)
    assert not Referral.objects.exists()


# Confirming an urgent phone referral in writing.


def test_an_urgent_referral_is_confirmed_in_writing(urgent_call, dsl, deputy):
    confirmed_at = timezone.now() - 5 * MINUTE

    services.referral_confirm_in_writing(referral=urgent_call, by=deputy, confirmed_at=confirmed_at)

    assert fresh(urgent_call).confirmed_in_writing_at == confirmed_at
    assert history_of(urgent_call)[-1] == ("~", deputy.pk, "Confirmed in writing")
    assert len(history_of(urgent_call)) == 2


def test_only_an_urgent_referral_is_confirmed_in_writing(concern, dsl):
    referral = record_referral(concern, dsl, urgent=False)
    with refused("Only an urgent phone referral needs confirming in writing."):
        services.referral_confirm_in_writing(referral=referral, by=dsl, confirmed_at=timezone.now())
    assert fresh(referral).confirmed_in_writing_at is None


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (-2 * HOUR, "The written confirmation cannot come before the referral."),
        (2 * HOUR, "The time of the written confirmation cannot be in the future."),
    ],
    ids=["before-the-call", "future"],
)
def test_a_written_confirmation_needs_a_time_after_the_call(urgent_call, dsl, offset, message):
    with refused(message):
        services.referral_confirm_in_writing(
            referral=urgent_call, by=dsl, confirmed_at=timezone.now() + offset
        )
    assert fresh(urgent_call).confirmed_in_writing_at is None


def test_confirming_again_is_recorded_as_a_correction(urgent_call, dsl):
    first, second = timezone.now() - 30 * MINUTE, timezone.now() - 20 * MINUTE
    services.referral_confirm_in_writing(referral=urgent_call, by=dsl, confirmed_at=first)
    services.referral_confirm_in_writing(referral=urgent_call, by=dsl, confirmed_at=second)

    assert fresh(urgent_call).confirmed_in_writing_at == second
    assert [reason for _, _, reason in history_of(urgent_call)[1:]] == [
        "Confirmed in writing",
        "Written confirmation corrected",
    ]


# Feedback from the agency.


def awaiting_feedback():
    """Referrals whose feedback is still awaited (the condition of the deadline index)."""
    return Referral.objects.filter(feedback_due_at__isnull=False, feedback_received_at=None)


def record_feedback(referral, *, by, **overrides):
    fields = {
        "received_at": timezone.now() - 5 * MINUTE,
        "outcome": Outcome.CHILD_PROTECTION,
        "details": "Strategy discussion held; section 47 enquiries for all three girls.",
    }
    fields.update(overrides)
    return services.referral_record_feedback(referral=referral, by=by, **fields)


def test_feedback_resolves_the_wait_for_it(urgent_call, dsl):
    assert list(awaiting_feedback()) == [urgent_call]
    received_at = timezone.now() - 5 * MINUTE

    record_feedback(urgent_call, by=dsl, received_at=received_at)

    saved = fresh(urgent_call)
    assert saved.feedback_received_at == received_at
    assert saved.outcome == Outcome.CHILD_PROTECTION
    assert saved.outcome_details.startswith("Strategy discussion held")
    # Feedback is an acknowledgement too, when none was recorded before it.
    assert saved.acknowledged_at == received_at
    assert list(awaiting_feedback()) == []
    assert history_of(urgent_call)[-1] == ("~", dsl.pk, "Feedback recorded")


def test_feedback_keeps_an_earlier_acknowledgement(urgent_call, dsl):
    acknowledged_at = timezone.now() - 50 * MINUTE
    record_feedback(urgent_call, by=dsl, acknowledged_at=acknowledged_at)
    assert fresh(urgent_call).acknowledged_at == acknowledged_at


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": ""}, "Choose the outcome."),
        ({"details": "  "}, "Describe what the agency said and decided."),
        (
            {"received_at": timezone.now() + HOUR},
            "The time the feedback arrived cannot be in the future.",
        ),
        (
            {"received_at": timezone.now() - 2 * HOUR},
            "Feedback cannot arrive before the referral was made.",
        ),
        (
            {"acknowledged_at": timezone.now() - 2 * HOUR},
            "The acknowledgement cannot come before the referral was made.",
        ),
    ],
    ids=["no-outcome", "no-details", "future", "before-the-referral", "ack-before-the-referral"],
)
def test_incomplete_feedback_is_refused(urgent_call, dsl, change, message):
    with refused(message):
        record_feedback(urgent_call, by=dsl, **change)
    assert list(awaiting_feedback()) == [urgent_call]
    assert len(history_of(urgent_call)) == 1


def test_correcting_feedback_keeps_the_first_version_in_the_history(urgent_call, dsl, deputy):
    record_feedback(urgent_call, by=dsl, outcome=Outcome.ASSESSMENT, details="Assessment.")
    record_feedback(urgent_call, by=deputy, details="Upgraded to a section 47 enquiry.")

    saved = fresh(urgent_call)
    assert (saved.outcome, saved.outcome_details) == (
        Outcome.CHILD_PROTECTION,
        "Upgraded to a section 47 enquiry.",
    )
    rows = list(urgent_call.history.order_by("history_date", "history_id"))
    assert [(row.outcome, row.history_user_id, row.history_change_reason) for row in rows[1:]] == [
        (Outcome.ASSESSMENT, dsl.pk, "Feedback recorded"),
        (Outcome.CHILD_PROTECTION, deputy.pk, "Feedback corrected"),
    ]


# Chasing and escalating.


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (ContactKind.FOLLOW_UP, "Follow-up recorded"),
        (ContactKind.ESCALATION, "Escalation recorded"),
    ],
    ids=["follow-up", "escalation"],
)
def test_chasing_and_escalating_are_recorded_with_history(urgent_call, deputy, kind, reason):
    happened_at = timezone.now() - 10 * MINUTE

    contact = services.agency_contact_record(
        referral=urgent_call,
        by=deputy,
        kind=kind,
        happened_at=happened_at,
        with_whom="  Team manager, MASH ",
        notes=" No decision by the end of the next working day. ",
    )

    saved = AgencyContact.objects.get(pk=contact.pk)
    assert (saved.referral_id, saved.kind, saved.happened_at) == (urgent_call.pk, kind, happened_at)
    assert (saved.with_whom, saved.notes) == (
        "Team manager, MASH",
        "No decision by the end of the next working day.",
    )
    assert saved.recorded_by_id == deputy.pk
    assert history_of(contact) == [("+", deputy.pk, reason)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"notes": "  "}, "Describe the contact."),
        ({"kind": "complaint"}, "Choose the kind of contact."),
        (
            {"happened_at": timezone.now() + HOUR},
            "The time of the contact cannot be in the future.",
        ),
    ],
    ids=["no-notes", "unknown-kind", "future"],
)
def test_an_incomplete_contact_is_refused(urgent_call, dsl, change, message):
    fields = {
        "kind": ContactKind.FOLLOW_UP,
        "happened_at": timezone.now() - MINUTE,
        "notes": "Rang the MASH.",
    }
    fields.update(change)
    with refused(message):
        services.agency_contact_record(referral=urgent_call, by=dsl, **fields)
    assert not AgencyContact.objects.exists()


# What the database itself refuses, whatever the caller.


def _referral_row(concern, by, **overrides) -> dict:
    now = timezone.now()
    fields = {
        "concern": concern,
        "school_id": concern.school_id,
        "agency": Agency.SOCIAL_CARE,
        "made_at": now,
        "method": Method.PHONE,
        "made_by": by,
        "parents_aware": True,
        "consent": Consent.GIVEN,
        "risk_view": "Significant harm.",
        "recorded_by": by,
        "recorded_at": now,
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"consent": Consent.REFUSED}, "consent_not_given_needs_reason"),
        ({"consent": Consent.NOT_SOUGHT}, "consent_not_given_needs_reason"),
        ({"urgent": True}, "urgent_referral_has_confirmation_deadline"),
        ({"feedback_received_at": timezone.now()}, "feedback_has_outcome"),
    ],
    ids=["consent-refused", "consent-not-sought", "urgent", "feedback"],
)
def test_the_database_refuses_a_referral_missing_its_reason(concern, dsl, change, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Referral.objects.create(**_referral_row(concern, dsl, **change))
    assert not Referral.objects.exists()
