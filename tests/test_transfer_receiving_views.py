"""The receiving side of a child protection file (issue 15): a school's incoming files, accepting
or declining one, importing a package, and the two pages a school outside the deployment opens
from its e-mail without signing in (the package's one download, and the receipt).

Riverside Academy sends Rosa Brook's file to Oakfield Primary School (the personas' school):
Oakfield's DSL team receives it, and Riverside's DSL (other_dsl) must not open it there.
"""

import datetime
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessRecord, Action
from schools.models import Pupil
from tests.factories import PupilFactory, record_concern
from tests.test_views_concerns import form_state, messages_shown, page_text, signed_in
from transfers import receiving_forms, services
from transfers.models import (
    DeclineReason,
    IncomingFile,
    IncomingStatus,
    Package,
    Receipt,
    Route,
    Status,
    Transfer,
)
from transfers.pdf import document_from_package, json_bytes

SUMMARY = {
    "why_known": "Disclosed that an adult online asked for pictures; referred to social care.",
    "current_risks": "The adult may try to make contact again.",
    "plans": "Weekly check-in with the learning mentor.",
    "agencies": "Testshire MASH, social worker Sam Patel 01632 960000.",
}
# From the concern's account: what the receiving school sees only once it accepts the file.
ACCOUNT = "She said the man on the game asked her to keep it secret."
EVERY_PAGE = 3  # session, user, and the navigation's memberships


# --- The file, sent from Riverside to Oakfield ---------------------------------------------


@pytest.fixture
def rosa(other_school, other_dsl):
    """A Riverside pupil with a file, leaving for Oakfield."""
    pupil = PupilFactory(
        school=other_school, legal_first_name="Rosa", legal_last_name="Brook", year_group="Year 6"
    )
    record_concern(school=other_school, reporter=other_dsl, pupils=[pupil], account=ACCOUNT)
    return services.pupil_leaving_set(
        pupil=pupil,
        by=other_dsl,
        leaving_date=datetime.date(2026, 7, 22),
        destination_school=None,
        destination="Oakfield Primary School",
    )


@pytest.fixture
def transfer(rosa, other_dsl, school) -> Transfer:
    return services.transfer_send(
        pupil=rosa, by=other_dsl, route=Route.DEPLOYMENT, to_school=school, summary=SUMMARY
    ).transfer


@pytest.fixture
def incoming(transfer) -> IncomingFile:
    return IncomingFile.objects.get(transfer=transfer)


def incoming_url(incoming, action="") -> str:
    name = f"transfers:incoming_{action}" if action else "transfers:incoming"
    return reverse(name, args=[incoming.uuid])


LIST_URL = reverse("transfers:incoming_list")
IMPORT_URL = reverse("transfers:incoming_import")
REFUSED_ROLES = ["staff", "governor", "school_admin"]


def reasons(instance) -> list[str]:
    return [row.history_change_reason for row in instance.history.order_by("history_id")]


# --- Incoming files ------------------------------------------------------------------------


def test_the_list_shows_files_waiting_first_then_those_dealt_with(
    school, other_school, other_dsl, dsl, incoming, django_assert_num_queries
):
    # An earlier file, declined: listed below, with its outcome.
    # (Imported from the file as it was sent: the incoming copy is only who it is about.)
    sent = Transfer.objects.get(pk=incoming.transfer_id).document
    older = services.incoming_import(
        school=school, by=dsl, document={**sent, "reference": "CPF-2025-0042"}
    )
    services.incoming_decline(incoming=older, by=dsl, reason=DeclineReason.NOT_OUR_PUPIL)
    client = signed_in(dsl)

    # EVERY_PAGE, plus: the user's memberships (acting_for), and the school's incoming files
    # with the pupil each accepted one joined.
    with django_assert_num_queries(EVERY_PAGE + 2):
        client.get(LIST_URL)
    # Two more files: the list costs the same.
    for number in (43, 44):
        services.incoming_import(
            school=school, by=dsl, document={**sent, "reference": f"CPF-2025-00{number}"}
        )
    with django_assert_num_queries(EVERY_PAGE + 2):
        response = client.get(LIST_URL)

    text = page_text(response)
    assert response.status_code == 200
    waiting = text.split("Waiting to be accepted", 1)[1].split("Accepted, declined", 1)[0]
    assert f"{incoming.reference} Riverside Academy Rosa Brook 14 Mar 2017 {incoming.upn}" in (
        waiting
    )
    dealt_with = text.split("Accepted, declined or withdrawn", 1)[1]
    assert "CPF-2025-0042" in dealt_with and "Declined" in dealt_with
    assert incoming.reference not in dealt_with
    assert f'href="{IMPORT_URL}"' in response.content.decode()
    assert f'href="{incoming_url(incoming)}"' in response.content.decode()


