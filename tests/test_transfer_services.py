"""Sending a leaver's child protection file to the new school, and receiving it: the services,
against the real database (issue 15)."""

import json
from datetime import date, timedelta

import pytest
from django.core import mail, signing
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from audit.models import AccessRecord, Action
from safeguard.errors import WorkflowError
from schools.models import Pupil, Role, Term
from tests.factories import PupilFactory, member, record_concern
from transfers import services
from transfers.document import FORMAT, VERSION
from transfers.models import (
    DeclineReason,
    IncomingFile,
    IncomingStatus,
    Route,
    Status,
    Transfer,
)
from transfers.pdf import document_from_package

SUMMARY = {
    "why_known": "Disclosed online sexual abuse in Year 5; referred to children's social care.",
    "current_risks": "Contact from the adult online may resume.",
    "plans": "Weekly check-in with the learning mentor; online safety work.",
    "agencies": "Demoshire MASH, social worker Sam Patel 01632 960000.",
}


def _terms(school, year, halves):
    for half, (first, last) in zip(Term.Half.values, halves, strict=True):
        Term.objects.create(
            school=school, academic_year=year, half=half, starts_on=first, ends_on=last
        )


YEAR_2026 = [
    (date(2026, 9, 2), date(2026, 10, 23)),
    (date(2026, 11, 2), date(2026, 12, 18)),
    (date(2027, 1, 5), date(2027, 2, 12)),
    (date(2027, 2, 22), date(2027, 3, 26)),
    (date(2027, 4, 12), date(2027, 5, 28)),
    (date(2027, 6, 7), date(2027, 7, 21)),
]
YEAR_2027 = [
    (date(2027, 9, 6), date(2027, 10, 22)),
    (date(2027, 11, 1), date(2027, 12, 17)),
    (date(2028, 1, 4), date(2028, 2, 11)),
    (date(2028, 2, 21), date(2028, 3, 31)),
    (date(2028, 4, 18), date(2028, 5, 26)),
    (date(2028, 6, 5), date(2028, 7, 20)),
]


@pytest.fixture
def leaver(school, staff, dsl):
    pupil = PupilFactory(
        school=school, legal_first_name="Amelia", legal_last_name="Hart", year_group="Year 6"
    )
    record_concern(school=school, reporter=staff, pupils=[pupil])
    return services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=date(2027, 7, 21),
        destination_school=None,
        destination="Riverside Academy",
    )


def _send(pupil, dsl, other_school, **extra):
    return services.transfer_send(
        pupil=pupil,
        by=dsl,
        route=Route.DEPLOYMENT,
        to_school=other_school,
        summary=SUMMARY,
        **extra,
    )


# --- When the file is due ---------------------------------------------------------------


def test_a_july_leavers_file_is_due_on_the_fifth_day_of_the_new_term(school, leaver):
    _terms(school, 2026, YEAR_2026)
    _terms(school, 2027, YEAR_2027)
    counted = services.due(leaver)
    # Term starts Monday 6 September 2027: the fifth school day is Friday the 10th.
    assert counted.day == date(2027, 9, 10)
    assert not counted.estimated


def test_an_in_year_leavers_file_skips_the_half_term_holiday(school, leaver):
    _terms(school, 2026, YEAR_2026)
    leaver.leaving_date = date(2027, 2, 10)  # Wednesday before the February half term
    counted = services.due(leaver)
    # Thursday 11, Friday 12, then half term; Monday 22, Tuesday 23, Wednesday 24.
    assert counted.day == date(2027, 2, 24)


def test_a_due_date_counted_without_term_dates_is_estimated(school, leaver):
    counted = services.due(leaver)
    assert counted.estimated
    assert counted.day == date(2027, 7, 28)


# --- Sending within the deployment ------------------------------------------------------


