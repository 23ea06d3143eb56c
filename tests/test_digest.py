"""The daily digest of overdue items (manage.py send_overdue_digest): references and kinds
only, to each school's DSL team, and nothing at all when nothing is overdue.

The command queues `casework.tasks.send_digest` on the database queue; the worker runs it.
"""

import datetime
import importlib
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from casework.management.commands.send_overdue_digest import Command
from concerns.models import Agency
from referrals.models import Method
from tests.factories import PupilFactory, record_concern, record_referral

LONDON = ZoneInfo("Europe/London")
# Friday before the Spring bank holiday, and the Wednesday after at 07:00.
FRIDAY = datetime.datetime(2026, 5, 22, 10, 0, tzinfo=LONDON)
WEDNESDAY_MORNING = datetime.datetime(2026, 5, 27, 7, 0, tzinfo=LONDON)


@pytest.fixture
def everyone(staff, dsl, deputy, governor, school_admin, other_dsl):
    """Every persona exists, so that the test shows who is left out, not just who is in."""


@pytest.fixture
def overdue_at_oakfield(school, staff, dsl, pupils):
    """Two concerns recorded on Friday and never safety checked: the first referred to
    social care (no feedback yet), the second to the police by an urgent 999 call never
    confirmed in writing."""
    with time_machine.travel(FRIDAY, tick=False):
        first = record_concern(
            school=school,
            reporter=staff,
            pupils=pupils,
            discloser_name="Mrs Sarah Example",
            account="She said a man called sparkle_friend_11 asked for pictures.",
            location="Boarding house",
        )
        record_referral(first, dsl, Agency.SOCIAL_CARE, made_at=FRIDAY)
        second = record_concern(school=school, reporter=staff, pupils=pupils[1:2])
        record_referral(
            second, dsl, Agency.POLICE, made_at=FRIDAY, method=Method.PHONE_999, urgent=True
        )
    return first, second


@pytest.fixture
def send_digest(run_queued_tasks):
    """Run the command on Wednesday morning, then the worker; returns what the command said."""

    def send_digest() -> str:
        out = StringIO()
        with time_machine.travel(WEDNESDAY_MORNING, tick=False):
            call_command("send_overdue_digest", stdout=out, stderr=out)
            run_queued_tasks()
        return out.getvalue()

    return send_digest


def test_the_dsl_team_gets_each_overdue_item_by_reference_and_kind(
    everyone, overdue_at_oakfield, mailoutbox, send_digest
):
    first, second = overdue_at_oakfield

    output = send_digest()

    assert sorted(email.to[0] for email in mailoutbox) == [
        "deputy@oakfield.example",
        "dsl@oakfield.example",
    ]
    email = mailoutbox[0]
    assert len(email.to) == 1 and email.cc == [] and email.bcc == []
    assert email.subject == "Safeguarding: 4 overdue items at Oakfield Primary School"
    site = "http://testserver"
    first_link = site + reverse("concerns:detail", args=[first.uuid])
    second_link = site + reverse("concerns:detail", args=[second.uuid])
    assert email.body.split("\n")[2:14] == [
        "- SG-2026-0001: safety check overdue since 22 May 2026, 14:00",
        f"  {first_link}",
        "",
        "- SG-2026-0002: safety check overdue since 22 May 2026, 14:00",
        f"  {second_link}",
        "",
        "- SG-2026-0002: written confirmation of an urgent referral overdue since "
        "23 May 2026, 10:00",
        f"  {second_link}",
        "",
        "- SG-2026-0001: social care feedback overdue since 26 May 2026",
        f"  {first_link}",
        "",
    ]
    assert site + reverse("concerns:queue") in email.body
    assert "Queued overdue digests for 1 of 2 schools: 4 overdue items, 2 e-mails." in output
    assert "1 school had nothing overdue." in output


def test_the_digest_names_no_child_and_holds_no_detail(
    everyone, overdue_at_oakfield, mailoutbox, pupils, send_digest
):
    send_digest()

    assert mailoutbox
    for email in mailoutbox:
        text = f"{email.subject}\n{email.body}"
        for pupil in pupils:
            assert pupil.legal_first_name not in text
            assert pupil.legal_last_name not in text
        for detail in ["Sarah", "sparkle_friend_11", "pictures", "Boarding house", "Tom Teacher"]:
            assert detail not in text
        assert "This e-mail deliberately contains no names or details." in text


