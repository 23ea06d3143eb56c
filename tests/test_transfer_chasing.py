"""Chasing a leaver's file (issue 15): the DSL queue shows files due and overdue, the DSL team
is reminded on the fifth school day and each school day after, and governors see how many
arrived on time, as counts."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from oversight.periods import Period, Span
from oversight.statistics import dashboard_for
from tests.factories import PupilFactory, record_concern
from tests.test_transfer_services import SUMMARY, YEAR_2026, _terms
from tests.test_views_concerns import page_text, signed_in
from transfers import services
from transfers.models import IncomingFile, Route

LONDON = ZoneInfo("Europe/London")


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), LONDON)


@pytest.fixture
def term_dates(school):
    _terms(school, 2026, YEAR_2026)


def _leaver(school, staff, dsl, *, left: datetime.date, first="Amelia", to=None):
    pupil = PupilFactory(school=school, legal_first_name=first, legal_last_name="Hart")
    record_concern(school=school, reporter=staff, pupils=[pupil])
    return services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=left,
        destination_school=to,
        destination="" if to else "St Elsewhere's",
    )


# Left on Wednesday 13 January 2027: due Wednesday 20 January (5 school days).
LEFT = datetime.date(2027, 1, 13)
DUE = datetime.date(2027, 1, 20)


def test_the_queue_shows_a_leavers_file_not_sent_then_overdue(school, staff, dsl, term_dates):
    _leaver(school, staff, dsl, left=LEFT)
    # Signed in on the day: a session left idle overnight is signed out.
    with time_machine.travel(_at(DUE), tick=False):
        text = page_text(signed_in(dsl).get("/concerns/queue/"))
    assert "Amelia Hart" in text
    assert "Due today" in text
    assert "Not sent" in text
    with time_machine.travel(_at(DUE + datetime.timedelta(days=1)), tick=False):
        text = page_text(signed_in(dsl).get("/concerns/queue/"))
    assert "Overdue" in text


def test_the_queue_shows_files_waiting_to_be_accepted(
    school, staff, dsl, other_school, other_dsl, term_dates
):
    pupil = _leaver(school, staff, dsl, left=LEFT, to=other_school)
    services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    )
    text = page_text(signed_in(other_dsl).get("/concerns/queue/"))
    assert "1 file has come from other schools, waiting to be accepted" in text
    # Not the child's name: that is for the incoming file's page, to the DSL team who open it.
    assert "Amelia" not in text


def test_a_received_file_leaves_the_queue(school, staff, dsl, other_school, other_dsl, term_dates):
    pupil = _leaver(school, staff, dsl, left=LEFT, to=other_school)
    sent = services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    )
    services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=sent.transfer), by=other_dsl
    )
    with time_machine.travel(_at(DUE + datetime.timedelta(days=3)), tick=False):
        text = page_text(signed_in(dsl).get("/concerns/queue/"))
    assert "Amelia Hart" not in text


def _remind(day: datetime.date, run_queued_tasks) -> str:
    out = StringIO()
    with time_machine.travel(_at(day, 7), tick=False):
        call_command("send_file_reminders", stdout=out)
        run_queued_tasks()
    return out.getvalue()


def test_no_reminder_before_the_fifth_school_day(school, staff, dsl, term_dates, run_queued_tasks):
    _leaver(school, staff, dsl, left=LEFT)
    output = _remind(DUE - datetime.timedelta(days=1), run_queued_tasks)
    assert "Queued reminders for 0 of" in output
    assert mail.outbox == []


def test_reminders_on_the_fifth_school_day_and_each_school_day_after(
    school, staff, dsl, deputy, term_dates, run_queued_tasks
):
    _leaver(school, staff, dsl, left=LEFT)
    _remind(DUE, run_queued_tasks)
    assert sorted(m.to[0] for m in mail.outbox) == [deputy.email, dsl.email]
    message = mail.outbox[0]
    assert "1 leaver's file due" in message.subject
    assert "A leaver's file, not yet sent, due 20 Jan 2027" in message.body
    assert "Amelia" not in message.body and "Hart" not in message.body

    mail.outbox.clear()
    _remind(DUE + datetime.timedelta(days=1), run_queued_tasks)
    assert len(mail.outbox) == 2
    # Saturday is not a school day: no reminder.
    mail.outbox.clear()
    output = _remind(datetime.date(2027, 1, 23), run_queued_tasks)
    assert "1 not a school day today" in output or "not a school day" in output
    assert mail.outbox == []


def test_a_file_sent_but_not_received_is_still_chased_by_reference(
    school, staff, dsl, other_school, term_dates, run_queued_tasks
):
    pupil = _leaver(school, staff, dsl, left=LEFT, to=other_school)
    sent = services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    )
    mail.outbox.clear()
    _remind(DUE + datetime.timedelta(days=2), run_queued_tasks)
    body = next(m.body for m in mail.outbox if m.to == [dsl.email])
    assert f"File {sent.transfer.reference} to {other_school.name}: sent, due 20 Jan 2027" in body


def test_no_reminder_in_the_holidays(school, staff, dsl, term_dates, run_queued_tasks):
    _leaver(school, staff, dsl, left=datetime.date(2027, 2, 10))  # due 24 Feb
    output = _remind(datetime.date(2027, 2, 16), run_queued_tasks)  # half term
    assert "Queued reminders for 0" in output
    assert mail.outbox == []


# --- Governors' counts -----------------------------------------------------------------


SPRING_2027 = Period(
    datetime.date(2027, 1, 1), datetime.date(2027, 3, 28), Span.TERM, "Spring term 2027"
)


def test_governors_see_files_on_time_late_and_not_received_as_counts(
    school, staff, dsl, other_school, other_dsl, term_dates
):
    on_time = _leaver(school, staff, dsl, left=LEFT, to=other_school, first="Ann")
    late = _leaver(school, staff, dsl, left=LEFT, to=other_school, first="Bea")
    _leaver(school, staff, dsl, left=LEFT, first="Cat")  # never sent
    for pupil, received in [(on_time, DUE), (late, DUE + datetime.timedelta(days=6))]:
        with time_machine.travel(_at(received - datetime.timedelta(days=1)), tick=False):
            sent = services.transfer_send(
                pupil=pupil,
                by=dsl,
                route=Route.DEPLOYMENT,
                to_school=other_school,
                summary=SUMMARY,
            )
        with time_machine.travel(_at(received), tick=False):
            services.incoming_accept(
                incoming=IncomingFile.objects.get(transfer=sent.transfer), by=other_dsl
            )
    now = _at(datetime.date(2027, 3, 1))
    dashboard = dashboard_for(school, SPRING_2027, exact=True, now=now)
    headline = next(
        f for f in dashboard.headlines if f.label.startswith("Leavers' child protection files")
    )
    assert str(headline.current) == "33% (1 of 3)"
    rows = {row.label: str(row.cells[0]) for row in dashboard.breakdown("files").rows}
    assert rows == {
        "Received by the new school on time": "1",
        "Received late": "1",
        "No school to send it to: the local authority told": "0",
        "Not received yet": "1",
    }
    # Governors see counts under the small-number rule, never a child.
    shown = dashboard_for(school, SPRING_2027, exact=False, now=now)
    assert "Ann" not in repr(shown) and "Hart" not in repr(shown)


def test_governors_count_a_file_with_no_school_apart(school, staff, dsl, term_dates):
    pupil = _leaver(school, staff, dsl, left=LEFT)
    services.leaver_no_school(
        pupil=pupil, by=dsl, reason="home_educated", details="Demoshire EHE team told, 14 Jan."
    )
    now = _at(datetime.date(2027, 3, 1))
    dashboard = dashboard_for(school, SPRING_2027, exact=True, now=now)
    rows = {row.label: str(row.cells[0]) for row in dashboard.breakdown("files").rows}
    assert rows["No school to send it to: the local authority told"] == "1"
    assert rows["Not received yet"] == "0"
