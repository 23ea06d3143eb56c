"""A signed-in session ends after 30 idle minutes, and lasts while the user is active."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

START = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_session_left_idle_for_30_minutes_ends(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, staff)
        clock.move_to(START + datetime.timedelta(minutes=29))
        assert is_signed_in(client)

    # The same browser, 31 minutes after its last request.
    with time_machine.travel(START + datetime.timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_an_active_session_is_kept_alive(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, staff)
        # Well past 30 minutes from sign-in, but never 30 minutes without a request.
        for minutes in (20, 40, 60, 80):
            clock.move_to(START + datetime.timedelta(minutes=minutes))
            assert is_signed_in(client), f"signed out at {minutes} minutes"


def session_writes(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert is_signed_in(client)
    return sum(q["sql"].startswith('UPDATE "django_session"') for q in queries)


def test_the_session_is_written_at_most_once_a_minute(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, staff)
        clock.move_to(START + datetime.timedelta(seconds=30))
        assert session_writes(client) == 0
        clock.move_to(START + datetime.timedelta(seconds=61))
        assert session_writes(client) == 1
        clock.move_to(START + datetime.timedelta(seconds=90))
        assert session_writes(client) == 0