def test_sending_to_a_school_here_tells_its_dsl_team_by_reference_only(
    leaver, dsl, other_school, other_dsl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(leaver, dsl, other_school, ip_address="203.0.113.9")
    transfer = sent.transfer
    assert transfer.status == Status.SENT
    assert transfer.reference.startswith("CPF-")
    incoming = IncomingFile.objects.get(transfer=transfer)
    assert incoming.school_id == other_school.pk
    assert incoming.status == IncomingStatus.AWAITING
    assert incoming.child_name == "Amelia Hart"
    [message] = mail.outbox
    assert message.to == [other_dsl.email]
    assert transfer.reference in message.body
    assert "Amelia" not in message.body + message.subject
    assert "Hart" not in message.body + message.subject
    assert AccessRecord.objects.filter(
        user=dsl, action=Action.SENT_FILE, pupil=leaver, ip_address="203.0.113.9"
    ).exists()
    assert transfer.history.latest().history_change_reason == "Sent to Riverside Academy"


def test_the_file_holds_the_summary_chronology_and_concerns(leaver, dsl, other_school):
    document = _send(leaver, dsl, other_school).transfer.document
    assert document["format"] == FORMAT
    assert document["version"] == VERSION
    assert document["summary"] == SUMMARY
    assert document["child"]["upn"] == leaver.upn
    assert document["from_school"]["name"] == leaver.school.name
    assert document["to_school"]["name"] == "Riverside Academy"
    [concern] = document["concerns"]
    assert concern["history"], "the history of changes goes with the file"
    assert any(event["kind"] == "concern" for event in document["chronology"])
    json.dumps(document)  # it is plain JSON


def test_another_child_named_in_a_concern_is_not_named_in_the_file(
    school, staff, dsl, other_school
):
    amelia = PupilFactory(school=school, legal_first_name="Amelia", legal_last_name="Hart")
    bella = PupilFactory(school=school, legal_first_name="Bella", legal_last_name="Cole")
    record_concern(school=school, reporter=staff, pupils=[amelia, bella])
    services.pupil_leaving_set(
        pupil=amelia,
        by=dsl,
        leaving_date=date(2027, 7, 21),
        destination_school=other_school,
        destination="",
    )
    document = _send(amelia, dsl, other_school).transfer.document
    assert "Bella" not in json.dumps(document)
    assert "Cole" not in json.dumps(document)


@pytest.mark.parametrize(
    "change, message",
    [
        ("no_leaving_date", "only for a child who has left or is leaving"),
        ("no_file", "no safeguarding file"),
        ("own_school", "cannot be sent to the school it comes from"),
        ("no_summary", "Write every part of the summary"),
    ],
)
def test_refused_sends_change_nothing(school, staff, dsl, other_school, change, message):
    pupil = PupilFactory(school=school, leaving_date=date(2027, 7, 21), destination="Elsewhere")
    if change != "no_file":
        record_concern(school=school, reporter=staff, pupils=[pupil])
    if change == "no_leaving_date":
        Pupil.objects.filter(pk=pupil.pk).update(leaving_date=None)
    with pytest.raises(WorkflowError, match=message):
        services.transfer_send(
            pupil=pupil,
            by=dsl,
            route=Route.DEPLOYMENT,
            to_school=school if change == "own_school" else other_school,
            summary={**SUMMARY, "plans": ""} if change == "no_summary" else SUMMARY,
        )
    assert not Transfer.objects.exists()
    assert not IncomingFile.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.SCHOOL_ADMIN])
def test_only_the_dsl_team_sends_a_file(school, leaver, other_school, role):
    someone = member(school, role)
    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        _send(leaver, someone, other_school)
    assert not Transfer.objects.exists()


def test_a_deputy_dsl_sends_a_file(school, leaver, deputy, other_school):
    assert _send(leaver, deputy, other_school).transfer.sent_by == deputy


def test_a_file_is_sent_once_then_only_again_with_a_reason(leaver, dsl, other_school):
    _send(leaver, dsl, other_school)
    with pytest.raises(WorkflowError, match="already been sent"):
        _send(leaver, dsl, other_school)
    assert Transfer.objects.count() == 1


# --- Receiving within the deployment ----------------------------------------------------


def test_opening_accepting_marks_viewed_then_received_with_who_and_when(
    leaver, dsl, other_school, other_dsl, django_capture_on_commit_callbacks
):
    transfer = _send(leaver, dsl, other_school).transfer
    incoming = IncomingFile.objects.get(transfer=transfer)
    services.incoming_open(incoming=incoming, by=other_dsl, ip_address=None)
    transfer.refresh_from_db()
    assert transfer.status == Status.VIEWED
    assert transfer.viewed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.incoming_accept(incoming=incoming, by=other_dsl)
    transfer.refresh_from_db()
    incoming = IncomingFile.objects.select_related("pupil").get(pk=incoming.pk)
    assert transfer.status == Status.RECEIVED
    assert transfer.received_by_id == other_dsl.pk
    assert transfer.received_by_school == other_school.name
    assert incoming.status == IncomingStatus.ACCEPTED
    # The child is now on the new school's register, from the file, with the same UPN.
    assert incoming.pupil.school_id == other_school.pk
    assert incoming.pupil.upn == leaver.upn
    assert incoming.pupil.legal_name == "Amelia Hart"
    assert [m.to for m in mail.outbox] == [[dsl.email]]
    assert "received" in mail.outbox[0].subject
    reasons = [row.history_change_reason for row in transfer.history.order_by("history_id")]
    assert reasons == [
        "Sent to Riverside Academy",
        "Opened by Riverside Academy",
        "Received by Riverside Academy",
    ]