def test_the_deputy_sees_the_incoming_files_too(deputy, incoming):
    response = signed_in(deputy).get(LIST_URL)

    assert incoming.reference in page_text(response)


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_only_the_dsl_team_sees_incoming_files(request, persona, incoming):
    response = signed_in(request.getfixturevalue(persona)).get(LIST_URL)

    assert response.status_code == 403
    assert "Rosa" not in page_text(response)


def test_another_schools_dsl_sees_only_their_own_incoming_files(other_dsl, incoming):
    response = signed_in(other_dsl).get(LIST_URL)

    assert response.status_code == 200
    assert "Riverside Academy" in page_text(response)
    assert incoming.reference not in page_text(response)
    assert "No files are waiting to be accepted." in page_text(response)


@pytest.mark.parametrize("address", [LIST_URL, IMPORT_URL])
def test_signing_in_comes_first(client, address):
    response = client.get(address)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"


def test_the_list_refuses_a_post(dsl):
    assert signed_in(dsl).post(LIST_URL).status_code == 405


# --- One incoming file, before it is accepted ----------------------------------------------


def test_before_accepting_only_who_the_file_is_about_is_shown(dsl, incoming, transfer):
    response = signed_in(dsl).get(incoming_url(incoming), REMOTE_ADDR="203.0.113.7")

    text = page_text(response)
    assert response.status_code == 200
    assert f"Child protection file {incoming.reference} Waiting to be accepted" in text
    assert "Child's name Rosa Brook" in text
    assert "Date of birth 14 Mar 2017" in text
    assert f"UPN {incoming.upn}" in text
    assert "Year group Year 6" in text
    assert "From Riverside Academy" in text
    assert "Made by Rita River" in text
    assert "sent through Safeguard" in text
    # The content is for the school that takes the child.
    for content in (ACCOUNT, SUMMARY["why_known"], SUMMARY["agencies"]):
        assert content not in text
    assert "Accepting adds the child to the register from the file." in text
    assert "Accept the file and confirm receipt" in text
    # Opening it tells the sender it was viewed, and is logged as a read.
    transfer.refresh_from_db()
    assert transfer.status == Status.VIEWED
    assert reasons(transfer)[-1] == "Opened by Oakfield Primary School"
    assert AccessRecord.objects.filter(
        user=dsl, action=Action.VIEWED_INCOMING_FILE, ip_address="203.0.113.7"
    ).exists()


def test_the_page_says_when_the_child_is_already_on_the_register(school, dsl, incoming):
    PupilFactory(
        school=school, upn=incoming.upn, legal_first_name="Rosa", legal_last_name="Brook-Hall"
    )

    text = page_text(signed_in(dsl).get(incoming_url(incoming)))

    assert "Rosa Brook-Hall (born 14 Mar 2017, Year 4) is on Oakfield Primary School's" in text
    assert "Accepting adds the file to their record." in text