def test_an_inactive_member_of_the_team_is_not_emailed(
    everyone, deputy, overdue_at_oakfield, mailoutbox, send_digest
):
    deputy.is_active = False
    deputy.save()

    send_digest()

    assert [email.to for email in mailoutbox] == [["dsl@oakfield.example"]]


def test_each_school_hears_only_about_its_own_items(
    everyone, other_school, other_dsl, overdue_at_oakfield, mailoutbox, send_digest
):
    with time_machine.travel(FRIDAY, tick=False):
        theirs = record_concern(
            school=other_school, reporter=other_dsl, pupils=[PupilFactory(school=other_school)]
        )

    output = send_digest()

    by_recipient = {email.to[0]: email for email in mailoutbox}
    assert sorted(by_recipient) == [
        "deputy@oakfield.example",
        "dsl@oakfield.example",
        "dsl@riverside.example",
    ]
    riverside = by_recipient["dsl@riverside.example"].body
    assert str(theirs.uuid) in riverside
    assert all(str(c.uuid) not in riverside for c in overdue_at_oakfield)
    assert str(theirs.uuid) not in by_recipient["dsl@oakfield.example"].body
    assert "Queued overdue digests for 2 of 2 schools: 5 overdue items, 3 e-mails." in output


def test_nothing_is_sent_when_nothing_is_overdue(
    everyone, school, staff, pupils, mailoutbox, send_digest
):
    # Recorded at 05:00: the safety check is not due until 09:00.
    with time_machine.travel(WEDNESDAY_MORNING - datetime.timedelta(hours=2), tick=False):
        record_concern(school=school, reporter=staff, pupils=pupils[:1])

    output = send_digest()

    assert mailoutbox == []
    assert "Queued overdue digests for 0 of 2 schools: 0 overdue items, 0 e-mails." in output
    assert "2 schools had nothing overdue." in output


def test_a_school_with_overdue_items_and_no_dsl_team_is_reported(
    school, staff, pupils, mailoutbox, send_digest
):
    with time_machine.travel(FRIDAY, tick=False):
        record_concern(school=school, reporter=staff, pupils=pupils[:1])

    output = send_digest()

    assert mailoutbox == []
    assert "Oakfield Primary School: 1 overdue, but no active DSL or deputy to tell." in output


def test_the_help_says_what_the_command_does():
    help_text = Command.help

    assert "E-mail each active DSL and deputy DSL" in help_text
    assert "no child's name" in help_text
    assert "Schools with nothing overdue get no e-mail" in help_text
    assert "Changes no records" in help_text
    assert "once a day" in help_text


def test_digests_queued_or_failed_before_the_task_moved_still_go(
    school,
    dsl,
    overdue_at_oakfield,
    mailoutbox,
    run_queued_tasks,
    django_capture_on_commit_callbacks,
):
    """The digest's task moved from concerns.tasks to casework.tasks; casework's migration
    0001 points rows written before the move at the new path, so a digest waiting in the
    queue is sent, and one that had failed can still be sent again from the app."""
    from django.apps import apps
    from django_tasks_db.models import DBTaskResult

    from casework import tasks
    from schools import services as schools_services
    from schools.notifications import Notice

    moved = importlib.import_module("casework.migrations.0001_digest_task_moved")
    old_path = "concerns.tasks.send_digest"
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        queued = tasks.send_digest.enqueue(school.pk)
        DBTaskResult.objects.filter(id=queued.id).update(task_path=old_path)
        failure = schools_services.failed_notification_record(
            notice=Notice(school_id=school.pk, what="Daily list", recipients=[dsl.email]),
            reason="SMTPConnectError: (421, 'Service not available')",
            attempts=5,
            task_path=old_path,
            task_args=[school.pk],
        )

        moved.point_at_new_paths(apps, None)

        run_queued_tasks()
        assert [m.to for m in mailoutbox] == [[dsl.email]]
        with django_capture_on_commit_callbacks(execute=True):
            schools_services.failed_notification_close(failure=failure, by=dsl, retry=True)
        run_queued_tasks()
    assert [m.to for m in mailoutbox] == [[dsl.email], [dsl.email]]
    assert "overdue" in mailoutbox[1].subject
