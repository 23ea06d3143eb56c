"""The DSL team's subject access pages (issue 16): the register, recording a request, and a
request's page with the forms that move it on.

Each page: what the DSL team sees and does, what a refusal keeps of what was typed, and who is
refused (other roles 403, another school 404, anonymous to sign in, GET on a POST 405).
"""

import datetime
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schools.models import Pupil
from subject_access import services
from subject_access.models import Relationship, Status, SubjectAccessRequest, months_after
from tests.factories import PupilFactory
from tests.test_views_concerns import (
    form_state,
    history_rows,
    messages_shown,
    page_text,
    signed_in,
)

REGISTER = reverse("subject_access:register")
NEW = reverse("subject_access:new")
TODAY = timezone.localdate


def days_ago(days: int) -> date:
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def sar(dsl, pupils) -> SubjectAccessRequest:
    """Amelia's mother asked for Amelia's file ten days ago."""
    return services.request_record(
        pupil=pupils[0],
        by=dsl,
        requester_name="Helen Hart",
        relationship=Relationship.PARENT,
        received_on=days_ago(10),
    )


def detail_url(sar) -> str:
    return reverse("subject_access:detail", args=[sar.uuid])


def action_url(name: str, sar) -> str:
    return reverse(f"subject_access:{name}", args=[sar.uuid])


def fresh(sar) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.get(pk=sar.pk)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- The register ---------------------------------------------------------------------------


def test_the_register_lists_requests_with_their_deadlines(dsl, sar, pupils):
    response = signed_in(dsl).get(REGISTER)

    text = page_text(response)
    assert response.status_code == 200
    assert (
        f"{pupils[0].full_name} {pupils[0].year_group} Helen Hart A parent or carer with "
        f"parental responsibility {sar.received_on.day} {sar.received_on:%b %Y} "
        f"{sar.due_on.day} {sar.due_on:%b %Y} Received"
    ) in text
    assert detail_url(sar) in response.content.decode()


def test_another_schools_dsl_sees_their_own_empty_register(other_dsl, sar, pupils):
    response = signed_in(other_dsl).get(REGISTER)

    assert response.status_code == 200
    assert "No subject access requests have been recorded." in page_text(response)
    assert pupils[0].full_name not in page_text(response)


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_are_refused_the_register_and_the_form(request, persona, pupils):
    client = signed_in(request.getfixturevalue(persona))

    assert client.get(REGISTER).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, record_data(pupils[1])).status_code == 403
    assert not SubjectAccessRequest.objects.exists()


def test_another_schools_dsl_cannot_record_a_request_for_this_schools_pupil(other_dsl, pupils):
    response = signed_in(other_dsl).post(NEW, record_data(pupils[1]))

    # Their own form lists only their own pupils: this one is not a choice there.
    assert "There is a problem" in page_text(response)
    assert not SubjectAccessRequest.objects.exists()


def test_the_register_costs_the_same_for_one_request_as_for_three(
    dsl, sar, pupils, django_assert_num_queries
):
    client = signed_in(dsl)
    # The session, the signed-in user, then: the user's memberships, with their schools
    # (which school acts); the school's requests, with their pupils; the user's memberships
    # again (the navigation).
    with django_assert_num_queries(5):
        client.get(REGISTER)
    for pupil in pupils[1:]:
        services.request_record(
            pupil=pupil,
            by=dsl,
            requester_name="A parent",
            relationship=Relationship.PARENT,
            received_on=days_ago(2),
        )
    with django_assert_num_queries(5):
        response = client.get(REGISTER)
    assert page_text(response).count("A parent or carer with parental responsibility") >= 2


def test_anonymous_people_are_sent_to_sign_in(db, sar):
    client = Client()

    assert is_login_redirect(client.get(REGISTER))
    assert is_login_redirect(client.get(NEW))
    assert is_login_redirect(client.post(NEW, record_data(sar.pupil)))
    assert SubjectAccessRequest.objects.count() == 1
    assert is_login_redirect(client.get(detail_url(sar)))
    for name in ("identity", "extend", "disclose", "refuse"):
        assert is_login_redirect(client.post(action_url(name, sar)))


# --- Recording a request --------------------------------------------------------------------


def record_data(pupil, **changes) -> dict:
    return {
        "pupil": str(pupil.uuid),
        "requester_name": "Sam Patel",
        "relationship": Relationship.REPRESENTATIVE,
        "received_on": days_ago(3).isoformat(),
        **changes,
    }