def test_the_incoming_page_costs_a_fixed_number_of_queries(
    dsl, incoming, django_assert_num_queries
):
    client = signed_in(dsl)
    # EVERY_PAGE, plus:
    #   - the file, with its school, pupil, and who accepted or declined it (incoming_for)
    #   - the user's membership at its school (incoming_for: DSL team?)
    #   - incoming_open: SAVEPOINT; the sender's transfer locked first (the order
    #     transfer_resend locks them in); the file locked, with its school and pupil; the
    #     user's membership (the service checks for itself); first opened (UPDATE) and its
    #     history row (INSERT); the transfer read to mark it viewed (UPDATE) and its history
    #     row (INSERT); the read logged (INSERT); RELEASE SAVEPOINT
    #   - the pupil on the register with the file's UPN
    with django_assert_num_queries(EVERY_PAGE + 2 + 11 + 1):
        client.get(incoming_url(incoming))

    services.incoming_accept(incoming=incoming, by=dsl)
    # Once accepted, the whole file is drawn from its document, with no query of its own:
    # EVERY_PAGE, incoming_for's two, and incoming_open's SAVEPOINT, the transfer and then
    # the file locked, the membership, the read logged and RELEASE SAVEPOINT.
    with django_assert_num_queries(EVERY_PAGE + 2 + 6):
        accepted = client.get(incoming_url(incoming))
    assert ACCOUNT in page_text(accepted)


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_only_the_dsl_team_opens_an_incoming_file(request, persona, incoming, transfer):
    response = signed_in(request.getfixturevalue(persona)).get(incoming_url(incoming))

    assert response.status_code == 403
    assert "Rosa" not in page_text(response)
    transfer.refresh_from_db()
    assert transfer.status == Status.SENT


def test_the_sending_schools_dsl_cannot_open_the_file_at_the_new_school(
    other_dsl, incoming, transfer
):
    for address in (incoming_url(incoming), reverse("transfers:incoming", args=[uuid.uuid4()])):
        response = signed_in(other_dsl).get(address)
        assert response.status_code == 404
        assert "Rosa" not in page_text(response)
    transfer.refresh_from_db()
    assert transfer.status == Status.SENT


def test_opening_an_incoming_file_needs_signing_in(client, incoming):
    address = incoming_url(incoming)

    response = client.get(address)

    assert response.url == f"/accounts/login/?next={address}"


def test_the_incoming_page_refuses_a_post(dsl, incoming):
    assert signed_in(dsl).post(incoming_url(incoming)).status_code == 405


# --- Accepting -----------------------------------------------------------------------------


def test_accepting_confirms_receipt_and_shows_the_sealed_file(dsl, school, incoming, transfer):
    client = signed_in(dsl)

    response = client.post(incoming_url(incoming, "accept"))

    assert response.status_code == 302
    assert response.url == incoming_url(incoming)
    incoming = IncomingFile.objects.select_related("pupil").get(pk=incoming.pk)
    assert incoming.status == IncomingStatus.ACCEPTED
    assert incoming.accepted_by_id == dsl.pk
    assert incoming.pupil.school_id == school.pk
    assert reasons(incoming)[-1] == "Accepted: receipt confirmed"
    transfer.refresh_from_db()
    assert (transfer.status, transfer.received_by_id) == (Status.RECEIVED, dsl.pk)
    assert reasons(transfer)[-1] == "Received by Oakfield Primary School"

    page = client.get(response.url)
    text = page_text(page)
    assert messages_shown(page) == [
        f"File {incoming.reference} accepted. Riverside Academy has been told you received it."
    ]
    received = timezone.localdate(incoming.accepted_at).strftime("%-d %b %Y")
    assert (
        f"Sealed record from Riverside Academy, received {received} by Dana Lead. "
        "It cannot be changed." in text
    )
    # The whole file: summary, the child, the chronology, the concern and its history.
    for content in (ACCOUNT, *SUMMARY.values()):
        assert content in text
    assert "Chronology at Riverside Academy" in text
    assert "Concern raised" in text
    assert "History of changes to concern" in text
    chronology = reverse("concerns:chronology", args=[incoming.pupil.uuid])
    assert f'href="{chronology}"' in page.content.decode()
    # Nothing on it changes the file: no form but the sign-out and the school picker.
    assert "Accept the file" not in text and "Decline the file" not in text


def test_an_accepted_file_of_a_child_with_sen_says_to_tell_the_senco(
    school, dsl, other_school, other_dsl
):
    pupil = PupilFactory(
        school=other_school,
        legal_first_name="Sam",
        legal_last_name="Reed",
        sen_disability=True,
        sen_details="Autism; EHC plan",
    )
    record_concern(school=other_school, reporter=other_dsl, pupils=[pupil])
    services.pupil_leaving_set(
        pupil=pupil,
        by=other_dsl,
        leaving_date=datetime.date(2026, 7, 22),
        destination_school=school,
        destination="",
    )
    sent = services.transfer_send(
        pupil=pupil, by=other_dsl, route=Route.DEPLOYMENT, to_school=school, summary=SUMMARY
    )
    incoming = IncomingFile.objects.get(transfer=sent.transfer)
    client = signed_in(dsl)
    # Before it is accepted, nothing from the file but who it is about.
    assert "SENCO" not in page_text(client.get(incoming_url(incoming)))
    client.post(incoming_url(incoming, "accept"))
    text = page_text(client.get(incoming_url(incoming)))
    assert (
        "The file says Sam Reed has special educational needs or a disability "
        "(Autism; EHC plan). KCSIE asks that the SENCO" in text
    )