def test_accepting_matches_a_child_already_on_the_register_by_upn(
    leaver, dsl, other_school, other_dsl
):
    already = PupilFactory(school=other_school, upn=leaver.upn)
    transfer = _send(leaver, dsl, other_school).transfer
    incoming = services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl
    )
    assert incoming.pupil == already
    assert Pupil.objects.filter(school=other_school).count() == 1


def test_a_file_is_accepted_or_declined_once(leaver, dsl, other_school, other_dsl):
    transfer = _send(leaver, dsl, other_school).transfer
    incoming = IncomingFile.objects.get(transfer=transfer)
    services.incoming_accept(incoming=incoming, by=other_dsl)
    with pytest.raises(WorkflowError, match="already been dealt with"):
        services.incoming_decline(
            incoming=incoming, by=other_dsl, reason=DeclineReason.NOT_OUR_PUPIL
        )


def test_only_the_receiving_dsl_team_accepts(leaver, dsl, other_school):
    transfer = _send(leaver, dsl, other_school).transfer
    incoming = IncomingFile.objects.get(transfer=transfer)
    for someone in (dsl, member(other_school, Role.STAFF)):
        with pytest.raises(WorkflowError, match="Only the school's DSL team"):
            services.incoming_accept(incoming=incoming, by=someone)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


def test_a_declined_file_tells_the_sender_why_and_can_be_sent_again(
    school, leaver, dsl, other_school, other_dsl, django_capture_on_commit_callbacks
):
    transfer = _send(leaver, dsl, other_school).transfer
    first = IncomingFile.objects.get(transfer=transfer)
    with pytest.raises(WorkflowError, match="Say why"):
        services.incoming_decline(incoming=first, by=other_dsl, reason=DeclineReason.OTHER)
    with django_capture_on_commit_callbacks(execute=True):
        services.incoming_decline(incoming=first, by=other_dsl, reason=DeclineReason.WRONG_SCHOOL)
    transfer.refresh_from_db()
    assert transfer.status == Status.DECLINED
    assert transfer.get_decline_reason_display() == "Sent to the wrong school"
    assert "declined" in mail.outbox[-1].subject

    third = member(school, Role.DSL)  # any third school will do: another in the deployment
    third_school = PupilFactory().school
    member(third_school, Role.DSL)
    with pytest.raises(WorkflowError, match="Give the reason"):
        services.transfer_resend(transfer=transfer, by=third, reason=" ")
    services.transfer_resend(
        transfer=transfer, by=third, reason="Went to Larkmoor instead", to_school=third_school
    )
    transfer.refresh_from_db()
    assert transfer.status == Status.SENT
    assert transfer.times_sent == 2
    assert transfer.to_school == third_school
    assert transfer.decline_reason == ""
    second = IncomingFile.objects.get(transfer=transfer, school=third_school)
    assert second.status == IncomingStatus.AWAITING
    first.refresh_from_db()
    assert first.status == IncomingStatus.DECLINED
    assert transfer.history.latest().history_change_reason.endswith("Went to Larkmoor instead")


def test_sending_again_withdraws_the_copy_waiting(leaver, dsl, other_school, other_dsl):
    transfer = _send(leaver, dsl, other_school).transfer
    services.transfer_resend(transfer=transfer, by=dsl, reason="The DSL there left")
    statuses = sorted(IncomingFile.objects.values_list("status", flat=True))
    assert statuses == [IncomingStatus.AWAITING, IncomingStatus.WITHDRAWN]


def test_a_received_file_is_not_sent_again(leaver, dsl, other_school, other_dsl):
    transfer = _send(leaver, dsl, other_school).transfer
    services.incoming_accept(incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl)
    with pytest.raises(WorkflowError, match="confirmed receipt"):
        services.transfer_resend(transfer=transfer, by=dsl, reason="Just in case")


def test_nothing_sent_or_received_can_be_deleted(leaver, dsl, other_school):
    transfer = _send(leaver, dsl, other_school).transfer
    for rows in (Transfer.objects.all(), IncomingFile.objects.all()):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            rows.delete()
    assert Transfer.objects.filter(pk=transfer.pk).exists()


# --- Outside the deployment: the package and the receipt link -----------------------------


