"""The sending DSL's side of a leaver's file, in a real browser: a leaving date recorded by
hand, a file sent to a school outside Safeguard as an encrypted package (its password shown
once, downloaded once), and another sent to a school that uses Safeguard here. Every page is
checked against WCAG 2.2 A and AA.
"""

import datetime
import io
import re

import pikepdf
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_domain_case import choose_pupil
from tests.factories import PupilFactory, record_concern
from transfers.models import Route, Status, Transfer
from transfers.pdf import document_from_package

SUMMARY = {
    "Why the child is known to the safeguarding team": "Disclosed online abuse in Year 5.",
    "Current risks": "Contact from the adult online may resume.",
    "Plans and support in place": "Weekly check-in with the learning mentor.",
    "Agencies involved, and their contacts": "Testshire MASH, Sam Patel 01632 960000.",
}


def write_summary(page: Page) -> None:
    for label, text in SUMMARY.items():
        page.get_by_label(label).fill(text)


def test_the_dsl_records_a_leaver_and_sends_their_files(
    page: Page,
    live_server,
    sign_in,
    screenshot,
    assert_accessible,
    school,
    staff,
    dsl,
    other_school,
):
    amelia = PupilFactory(school=school, legal_first_name="Amelia", legal_last_name="Hart")
    bella = PupilFactory(school=school, legal_first_name="Bella", legal_last_name="Cole")
    record_concern(school=school, reporter=staff, pupils=[amelia])
    record_concern(school=school, reporter=staff, pupils=[bella])
    left = timezone.localdate() - datetime.timedelta(days=1)
    sign_in(dsl)

    page.goto(f"{live_server.url}/transfers/leavers/")
    expect(page.get_by_text("No leavers have a safeguarding file.")).to_be_visible()
    assert_accessible("leavers, none")
    choose_pupil(page, amelia)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "When is Amelia Hart leaving, and for which school?"
    )
    page.get_by_label("Leaving date").fill(left.isoformat())
    page.get_by_label("Another school", exact=True).check()
    page.get_by_label("Name of another school").fill("St Elsewhere's School, Testington")
    assert_accessible("a leaving date")
    page.get_by_role("button", name="Save the leaving date").click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"Amelia Hart left on {left:%-d %B %Y} for St Elsewhere's School, Testington."
    )
    assert_accessible("leavers, one not sent")
    page.get_by_role("link", name="Send the file of Amelia Hart").click()

    # A school outside Safeguard: an encrypted package, downloaded once.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Send Amelia Hart's child protection file"
    )
    page.get_by_role("button", name="Send the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Select where the file is going")
    assert_accessible("send the file, with errors")
    write_summary(page)
    page.get_by_label("A school outside Safeguard (an encrypted package)").check()
    # The school the child is going to, as recorded with the leaving date.
    expect(page.get_by_label("Name of the school outside Safeguard")).to_have_value(
        "St Elsewhere's School, Testington"
    )
    page.get_by_role("button", name="Send the file").click()

    expect(page.get_by_text("Write this down now")).to_be_visible()
    password = page.locator(".govuk-panel__body code").inner_text()
    expect(page.get_by_text("/transfers/receipt/")).to_be_visible()
    assert_accessible("the package's password")
    screenshot("transfers-package-password")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the encrypted file").click()
    download = download_info.value
    transfer = Transfer.objects.get(pupil=amelia)
    assert download.suggested_filename == f"{transfer.reference}.pdf"
    content = download.path().read_bytes()
    assert document_from_package(content, password)["reference"] == transfer.reference
    with pikepdf.open(io.BytesIO(content), password=password) as document:
        assert document.is_encrypted

    page.get_by_role("link", name=f"See the file {transfer.reference} and its status").click()
    expect(page.get_by_text("As an encrypted package, with a receipt link")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Downloaded by the sender \d"))).to_be_visible()
    # And the download is a step in the file's history.
    expect(
        page.get_by_role("cell", name="Package downloaded by the sender, to send on")
    ).to_be_visible()
    assert_accessible("a file sent")

    # A school that uses Safeguard here: its DSL team is told.
    page.goto(f"{live_server.url}/transfers/leavers/")
    choose_pupil(page, bella)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Leaving date").fill(left.isoformat())
    page.get_by_label("A school that uses Safeguard here").check()
    page.get_by_label("School that uses Safeguard here", exact=True).select_option(
        label="Riverside Academy"
    )
    page.get_by_role("button", name="Save the leaving date").click()
    page.get_by_role("link", name="Send the file of Bella Cole").click()
    write_summary(page)
    expect(page.get_by_label("A school that uses Safeguard here")).to_be_checked()
    expect(page.get_by_label("School that uses Safeguard here", exact=True)).to_have_value(
        str(other_school.uuid)
    )
    assert_accessible("send the file")
    page.get_by_role("button", name="Send the file").click()

    sent = Transfer.objects.get(pupil=bella)
    expect(page.get_by_role("alert")).to_contain_text(
        f"File {sent.reference} sent to Riverside Academy. Their DSL team has been told."
    )
    assert sent.route == Route.DEPLOYMENT and sent.status == Status.SENT
    screenshot("transfers-file-sent")
    page.get_by_role("link", name="Back to the leavers").click()
    expect(page.get_by_role("link", name="See the file of Bella Cole")).to_be_visible()
    assert_accessible("leavers, both sent")
    screenshot("transfers-leavers")