def test_accepting_joins_the_file_to_the_child_already_on_the_register(school, dsl, incoming):
    already = PupilFactory(school=school, upn=incoming.upn)

    signed_in(dsl).post(incoming_url(incoming, "accept"))

    incoming.refresh_from_db()
    assert incoming.pupil_id == already.pk
    assert Pupil.objects.filter(school=school).count() == 1


def test_a_file_dealt_with_already_is_not_accepted_again(dsl, deputy, incoming):
    signed_in(deputy).post(incoming_url(incoming, "decline"), {"reason": "wrong_school"})

    response = signed_in(dsl).post(incoming_url(incoming, "accept"))

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "This file has already been dealt with: declined." in text
    assert ACCOUNT not in text
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.DECLINED


def test_a_file_without_a_upn_cannot_be_accepted_until_the_child_is_on_the_register(
    school, dsl, incoming
):
    document = {**Transfer.objects.get(pk=incoming.transfer_id).document}
    document["reference"] = "CPF-2025-0007"
    document["child"] = {**document["child"], "upn": ""}
    without = services.incoming_import(school=school, by=dsl, document=document)
    client = signed_in(dsl)

    shown = page_text(client.get(incoming_url(without)))
    response = client.post(incoming_url(without, "accept"))

    assert "The file has no UPN to match the child with" in shown
    assert "The file has no UPN to match the child with" in page_text(response)
    without.refresh_from_db()
    assert without.status == IncomingStatus.AWAITING


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_only_the_dsl_team_accepts(request, persona, incoming):
    response = signed_in(request.getfixturevalue(persona)).post(incoming_url(incoming, "accept"))

    assert response.status_code == 403
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


def test_the_sending_schools_dsl_cannot_accept_for_the_new_school(other_dsl, incoming):
    response = signed_in(other_dsl).post(incoming_url(incoming, "accept"))

    assert response.status_code == 404
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_accepting_and_declining_need_signing_in_and_a_post(client, dsl, incoming, action):
    address = incoming_url(incoming, action)

    anonymous = client.post(address, {"reason": "wrong_school"})
    got = signed_in(dsl).get(address)

    assert anonymous.url == f"/accounts/login/?next={address}"
    assert got.status_code == 405
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


# --- Declining -----------------------------------------------------------------------------


def test_declining_tells_the_sender_why_and_shows_no_content(dsl, incoming, transfer):
    client = signed_in(dsl)

    response = client.post(
        incoming_url(incoming, "decline"),
        {"reason": "other", "details": "The family moved to Wales before term."},
    )

    assert response.url == incoming_url(incoming)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.DECLINED
    assert incoming.decline_details == "The family moved to Wales before term."
    assert reasons(incoming)[-1] == "Declined: Another reason"
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decline_reason) == (Status.DECLINED, DeclineReason.OTHER)
    page = client.get(response.url)
    text = page_text(page)
    assert messages_shown(page) == [
        f"File {incoming.reference} declined. Riverside Academy has been told why."
    ]
    assert "Why Another reason: The family moved to Wales before term." in text
    assert "by Dana Lead" in text
    assert ACCOUNT not in text and SUMMARY["why_known"] not in text