def _package(leaver, dsl, **extra):
    return services.transfer_send(
        pupil=leaver,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        to_school_urn="999999",
        summary=SUMMARY,
        **extra,
    )


def test_a_package_opens_only_with_its_password_and_holds_the_same_json(leaver, dsl):
    sent = _package(leaver, dsl)
    content = services.package_collect(package=sent.package)
    with pytest.raises(ValueError, match="password"):
        document_from_package(content, "WRONG-PASSWORD")
    assert document_from_package(content, sent.password) == sent.transfer.document
    # Collected once: the copy in transit is gone, and the download is in the file's history.
    assert services.package_collect(package=sent.package) is None
    assert sent.transfer.history.latest().history_change_reason == (
        "Package downloaded by the sender, to send on"
    )
    sent.package.refresh_from_db()
    assert sent.package.content is None


def test_an_uncollected_package_expires(leaver, dsl):
    sent = _package(leaver, dsl)
    later = timezone.now() + services.PACKAGE_DOWNLOAD_WINDOW + timedelta(seconds=1)
    assert services.package_collect(package=sent.package, now=later) is None


def test_an_emailed_package_link_carries_links_but_no_names_or_password(
    leaver, dsl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = _package(leaver, dsl, email="dsl@elsewhere.example")
    [message] = mail.outbox
    assert message.to == ["dsl@elsewhere.example"]
    # Downloaded through the link: the sender sees the new school has it.
    services.package_collect(package=sent.package)
    sent.transfer.refresh_from_db()
    assert sent.transfer.status == Status.VIEWED
    assert sent.transfer.history.latest().history_change_reason == (
        "Package downloaded through the link e-mailed to dsl@elsewhere.example"
    )
    assert str(sent.package.uuid) in message.body
    assert sent.receipt_token in message.body
    assert sent.password not in message.body
    assert "Amelia" not in message.body


def test_the_receipt_link_confirms_receipt_once(leaver, dsl):
    sent = _package(leaver, dsl)
    receipt = services.receipt_for(sent.receipt_token)
    services.receipt_open(receipt=receipt)
    sent.transfer.refresh_from_db()
    assert sent.transfer.status == Status.VIEWED
    services.receipt_confirm(
        receipt=receipt, name="Pat Jones", school_name="St Elsewhere's", ip_address="198.51.100.4"
    )
    sent.transfer.refresh_from_db()
    assert sent.transfer.status == Status.RECEIVED
    assert sent.transfer.received_by_name == "Pat Jones"
    assert sent.transfer.received_by_school == "St Elsewhere's"
    with pytest.raises(services.ReceiptRefused, match="already been confirmed"):
        services.receipt_for(sent.receipt_token)
    with pytest.raises(services.ReceiptRefused, match="already been confirmed"):
        services.receipt_confirm(
            receipt=receipt, name="Someone Else", school_name="Another", ip_address=None
        )


def test_a_tampered_receipt_link_is_refused(leaver, dsl):
    sent = _package(leaver, dsl)
    value, _, signature = sent.receipt_token.rpartition(":")
    for token in (
        value + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        signing.dumps("00000000-0000-0000-0000-000000000000", salt="another.salt"),
        "not-a-token",
    ):
        with pytest.raises(services.ReceiptRefused, match="not valid"):
            services.receipt_for(token)


def test_a_receipt_link_expires(leaver, dsl):
    sent = _package(leaver, dsl)
    later = timezone.now() + timedelta(days=services.RECEIPT_LINK_DAYS, seconds=1)
    with pytest.raises(services.ReceiptRefused, match="expired"):
        services.receipt_for(sent.receipt_token, now=later)


def test_sending_a_package_again_replaces_its_receipt_link(leaver, dsl):
    first = _package(leaver, dsl)
    second = services.transfer_resend(transfer=first.transfer, by=dsl, reason="Package lost")
    with pytest.raises(services.ReceiptRefused, match="sent again"):
        services.receipt_for(first.receipt_token)
    assert services.receipt_for(second.receipt_token).transfer == first.transfer
    assert services.package_collect(package=first.package) is None


# --- Import: the JSON round trip -----------------------------------------------------------


def test_an_exported_file_imported_elsewhere_is_the_same_file(leaver, dsl, other_school, other_dsl):
    sent = _package(leaver, dsl)
    document = document_from_package(services.package_collect(package=sent.package), sent.password)
    incoming = services.incoming_import(school=other_school, by=other_dsl, document=document)
    assert incoming.document == sent.transfer.document
    assert incoming.reference == sent.transfer.reference
    assert incoming.child_name == "Amelia Hart"
    assert incoming.from_school_name == leaver.school.name
    with pytest.raises(WorkflowError, match="already here"):
        services.incoming_import(school=other_school, by=other_dsl, document=document)
    accepted = services.incoming_accept(incoming=incoming, by=other_dsl)
    assert accepted.pupil.upn == leaver.upn


@pytest.mark.parametrize(
    "document, message",
    [
        ([], "not a JSON object"),
        ({"format": "something-else"}, "not a child protection file from Safeguard"),
        ({"format": FORMAT, "version": 99}, "version 99"),
        ({"format": FORMAT, "version": VERSION}, "incomplete"),
    ],
)
def test_a_file_that_is_not_one_is_refused_on_import(other_school, other_dsl, document, message):
    with pytest.raises(WorkflowError, match=message):
        services.incoming_import(school=other_school, by=other_dsl, document=document)
    assert not IncomingFile.objects.exists()


# --- What a receiving school keeps, and a second move -------------------------------------


def test_a_school_keeps_only_who_a_file_is_about_until_it_accepts_it(
    leaver, dsl, other_school, other_dsl
):
    transfer = _send(leaver, dsl, other_school).transfer
    incoming = IncomingFile.objects.get(transfer=transfer)
    assert "concerns" not in incoming.document and "summary" not in incoming.document
    assert incoming.document["child"]["legal_last_name"] == "Hart"
    assert "household" not in incoming.document["child"]
    services.incoming_accept(incoming=incoming, by=other_dsl)
    incoming.refresh_from_db()
    assert incoming.document == transfer.document


def test_a_declined_import_keeps_who_it_was_about_not_the_file(
    leaver, dsl, other_school, other_dsl
):
    sent = _package(leaver, dsl)
    document = document_from_package(services.package_collect(package=sent.package), sent.password)
    incoming = services.incoming_import(school=other_school, by=other_dsl, document=document)
    services.incoming_decline(incoming=incoming, by=other_dsl, reason=DeclineReason.NOT_OUR_PUPIL)
    incoming.refresh_from_db()
    assert "concerns" not in incoming.document
    assert incoming.document["reference"] == sent.transfer.reference


def test_history_rows_do_not_copy_the_file(leaver, dsl, other_school, other_dsl):
    transfer = _send(leaver, dsl, other_school).transfer
    services.incoming_accept(incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl)
    assert not hasattr(transfer.history.latest(), "document")


def test_the_file_follows_the_child_through_a_second_move(leaver, dsl, other_school, other_dsl):
    first = _send(leaver, dsl, other_school).transfer
    incoming = services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=first), by=other_dsl
    )
    # At the second school no concern names the child yet: the file they came with is theirs.
    at_second = Pupil.objects.get(pk=incoming.pupil_id)
    services.pupil_leaving_set(
        pupil=at_second,
        by=other_dsl,
        leaving_date=date(2028, 7, 20),
        destination_school=None,
        destination="Northshire College",
    )
    second = services.transfer_send(
        pupil=at_second,
        by=other_dsl,
        route=Route.PACKAGE,
        to_school_name="Northshire College",
        summary=SUMMARY,
    ).transfer
    [part] = second.document["earlier_parts"]
    assert part["document"] == first.document
    assert part["received_by"] == other_dsl.full_name
    assert second.document["concerns"] == []


