"""The child protection file as a PDF (issue 15), drawn from the document that is sent: what it
says, read back with pypdf; every page marked OFFICIAL-SENSITIVE and numbered, like the
referral; tagged for screen readers; the package's copy carrying its receipt link; and never
another child's name, nor an image.
"""

import io

import pikepdf
import pytest
from django.utils import timezone

from schools.models import HouseholdContact
from tests.factories import PupilFactory, record_concern
from tests.test_chronology import work_through
from tests.test_pdf import pdf_text
from transfers import services
from transfers.models import Route
from transfers.pdf import file_pdf

SUMMARY = {
    "why_known": "Disclosed online sexual abuse in Year 5; referred to children's social care.",
    "current_risks": "Contact from the adult online may resume.",
    "plans": "Weekly check-in with the learning mentor; online safety work.",
    "agencies": "Demoshire MASH, social worker Sam Patel 01632 960000.",
}
ACCOUNT = "She said: 'He asked me for pictures and I sent them. He said it was a grown-up game.'"


@pytest.fixture
def amelia(school, staff, dsl, other_school):
    """Amelia's file, worked through every step (safety, evidence, referrals with feedback, the
    decision and its reasons, support reviewed, a note), and Bella named in the same concern;
    Amelia is leaving for Riverside Academy."""
    pupil = PupilFactory(
        school=school, legal_first_name="Amelia", legal_last_name="Hart", year_group="Year 6"
    )
    bella = PupilFactory(school=school, legal_first_name="Bella", legal_last_name="Cole")
    HouseholdContact.objects.create(
        pupil=pupil,
        name="Mrs Sarah Hart",
        relationship="Mother",
        phone="07700 900123",
        parental_responsibility=True,
    )
    concern = record_concern(school=school, reporter=staff, pupils=[pupil, bella], account=ACCOUNT)
    work_through(concern, by=dsl)
    return services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=timezone.localdate(),
        destination_school=other_school,
        destination="",
    )


@pytest.fixture
def transfer(amelia, dsl, other_school):
    return services.transfer_send(
        pupil=amelia, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    ).transfer


@pytest.fixture
def pages(transfer) -> list[str]:
    return pdf_text(file_pdf(transfer.document))


def test_the_file_holds_the_summary_the_chronology_and_every_concern_in_full(transfer, pages):
    text = " ".join(pages)
    [concern] = transfer.document["concerns"]

    assert f"Child protection file {transfer.reference}" in text
    assert "From Oakfield Primary School" in text
    assert "To Riverside Academy" in text
    assert "Made by Dana Lead" in text
    assert "Accepting the file in Safeguard confirms receipt to Oakfield Primary School." in text
    assert "Legal name Amelia Hart" in text
    assert "Mrs Sarah Hart Mother Yes" in text
    for words in SUMMARY.values():
        assert words in text
    assert "Chronology, oldest first" in text
    assert f"Concern {concern['reference']} (1 of 1)" in text
    assert ACCOUNT in text
    # The decision and the reasons for it, the referral's outcome, support and its review.
    assert "Reasons Three children sent images to an adult met online." in text
    assert "Why they were not told Social care asked us to wait" in text
    assert "Section 47 enquiry opened for all three girls." in text
    assert "Weekly check-in for Amelia Hart; praised for telling" in text
    assert "Settled; talking to her form tutor." in text
    assert "14 messages asking for pictures, and the pictures and video she sent" in text
    assert "Mother rang: Amelia sleeping better." in text
    assert "History of changes, with the reasons" in text


def test_every_page_is_marked_official_sensitive_and_numbered(pages):
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in text
        assert "by Dana Lead" in text


def test_another_child_named_in_a_concern_is_not_named_in_the_pdf(pages):
    text = " ".join(pages)
    assert "Bella" not in text
    assert "Cole" not in text


def test_the_pdf_is_tagged_for_screen_readers_and_has_no_images(transfer):
    with pikepdf.open(io.BytesIO(file_pdf(transfer.document))) as document:
        root = document.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-GB"
        assert document.open_metadata()["dc:title"] == "Child protection file – Amelia Hart"
        tags = set()

        def walk(element, depth=0):
            if depth > 40 or not isinstance(element, pikepdf.Dictionary):
                return
            if "/S" in element:
                tags.add(str(element.S))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid, depth + 1)

        walk(root.StructTreeRoot)
        for page in document.pages:
            assert list(page.get_images()) == []
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Sect", "/P"} <= tags


def test_a_packages_pdf_says_how_to_confirm_receipt_with_its_link(amelia, dsl):
    sent = services.transfer_send(
        pupil=amelia,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        summary=SUMMARY,
    )
    content = services.package_collect(package=sent.package)

    first_page = pdf_text(content, sent.password)[0]

    assert "Open this link and confirm, giving your name and school" in first_page
    # A long link wraps across lines on the page.
    assert services.receipt_url(sent.receipt_token) in first_page.replace(" ", "")
