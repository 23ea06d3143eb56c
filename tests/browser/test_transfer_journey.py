"""Issue 15's journey, in a real browser: a Year 6 leaver's file is sent from one school and
accepted at another in the same deployment, read there as a sealed record that opens the
child's new chronology, and the sender sees it received. Then a file for a school outside
Safeguard: its receipt link, opened without signing in, confirms receipt once."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_transfer_sending import write_summary
from tests.factories import PupilFactory, record_concern
from tests.test_transfer_services import SUMMARY
from transfers import services
from transfers.models import IncomingFile, Route, Status, Transfer


def test_a_year_6_leavers_file_is_sent_accepted_read_and_seen_received(
    page: Page,
    live_server,
    sign_in,
    assert_accessible,
    school,
    staff,
    dsl,
    deputy,
    other_school,
    other_dsl,
):
    leaver = PupilFactory(
        school=school, legal_first_name="Leo", legal_last_name="Marsh", year_group="Year 6"
    )
    concern = record_concern(school=school, reporter=staff, pupils=[leaver])
    services.pupil_leaving_set(
        pupil=leaver,
        by=dsl,
        leaving_date=timezone.localdate() - datetime.timedelta(days=1),
        destination_school=other_school,
        destination="",
    )

    # The sending DSL writes the summary and sends the file to the school here.
    sign_in(dsl)
    page.goto(f"{live_server.url}/transfers/leavers/")
    page.get_by_role("link", name="Send the file of Leo Marsh").click()
    write_summary(page)
    page.get_by_role("button", name="Send the file").click()
    transfer = Transfer.objects.get(pupil=leaver)
    expect(page.get_by_role("alert")).to_contain_text(f"File {transfer.reference} sent to")

    # The receiving DSL sees it waiting, with who it is about and nothing of its content.
    sign_in(other_dsl)
    page.goto(f"{live_server.url}/concerns/queue/")
    expect(page.get_by_text(re.compile("1 file has come from other schools"))).to_be_visible()
    page.get_by_role("link", name="Incoming files", exact=True).first.click()
    expect(page.get_by_role("heading", name="Incoming files", level=1)).to_be_visible()
    assert_accessible("incoming files, one waiting")
    page.get_by_role("link", name=transfer.reference).click()
    expect(page.get_by_text("Leo Marsh").first).to_be_visible()
    expect(page.get_by_text("Disclosed online abuse in Year 5.")).to_have_count(0)
    assert_accessible("an incoming file, waiting")
    page.get_by_role("button", name="Accept the file and confirm receipt").click()

    # Accepted: the sealed record, and the child's chronology here starts a new part.
    expect(
        page.get_by_text(re.compile(r"Sealed record from .*It cannot be changed"))
    ).to_be_visible()
    expect(page.get_by_text("Disclosed online abuse in Year 5.")).to_be_visible()
    expect(page.get_by_text(concern.reference).first).to_be_visible()
    assert_accessible("an incoming file, accepted")
    page.get_by_role("link", name="Leo Marsh's chronology", exact=True).click()
    expect(page.get_by_role("heading", name="Earlier parts of this child's file")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(f"Part 1: {school.name}"))).to_be_visible()
    expect(page.get_by_role("heading", name=f"Part 2: {other_school.name}")).to_be_visible()
    assert_accessible("a chronology with an earlier part")
    incoming = IncomingFile.objects.select_related("pupil").get(transfer=transfer)
    assert incoming.pupil.school_id == other_school.pk

    # The sending school's DSL team sees it received, with who confirmed it (the deputy here:
    # a code from the authenticator app is used once, and the DSL's is spent).
    sign_in(deputy)
    page.goto(f"{live_server.url}/transfers/leavers/")
    expect(page.get_by_text("Received", exact=True).first).to_be_visible()
    page.get_by_role("link", name="See the file of Leo Marsh").click()
    expect(page.get_by_text(other_dsl.full_name).first).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.status == Status.RECEIVED and transfer.received_by_id == other_dsl.pk


def test_the_receipt_link_of_a_package_confirms_receipt_once(
    page: Page, live_server, assert_accessible, school, staff, dsl
):
    leaver = PupilFactory(school=school, legal_first_name="Mia", legal_last_name="Stone")
    record_concern(school=school, reporter=staff, pupils=[leaver])
    services.pupil_leaving_set(
        pupil=leaver,
        by=dsl,
        leaving_date=timezone.localdate(),
        destination_school=None,
        destination="St Elsewhere's",
    )
    sent = services.transfer_send(
        pupil=leaver,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's",
        summary=SUMMARY,
    )
    link = services.receipt_url(sent.receipt_token).replace("http://testserver", live_server.url)

    # Whoever holds the link, signed in or not: no child's name on the page.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(sent.transfer.reference)
    expect(page.get_by_text("Mia")).to_have_count(0)
    assert_accessible("a receipt link")
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your name")
    page.get_by_label("Your name").fill("Pat Jones")
    page.get_by_label("Your school").fill("St Elsewhere's")
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.get_by_role("heading", name="Receipt confirmed")).to_be_visible()
    sent.transfer.refresh_from_db()
    assert sent.transfer.status == Status.RECEIVED
    assert sent.transfer.received_by_name == "Pat Jones"

    page.goto(link)
    expect(page.get_by_text("Receipt has already been confirmed with this link.")).to_be_visible()


def test_a_leaver_with_no_school_to_go_to_is_recorded_and_no_longer_chased(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl
):
    leaver = PupilFactory(school=school, legal_first_name="Ivy", legal_last_name="Lane")
    record_concern(school=school, reporter=staff, pupils=[leaver])
    services.pupil_leaving_set(
        pupil=leaver,
        by=dsl,
        leaving_date=timezone.localdate() - datetime.timedelta(days=14),
        destination_school=None,
        destination="Not known",
    )
    sign_in(dsl)
    page.goto(f"{live_server.url}/transfers/leavers/")
    expect(page.get_by_text("Overdue").first).to_be_visible()
    page.get_by_role("link", name="Send the file of Ivy Lane").click()
    page.get_by_role("link", name="Record that there is no school to send the file to").click()
    page.get_by_role("button", name="Record that there is no school").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select why there is no school to send the file to"
    )
    assert_accessible("no school to send the file to, with errors")
    page.get_by_label("Where they have gone is not known").check()
    page.get_by_label("What was done instead").fill(
        "Children missing education officer told by phone; the file shared with them."
    )
    page.get_by_role("button", name="Record that there is no school").click()
    expect(page.get_by_text("No school: where they have gone is not known")).to_be_visible()
    expect(page.get_by_text("Overdue")).to_have_count(0)
    assert_accessible("leavers, one with no school")
