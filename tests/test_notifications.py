"""The DSL team hears about every new concern, by e-mail, without a name or a detail in it.

The task is queued on the database queue with transaction.on_commit, and a worker sends it.
A test's transaction never commits, so django_capture_on_commit_callbacks(execute=True) runs
the callbacks as the commit would, then the worker's loop (tests/conftest.py).
"""

import pytest
from django.urls import reverse

from concerns import services
from concerns.models import YesNoUnknown
from concerns.tasks import notify_assignee
from tests.factories import category, record_concern


@pytest.fixture
def everyone(staff, dsl, deputy, governor, school_admin, other_dsl):
    """Every persona exists, so that the test shows who is left out, not just who is in."""


@pytest.fixture
def record(django_capture_on_commit_callbacks, school, staff, pupils):
    def record(**extra):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            concern = record_concern(school=school, reporter=staff, pupils=pupils, **extra)
        assert len(callbacks) == 1
        return concern

    return record


def test_a_new_concern_is_sent_to_the_dsl_and_deputy_of_that_school_only(
    everyone, record, mailoutbox
):
    concern = record()

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert sorted(email.to) == ["deputy@oakfield.example", "dsl@oakfield.example"]
    assert email.cc == []
    assert email.bcc == []
    assert email.subject == f"New safeguarding concern {concern.reference}"
    link = "http://testserver" + reverse("concerns:detail", args=[concern.uuid])
    assert concern.reference in email.body
    assert link in email.body


def test_the_email_names_no_child_and_holds_no_detail(everyone, record, mailoutbox, pupils):
    concern = record(
        discloser_name="Mrs Sarah Example",
        account="She said a man called sparkle_friend_11 asked for pictures.",
        location="Boarding house",
    )

    (email,) = mailoutbox
    text = f"{email.subject}\n{email.body}"
    for pupil in pupils:
        assert pupil.legal_first_name not in text
        assert pupil.legal_last_name not in text
    for detail in ["Sarah", "Example", "sparkle_friend_11", "pictures", "Boarding house"]:
        assert detail not in text
    assert concern.account not in text
    assert category("sharing-nudes").name not in text


def test_immediate_danger_says_so_in_the_subject(everyone, record, mailoutbox):
    concern = record(immediate_danger=True)

    (email,) = mailoutbox
    assert email.subject == (
        f"IMMEDIATE DANGER: safeguarding concern {concern.reference} needs action now"
    )
    assert "immediate danger" in email.body
    assert sorted(email.to) == ["deputy@oakfield.example", "dsl@oakfield.example"]


def test_nothing_is_sent_until_the_concern_is_committed(
    everyone, school, staff, pupils, mailoutbox
):
    # No capture: the test's transaction never commits, as if recording had failed.
    record_concern(school=school, reporter=staff, pupils=pupils)
    assert mailoutbox == []


def test_an_inactive_member_of_the_dsl_team_is_not_emailed(everyone, deputy, record, mailoutbox):
    deputy.is_active = False
    deputy.save(update_fields=["is_active"])

    record()

    (email,) = mailoutbox
    assert email.to == ["dsl@oakfield.example"]


def test_a_school_without_a_dsl_team_sends_nothing(staff, governor, record, mailoutbox):
    record()
    assert mailoutbox == []


def test_a_correction_to_immediate_danger_alerts_the_team_again(
    everyone, dsl, record, mailoutbox, django_capture_on_commit_callbacks
):
    concern = record()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.concern_correct_record(
            concern=concern,
            by=dsl,
            version=concern.version,
            reason="The mother says the man is meeting her tonight.",
            discloser_type=concern.discloser_type,
            discloser_name=concern.discloser_name,
            discloser_relationship=concern.discloser_relationship,
            disclosed_at=concern.disclosed_at,
            location=concern.location,
            account=concern.account,
            categories=[category("sharing-nudes")],
            adult_involved=YesNoUnknown.YES,
            parent_wishes=concern.parent_wishes,
            immediate_danger=True,
        )

    (email,) = mailoutbox
    assert email.subject.startswith("IMMEDIATE DANGER:")


# Assignment: the member of the DSL team a concern is given to hears about it.


@pytest.fixture
def assign(django_capture_on_commit_callbacks):
    def assign(concern, *, by, assignee):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.concern_assign(concern=concern, by=by, assignee=assignee)
        return callbacks

    return assign


def test_an_assignment_is_sent_to_the_assignee_only(
    everyone, record, assign, dsl, deputy, mailoutbox
):
    concern = record()
    mailoutbox.clear()

    assign(concern, by=dsl, assignee=deputy)

    (email,) = mailoutbox
    assert email.to == ["deputy@oakfield.example"]
    assert (email.cc, email.bcc) == ([], [])
    assert email.subject == f"Safeguarding concern {concern.reference} has been assigned to you"
    link = "http://testserver" + reverse("concerns:detail", args=[concern.uuid])
    assert concern.reference in email.body
    assert link in email.body


def test_the_assignment_email_names_no_child_and_holds_no_detail(
    everyone, record, assign, dsl, deputy, mailoutbox, pupils
):
    concern = record(
        discloser_name="Mrs Sarah Example",
        account="She said a man called sparkle_friend_11 asked for pictures.",
        location="Boarding house",
    )
    mailoutbox.clear()

    assign(concern, by=dsl, assignee=deputy)

    (email,) = mailoutbox
    text = f"{email.subject}\n{email.body}"
    for pupil in pupils:
        assert pupil.legal_first_name not in text
        assert pupil.legal_last_name not in text
    for detail in ["Sarah", "Example", "sparkle_friend_11", "pictures", "Boarding house"]:
        assert detail not in text
    assert category("sharing-nudes").name not in text


def test_taking_a_concern_yourself_sends_no_email(everyone, record, assign, dsl, mailoutbox):
    concern = record()
    mailoutbox.clear()

    callbacks = assign(concern, by=dsl, assignee=dsl)

    assert callbacks == []
    assert mailoutbox == []


def test_no_assignment_email_until_the_assignment_is_committed(
    everyone, record, dsl, deputy, mailoutbox
):
    concern = record()
    mailoutbox.clear()
    # No capture: the test's transaction never commits.
    services.concern_assign(concern=concern, by=dsl, assignee=deputy)
    assert mailoutbox == []


def test_an_assignee_who_has_left_by_the_time_the_task_runs_is_not_emailed(
    everyone, record, dsl, deputy, mailoutbox
):
    concern = record()
    mailoutbox.clear()
    services.concern_assign(concern=concern, by=dsl, assignee=deputy)
    deputy.is_active = False
    deputy.save(update_fields=["is_active"])

    assert notify_assignee.call(concern.pk) == 0
    assert mailoutbox == []