def test_a_decline_without_a_reason_keeps_the_details_typed(dsl, incoming):
    response = signed_in(dsl).post(
        incoming_url(incoming, "decline"), {"details": "She went to St Mary's instead."}
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem Select why you are declining the file" in text
    assert form_state(response)["details"] == ["She went to St Mary's instead."]
    assert "Error: Child protection file" in text
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


def test_another_reason_needs_the_details(dsl, incoming):
    response = signed_in(dsl).post(incoming_url(incoming, "decline"), {"reason": "other"})

    assert "Say why you are declining the file" in page_text(response)
    assert form_state(response)["reason"] == ["other"]
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_only_the_dsl_team_declines(request, persona, incoming):
    response = signed_in(request.getfixturevalue(persona)).post(
        incoming_url(incoming, "decline"), {"reason": "wrong_school"}
    )

    assert response.status_code == 403
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


def test_the_sending_schools_dsl_cannot_decline_for_the_new_school(other_dsl, incoming):
    response = signed_in(other_dsl).post(
        incoming_url(incoming, "decline"), {"reason": "wrong_school"}
    )

    assert response.status_code == 404
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.AWAITING


def test_a_withdrawn_copy_shows_no_content(other_dsl, dsl, incoming, transfer):
    services.transfer_resend(transfer=transfer, by=other_dsl, reason="The DSL there left")

    text = page_text(signed_in(dsl).get(incoming_url(incoming)))

    assert "Replaced by a copy sent again" in text
    assert "Rosa Brook" in text  # who it was about
    assert ACCOUNT not in text and SUMMARY["why_known"] not in text
    assert "Accept the file" not in text
    # Opening the old copy says nothing to the sender about the copy sent again.
    transfer.refresh_from_db()
    assert transfer.status == Status.SENT


# --- Importing a package from outside ------------------------------------------------------


@pytest.fixture
def package_from_riverside(rosa, other_dsl):
    """Riverside sends Rosa's file to a school outside (here, Oakfield imports it)."""
    return services.transfer_send(
        pupil=rosa,
        by=other_dsl,
        route=Route.PACKAGE,
        to_school_name="Oakfield Primary School",
        summary=SUMMARY,
    )


def upload(name: str, content: bytes, content_type="application/json"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_importing_the_json_makes_an_incoming_file_to_accept(school, dsl, package_from_riverside):
    document = package_from_riverside.transfer.document
    client = signed_in(dsl)

    response = client.post(
        IMPORT_URL, {"file": upload("CPF.json", json_bytes(document)), "password": ""}
    )

    incoming = IncomingFile.objects.get(school=school)
    assert response.url == incoming_url(incoming)
    assert incoming.document == document
    assert incoming.imported_by_id == dsl.pk
    assert reasons(incoming) == ["Imported from Riverside Academy"]
    page = client.get(response.url)
    assert messages_shown(page) == [
        f"File {document['reference']} from Riverside Academy imported. Check who it is about, "
        "then accept or decline it."
    ]
    assert "imported from a package" in page_text(page)
    assert ACCOUNT not in page_text(page)


def test_importing_the_package_itself_with_its_password(school, dsl, package_from_riverside):
    content = services.package_collect(package=package_from_riverside.package)

    response = signed_in(dsl).post(
        IMPORT_URL,
        {
            "file": upload("CPF.pdf", content, "application/pdf"),
            "password": package_from_riverside.password,
        },
    )

    incoming = IncomingFile.objects.get(school=school)
    assert response.url == incoming_url(incoming)
    assert incoming.reference == package_from_riverside.transfer.reference


@pytest.mark.parametrize(
    ("password", "field", "message"),
    [
        ("", "password", "Enter the password of the package"),
        ("NOT-THE-PASSWORD", "password", "The password does not open this package"),
    ],
)
def test_a_package_needs_its_password(dsl, package_from_riverside, password, field, message):
    content = services.package_collect(package=package_from_riverside.package)

    response = signed_in(dsl).post(
        IMPORT_URL,
        {"file": upload("CPF.pdf", content, "application/pdf"), "password": password},
    )

    assert response.status_code == 200
    assert message in page_text(response)
    assert f'href="#id_{field}"' in response.content.decode()
    assert form_state(response)["password"] == [password]
    assert not IncomingFile.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The file is not JSON: Expecting property name enclosed in double quotes"),
        (b"\xff\xfe\x00binary", "The file is not JSON: it is not text"),
        (b'{"format": "safeguard.child-protection-file", "version": 2}', "version 2"),
        (b"[1, 2]", "it is not a JSON object"),
        (b"", "The selected file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_page(dsl, content, message):
    response = signed_in(dsl).post(
        IMPORT_URL, {"file": upload("file.json", content), "password": ""}
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert not IncomingFile.objects.exists()


def test_an_import_without_a_file_asks_for_one(dsl):
    response = signed_in(dsl).post(IMPORT_URL, {"password": ""})

    assert "Choose the file to import" in page_text(response)


def test_a_file_too_large_is_refused(dsl, monkeypatch, package_from_riverside):
    monkeypatch.setattr(receiving_forms, "TRANSFER_FILE_MAX_BYTES", 1024)
    content = json_bytes(package_from_riverside.transfer.document)

    response = signed_in(dsl).post(IMPORT_URL, {"file": upload("CPF.json", content)})

    assert "The selected file must be smaller than 1 KB" in page_text(response)
    assert not IncomingFile.objects.exists()


def test_the_same_file_is_not_imported_twice(dsl, package_from_riverside):
    content = json_bytes(package_from_riverside.transfer.document)
    client = signed_in(dsl)
    client.post(IMPORT_URL, {"file": upload("CPF.json", content)})

    again = client.post(IMPORT_URL, {"file": upload("CPF.json", content)})

    assert "is already here. Open it from the incoming files." in page_text(again)
    assert IncomingFile.objects.count() == 1


def test_the_import_page_shows_the_form(dsl):
    response = signed_in(dsl).get(IMPORT_URL)

    assert "Import a child protection file" in page_text(response)
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_only_the_dsl_team_imports(request, persona, package_from_riverside):
    content = json_bytes(package_from_riverside.transfer.document)
    client = signed_in(request.getfixturevalue(persona))

    got = client.get(IMPORT_URL)
    posted = client.post(IMPORT_URL, {"file": upload("CPF.json", content)})

    assert (got.status_code, posted.status_code) == (403, 403)
    assert not IncomingFile.objects.exists()


def test_importing_needs_signing_in(client, package_from_riverside):
    content = json_bytes(package_from_riverside.transfer.document)

    response = client.post(IMPORT_URL, {"file": upload("CPF.json", content)})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not IncomingFile.objects.exists()


def test_another_schools_dsl_imports_into_their_own_school(
    other_school, other_dsl, package_from_riverside
):
    content = json_bytes(package_from_riverside.transfer.document)

    signed_in(other_dsl).post(IMPORT_URL, {"file": upload("CPF.json", content)})

    assert IncomingFile.objects.get().school_id == other_school.pk


# --- The package link, for a school outside ------------------------------------------------


@pytest.fixture
def emailed(school, dsl, pupils):
    """Oakfield e-mails Amelia's file to a school outside the deployment."""
    amelia = pupils[0]
    record_concern(school=school, reporter=dsl, pupils=[amelia], account=ACCOUNT)
    services.pupil_leaving_set(
        pupil=amelia,
        by=dsl,
        leaving_date=datetime.date(2026, 7, 22),
        destination_school=None,
        destination="St Elsewhere's School",
    )
    return services.transfer_send(
        pupil=amelia,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        summary=SUMMARY,
        email="dsl@elsewhere.example",
    )


def package_url(package) -> str:
    return reverse("transfers:package", args=[package.uuid])


def test_the_package_page_names_the_file_but_not_the_child(client, emailed):
    response = client.get(package_url(emailed.package))

    text = page_text(response)
    assert response.status_code == 200
    assert (
        f"Child protection file {emailed.transfer.reference} from Oakfield Primary School" in text
    )
    assert "Download the encrypted file" in text
    assert "Amelia" not in text and "Hart" not in text
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["Referrer-Policy"] == "same-origin"


def test_the_package_is_downloaded_once_by_post(client, emailed):
    address = package_url(emailed.package)
    # Link previews and mail scanners open the address: that must not use it up.
    client.get(address)
    client.get(address)

    response = client.post(address)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{emailed.transfer.reference}.pdf"'
    )
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert document_from_package(response.content, emailed.password) == emailed.transfer.document
    package = Package.objects.get(pk=emailed.package.pk)
    assert package.collected_at is not None and package.content is None

    for again in (client.post(address), client.get(address)):
        assert again.status_code == 410
        assert (
            "This download has been used or has expired. Ask the sending school to send the "
            "file again." in page_text(again)
        )
        assert b"%PDF" not in again.content


def test_an_expired_package_is_gone(client, emailed):
    Package.objects.filter(pk=emailed.package.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    got, posted = (
        client.get(package_url(emailed.package)),
        client.post(package_url(emailed.package)),
    )

    assert (got.status_code, posted.status_code) == (410, 410)
    assert "has been used or has expired" in page_text(posted)


def test_a_package_replaced_by_the_file_sent_again_is_gone(client, dsl, emailed):
    services.transfer_resend(
        transfer=emailed.transfer, by=dsl, reason="Sent to the wrong address", email="a@b.example"
    )

    response = client.post(package_url(emailed.package))

    assert response.status_code == 410


def test_the_senders_own_download_is_not_a_link_for_anyone(client, school, dsl, pupils):
    record_concern(school=school, reporter=dsl, pupils=[pupils[1]])
    services.pupil_leaving_set(
        pupil=pupils[1],
        by=dsl,
        leaving_date=datetime.date(2026, 7, 22),
        destination_school=None,
        destination="St Elsewhere's School",
    )
    own = services.transfer_send(
        pupil=pupils[1],
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        summary=SUMMARY,
    ).package

    for response in (client.get(package_url(own)), client.post(package_url(own))):
        assert response.status_code == 404
    assert Package.objects.get(pk=own.pk).collected_at is None


def test_an_unknown_package_is_not_found(client, db):
    response = client.get(reverse("transfers:package", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_the_package_page_refuses_other_methods(client, emailed):
    assert client.put(package_url(emailed.package)).status_code == 405


def test_the_anonymous_pages_are_rate_limited(client, emailed):
    address = package_url(emailed.package)
    for _ in range(20):
        assert client.get(address).status_code == 200

    refused = client.get(address)

    assert refused.status_code == 429
    assert "Too many attempts" in page_text(refused)
    # The receipt link is counted separately.
    assert client.get(receipt_url(emailed.receipt_token)).status_code == 200


# --- The receipt link ----------------------------------------------------------------------


def receipt_url(token: str) -> str:
    return reverse("transfers:receipt", args=[token])


def test_the_receipt_page_names_the_file_and_sender_but_not_the_child(client, emailed):
    response = client.get(receipt_url(emailed.receipt_token))

    text = page_text(response)
    assert response.status_code == 200
    assert f"Confirm receipt of child protection file {emailed.transfer.reference}" in text
    assert "Oakfield Primary School sent your school this file." in text
    assert "Your name" in text and "Your school" in text
    assert "Amelia" not in text and "Hart" not in text
    assert response["Referrer-Policy"] == "same-origin"
    # Opening the link marks nothing: a mail scanner opens links too. Sending the form does.
    emailed.transfer.refresh_from_db()
    assert emailed.transfer.status == Status.SENT


def test_confirming_receipt_tells_the_sender(client, emailed):
    address = receipt_url(emailed.receipt_token)
    client.get(address)

    response = client.post(
        address, {"name": "Pat Jones", "school_name": "St Elsewhere's"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 200
    assert "Receipt confirmed. Oakfield Primary School has been told." in page_text(response)
    transfer = Transfer.objects.get(pk=emailed.transfer.pk)
    assert transfer.status == Status.RECEIVED
    assert (transfer.received_by_name, transfer.received_by_school) == (
        "Pat Jones",
        "St Elsewhere's",
    )
    assert reasons(transfer)[-1] == "Receipt confirmed by Pat Jones, St Elsewhere's"
    receipt = Receipt.objects.get(transfer=transfer)
    assert (receipt.confirmed_name, receipt.ip_address) == ("Pat Jones", "198.51.100.4")
    assert receipt.used_at is not None


def test_the_receipt_form_asks_for_a_name_and_school_and_keeps_what_was_typed(client, emailed):
    response = client.post(
        receipt_url(emailed.receipt_token), {"name": "Pat Jones", "school_name": "  "}
    )

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem Enter the name of your school" in text
    assert "Enter your name" not in text
    assert form_state(response)["name"] == ["Pat Jones"]
    assert Receipt.objects.get(transfer=emailed.transfer).used_at is None
    both = client.post(receipt_url(emailed.receipt_token), {})
    assert "Enter your name" in page_text(both)


def test_a_receipt_link_is_used_once(client, emailed):
    address = receipt_url(emailed.receipt_token)
    client.post(address, {"name": "Pat Jones", "school_name": "St Elsewhere's"})

    for again in (
        client.get(address),
        client.post(address, {"name": "Someone Else", "school_name": "Another School"}),
    ):
        assert again.status_code == 410
        assert "Receipt has already been confirmed with this link." in page_text(again)
    assert Transfer.objects.get(pk=emailed.transfer.pk).received_by_name == "Pat Jones"


def test_a_tampered_receipt_link_is_not_valid(client, emailed):
    value, _, signature = emailed.receipt_token.rpartition(":")
    tampered = f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"

    for token in (tampered, "not-a-token"):
        response = client.post(receipt_url(token), {"name": "Eve", "school_name": "Nowhere"})
        assert response.status_code == 404
        assert "This receipt link is not valid." in page_text(response)
    assert Transfer.objects.get(pk=emailed.transfer.pk).status == Status.SENT


def test_an_expired_receipt_link_is_gone(client, emailed):
    later = timezone.now() + datetime.timedelta(days=services.RECEIPT_LINK_DAYS, hours=1)

    with time_machine.travel(later, tick=False):
        response = client.get(receipt_url(emailed.receipt_token))

    assert response.status_code == 410
    assert "This receipt link has expired." in page_text(response)
    assert Transfer.objects.get(pk=emailed.transfer.pk).status == Status.SENT


def test_a_receipt_link_replaced_by_the_file_sent_again_is_gone(client, dsl, emailed):
    services.transfer_resend(transfer=emailed.transfer, by=dsl, reason="Package lost")

    response = client.get(receipt_url(emailed.receipt_token))

    assert response.status_code == 410
    assert "use the link that came with it" in page_text(response)


def test_a_signed_in_person_can_use_a_receipt_link_too(staff, emailed):
    # Someone at any school, signed in or not, may be the receiving DSL: the link is the key.
    client = signed_in(staff)
    url = receipt_url(emailed.receipt_token)
    page = client.get(url)
    assert f"Confirm receipt of child protection file {emailed.transfer.reference}" in (
        page_text(page)
    )
    client.post(url, {"name": "Pat Jones", "school_name": "St Elsewhere's"})
    emailed.transfer.refresh_from_db()
    assert emailed.transfer.status == Status.RECEIVED
    assert emailed.transfer.received_by_name == "Pat Jones"


def test_the_receipt_page_refuses_other_methods(client, emailed):
    assert client.put(receipt_url(emailed.receipt_token)).status_code == 405


# --- The chronology at the new school ------------------------------------------------------


def test_the_chronology_shows_the_earlier_part_of_the_file(school, dsl, staff, incoming):
    services.incoming_accept(incoming=incoming, by=dsl)
    incoming = IncomingFile.objects.select_related("pupil").get(pk=incoming.pk)
    record_concern(school=school, reporter=staff, pupils=[incoming.pupil])

    response = signed_in(dsl).get(reverse("concerns:chronology", args=[incoming.pupil.uuid]))

    text = page_text(response)
    received = timezone.localdate(incoming.accepted_at).strftime("%-d %b %Y")
    assert "Earlier parts of this child's file" in text
    assert f"Part 1: Riverside Academy, received {received} (file {incoming.reference})" in text
    assert "Part 2: Oakfield Primary School" in text
    assert text.index("Part 2: Oakfield Primary School") < text.index("Concern raised")
    assert f'href="{incoming_url(incoming)}"' in response.content.decode()


def test_a_chronology_with_no_earlier_parts_has_no_parts(dsl, staff, school, pupils):
    record_concern(school=school, reporter=staff, pupils=[pupils[0]])

    text = page_text(signed_in(dsl).get(reverse("concerns:chronology", args=[pupils[0].uuid])))

    assert "Earlier parts" not in text and "Part 2" not in text
    assert "What happened, oldest first" in text


def test_a_declined_file_is_not_an_earlier_part(school, dsl, incoming):
    already = PupilFactory(school=school, upn=incoming.upn)
    services.incoming_decline(incoming=incoming, by=dsl, reason=DeclineReason.WRONG_SCHOOL)

    text = page_text(signed_in(dsl).get(reverse("concerns:chronology", args=[already.uuid])))

    assert "Earlier parts" not in text
