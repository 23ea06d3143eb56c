"""Subject access requests (issue 16): the deadline's arithmetic (one calendar month from
receipt, extendable by up to two more), every change of status and every refusal, the
register kept for good, the DSL team's queue showing what falls due, and the governors'
anonymised counts."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from oversight import periods
from oversight.statistics import dashboard_for, school_statistics
from safeguard.errors import WorkflowError
from subject_access import services
from subject_access.models import Relationship, Status, SubjectAccessRequest, months_after
from subject_access.selectors import RequestCounts
from tests.test_views_concerns import history_rows, page_text, signed_in

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 20)
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    """Friday 20 March 2026, in the spring term."""
    with time_machine.travel(NOW, tick=False):
        yield


def record(pupil, by, received_on=date(2026, 3, 2), **fields) -> SubjectAccessRequest:
    return services.request_record(
        pupil=pupil,
        by=by,
        requester_name=fields.get("requester_name", "Helen Hart"),
        relationship=fields.get("relationship", Relationship.PARENT),
        received_on=received_on,
    )


def checked(sar, by, on=date(2026, 3, 3)) -> SubjectAccessRequest:
    return services.request_check_identity(
        sar=sar, by=by, checked_on=on, how="Passport seen at the school office"
    )


def fresh(sar) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.get(pk=sar.pk)


# --- The deadline ---------------------------------------------------------------------------


def test_a_request_is_due_on_the_same_date_next_month():
    assert months_after(date(2026, 3, 15), 1) == date(2026, 4, 15)
    assert months_after(date(2026, 12, 10), 1) == date(2027, 1, 10)


def test_a_request_received_on_31_january_is_due_on_the_last_day_of_february():
    assert months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_after(date(2028, 1, 31), 1) == date(2028, 2, 29)  # a leap year
    assert months_after(date(2026, 3, 31), 1) == date(2026, 4, 30)


def test_an_extension_counts_its_months_from_receipt(dsl, pupils):
    with time_machine.travel(datetime.datetime(2026, 2, 10, 12, tzinfo=LONDON), tick=False):
        sar = record(pupils[0], dsl, received_on=date(2026, 1, 31))
        assert sar.due_on == date(2026, 2, 28)
        extended = services.request_extend(
            sar=sar, by=dsl, months=2, reason="Eight years of records across two schools"
        )

    assert extended.due_on == date(2026, 4, 30)
    assert months_after(date(2026, 1, 31), 2) == date(2026, 3, 31)


# --- Recording and moving a request on ------------------------------------------------------


def test_recording_a_request_sets_its_deadline_and_writes_history(dsl, pupils):
    sar = record(pupils[0], dsl)

    sar = fresh(sar)
    assert sar.status == Status.RECEIVED
    assert sar.due_on == date(2026, 4, 2)
    assert sar.school_id == pupils[0].school_id
    assert history_rows(sar) == [
        (
            dsl.pk,
            "Request received on 2 March 2026 from Helen Hart (a parent or carer with "
            "parental responsibility); due 2 April 2026",
        )
    ]


def test_a_request_received_in_the_future_is_refused(dsl, pupils):
    with pytest.raises(WorkflowError, match="cannot be in the future") as refusal:
        record(pupils[0], dsl, received_on=date(2026, 3, 21))
    assert refusal.value.field == "received_on"
    assert not SubjectAccessRequest.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin", "other_dsl"])
def test_only_the_childs_schools_dsl_team_records_a_request(request, persona, pupils):
    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        record(pupils[0], request.getfixturevalue(persona))
    assert not SubjectAccessRequest.objects.exists()


def test_checking_identity_records_who_how_and_when(dsl, deputy, pupils):
    sar = checked(record(pupils[0], dsl), deputy)

    sar = fresh(sar)
    assert sar.status == Status.IDENTITY_CHECKED
    assert sar.identity_checked_on == date(2026, 3, 3)
    assert sar.identity_checked_by_id == deputy.pk
    assert sar.identity_check == "Passport seen at the school office"
    assert history_rows(sar)[-1] == (
        deputy.pk,
        "Identity checked on 3 March 2026: Passport seen at the school office",
    )


def test_identity_is_checked_once_with_how_and_a_date_after_receipt(dsl, pupils):
    sar = record(pupils[0], dsl)
    with pytest.raises(WorkflowError, match="Say how") as blank:
        services.request_check_identity(sar=sar, by=dsl, checked_on=TODAY, how="  ")
    with pytest.raises(WorkflowError, match="on or after the day the request was received"):
        checked(sar, dsl, on=date(2026, 3, 1))
    with pytest.raises(WorkflowError, match="cannot be in the future"):
        checked(sar, dsl, on=date(2026, 3, 21))
    assert blank.value.field == "how"
    checked(sar, dsl)
    with pytest.raises(WorkflowError, match="already been checked"):
        checked(sar, dsl)
    assert len(history_rows(sar)) == 2


def test_extending_moves_the_deadline_with_a_reason(dsl, pupils):
    sar = checked(record(pupils[0], dsl), dsl)

    sar = services.request_extend(
        sar=sar, by=dsl, months=1, reason="Three requests at once, for three children"
    )

    sar = fresh(sar)
    assert sar.status == Status.EXTENDED
    assert (sar.extension_months, sar.due_on) == (1, date(2026, 5, 2))
    assert sar.first_due_on == date(2026, 4, 2)
    assert sar.identity_checked_on is not None  # the check still stands
    assert history_rows(sar)[-1] == (
        dsl.pk,
        "Deadline extended by 1 month to 2 May 2026: Three requests at once, for three children",
    )


def test_an_extension_needs_a_reason_at_most_two_months_and_happens_once(dsl, pupils):
    sar = record(pupils[0], dsl)
    with pytest.raises(WorkflowError, match="Say why") as no_reason:
        services.request_extend(sar=sar, by=dsl, months=2, reason="")
    with pytest.raises(WorkflowError, match="1 or 2 months") as too_long:
        services.request_extend(sar=sar, by=dsl, months=3, reason="Complex")
    assert (no_reason.value.field, too_long.value.field) == ("reason", "months")
    assert fresh(sar).due_on == date(2026, 4, 2)

    services.request_extend(sar=sar, by=dsl, months=2, reason="Complex")
    with pytest.raises(WorkflowError, match="extended once"):
        services.request_extend(sar=sar, by=dsl, months=1, reason="Still complex")
    assert fresh(sar).due_on == date(2026, 6, 2)


def test_an_extension_is_refused_after_the_first_month(dsl, pupils):
    sar = record(pupils[0], dsl, received_on=date(2026, 2, 19))  # due 19 March, yesterday

    with pytest.raises(WorkflowError, match="within one month of receipt"):
        services.request_extend(sar=sar, by=dsl, months=1, reason="Complex")

    assert fresh(sar).status == Status.RECEIVED


def test_nothing_is_disclosed_before_identity_is_checked(dsl, pupils):
    sar = record(pupils[0], dsl)

    with pytest.raises(WorkflowError, match="Check the requester's identity"):
        services.request_disclose(sar=sar, by=dsl, disclosed_on=TODAY, disclosure="The file")

    assert fresh(sar).status == Status.RECEIVED


def test_disclosing_closes_the_request_with_what_was_sent(dsl, pupils):
    sar = checked(record(pupils[0], dsl), dsl)

    sar = services.request_disclose(
        sar=sar,
        by=dsl,
        disclosed_on=date(2026, 3, 19),
        disclosure="The redacted file, 12 pages, by secure e-mail",
    )

    sar = fresh(sar)
    assert (sar.status, sar.closed_on, sar.is_open) == (Status.DISCLOSED, date(2026, 3, 19), False)
    assert not sar.answered_late
    assert history_rows(sar)[-1] == (
        dsl.pk,
        "Disclosed to Helen Hart on 19 March 2026: The redacted file, 12 pages, by secure e-mail",
    )


def test_a_disclosure_after_the_deadline_is_marked_late(dsl, pupils):
    sar = checked(record(pupils[0], dsl, received_on=date(2026, 2, 2)), dsl)  # due 2 March

    sar = services.request_disclose(
        sar=sar, by=dsl, disclosed_on=date(2026, 3, 10), disclosure="The file, by hand"
    )

    assert fresh(sar).answered_late
    assert "(after the deadline)" in history_rows(sar)[-1][1]


def test_a_disclosure_needs_what_was_sent(dsl, pupils):
    sar = checked(record(pupils[0], dsl), dsl)

    with pytest.raises(WorkflowError, match="Say what was disclosed") as refusal:
        services.request_disclose(sar=sar, by=dsl, disclosed_on=TODAY, disclosure=" ")

    assert refusal.value.field == "disclosure"
    assert fresh(sar).is_open


def test_refusing_needs_a_reason_and_closes_the_request(dsl, pupils):
    sar = record(pupils[0], dsl)
    with pytest.raises(WorkflowError, match="Say why the request is refused"):
        services.request_refuse(sar=sar, by=dsl, refused_on=TODAY, reason="")

    sar = services.request_refuse(
        sar=sar, by=dsl, refused_on=TODAY, reason="Identity not confirmed after two letters"
    )

    sar = fresh(sar)
    assert (sar.status, sar.closed_on) == (Status.REFUSED, TODAY)
    assert history_rows(sar)[-1] == (
        dsl.pk,
        "Refused on 20 March 2026: Identity not confirmed after two letters",
    )


@pytest.mark.parametrize(
    "action",
    [
        lambda sar, by: checked(sar, by),
        lambda sar, by: services.request_extend(sar=sar, by=by, months=1, reason="Complex"),
        lambda sar, by: services.request_disclose(
            sar=sar, by=by, disclosed_on=TODAY, disclosure="More"
        ),
        lambda sar, by: services.request_refuse(sar=sar, by=by, refused_on=TODAY, reason="No"),
    ],
    ids=["identity", "extend", "disclose", "refuse"],
)
def test_a_closed_request_cannot_be_changed(dsl, pupils, action):
    sar = services.request_refuse(sar=record(pupils[0], dsl), by=dsl, refused_on=TODAY, reason="X")

    with pytest.raises(WorkflowError, match="closed and cannot be changed"):
        action(sar, dsl)

    assert len(history_rows(sar)) == 2


@pytest.mark.parametrize("persona", ["staff", "governor", "other_dsl"])
def test_only_the_dsl_team_moves_a_request_on(request, dsl, pupils, persona):
    sar = record(pupils[0], dsl)

    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        checked(sar, request.getfixturevalue(persona))

    assert fresh(sar).status == Status.RECEIVED


def test_the_register_is_kept_for_good(dsl, pupils):
    sar = record(pupils[0], dsl)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=sar.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        sar.history.all().update(requester_name="Someone else")

    assert fresh(sar).requester_name == "Helen Hart"


# --- The DSL team's queue -------------------------------------------------------------------


def test_the_queue_shows_requests_overdue_and_due_within_a_week(dsl, pupils):
    amelia, bella, chloe = pupils
    record(amelia, dsl, received_on=date(2026, 2, 16))  # due 16 March: overdue
    record(bella, dsl, received_on=date(2026, 2, 25))  # due 25 March: in 5 days
    record(chloe, dsl, received_on=date(2026, 3, 10))  # due 10 April: not yet
    services.request_refuse(  # closed: not shown, although past its date
        sar=record(chloe, dsl, received_on=date(2026, 2, 1)), by=dsl, refused_on=TODAY, reason="X"
    )

    response = signed_in(dsl).get(reverse("concerns:queue"))

    text = page_text(response)
    assert "Subject access requests" in text
    assert f"{amelia.full_name} Helen Hart" in text
    assert "16 Mar 2026 Overdue Received" in text
    assert "25 Mar 2026 Due soon Received" in text
    assert chloe.full_name not in text.split("Subject access requests", 1)[1]
    assert reverse("subject_access:register") in response.content.decode()


def test_the_queue_has_no_subject_access_panel_when_nothing_is_due(dsl, pupils):
    record(pupils[0], dsl, received_on=date(2026, 3, 10))  # due 10 April

    text = page_text(signed_in(dsl).get(reverse("concerns:queue")))

    assert "Subject access requests" not in text


# --- The governors' counts ------------------------------------------------------------------

SPRING_2026 = periods.term_of(TODAY)


def test_governors_count_requests_received_answered_on_time_late_and_open(
    school, dsl, governor, pupils
):
    amelia, bella, chloe = pupils
    on_time = checked(record(amelia, dsl, received_on=date(2026, 1, 12)), dsl, on=date(2026, 1, 13))
    services.request_disclose(
        sar=on_time, by=dsl, disclosed_on=date(2026, 2, 2), disclosure="The file"
    )
    late = checked(record(bella, dsl, received_on=date(2026, 1, 20)), dsl, on=date(2026, 1, 21))
    services.request_disclose(sar=late, by=dsl, disclosed_on=date(2026, 3, 2), disclosure="Late")
    record(chloe, dsl, received_on=date(2026, 2, 10))  # open, overdue since 10 March
    record(chloe, dsl, received_on=date(2026, 3, 16))  # open, not yet due
    # Last term: refused on time.
    with time_machine.travel(datetime.datetime(2025, 11, 20, 12, tzinfo=LONDON), tick=False):
        services.request_refuse(
            sar=record(amelia, dsl, received_on=date(2025, 11, 3)),
            by=dsl,
            refused_on=date(2025, 11, 20),
            reason="Manifestly excessive",
        )

    stats = school_statistics(school, SPRING_2026, now=NOW)

    assert stats.subject_access.current == RequestCounts(
        received=4, on_time=1, late=1, open=2, overdue=1
    )
    assert stats.subject_access.previous == RequestCounts(
        received=1, on_time=1, late=0, open=0, overdue=0
    )
    exact = dashboard_for(school, SPRING_2026, exact=True, now=NOW).breakdown("subject_access")
    assert [(row.label, [cell.text for cell in row.cells]) for row in exact.rows] == [
        ("Received", ["4", "1"]),
        ("Answered on time", ["1", "1"]),
        ("Answered late", ["1", "0"]),
        ("Not answered yet", ["2", "0"]),
        ("Not answered, and past the deadline", ["1", "0"]),
    ]
    # Governors see small numbers withheld, and never who asked or about whom.
    response = signed_in(governor).get(reverse("oversight:dashboard"))
    text = page_text(response)
    assert "Subject access requests received in the period" in text
    assert "Received fewer than 5 fewer than 5" in text
    assert "Helen Hart" not in text and amelia.full_name not in text