def test_a_corrected_leaving_date_carries_the_file_already_sent(school, leaver, dsl, other_school):
    transfer = _send(leaver, dsl, other_school).transfer
    services.pupil_leaving_set(
        pupil=leaver,
        by=dsl,
        leaving_date=date(2027, 7, 16),
        destination_school=other_school,
        destination="",
    )
    transfer.refresh_from_db()
    assert transfer.leaving_date == date(2027, 7, 16)
    # Still one file for this leaving: it is not offered to be sent a second time.
    with pytest.raises(WorkflowError, match="already been sent"):
        _send(leaver, dsl, other_school)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"from_school": "Riverside"}, "does not say which school sent it"),
        ({"reference": "X" * 41}, "not a reference"),
        (
            {
                "child": {
                    "legal_first_name": "A",
                    "legal_last_name": "B",
                    "date_of_birth": "2015-01-01",
                    "upn": "TOO-LONG-FOR-A-UPN",
                }
            },
            "upn",
        ),
    ],
)
def test_an_import_with_fields_out_of_shape_is_refused(
    leaver, dsl, other_school, other_dsl, change, message
):
    document = {**_send(leaver, dsl, other_school).transfer.document, **change}
    with pytest.raises(WorkflowError, match=message):
        services.incoming_import(school=other_school, by=other_dsl, document=document)
