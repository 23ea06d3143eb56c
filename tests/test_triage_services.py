"""Triage and ongoing support: the DSL team acknowledges a concern, gives it to one of its
members, and reviews each child's support until it ends."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Agency, Concern, ReferralDecision, Step, SupportAction, SupportReview
from safeguard.errors import WorkflowError
from tests.factories import answer_criteria, record_concern, record_referral


def refused(message: str):
    """The service refuses with exactly this message (it is shown to the user as it is)."""
    return pytest.raises(WorkflowError, match=f"^{re.escape(message)}$")


def history_of(instance) -> list[tuple[str, int, str]]:
    rows = instance.history.order_by("history_date", "history_id")
    return [(h.history_type, h.history_user_id, h.history_change_reason) for h in rows]


def fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


@pytest.fixture
def concern(school, staff, pupils):
    return record_concern(school=school, reporter=staff, pupils=pupils)


@pytest.fixture
def everyone(staff, dsl, deputy, governor, school_admin, other_dsl):
    """Every persona exists, so that the test shows who is left out, not just who is in."""


# Acknowledging.


def test_acknowledging_records_when_and_by_whom(concern, staff, deputy):
    moment = (timezone.now() + datetime.timedelta(minutes=5)).replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        services.concern_acknowledge(concern=concern, by=deputy)

    saved = fresh(concern)
    assert (saved.acknowledged_at, saved.acknowledged_by_id) == (moment, deputy.pk)
    assert saved.version == concern.version + 1
    assert saved.step == Step.RECORDED
    assert history_of(concern) == [
        ("+", staff.pk, "Concern recorded"),
        ("~", deputy.pk, "Acknowledged"),
    ]


def test_a_concern_is_acknowledged_once(concern, dsl, deputy):
    services.concern_acknowledge(concern=concern, by=deputy)
    history_before = history_of(concern)

    with refused("This concern has already been acknowledged."):
        services.concern_acknowledge(concern=concern, by=dsl)

    assert fresh(concern).acknowledged_by_id == deputy.pk
    assert history_of(concern) == history_before


# Assigning.


def assign(concern, *, by, assignee, capture):
    with capture(execute=True) as callbacks:
        services.concern_assign(concern=concern, by=by, assignee=assignee)
    return callbacks


def test_assigning_to_a_deputy_emails_the_deputy_only(
    everyone, concern, dsl, deputy, pupils, mailoutbox, django_capture_on_commit_callbacks
):
    assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)

    saved = fresh(concern)
    assert saved.assignee_id == deputy.pk
    assert history_of(concern)[-1] == ("~", dsl.pk, "Assigned to Dev Deputy")
    (email,) = mailoutbox
    assert email.to == ["deputy@oakfield.example"]
    assert (email.cc, email.bcc) == ([], [])
    assert concern.reference in email.subject
    assert concern.reference in email.body
    assert "http://testserver" + reverse("concerns:detail", args=[concern.uuid]) in email.body
    text = f"{email.subject}\n{email.body}"
    for pupil in pupils:
        assert pupil.legal_first_name not in text
        assert pupil.legal_last_name not in text


def test_assigning_also_acknowledges(concern, dsl, deputy, django_capture_on_commit_callbacks):
    assert concern.acknowledged_at is None
    assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)

    saved = fresh(concern)
    assert saved.acknowledged_at is not None
    assert saved.acknowledged_by_id == dsl.pk
    # One change, one history row: the acknowledgement rides with the assignment.
    assert [reason for _, _, reason in history_of(concern)] == [
        "Concern recorded",
        "Assigned to Dev Deputy",
    ]


def test_assigning_keeps_an_earlier_acknowledgement(
    concern, dsl, deputy, django_capture_on_commit_callbacks
):
    services.concern_acknowledge(concern=concern, by=deputy)
    acknowledged_at = fresh(concern).acknowledged_at

    assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)

    saved = fresh(concern)
    assert (saved.acknowledged_at, saved.acknowledged_by_id) == (acknowledged_at, deputy.pk)


@pytest.mark.parametrize(
    "who", ["staff", "governor", "school_admin", "other_dsl"], ids=lambda who: who
)
def test_only_this_schools_safeguarding_team_can_be_assigned(
    request, concern, dsl, who, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = request.getfixturevalue(who)
    with refused("Assign the concern to a member of this school's safeguarding team."):
        assign(concern, by=dsl, assignee=outsider, capture=django_capture_on_commit_callbacks)

    saved = fresh(concern)
    assert (saved.assignee_id, saved.acknowledged_at) == (None, None)
    assert len(history_of(concern)) == 1
    assert mailoutbox == []


def test_an_inactive_deputy_cannot_be_assigned(
    concern, dsl, deputy, django_capture_on_commit_callbacks
):
    deputy.is_active = False
    deputy.save(update_fields=["is_active"])
    with refused("Assign the concern to a member of this school's safeguarding team."):
        assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)


def test_taking_a_concern_yourself_sends_no_email(
    everyone, concern, dsl, mailoutbox, django_capture_on_commit_callbacks
):
    callbacks = assign(concern, by=dsl, assignee=dsl, capture=django_capture_on_commit_callbacks)

    saved = fresh(concern)
    assert (saved.assignee_id, saved.acknowledged_by_id) == (dsl.pk, dsl.pk)
    assert callbacks == []
    assert mailoutbox == []


def test_reassigning_emails_the_new_assignee(
    everyone, concern, dsl, deputy, mailoutbox, django_capture_on_commit_callbacks
):
    assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)
    mailoutbox.clear()

    assign(concern, by=deputy, assignee=dsl, capture=django_capture_on_commit_callbacks)

    (email,) = mailoutbox
    assert email.to == ["dsl@oakfield.example"]
    assert fresh(concern).assignee_id == dsl.pk


def test_assigning_to_the_current_assignee_is_refused(
    concern, dsl, deputy, mailoutbox, django_capture_on_commit_callbacks
):
    assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with refused("This concern is already assigned to Dev Deputy."):
        assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_a_closed_concern_cannot_be_assigned(
    concern, dsl, deputy, django_capture_on_commit_callbacks
):
    # Closing takes the whole workflow (test_services drives it); only the state matters here.
    Concern.objects.filter(pk=concern.pk).update(
        step=Step.CLOSED, closed_at=timezone.now(), outcome_summary="Closed for the test."
    )
    with refused("This concern is closed."):
        assign(concern, by=dsl, assignee=deputy, capture=django_capture_on_commit_callbacks)
    assert fresh(concern).assignee_id is None


# Reviewing support.


@pytest.fixture
def support(concern, dsl) -> SupportAction:
    """Amelia's weekly check-in, planned once the concern has been referred."""
    concern = services.concern_check_safety(
        concern=concern,
        by=dsl,
        version=concern.version,
        checks=[
            services.SafetyCheckInput(child=child, safe_now=True)
            for child in concern.children.all()
        ],
    )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=concern.version,
        advice_given_by="Dana Lead",
        advice_given_to="Mrs Sarah Example",
        advice_given_at=timezone.now(),
        no_evidence_reason="The mother keeps the tablet switched off.",
    )
    # Whether an adult is involved is not known, which counts as yes: social care and the
    # police are both told.
    concern = answer_criteria(concern, dsl)
    record_referral(concern, dsl)
    record_referral(concern, dsl, Agency.POLICE)
    concern = services.concern_decide_referral(
        concern=concern,
        by=dsl,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="",
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
    )
    return services.support_action_add(
        concern=concern,
        by=dsl,
        child=concern.children.order_by("pk").first(),
        action="Weekly check-in with the pastoral lead",
        owner="Pastoral lead",
        review_date=timezone.localdate() + datetime.timedelta(days=7),
    )


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_a_review_sets_the_next_review_date(support, deputy):
    review = services.support_review_record(
        action=support,
        by=deputy,
        notes=" Settling well; praised for telling. ",
        next_review_date=in_days(28),
    )

    saved = SupportReview.objects.get(pk=review.pk)
    assert (saved.action_id, saved.reviewed_by_id) == (support.pk, deputy.pk)
    assert (saved.notes, saved.next_review_date) == (
        "Settling well; praised for telling.",
        in_days(28),
    )
    action = SupportAction.objects.get(pk=support.pk)
    assert (action.review_date, action.ended_on) == (in_days(28), None)
    assert history_of(review) == [("+", deputy.pk, "Support reviewed")]
    assert history_of(support)[-1] == ("~", deputy.pk, "Next review set")


