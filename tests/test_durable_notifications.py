"""Notifications are not lost: a mail server that refuses is tried again with backoff; one
that never recovers leaves the school a visible record; a task whose worker was killed runs
again.

Notifications go on the database queue (django-tasks-db); `run_queued_tasks` runs the real
worker loop in this process, and a test that kills a worker runs one in a real subprocess.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from schools import services as schools_services
from schools.models import FailedNotification, Role
from schools.notifications import ATTEMPTS, RETRY_DELAYS
from tests.factories import record_concern
from tests.queue_helpers import RefusingMailServer, wait_for_release

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mail_server(settings):
    """The outbox behind a mail server that refuses as many sends as it is told to. Tests
    ask for it before `mailoutbox`: changing MAILERS gives Django a new outbox."""
    settings.MAILERS = {"default": {"BACKEND": "tests.queue_helpers.RefusingMailServer"}}
    RefusingMailServer.refusals = 0
    yield RefusingMailServer
    RefusingMailServer.refusals = 0


@pytest.fixture
def record(django_capture_on_commit_callbacks, school, staff, dsl, deputy, pupils):
    """Record a concern and commit it: its alert is queued and the worker tries it once."""

    def record(**extra):
        with django_capture_on_commit_callbacks(execute=True):
            return record_concern(school=school, reporter=staff, pupils=pupils, **extra)

    return record


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wait_and_retry(time_machine, run_queued_tasks, attempt: int) -> int:
    """Let the delay before `attempt` pass, then run what is due."""
    time_machine.shift(RETRY_DELAYS[attempt - 2] + timedelta(seconds=1))
    return run_queued_tasks()


def test_an_urgent_alert_refused_by_the_mail_server_arrives_once_it_recovers(
    mail_server, record, run_queued_tasks, time_machine, mailoutbox
):
    time_machine.move_to(timezone.now(), tick=False)
    mail_server.refusals = 2

    concern = record(immediate_danger=True)

    assert mailoutbox == []
    # Nothing is due again until the first delay has passed.
    assert run_queued_tasks() == 0
    assert wait_and_retry(time_machine, run_queued_tasks, attempt=2) == 1
    assert mailoutbox == []
    assert wait_and_retry(time_machine, run_queued_tasks, attempt=3) == 1

    (email,) = mailoutbox
    assert email.subject.startswith(f"IMMEDIATE DANGER: safeguarding concern {concern.reference}")
    assert sorted(email.to) == ["deputy@oakfield.example", "dsl@oakfield.example"]
    attempts = DBTaskResult.objects.filter(task_path="concerns.tasks.notify_dsl_team")
    assert sorted(attempts.values_list("status", flat=True)) == [
        TaskResultStatus.FAILED,
        TaskResultStatus.FAILED,
        TaskResultStatus.SUCCESSFUL,
    ]
    assert "421" in attempts.filter(status=TaskResultStatus.FAILED).first().traceback
    assert not FailedNotification.objects.exists()


def fail_for_good(mail_server, record, run_queued_tasks, time_machine, **extra):
    time_machine.move_to(timezone.now(), tick=False)
    mail_server.refusals = 1000
    concern = record(**extra)
    for attempt in range(2, ATTEMPTS + 1):
        assert wait_and_retry(time_machine, run_queued_tasks, attempt) == 1
    return concern


def test_an_alert_that_never_goes_is_recorded_for_the_school_after_the_last_attempt(
    mail_server, record, run_queued_tasks, time_machine, mailoutbox, school
):
    concern = fail_for_good(mail_server, record, run_queued_tasks, time_machine)

    # No more retries: the failure is the school's to see now.
    time_machine.shift(timedelta(days=1))
    assert run_queued_tasks() == 0
    assert mailoutbox == []
    failure = FailedNotification.objects.get()
    assert failure.school_id == school.pk
    assert failure.what == f"Alert of new concern {concern.reference} to the DSL team"
    assert failure.recipients.splitlines() == ["deputy@oakfield.example", "dsl@oakfield.example"]
    assert failure.link == reverse("concerns:detail", args=[concern.uuid])
    assert failure.attempts == ATTEMPTS
    assert failure.reason == "SMTPConnectError: (421, 'Service not available, try again later')"
    assert failure.history.get().history_change_reason == f"Not sent after {ATTEMPTS} attempts"


def test_the_dsl_team_and_the_admin_see_the_failure_and_staff_and_governors_do_not(
    mail_server,
    record,
    run_queued_tasks,
    time_machine,
    dsl,
    school_admin,
    staff,
    governor,
    pupils,
):
    concern = fail_for_good(mail_server, record, run_queued_tasks, time_machine)
    what = f"Alert of new concern {concern.reference} to the DSL team"
    link = reverse("concerns:detail", args=[concern.uuid])

    queue_page = signed_in(dsl).get(reverse("concerns:queue")).content.decode()
    assert "E-mails not sent" in queue_page
    assert f'<a class="govuk-link" href="{link}">{what}</a>' in queue_page
    people_page = signed_in(school_admin).get(reverse("people")).content.decode()
    assert "E-mails not sent" in people_page
    # The concern is the DSL team's: the admin is told an e-mail to them failed, not which.
    assert "An e-mail to the DSL team about their work" in people_page
    assert "dsl@oakfield.example" in people_page
    assert concern.reference not in people_page
    assert link not in people_page
    for pupil in pupils:
        assert pupil.legal_last_name not in queue_page + people_page

    for person in (staff, governor):
        client = signed_in(person)
        home = client.get(reverse("home"), follow=True).content.decode()
        assert "E-mails not sent" not in home
        assert what not in home
        assert client.get(reverse("concerns:queue")).status_code == 403
        assert client.get(reverse("people")).status_code == 403


def test_send_again_queues_it_with_fresh_retries_and_the_alert_arrives(
    mail_server,
    record,
    run_queued_tasks,
    time_machine,
    mailoutbox,
    dsl,
    django_capture_on_commit_callbacks,
):
    fail_for_good(mail_server, record, run_queued_tasks, time_machine)
    failure = FailedNotification.objects.get()
    mail_server.refusals = 0  # The mail server is back.

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(dsl).post(
            reverse("failed_notification_close", args=[failure.uuid]),
            {"action": "retry", "next": reverse("concerns:queue")},
        )

    assert response.status_code == 302
    assert response.url == reverse("concerns:queue")
    (email,) = mailoutbox
    assert sorted(email.to) == ["deputy@oakfield.example", "dsl@oakfield.example"]
    failure.refresh_from_db()
    assert failure.outcome == FailedNotification.Outcome.RETRIED
    assert failure.closed_by_id == dsl.pk
    queue_page = signed_in(dsl).get(reverse("concerns:queue")).content.decode()
    assert "E-mails not sent" not in queue_page


def test_marking_it_dealt_with_keeps_the_record_and_a_second_click_is_refused(
    mail_server, record, run_queued_tasks, time_machine, school_admin, dsl
):
    concern = fail_for_good(mail_server, record, run_queued_tasks, time_machine)
    failure = FailedNotification.objects.get()
    url = reverse("failed_notification_close", args=[failure.uuid])

    first = signed_in(school_admin).post(
        url, {"action": "dealt_with", "next": reverse("people")}, follow=True
    )
    second = signed_in(dsl).post(url, {"action": "dealt_with"}, follow=True)

    first_page = first.content.decode()
    assert "Marked dealt with: An e-mail to the DSL team about their work." in first_page
    assert concern.reference not in first_page
    assert "E-mails not sent" not in first_page

    failure.refresh_from_db()
    assert failure.outcome == FailedNotification.Outcome.DEALT_WITH
    assert failure.closed_by_id == school_admin.pk
    assert "Someone has already dealt with this notification." in second.content.decode()
    assert [h.history_change_reason for h in failure.history.order_by("history_date")] == [
        f"Not sent after {ATTEMPTS} attempts",
        "Dealt with",
    ]


def test_only_the_schools_admin_and_dsl_team_may_deal_with_a_failure(
    mail_server, record, run_queued_tasks, time_machine, staff, governor, other_dsl
):
    fail_for_good(mail_server, record, run_queued_tasks, time_machine)
    failure = FailedNotification.objects.get()
    url = reverse("failed_notification_close", args=[failure.uuid])

    assert signed_in(staff).post(url, {"action": "dealt_with"}).status_code == 403
    assert signed_in(governor).post(url, {"action": "dealt_with"}).status_code == 403
    assert signed_in(other_dsl).post(url, {"action": "dealt_with"}).status_code == 404
    assert Client().post(url, {"action": "dealt_with"}).status_code == 302  # to sign in
    assert signed_in(staff).get(url).status_code == 405
    failure.refresh_from_db()
    assert failure.outcome == FailedNotification.Outcome.OPEN


# --- A worker killed mid-task -------------------------------------------------------------


def worker_process(*extra) -> subprocess.Popen:
    """`manage.py run_worker` in its own process, on this test's database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval=0.1", *extra],
        cwd=CHECKOUT,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_runs_again(tmp_path, run_queued_tasks):
    started = tmp_path / "started"
    result = wait_for_release.enqueue(str(tmp_path))
    first = worker_process()
    try:
        wait_until(started.exists)
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING
        # While its worker lives, another worker starting leaves the task alone.
        assert run_queued_tasks() == 0
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
        first.wait()
    (tmp_path / "release").touch()

    second = worker_process("--batch")
    assert second.wait(timeout=60) == 0

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 2  # Started by the killed worker, then run again to the end.
    assert len(row.worker_ids) == 2
    assert started.read_text().splitlines() == ["started", "started"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_already_running_takes_up_a_task_whose_worker_was_killed(tmp_path):
    """Several long-lived workers: one is killed mid-task; another, which started before it
    died, runs the task again within its recovery interval, with no restart."""
    started = tmp_path / "started"
    result = wait_for_release.enqueue(str(tmp_path))
    first = worker_process()
    survivor = None
    try:
        wait_until(started.exists)
        survivor = worker_process("--recovery-seconds=0.5")
        time.sleep(2)  # the survivor is up, and leaves the live worker's task alone
        assert started.read_text().splitlines() == ["started"]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        wait_until(lambda: len(started.read_text().splitlines()) == 2)
        (tmp_path / "release").touch()
        wait_until(
            lambda: DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
        )
    finally:
        first.kill()
        first.wait()
        if survivor is not None:
            survivor.send_signal(signal.SIGINT)
            survivor.wait(timeout=30)

    row = DBTaskResult.objects.get(id=result.id)
    assert row.return_value == 2
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]


def test_an_invitation_that_never_goes_is_shown_to_the_admin_by_the_name_they_typed(
    mail_server,
    run_queued_tasks,
    time_machine,
    school,
    school_admin,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    mail_server.refusals = 1000
    with django_capture_on_commit_callbacks(execute=True):
        schools_services.person_invite(
            school=school,
            by=school_admin,
            full_name="Priya Patel",
            email="priya@oakfield.example",
            role=Role.DEPUTY_DSL,
        )
    for attempt in range(2, ATTEMPTS + 1):
        assert wait_and_retry(time_machine, run_queued_tasks, attempt) == 1

    failure = FailedNotification.objects.get()
    assert failure.what == "Invitation to Priya Patel"
    assert failure.recipients == "priya@oakfield.example"
    assert failure.link == reverse("people")
    people_page = signed_in(school_admin).get(reverse("people")).content.decode()
    assert f'<a class="govuk-link" href="{reverse("people")}">Invitation to Priya Patel</a>' in (
        people_page
    )
