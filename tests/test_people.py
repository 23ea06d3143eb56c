"""The school administrator's people pages: accounts are made by invitation, never by sign-up.

Invitation e-mails are queued with transaction.on_commit; a test's transaction never commits,
so django_capture_on_commit_callbacks(execute=True) runs them as the commit would.
"""

import datetime
import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schools.models import Membership, Role, User
from tests.factories import PASSWORD, member, totp_code
from tests.test_views_concerns import page_text

PEOPLE = reverse("people")
INVITE = reverse("person_invite")
NEW_PASSWORD = "correct horse battery staple"
LINK = re.compile(r"http://testserver(/invitation/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def other_admin(other_school):
    return member(
        other_school, Role.SCHOOL_ADMIN, full_name="Rob River", email="admin@riverside.example"
    )


@pytest.fixture
def admin_client(school_admin):
    return signed_in(school_admin)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def role_url(user) -> str:
    return reverse("person_role", args=[user.uuid])


def sign_in_url(user) -> str:
    return reverse("person_sign_in", args=[user.uuid])


def resend_url(user) -> str:
    return reverse("invitation_resend", args=[user.uuid])


def invite(client, capture, **fields):
    data = {
        "full_name": "Nina New",
        "email": "nina.new@oakfield.example",
        "job_title": "Teaching assistant",
        "role": Role.STAFF,
        **fields,
    }
    with capture(execute=True):
        return client.post(INVITE, data)


def link_in(email) -> str:
    match = LINK.search(email.body)
    assert match, email.body
    return match.group(1)


def accept(link, password=NEW_PASSWORD, again=None):
    return Client().post(link, {"new_password1": password, "new_password2": again or password})


# --- The people page -----------------------------------------------------------------------


def test_the_admin_sees_everyone_at_their_school_and_no_one_from_another(
    admin_client, school_admin, staff, dsl, other_dsl, school, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    User.objects.filter(pk=dsl.pk).update(is_active=False)

    text = page_text(admin_client.get(PEOPLE))

    assert "Tom Teacher staff@oakfield.example" in text
    assert "Dana Lead dsl@oakfield.example" in text
    assert "Ada Admin (you)" in text
    assert "Nina New nina.new@oakfield.example Teaching assistant Member of staff" in text
    assert "Not accepted yet" in text
    assert "Turned off" in text
    assert "Rita River" not in text and "riverside" not in text
    assert text.count("Resend invitation") == 1


def test_the_admin_reaches_the_people_page_from_home(admin_client):
    page = admin_client.get(reverse("home")).content.decode()

    assert f'href="{PEOPLE}"' in page
    assert f'href="{reverse("pupil_import")}"' in page


def test_the_people_page_costs_the_same_for_3_people_as_for_10(
    admin_client, school, staff, dsl, django_assert_num_queries
):
    # - the session
    # - the signed-in user
    # - the admin's memberships, with their schools (which school do they administer?)
    # - the school's memberships, with their users
    # - the user's memberships again, for the navigation
    expected = 5
    with django_assert_num_queries(expected):
        three = admin_client.get(PEOPLE)
    for number in range(7):
        member(school, Role.STAFF, full_name=f"Extra Person {number}")
    with django_assert_num_queries(expected):
        ten = admin_client.get(PEOPLE)

    assert "3 people" in page_text(three)
    assert "10 people" in page_text(ten)


# --- Inviting someone ----------------------------------------------------------------------


def test_an_invitation_emails_a_link_that_sets_the_password_and_lets_them_sign_in(
    admin_client, school, school_admin, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks, role=Role.DEPUTY_DSL)

    assert response.status_code == 302
    assert response.url == PEOPLE
    nina = User.objects.get(email="nina.new@oakfield.example")
    assert not nina.has_usable_password()
    membership = Membership.objects.get(user=nina)
    assert (membership.school_id, membership.role) == (school.pk, Role.DEPUTY_DSL)
    created = Membership.history.get(id=membership.pk)
    assert (created.history_user_id, created.history_change_reason) == (
        school_admin.pk,
        "Invited as deputy designated safeguarding lead",
    )
    (email,) = mailoutbox
    assert email.to == ["nina.new@oakfield.example"]
    assert "Oakfield Primary School" in email.subject
    assert "Ada Admin has invited you" in email.body
    link = link_in(email)

    page = Client().get(link)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    text = page_text(page)
    assert "Nina New" in text and "Oakfield Primary School" in text

    response = accept(link)
    assert response.status_code == 302
    assert response.url == login_url()
    nina.refresh_from_db()
    assert nina.check_password(NEW_PASSWORD)
    assert Client().login(email="nina.new@oakfield.example", password=NEW_PASSWORD)


def test_after_accepting_they_are_told_to_sign_in(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    client = Client()

    response = client.post(
        link_in(mailoutbox[0]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[0] == (login_url(), 302)
    assert "Your password has been set. Sign in with your email address and password." in (
        page_text(response)
    )
    assert isinstance(response.wsgi_request.user, AnonymousUser)


def test_the_link_works_only_once(admin_client, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    accept(link)

    again = Client().get(link)
    second_try = accept(link, password="another long passphrase here")

    assert again.status_code == 404
    assert "Ask your school administrator to send you a new invitation" in page_text(again)
    assert second_try.status_code == 404
    nina = User.objects.get(email="nina.new@oakfield.example")
    assert nina.check_password(NEW_PASSWORD)


def test_the_link_expires(
    admin_client, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    invite(admin_client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    timeout = datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)

    time_machine.shift(timeout - datetime.timedelta(hours=1))
    assert Client().get(link).status_code == 200

    time_machine.shift(datetime.timedelta(hours=2))
    expired = Client().get(link)
    assert expired.status_code == 404
    assert "This invitation link does not work" in page_text(expired)
    assert accept(link).status_code == 404
    assert not User.objects.get(email="nina.new@oakfield.example").has_usable_password()


def test_a_weak_or_mistyped_password_is_explained(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])

    short = accept(link, password="short pass")
    mistyped = accept(link, again="correct horse battery stapel")

    assert short.status_code == 200
    assert "There is a problem" in page_text(short)
    assert "at least 12 characters" in page_text(short)
    assert "The passwords do not match" in page_text(mistyped)
    assert not User.objects.get(email="nina.new@oakfield.example").has_usable_password()


def test_a_made_up_link_is_refused(db):
    response = Client().get(reverse("invitation_accept", args=["bm90LWEtdXVpZA", "1-abc"]))

    assert response.status_code == 404
    assert "Ask your school administrator" in page_text(response)


def test_a_link_for_someone_whose_sign_in_was_turned_off_is_refused(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    User.objects.filter(email="nina.new@oakfield.example").update(is_active=False)

    assert accept(link_in(mailoutbox[0])).status_code == 404
    assert not User.objects.get(email="nina.new@oakfield.example").has_usable_password()


def test_inviting_an_existing_member_is_explained_and_keeps_what_was_typed(
    admin_client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(
        admin_client,
        django_capture_on_commit_callbacks,
        full_name="Thomas Teacher",
        email="STAFF@oakfield.example",
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Tom Teacher (staff@oakfield.example) is already a member of Oakfield" in text
    page = response.content.decode()
    assert 'value="Thomas Teacher"' in page
    assert 'value="STAFF@oakfield.example"' in page or 'value="staff@oakfield.example"' in page
    assert 'value="Teaching assistant"' in page
    assert Membership.objects.filter(user=staff).count() == 1
    assert mailoutbox == []


def test_someone_from_another_school_is_added_here_and_told(
    admin_client, school, other_school, other_dsl, mailoutbox, django_capture_on_commit_callbacks
):
    password_before = other_dsl.password

    response = invite(
        admin_client,
        django_capture_on_commit_callbacks,
        full_name="Somebody Else",
        email="dsl@riverside.example",
        role=Role.GOVERNOR,
    )

    assert response.status_code == 302
    other_dsl.refresh_from_db()
    assert other_dsl.password == password_before
    assert other_dsl.full_name == "Rita River"
    assert set(Membership.objects.filter(user=other_dsl).values_list("school", "role")) == {
        (other_school.pk, Role.DSL),
        (school.pk, Role.GOVERNOR),
    }
    (email,) = mailoutbox
    assert email.to == ["dsl@riverside.example"]
    assert "added to Oakfield Primary School" in email.body
    assert "existing password" in email.body
    assert "/invitation/" not in email.body
    assert answer(response) == [
        "Somebody Else has been invited to Oakfield Primary School. We have e-mailed "
        "dsl@riverside.example to tell them how to sign in."
    ]


def test_someone_whose_sign_in_another_school_turned_off_is_added_and_told_by_email(
    admin_client, school, other_school, other_dsl, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=other_dsl.pk).update(is_active=False)

    response = invite(
        admin_client, django_capture_on_commit_callbacks, email="dsl@riverside.example"
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=other_dsl, school=school).exists()
    other_dsl.refresh_from_db()
    assert not other_dsl.is_active  # another school's decision, which this one can't undo
    (email,) = mailoutbox
    assert "added to Oakfield Primary School" in email.body
    assert "Your sign-in to Safeguard is turned off" in email.body


def answer(response) -> list[str]:
    """The messages the admin is shown after posting the invitation."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "elsewhere",
    ["nothing", "signs in at another school", "invited by another school", "turned off"],
)
def test_an_invitation_says_nothing_about_another_schools_people(
    elsewhere, admin_client, other_school, other_admin, django_capture_on_commit_callbacks
):
    """Whatever another school knows of the address, the admin here is sent to the same page
    with the same words, and the name they typed."""
    if elsewhere == "invited by another school":
        invite(signed_in(other_admin), django_capture_on_commit_callbacks, full_name="Rita River")
    elif elsewhere != "nothing":
        rita = member(
            other_school, Role.DSL, full_name="Rita River", email="nina.new@oakfield.example"
        )
        rita.is_active = elsewhere != "turned off"
        rita.save(update_fields=["is_active"])

    response = invite(admin_client, django_capture_on_commit_callbacks)

    assert (response.status_code, response.url) == (302, PEOPLE)
    assert answer(response) == [
        "Nina New has been invited to Oakfield Primary School. We have e-mailed "
        "nina.new@oakfield.example to tell them how to sign in."
    ]


def person_url(user) -> str:
    return reverse("person_role", args=[user.uuid])


def test_until_they_sign_in_someone_from_another_school_looks_like_anyone_invited(
    admin_client, other_dsl, mailoutbox, django_capture_on_commit_callbacks
):
    """Rita River has an account at Riverside, with a password, a second factor and a sign-in
    yesterday. Invited here as "R. River", she reads exactly as a brand-new invitee does."""
    User.objects.filter(pk=other_dsl.pk).update(
        job_title="Deputy head", last_login=timezone.now() - datetime.timedelta(days=1)
    )
    invite(admin_client, django_capture_on_commit_callbacks)  # Nina New, a new account
    invite(
        admin_client,
        django_capture_on_commit_callbacks,
        full_name="R. River",
        email="dsl@riverside.example",
        job_title="Visiting DSL",
    )

    people = page_text(admin_client.get(PEOPLE))
    rita = page_text(admin_client.get(person_url(other_dsl)))
    nina = page_text(admin_client.get(person_url(User.objects.get(full_name="Nina New"))))

    assert "R. River dsl@riverside.example Visiting DSL Member of staff Not accepted yet" in people
    assert "Nina New nina.new@oakfield.example Teaching assistant Member of staff" in people
    assert people.count("Not accepted yet") == 2 and people.count("Resend invitation") == 2
    for secret in ("Rita River", "Deputy head", "Riverside", "Last signed in"):
        assert secret not in rita
    for secret in ("Rita River", "Deputy head", "Riverside"):
        assert secret not in people
    assert people.count("Last signed in") == 1  # the admin's own
    assert "Second factor Shown once they have accepted" in rita
    assert "Second factor Shown once they have accepted" in nina
    assert "Reset their second factor" not in rita

    reset = reverse("person_second_factor_reset", args=[other_dsl.uuid])
    refused = admin_client.post(reset, {"second_factor-reason": "Lost her phone"})
    assert "R. River has not accepted their invitation yet" in page_text(refused)
    assert Authenticator.objects.filter(user=other_dsl).exists()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_client.post(resend_url(other_dsl), follow=True)
    assert "A new invitation has been e-mailed to R. River." in page_text(resent)
    (email,) = mailoutbox
    assert email.to == ["dsl@riverside.example"] and "existing password" in email.body


def test_once_they_sign_in_the_school_sees_them_as_they_are(
    admin_client, school, other_dsl, django_capture_on_commit_callbacks
):
    invite(
        admin_client,
        django_capture_on_commit_callbacks,
        full_name="R. River",
        email="dsl@riverside.example",
    )
    assert "R. River" in page_text(admin_client.get(PEOPLE))  # and the message is read

    signed_in(other_dsl)  # however she signs in, at either school

    membership = Membership.objects.get(user=other_dsl, school=school)
    assert membership.joined_at is not None
    joined = membership.history.latest()
    assert (joined.history_user, joined.history_change_reason) == (
        other_dsl,
        "Joined: accepted or signed in since invited",
    )
    people = page_text(admin_client.get(PEOPLE))
    assert "Rita River dsl@riverside.example" in people and "R. River" not in people
    assert "Not accepted yet" not in people and "Resend invitation" not in people
    rita = page_text(admin_client.get(person_url(other_dsl)))
    assert "Second factor Authenticator app set up" in rita
    refused = admin_client.post(resend_url(other_dsl), follow=True)
    assert "Rita River has already accepted their invitation." in page_text(refused)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"full_name": ""}, "Enter their full name"),
        ({"email": "nina at oakfield"}, "Enter an email address in the correct format"),
        ({"role": ""}, "Select their role"),
        ({"role": "head_teacher"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_typed_is_lost(
    admin_client, fields, error, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks, **fields)

    assert response.status_code == 200
    assert error in page_text(response)
    page = response.content.decode()
    assert 'value="Teaching assistant"' in page
    if "full_name" not in fields:
        assert 'value="Nina New"' in page
    assert not User.objects.filter(job_title="Teaching assistant").exists()
    assert mailoutbox == []


def test_a_new_invitation_can_be_sent_until_it_is_accepted(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    nina = User.objects.get(email="nina.new@oakfield.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(resend_url(nina), follow=True)

    assert "A new invitation has been e-mailed to Nina New" in page_text(response)
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["nina.new@oakfield.example"]
    accept(link_in(mailoutbox[1]))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(resend_url(nina), follow=True)

    assert "Nina New has already accepted their invitation" in page_text(response)
    assert len(mailoutbox) == 2
    assert "Resend invitation" not in page_text(response)


def test_no_one_can_sign_themselves_up(client, db):
    stranger = {
        "email": "stranger@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "full_name": "A Stranger",
        "role": Role.SCHOOL_ADMIN,
    }
    for path in ("/accounts/signup/", INVITE):
        client.post(path, stranger)

    assert not User.objects.filter(email="stranger@example.com").exists()
    # Nobody is signed in by it: the next page still asks who you are.
    assert client.get(PEOPLE).url.startswith(login_url())

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert Membership.objects.count() == 0


# --- Changing a role -----------------------------------------------------------------------


def test_changing_a_role_records_who_decided_and_why(admin_client, school_admin, staff):
    response = admin_client.post(
        role_url(staff), {"role": Role.DEPUTY_DSL, "reason": "Trained as deputy DSL in June"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=staff)
    assert membership.role == Role.DEPUTY_DSL
    latest = Membership.history.filter(id=membership.pk).latest("history_date")
    assert latest.history_user_id == school_admin.pk
    assert latest.history_change_reason == (
        "Role changed from member of staff to deputy designated safeguarding lead: "
        "Trained as deputy DSL in June"
    )
    assert "Tom Teacher is now deputy designated safeguarding lead" in page_text(
        admin_client.get(response.url)
    )


def test_a_role_change_needs_a_reason_and_keeps_the_choice(admin_client, staff):
    response = admin_client.post(role_url(staff), {"role": Role.GOVERNOR, "reason": "  "})

    assert response.status_code == 200
    assert "Give the reason for changing the role" in page_text(response)
    assert re.search(r'value="governor"[^>]* checked', response.content.decode())
    assert Membership.objects.get(user=staff).role == Role.STAFF


def test_the_admin_cannot_change_their_own_role(admin_client, school_admin):
    page = admin_client.get(role_url(school_admin))
    response = admin_client.post(
        role_url(school_admin), {"role": Role.STAFF, "reason": "Stepping down"}
    )

    assert "You cannot change your own role" in page_text(page)
    assert response.status_code == 200
    assert "You cannot change your own role" in page_text(response)
    assert Membership.objects.get(user=school_admin).role == Role.SCHOOL_ADMIN


# --- Turning sign-in off and on ------------------------------------------------------------


def test_turning_sign_in_off_signs_a_leaver_out_and_keeps_everything(
    admin_client, school_admin, staff
):
    leaver = signed_in(staff)
    assert leaver.get(reverse("home")).status_code == 200

    response = admin_client.post(
        sign_in_url(staff), {"sign_in-turn": "off", "sign_in-reason": "Left in July"}
    )

    assert response.status_code == 302
    next_request = leaver.get(reverse("home"))
    assert next_request.status_code == 302
    assert next_request.url.startswith(login_url())
    assert not Client().login(email="staff@oakfield.example", password=PASSWORD)
    staff.refresh_from_db()
    assert not staff.is_active
    membership = Membership.objects.get(user=staff)
    latest = Membership.history.filter(id=membership.pk).latest("history_date")
    assert (latest.history_user_id, latest.history_change_reason) == (
        school_admin.pk,
        "Sign-in turned off: Left in July",
    )
    assert "Turned off" in page_text(admin_client.get(PEOPLE))

    admin_client.post(sign_in_url(staff), {"sign_in-turn": "on", "sign_in-reason": "Came back"})

    assert Client().login(email="staff@oakfield.example", password=PASSWORD)


def test_sign_in_off_needs_a_reason(admin_client, staff):
    response = admin_client.post(sign_in_url(staff), {"sign_in-turn": "off"})

    assert response.status_code == 200
    assert "Give the reason" in page_text(response)
    staff.refresh_from_db()
    assert staff.is_active


def test_sign_in_stays_on_while_another_school_still_needs_them(admin_client, school, other_dsl):
    Membership.objects.create(user=other_dsl, school=school, role=Role.STAFF)

    response = admin_client.post(
        sign_in_url(other_dsl), {"sign_in-turn": "off", "sign_in-reason": "Left us"}
    )

    assert response.status_code == 200
    assert "Another school still needs Rita River" in page_text(response)
    assert "Riverside" not in page_text(response)
    other_dsl.refresh_from_db()
    assert other_dsl.is_active


def test_the_admin_cannot_turn_off_their_own_sign_in(admin_client, school_admin):
    response = admin_client.post(
        sign_in_url(school_admin), {"sign_in-turn": "off", "sign_in-reason": "Leaving"}
    )

    assert "You cannot turn off your own sign-in" in page_text(response)
    school_admin.refresh_from_db()
    assert school_admin.is_active


# --- Who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "dsl", "governor"])
def test_other_roles_of_the_school_are_refused(
    persona, request, staff, school_admin, mailoutbox, django_capture_on_commit_callbacks
):
    client = signed_in(request.getfixturevalue(persona))

    for address in (PEOPLE, INVITE, role_url(school_admin)):
        assert client.get(address).status_code == 403
    assert invite(client, django_capture_on_commit_callbacks).status_code == 403
    posts = {
        role_url(school_admin): {"role": Role.STAFF, "reason": "Taking over"},
        sign_in_url(school_admin): {"sign_in-turn": "off", "sign_in-reason": "Taking over"},
        resend_url(school_admin): {},
    }
    for address, data in posts.items():
        assert client.post(address, data).status_code == 403

    school_admin.refresh_from_db()
    assert school_admin.is_active
    assert Membership.objects.get(user=school_admin).role == Role.SCHOOL_ADMIN
    assert not User.objects.filter(email="nina.new@oakfield.example").exists()
    assert mailoutbox == []


def test_another_schools_admin_never_finds_our_people(other_admin, staff):
    client = signed_in(other_admin)

    assert "Tom Teacher" not in page_text(client.get(PEOPLE))
    assert client.get(role_url(staff)).status_code == 404
    assert client.post(role_url(staff), {"role": Role.DSL, "reason": "x"}).status_code == 404
    off = {"sign_in-turn": "off", "sign_in-reason": "x"}
    assert client.post(sign_in_url(staff), off).status_code == 404
    assert client.post(resend_url(staff)).status_code == 404
    staff.refresh_from_db()
    assert staff.is_active
    assert Membership.objects.get(user=staff).role == Role.STAFF


def test_another_schools_admin_cannot_reset_our_second_factors(other_admin, dsl):
    reset = reverse("person_second_factor_reset", args=[dsl.uuid])

    assert signed_in(other_admin).post(reset, {"second_factor-reason": "x"}).status_code == 404
    assert Authenticator.objects.filter(user=dsl).exists()


@pytest.mark.parametrize("persona", ["staff", "deputy", "governor"])
def test_other_roles_of_the_school_cannot_reset_a_second_factor(persona, request, dsl):
    reset = reverse("person_second_factor_reset", args=[dsl.uuid])
    client = signed_in(request.getfixturevalue(persona))

    assert client.post(reset, {"second_factor-reason": "Lost her phone"}).status_code == 403
    assert Authenticator.objects.filter(user=dsl).exists()


def test_anonymous_users_are_sent_to_sign_in(client, staff):
    for address in (PEOPLE, INVITE, role_url(staff)):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(login_url())


def test_sign_in_and_resend_are_post_only(admin_client, staff):
    assert admin_client.get(sign_in_url(staff)).status_code == 405
    assert admin_client.get(resend_url(staff)).status_code == 405


# --- Lifting a lockout after failed sign-ins ------------------------------------------------


def lift_url(user) -> str:
    return reverse("person_lockout_lift", args=[user.uuid])


def locked_out(user) -> Client:
    """A browser at which `user` has got their password wrong 5 times, and is told to wait."""
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert "Too many failed attempts" in page_text(sign_in(client, user))
    return client


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_the_admin_lets_someone_locked_out_sign_in_again(admin_client, school_admin, dsl, staff):
    dsl_browser = locked_out(dsl)
    staff_browser = locked_out(staff)
    assert "Let them sign in again" in page_text(admin_client.get(role_url(dsl)))

    response = admin_client.post(lift_url(dsl))

    assert response.url == PEOPLE
    assert "Dana Lead can sign in again now" in page_text(admin_client.get(PEOPLE))
    assert sign_in(dsl_browser, dsl).url == reverse("mfa_authenticate")
    latest = Membership.history.filter(id=dsl.memberships.get().pk).latest("history_date")
    assert (latest.history_user_id, latest.history_change_reason) == (
        school_admin.pk,
        "Lockout lifted: failed sign-ins forgotten",
    )
    # Only that person's lockout is lifted.
    assert "Too many failed attempts" in page_text(sign_in(staff_browser, staff))


def test_lifting_a_lockout_forgets_wrong_codes_too(admin_client, dsl):
    browser = Client()
    sign_in(browser, dsl)
    wrong = "000000" if totp_code() != "000000" else "111111"
    for _ in range(5):
        browser.post(reverse("mfa_authenticate"), {"code": wrong})

    admin_client.post(lift_url(dsl))

    assert browser.post(reverse("mfa_authenticate"), {"code": totp_code()}).url == reverse("home")
    assert browser.session["_auth_user_id"] == str(dsl.pk)


def test_the_admin_is_not_offered_to_lift_their_own_lockout(admin_client, school_admin):
    assert "Let them sign in again" not in page_text(admin_client.get(role_url(school_admin)))


@pytest.mark.parametrize("persona", ["staff", "deputy", "governor"])
def test_other_roles_of_the_school_cannot_lift_a_lockout(persona, request, dsl):
    client = signed_in(request.getfixturevalue(persona))
    browser = locked_out(dsl)

    assert client.post(lift_url(dsl)).status_code == 403
    assert "Too many failed attempts" in page_text(sign_in(browser, dsl))
    assert not Membership.history.filter(history_change_reason__startswith="Lockout").exists()


def test_another_schools_admin_cannot_lift_our_lockouts(other_admin, dsl):
    browser = locked_out(dsl)

    assert signed_in(other_admin).post(lift_url(dsl)).status_code == 404
    assert "Too many failed attempts" in page_text(sign_in(browser, dsl))


def test_lifting_a_lockout_is_post_only_and_needs_signing_in(client, admin_client, dsl):
    browser = locked_out(dsl)

    assert admin_client.get(lift_url(dsl)).status_code == 405
    anonymous = client.post(lift_url(dsl))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(login_url())
    assert "Too many failed attempts" in page_text(sign_in(browser, dsl))


def test_someone_invited_elsewhere_who_has_no_password_yet_gets_a_link(
    admin_client, school, other_admin, mailoutbox, django_capture_on_commit_callbacks
):
    invite(signed_in(other_admin), django_capture_on_commit_callbacks)

    invite(admin_client, django_capture_on_commit_callbacks, role=Role.GOVERNOR)

    assert len(mailoutbox) == 2
    assert "Oakfield Primary School" in mailoutbox[1].subject
    nina = User.objects.get(email="nina.new@oakfield.example")
    assert Membership.objects.filter(user=nina).count() == 2
    accept(link_in(mailoutbox[1]))
    assert Client().login(email="nina.new@oakfield.example", password=NEW_PASSWORD)


def test_a_new_school_gets_its_first_administrator_on_the_server(client, db):
    out = io.StringIO()
    call_command(
        "add_school",
        "--name=Elm Tree Primary",
        "--urn=100200",
        "--admin-name=Erin Admin",
        "--admin-email=Erin@ElmTree.example",
        stdout=out,
    )

    link = out.getvalue().strip().splitlines()[-1]
    membership = Membership.objects.select_related("user", "school").get(school__urn="100200")
    assert (membership.role, membership.user.email) == (Role.SCHOOL_ADMIN, "erin@elmtree.example")
    assert not membership.user.has_usable_password()
    accepted = client.post(
        link.removeprefix("http://testserver"),
        {
            "new_password1": "a-brand-new-long-password",
            "new_password2": "a-brand-new-long-password",
        },
    )
    assert accepted.status_code == 302
    membership.user.refresh_from_db()
    assert membership.user.check_password("a-brand-new-long-password")
    with pytest.raises(CommandError, match="already here"):
        call_command(
            "add_school", "--name=X", "--urn=100200", "--admin-name=Y", "--admin-email=y@x.example"
        )