def test_recording_a_request_opens_its_page_with_the_deadline(dsl, pupils):
    response = signed_in(dsl).post(NEW, record_data(pupils[1]), follow=True)

    sar = SubjectAccessRequest.objects.get()
    due = months_after(days_ago(3), 1)
    assert response.redirect_chain == [(detail_url(sar), 302)]
    assert messages_shown(response) == [
        f"Request recorded for {pupils[1].full_name}'s information. "
        f"It is due on {due.day} {due:%B %Y}."
    ]
    assert (sar.pupil_id, sar.requester_name, sar.status) == (
        pupils[1].pk,
        "Sam Patel",
        Status.RECEIVED,
    )
    assert "Sam Patel: someone acting for them, such as a solicitor" in page_text(response)
    assert len(history_rows(sar)) == 1


def test_a_request_can_be_recorded_for_a_former_pupil(dsl, pupils):
    # A child who has left, or their parent, may ask: they are no longer on the roll.
    Pupil.objects.filter(pk=pupils[1].pk).update(is_on_roll=False)
    signed_in(dsl).post(NEW, record_data(pupils[1]))
    assert SubjectAccessRequest.objects.get().pupil_id == pupils[1].pk


def test_a_request_form_with_mistakes_says_so_and_keeps_what_was_typed(dsl, pupils):
    response = signed_in(dsl).post(
        NEW, record_data(pupils[1], requester_name="Sam Patel", relationship="", received_on="")
    )

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Select who is asking" in text
    assert "Enter the date received" in text
    assert form_state(response)["requester_name"] == ["Sam Patel"]
    assert form_state(response)["pupil"] == [str(pupils[1].uuid)]
    assert not SubjectAccessRequest.objects.exists()


def test_a_request_received_tomorrow_is_refused_beside_the_date(dsl, pupils):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = signed_in(dsl).post(NEW, record_data(pupils[1], received_on=tomorrow))

    assert "The date received cannot be in the future." in page_text(response)
    assert response.context["form"].errors["received_on"]
    assert form_state(response)["received_on"] == [tomorrow]
    assert not SubjectAccessRequest.objects.exists()


def test_a_child_of_another_school_cannot_be_chosen(dsl, other_school):
    elsewhere = PupilFactory(school=other_school)

    response = signed_in(dsl).post(NEW, record_data(elsewhere))

    assert "Find the child on your school's register and choose them" in page_text(response)
    assert not SubjectAccessRequest.objects.exists()


# --- A request's page -----------------------------------------------------------------------


def test_a_requests_page_shows_where_it_stands_and_its_history(dsl, sar, pupils):
    response = signed_in(dsl).get(detail_url(sar))

    text = page_text(response)
    assert f"{pupils[0].full_name}'s information, asked for by Helen Hart" in text
    assert f"Due {sar.due_on.day} {sar.due_on:%B %Y}" in text
    assert "Identity Not checked yet" in text
    assert "Check the requester's identity" in text
    assert "Extend the deadline" in text
    assert "Request received on" in text


def test_a_request_page_costs_the_same_queries_whatever_its_history(
    dsl, sar, django_assert_num_queries
):
    client = signed_in(dsl)
    # - the session
    # - the signed-in user
    # - the request, with its school, pupil, who checked identity and who recorded it
    # - the user's membership at its school (may they handle cases there?)
    # - its history rows, with who made each change
    # - the user's memberships, for the navigation
    with django_assert_num_queries(6):
        client.get(detail_url(sar))
    services.request_check_identity(sar=sar, by=dsl, checked_on=TODAY(), how="Passport")
    services.request_extend(sar=sar, by=dsl, months=1, reason="Complex")
    with django_assert_num_queries(6):
        response = client.get(detail_url(sar))
    assert "Deadline extended by 1 month" in page_text(response)


def test_a_closed_request_has_no_forms(dsl, sar):
    services.request_refuse(sar=sar, by=dsl, refused_on=TODAY(), reason="Manifestly excessive")

    text = page_text(signed_in(dsl).get(detail_url(sar)))

    assert "Refused" in text and "Manifestly excessive" in text
    assert "Record the disclosure" not in text
    assert "Check the requester's identity" not in text


def test_an_overdue_request_says_so(dsl, pupils):
    sar = services.request_record(
        pupil=pupils[0],
        by=dsl,
        requester_name="Amelia Hart",
        relationship=Relationship.CHILD,
        received_on=days_ago(40),
    )

    text = page_text(signed_in(dsl).get(detail_url(sar)))

    assert f"The answer was due on {sar.due_on.day} {sar.due_on:%B %Y}." in text
    assert "Overdue" in text


@pytest.mark.parametrize(("persona", "status"), [("staff", 403), ("governor", 403)])
def test_other_roles_are_refused_a_request(request, sar, persona, status):
    client = signed_in(request.getfixturevalue(persona))

    assert client.get(detail_url(sar)).status_code == status
    for name in ("identity", "extend", "disclose", "refuse"):
        assert client.post(action_url(name, sar)).status_code == status
    assert len(history_rows(sar)) == 1


