"""A member of staff whose session ends while they type loses nothing: after signing in
again, the form comes back exactly as typed, for them and nobody else, and nothing is saved
until they send it again."""

import datetime
import json

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern, Note
from tests.factories import PASSWORD, record_concern
from tests.test_views_concerns import form_state, page_text, record_form, url

START = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))
RESTORED = "Your session ended before this was saved. Nothing you typed has been lost"
ACCOUNT = "She said: 'He told me to keep it a secret from Mum.'"


def login_page() -> str:
    return resolve_url(settings.LOGIN_URL)


def sign_in(client, user, *, at: str | None = None):
    """Sign in through the real login form, posted to `at` (the login page with its ?next=)."""
    # Django's form names the email field "username", allauth's "login"; each ignores the other.
    fields = {"username": user.email, "login": user.email, "password": PASSWORD}
    response = client.post(at or login_page(), fields)
    assert response.status_code == 302, "the sign-in was refused"
    return response


def sessions_holding(text: str) -> int:
    """How many stored sessions, ended or not, hold `text` anywhere in their data."""
    return sum(text in json.dumps(row.get_decoded()) for row in Session.objects.all())


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def idle_past_the_limit(clock):
    clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 10))


def test_a_concern_sent_after_the_session_ended_comes_back_as_typed_and_is_saved_when_resent(
    client, clock, staff, pupils
):
    typed = record_form(pupils, account=ACCOUNT)
    sign_in(client, staff)
    client.get(reverse("concerns:new"))
    idle_past_the_limit(clock)

    sent = client.post(reverse("concerns:new"), typed)

    assert sent.status_code == 302
    assert sent.url == f"{login_page()}?next={reverse('concerns:new')}"
    assert not Concern.objects.exists()

    back = sign_in(client, staff, at=sent.url)
    assert back.url == reverse("concerns:new")
    restored = client.get(back.url)

    assert RESTORED in page_text(restored)
    shown = form_state(restored)
    for field, value in typed.items():
        if field.startswith("child_") and not value:
            # A row with no child chosen comes back as its empty search box.
            assert shown[f"{field}_q"] == [""]
            continue
        # Ticked boxes come back in the page's order, not necessarily the order ticked.
        assert sorted(shown[field]) == sorted(value if isinstance(value, list) else [value])
    assert not Concern.objects.exists()

    # Checked, then sent again: now it is recorded, as typed.
    resent = client.post(reverse("concerns:new"), typed)
    concern = Concern.objects.get()
    assert resent.url == url("recorded", concern)
    assert concern.account == ACCOUNT
    assert concern.reporter_id == staff.pk


def test_a_restored_form_is_given_back_once(client, clock, staff, pupils):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    sent = client.post(reverse("concerns:new"), record_form(pupils, account=ACCOUNT))
    sign_in(client, staff, at=sent.url)
    assert RESTORED in page_text(client.get(reverse("concerns:new")))

    again = client.get(reverse("concerns:new"))

    assert RESTORED not in page_text(again)
    assert ACCOUNT not in page_text(again)
    assert sessions_holding(ACCOUNT) == 0


def test_someone_else_signing_in_on_that_browser_never_sees_what_was_typed(
    client, clock, staff, other_staff, pupils
):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    sent = client.post(reverse("concerns:new"), record_form(pupils, account=ACCOUNT))
    assert sessions_holding(ACCOUNT) == 1, "kept for Tom"

    sign_in(client, other_staff, at=sent.url)
    page = client.get(reverse("concerns:new"))

    assert RESTORED not in page_text(page)
    assert ACCOUNT not in page_text(page)
    assert form_state(page)["account"] == [""]
    # Dropped when they signed in, so not there for the author either.
    assert sessions_holding(ACCOUNT) == 0
    client.logout()
    sign_in(client, staff)
    assert ACCOUNT not in page_text(client.get(reverse("concerns:new")))


def test_nothing_is_kept_when_the_ended_session_is_gone(client, clock, staff, pupils):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    # The nightly clean-up has removed the ended session: nobody can say whose form it is.
    call_command("clearsessions")

    sent = client.post(reverse("concerns:new"), record_form(pupils, account=ACCOUNT))

    assert sent.url == f"{login_page()}?next={reverse('concerns:new')}"
    assert sessions_holding(ACCOUNT) == 0
    sign_in(client, staff, at=sent.url)
    page = client.get(reverse("concerns:new"))
    assert RESTORED not in page_text(page)
    assert ACCOUNT not in page_text(page)


def test_nothing_is_kept_from_a_browser_that_was_never_signed_in(client, staff, pupils):
    sent = client.post(reverse("concerns:new"), record_form(pupils, account=ACCOUNT))

    assert sent.url == f"{login_page()}?next={reverse('concerns:new')}"
    assert sessions_holding(ACCOUNT) == 0


def test_files_are_not_kept_but_the_text_is(client, clock, staff, pupils):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    typed = record_form(pupils, account=ACCOUNT)
    photo = SimpleUploadedFile("notes.txt", b"handwritten notes", content_type="text/plain")

    sent = client.post(reverse("concerns:new"), {**typed, "file": photo})
    sign_in(client, staff, at=sent.url)
    restored = client.get(reverse("concerns:new"))

    assert "Files cannot be kept: attach them again." in page_text(restored)
    assert form_state(restored)["account"] == [ACCOUNT]
    assert sessions_holding("handwritten notes") == 0


def test_a_form_too_big_to_keep_is_not_kept(client, clock, staff, pupils):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    huge = "A" * 250_000

    sent = client.post(reverse("concerns:new"), record_form(pupils, account=huge))
    sign_in(client, staff, at=sent.url)

    assert RESTORED not in page_text(client.get(reverse("concerns:new")))
    assert sessions_holding(huge) == 0


def test_a_form_not_taken_back_within_a_day_is_dropped(client, clock, staff, pupils):
    sign_in(client, staff)
    idle_past_the_limit(clock)
    sent = client.post(reverse("concerns:new"), record_form(pupils, account=ACCOUNT))
    sign_in(client, staff, at=sent.url)
    # Busy elsewhere all day, never back at the form.
    for _ in range(24 * 60 // 25 + 1):
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200

    page = client.get(reverse("concerns:new"))

    assert RESTORED not in page_text(page)
    assert ACCOUNT not in page_text(page)


def test_a_note_sent_after_the_session_ended_comes_back_on_the_concern_page(
    client, clock, school, staff, pupils
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    note = "Her friend's mother rang this morning: the same man contacted her daughter."
    sign_in(client, staff)
    client.get(url("detail", concern))
    idle_past_the_limit(clock)

    sent = client.post(url("add_note", concern), {"text": note})

    # Back to the concern's page after signing in, not to the note's POST-only address.
    assert sent.url == f"{login_page()}?next={url('detail', concern)}"
    back = sign_in(client, staff, at=sent.url)
    assert back.url == url("detail", concern)
    page = client.get(back.url)
    assert RESTORED in page_text(page)
    assert form_state(page)["text"] == [note]
    assert not Note.objects.filter(concern=concern).exists()


def test_a_note_that_cannot_be_kept_is_sent_to_sign_in_as_before(client, school, staff, pupils):
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])

    sent = client.post(url("add_note", concern), {"text": "Something else she said."})

    assert sent.url == f"{login_page()}?next={url('add_note', concern)}"
    assert sessions_holding("Something else she said.") == 0
