"""Signing in and out, and where each role starts."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, record_concern
from tests.test_views_concerns import (
    form_state,
    page_text,
    signed_in,
)


@pytest.fixture
def concerns_by_two_members_of_staff(school, staff, other_staff, pupils):
    mine = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    theirs = record_concern(school=school, reporter=other_staff, pupils=pupils[1:2])
    return mine, theirs


# Home.


def test_the_dsl_starts_at_the_triage_queue(dsl, concerns_by_two_members_of_staff):
    response = signed_in(dsl).get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("concerns:queue"), 302)]
    text = page_text(response)
    assert all(c.reference in text for c in concerns_by_two_members_of_staff)


def test_staff_start_by_recording_and_see_only_their_own_concerns(
    staff, concerns_by_two_members_of_staff
):
    mine, theirs = concerns_by_two_members_of_staff

    response = signed_in(staff).get(reverse("home"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Record a concern" in text
    assert "If anyone is in immediate danger, call 999 first." in text
    assert f'href="{reverse("concerns:new")}"' in response.content.decode()
    assert "Concerns you have raised" in text
    assert mine.reference in text
    assert theirs.reference not in text


def test_staff_who_raised_nothing_are_told_so(other_staff, school):
    response = signed_in(other_staff).get(reverse("home"))

    assert "You have not raised any concerns." in page_text(response)


def test_a_governor_starts_at_the_anonymised_dashboard(governor, concerns_by_two_members_of_staff):
    response = signed_in(governor).get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("oversight:dashboard"), 302)]
    text = page_text(response)
    assert "Safeguarding oversight" in text
    assert "Record a concern" not in text
    assert "SG-" not in text
    assert "Amelia" not in text


def test_home_needs_signing_in(client, db):
    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert "Sign in to Safeguard" in page_text(response)


# Signing in and out.


def test_the_sign_in_page_asks_for_email_and_password(client, db):
    response = client.get(reverse("account_login"))

    text = page_text(response)
    assert "Sign in to Safeguard" in text
    assert "Email address" in text and "Password" in text
    assert set(form_state(response)) >= {"login", "password"}


def test_a_wrong_password_is_refused_and_the_email_is_kept(client, staff):
    response = client.post(
        reverse("account_login"), {"login": "staff@oakfield.example", "password": "not-it"}
    )

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Sign in")
    assert "There is a problem" in text
    assert "Enter a correct email address and password" in text
    assert form_state(response)["login"] == ["staff@oakfield.example"]
    assert form_state(response)["password"] == [""]
    assert "_auth_user_id" not in client.session


def test_an_empty_form_asks_for_each_field(client, db):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    text = page_text(response)
    assert "Enter your email address" in text
    assert "Enter your password" in text


def test_signing_in_goes_home(client, staff):
    response = client.post(
        reverse("account_login"), {"login": "Staff@Oakfield.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(staff.pk)
    home = client.get(response.url)
    assert "Tom Teacher" in page_text(home)
    assert "Record a concern" in page_text(home)


def test_signing_in_returns_to_the_page_asked_for(client, staff, concerns_by_two_members_of_staff):
    mine, _ = concerns_by_two_members_of_staff
    detail = reverse("concerns:detail", args=[mine.uuid])

    sent = client.get(detail)
    page = client.get(sent.url)
    response = client.post(
        sent.url, {"login": staff.email, "password": PASSWORD, "next": detail}, follow=True
    )

    assert form_state(page)["next"] == [detail]
    assert response.redirect_chain == [(detail, 302)]
    assert f"Concern {mine.reference}" in page_text(response)


def test_signing_in_will_not_send_anyone_to_another_site(client, staff):
    response = client.post(
        reverse("account_login"),
        {"login": staff.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.url == reverse("home")


def test_someone_signed_in_is_sent_home_from_the_sign_in_page(staff):
    response = signed_in(staff).get(reverse("account_login"))

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_signing_out_ends_the_session(staff):
    client = signed_in(staff)

    response = client.post(reverse("account_logout"), follow=True)

    assert response.redirect_chain == [(reverse("account_login"), 302)]
    assert "Sign in to Safeguard" in page_text(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).url == "/accounts/login/?next=/"


def test_opening_the_sign_out_address_asks_before_signing_out(staff):
    client = signed_in(staff)

    response = client.get(reverse("account_logout"))

    assert "Sign out" in page_text(response)
    assert form_state(response).keys() >= {"csrfmiddlewaretoken"}
    assert client.session["_auth_user_id"] == str(staff.pk)