def test_another_schools_dsl_does_not_find_a_request(other_dsl, sar):
    client = signed_in(other_dsl)

    assert client.get(detail_url(sar)).status_code == 404
    for name in ("identity", "extend", "disclose", "refuse"):
        assert client.post(action_url(name, sar)).status_code == 404
    assert fresh(sar).status == Status.RECEIVED


@pytest.mark.parametrize("name", ["identity", "extend", "disclose", "refuse"])
def test_the_actions_are_post_only(dsl, sar, name):
    assert signed_in(dsl).get(action_url(name, sar)).status_code == 405


# --- Moving a request on --------------------------------------------------------------------


def test_checking_identity_from_the_page(dsl, sar):
    response = signed_in(dsl).post(
        action_url("identity", sar),
        {"identity-checked_on": days_ago(9).isoformat(), "identity-how": "Passport seen"},
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(sar), 302)]
    assert messages_shown(response) == ["Recorded that Helen Hart's identity was checked."]
    assert fresh(sar).status == Status.IDENTITY_CHECKED
    assert "Passport seen" in page_text(response)
    assert history_rows(sar)[-1][0] == dsl.pk


def test_an_identity_check_with_mistakes_keeps_what_was_typed(dsl, sar):
    response = signed_in(dsl).post(
        action_url("identity", sar),
        {"identity-checked_on": days_ago(11).isoformat(), "identity-how": "Passport seen"},
    )

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "The date identity was checked must be on or after the day the request" in text
    assert form_state(response)["identity-how"] == ["Passport seen"]
    assert fresh(sar).status == Status.RECEIVED


def test_extending_from_the_page(dsl, deputy, sar):
    response = signed_in(deputy).post(
        action_url("extend", sar),
        {"extend-months": "2", "extend-reason": "Records from three agencies"},
        follow=True,
    )

    sar = fresh(sar)
    assert sar.status == Status.EXTENDED
    assert sar.due_on == months_after(sar.received_on, 3)
    assert messages_shown(response) == [
        f"Deadline extended to {sar.due_on.day} {sar.due_on:%B %Y}. Tell Helen Hart, and why."
    ]
    assert "Records from three agencies" in page_text(response)


def test_an_extension_without_a_reason_says_so(dsl, sar):
    response = signed_in(dsl).post(action_url("extend", sar), {"extend-months": "1"})

    assert "Say why the request is complex or numerous enough" in page_text(response)
    assert form_state(response)["extend-months"] == ["1"]
    assert fresh(sar).status == Status.RECEIVED


def test_disclosing_before_the_identity_check_is_refused_with_what_was_typed(dsl, sar):
    response = signed_in(dsl).post(
        action_url("disclose", sar),
        {"disclose-disclosed_on": TODAY().isoformat(), "disclose-disclosure": "The whole file"},
    )

    assert "Check the requester's identity before disclosing anything" in page_text(response)
    assert form_state(response)["disclose-disclosure"] == ["The whole file"]
    assert fresh(sar).status == Status.RECEIVED


def test_disclosing_from_the_page_closes_the_request(dsl, sar):
    services.request_check_identity(sar=sar, by=dsl, checked_on=days_ago(9), how="Passport")

    response = signed_in(dsl).post(
        action_url("disclose", sar),
        {"disclose-disclosed_on": TODAY().isoformat(), "disclose-disclosure": "The file, redacted"},
        follow=True,
    )

    assert messages_shown(response) == [
        "Recorded what was disclosed to Helen Hart. The request is closed."
    ]
    sar = fresh(sar)
    assert (sar.status, sar.closed_on, sar.disclosure) == (
        Status.DISCLOSED,
        TODAY(),
        "The file, redacted",
    )


def test_refusing_from_the_page(dsl, sar):
    response = signed_in(dsl).post(
        action_url("refuse", sar),
        {"refuse-refused_on": TODAY().isoformat(), "refuse-reason": "Identity not confirmed"},
        follow=True,
    )

    assert messages_shown(response)[0].startswith("Recorded the refusal.")
    assert fresh(sar).status == Status.REFUSED
    assert "Identity not confirmed" in page_text(response)


def test_a_refusal_without_a_reason_says_so(dsl, sar):
    response = signed_in(dsl).post(
        action_url("refuse", sar), {"refuse-refused_on": TODAY().isoformat()}
    )

    assert "Say why the request is refused" in page_text(response)
    assert fresh(sar).status == Status.RECEIVED