def test_a_review_can_end_the_support(support, deputy):
    review = services.support_review_record(
        action=support, by=deputy, notes="No longer needed.", next_review_date=None
    )

    action = SupportAction.objects.get(pk=support.pk)
    assert action.ended_on == timezone.localdate()
    # The last review date stays as it was: the support ended, it was not rescheduled.
    assert action.review_date == support.review_date
    assert SupportReview.objects.get(pk=review.pk).next_review_date is None
    assert history_of(review) == [("+", deputy.pk, "Support reviewed")]
    assert history_of(support)[-1] == ("~", deputy.pk, "Support ended at review")


@pytest.mark.parametrize("days", [-1, 0], ids=["yesterday", "today"])
def test_the_next_review_must_be_in_the_future(support, deputy, days):
    history_before = history_of(support)
    with refused("The next review date must be in the future."):
        services.support_review_record(
            action=support, by=deputy, notes="Going well.", next_review_date=in_days(days)
        )
    assert not SupportReview.objects.exists()
    assert history_of(support) == history_before


def test_a_review_needs_notes(support, deputy):
    with refused("Say how the support is going."):
        services.support_review_record(
            action=support, by=deputy, notes="  ", next_review_date=in_days(7)
        )
    assert not SupportReview.objects.exists()


def test_ended_support_is_not_reviewed_again(support, deputy):
    services.support_review_record(
        action=support, by=deputy, notes="No longer needed.", next_review_date=None
    )
    with refused("This support has ended."):
        services.support_review_record(
            action=support, by=deputy, notes="Restarting.", next_review_date=in_days(7)
        )
    assert SupportReview.objects.count() == 1


def test_support_on_a_closed_concern_cannot_be_reviewed(school, staff, dsl, pupils):
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    child = concern.children.get()
    action = SupportAction.objects.create(
        child=child,
        school=school,
        action="Weekly check-in",
        owner="Pastoral lead",
        review_date=timezone.localdate(),
        added_by=dsl,
        added_at=timezone.now(),
    )
    Concern.objects.filter(pk=concern.pk).update(
        step=Step.CLOSED, closed_at=timezone.now(), outcome_summary="Closed for the test."
    )
    with pytest.raises(WorkflowError, match="This concern is closed"):
        services.support_review_record(
            action=action, by=dsl, notes="Going well.", next_review_date=None
        )
