"""The PDFs that leave the system: the referral to children's social care and a child's
chronology. What they say (read back with pypdf), that they are tagged for screen readers,
that a protected copy needs its password and the password is kept nowhere, and that every
export is recorded and shown in the concern's history.
"""

import datetime
import hashlib
import io
import re
import uuid

import pikepdf
import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from pikepdf.models.encryption import EncryptionMethod
from pypdf import PdfReader

from concerns import services
from concerns.models import (
    Agency,
    ChildRole,
    Concern,
    DiscloserType,
    GuidanceCard,
    UnnamedChild,
)
from referrals import exports
from referrals.models import Export, ExportKind, Method, PendingDownload
from referrals.pdf import BASE_URL, StaticFilesOnly, render_referral
from schools.models import Gender, HouseholdContact
from tests.factories import PupilFactory, answer_criteria, record_concern
from tests.test_chronology import (
    COUSIN,
    FRIEND,
    check_safety,
    decide_to_refer,
    handled_in_school,
    preserve_evidence,
    refer,
    work_through,
)
from tests.test_views_concerns import attach_pdf, page_text, signed_in

NAMES = ("Amelia Hart", "Bella Cole", "Chloe Dunn")
ACCOUNT = (
    "She said: 'On Saturday I found pornographic sites in her browser history.\n"
    "She told me about a special friend she met in a children's game, then in a chat room.\n"
    "She sent him naked pictures and a video. She called it a grown-up game.\n"
    "Bella and Chloe did the same at a sleepover.'"
)
WISHES = "I don't want anyone else involved, and the other parents must not be told."
# Children involved whom the school cannot name (the mother knows them only by sight, or not
# at all): one passed to the MASH to identify, one not yet passed on.
SLEEPOVER_GIRL = "A girl from another school at the sleepover, about 9; first name Mia"
GAME_PLAYERS = "Other children in the same online game whom the special friend may have contacted"
SPOKEN_TO = "Only her mother: the school has listened and has not asked her about it."


@pytest.fixture(autouse=True)
def _private_exports(settings, tmp_path):
    """Protected copies wait in a private folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


def describe_the_children(pupils) -> None:
    """What the school's information system holds about the three girls and their families."""
    amelia, bella, chloe = pupils
    details = [
        (amelia, "White British", "English", "12 Orchard Way, Testington TE1 2AB", ""),
        (bella, "Mixed White and Black Caribbean", "English", "3 Mill Lane, Testington", ""),
        (chloe, "White Polish", "Polish", "48 High Street, Testington", "Dyslexia"),
    ]
    for pupil, ethnicity, language, address, sen in details:
        pupil.ethnicity, pupil.first_language, pupil.address = ethnicity, language, address
        pupil.sen_disability, pupil.sen_details = bool(sen), sen
        pupil.gender = Gender.FEMALE
        pupil.save()
    contacts = [
        (amelia, "Mrs Sarah Hart", "Mother", True, True),
        (amelia, "Mr David Hart", "Father", True, False),
        (bella, "Ms Claire Cole", "Mother", True, True),
        (chloe, "Mrs Ewa Dunn", "Mother", True, True),
        (chloe, "Mr Tom Reed", "Stepfather", False, True),
    ]
    for priority, (pupil, name, relationship, responsibility, lives_with) in enumerate(contacts):
        HouseholdContact.objects.create(
            pupil=pupil,
            priority=priority + 1,
            name=name,
            relationship=relationship,
            phone="07700 900123",
            parental_responsibility=responsibility,
            lives_with_child=lives_with,
        )


@pytest.fixture
def case(school, staff, dsl, pupils) -> Concern:
    """The DOMAIN.md case, taken to the point where the referral is sent: three girls, their
    safety checked (Bella's needed action), evidence preserved, social care called (urgent),
    the police and CEOP told, the decision recorded against the mother's wishes."""
    school.email, school.urn = "office@oakfield.example", "123456"
    school.save()
    dsl.job_title, dsl.phone = "Deputy head teacher", "01632 960123"
    dsl.save()
    describe_the_children(pupils)
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sharing-nudes", "online-grooming"),
        account=ACCOUNT,
        parent_wishes=WISHES,
        discloser_name="Mrs Sarah Hart",
        adult_involved="yes",
        other_children="yes",
        unnamed_children=[SLEEPOVER_GIRL, GAME_PLAYERS],
    )
    concern = check_safety(concern, by=dsl, unsafe=[pupils[1]], spoken_to=SPOKEN_TO)
    concern = preserve_evidence(concern, by=dsl)
    services.advice_record(
        concern=concern,
        by=dsl,
        card=GuidanceCard.objects.get(school=None, key="online-grooming-family"),
        given_by="Dana Lead",
        given_to="Mrs Sarah Hart (mother)",
        given_at=timezone.now() - timezone.timedelta(minutes=15),
    )
    services.unnamed_child_pass_on(
        unnamed=UnnamedChild.objects.get(concern=concern, description=SLEEPOVER_GIRL),
        by=dsl,
        passed_to="Testshire MASH (Jo Duty)",
        passed_at=timezone.now() - timezone.timedelta(minutes=9),
    )
    # Whether the images show sexual acts is not known (no one at school has seen them).
    concern = answer_criteria(Concern.objects.get(pk=concern.pk), dsl, sexual_acts="unknown")
    refer(concern, by=dsl)
    refer(
        concern,
        by=dsl,
        agency=Agency.POLICE,
        method=Method.PHONE_101,
        agency_reference="CAD-4471",
        contact_name="PC Amir Shah",
        urgent=False,
        risk_view="An adult is grooming children online for sexual images: a crime.",
    )
    refer(
        concern,
        by=dsl,
        agency=Agency.CEOP,
        method=Method.PORTAL,
        agency_reference="CEOP-7781",
        contact_name="",
        urgent=False,
    )
    return decide_to_refer(concern, by=dsl)


def pdf_text(pdf_bytes: bytes, password: str | None = None) -> list[str]:
    """Each page's words, with line breaks and runs of spaces made single spaces."""
    if password is not None:
        # pypdf needs the cryptography package for AES; pikepdf (a dependency) decrypts.
        with pikepdf.open(io.BytesIO(pdf_bytes), password=password) as document:
            decrypted = io.BytesIO()
            document.save(decrypted)
        pdf_bytes = decrypted.getvalue()
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def export_pdf(user, concern, protected="no"):
    return signed_in(user).post(
        reverse("referrals:concern_pdf", args=[concern.uuid]), {"protected": protected}
    )


def shown_password(response) -> str:
    (password,) = re.findall(r"<code>([^<]+)</code>", response.content.decode())
    return password


def download_url(export: Export) -> str:
    return reverse("referrals:export_download", args=[export.uuid])


# What the referral says.


def test_the_referral_pdf_holds_everything_social_care_asks_for(case, dsl, pupils):
    attach_pdf(case, by=dsl)

    text = " ".join(
        pdf_text(
            exports.referral_pdf_export(concern=case, by=dsl, password_protected=False).pdf_bytes
        )
    )

    # Header: immediate risk (Bella was not safe when checked) and the phone referral.
    assert f"Referral to children's social care: {case.reference}" in text
    assert "Is any child at immediate risk? Yes" in text
    assert "Phone to Testshire MASH, spoke to Jo Duty (duty social worker)" in text
    # Referrer: the DSL and the school, with contact details.
    assert "Dana Lead" in text
    assert "Deputy head teacher; Designated safeguarding lead" in text
    assert "Oakfield Primary School (URN 123456)" in text
    assert "01632 960123" in text
    assert "dsl@oakfield.example" in text
    # Consent and awareness, and the mother's wishes in her own words.
    assert "Are the parents or carers aware of this referral? No" in text
    assert "Not sought: Seeking consent could place the children at risk" in text
    assert WISHES in text
    # One section per child, with everything about each.
    for number, (name, pupil) in enumerate(zip(NAMES, pupils, strict=True), start=1):
        assert f"Child {number} of 3: {name}" in text
        assert pupil.upn in text
    assert "Safe: Amelia Hart seen in class" in text
    assert "Safe: Chloe Dunn seen in class" in text
    assert "White Polish" in text and "Polish" in text and "Dyslexia" in text
    assert "12 Orchard Way, Testington TE1 2AB" in text
    assert "14 Mar 2017" in text
    # Household, with who holds parental responsibility.
    assert "Mr David Hart Father Yes No" in text
    assert "Mr Tom Reed Stepfather No Yes" in text
    # Other children in the same incident, each named, in each child's section.
    assert "Bella Cole (another child affected), Chloe Dunn (another child affected)" in text
    # The concern, verbatim (pypdf gives line breaks as spaces), and the type of harm.
    assert " ".join(ACCOUNT.split()) in text
    assert "Online grooming, Sharing nudes and semi-nudes" in text
    assert "sparkle_friend_11" in text
    # Immediate safety: each child's check and Bella's action.
    assert "Not in school; mother not answering" in text
    assert "Police asked to make a welfare visit" in text
    # Evidence: the advice not to delete anything, by whom, to whom; each item.
    assert "Dana Lead advised Mrs Sarah Hart not to delete anything" in text
    assert "Tablet switched off and kept by the mother" in text
    # Actions so far: the referrals, with the police and CEOP references.
    assert "MASH-2026-0142" in text
    assert "CAD-4471" in text
    assert "CEOP-7781" in text
    # The referrer's view of risk, with reasons.
    assert "An adult has obtained sexual images of three children: significant harm." in text
    assert "An adult is grooming children online for sexual images: a crime." in text
    # Never an attachment.
    assert "body map" not in text.lower()


def test_the_referral_pdf_shows_the_criteria_the_decision_the_advice_and_every_child(
    case, dsl, pupils
):
    text = " ".join(pdf_text(render_referral(case, by=dsl)))

    # The UKCIS questions, each with its answer and where the answer came from.
    assert "Is an immediate-referral criterion met (UKCIS)? Yes: 3 of 5" in text
    assert "Immediate-referral criteria (UKCIS, Sharing nudes and semi" in text
    assert "3 of 5 are met." in text
    assert (
        "Is an adult involved? Yes (met) From the category “Online grooming”: an adult (or "
        "someone much older) is believed to have sought images or contact"
    ) in text
    assert (
        "(met) From the category “Online grooming”: grooming and exploitation are coercion by "
        "definition"
    ) in text
    assert (
        "with a child under 13 in them? Not known (met) Asked of the safeguarding lead: "
        "answered by Dana Lead"
    ) in text
    assert "violence? No Asked of the safeguarding lead: answered by Dana Lead" in text
    assert text.count("Asked of the safeguarding lead: answered by Dana Lead") == 3
    # The decision: referred, and to whom.
    assert (
        "Decision Referred to Testshire MASH (Children's social care (MASH)), Police, CEOP"
    ) in text
    assert "Decided by Dana Lead" in text
    # The advice given to the family: which card, by whom, to whom, when.
    assert "Advice given to the child and family" in text
    assert (
        "Online grooming: an adult targeting a child online Dana Lead Mrs Sarah Hart (mother)"
    ) in text
    # Every child: the three named, and the two not yet identified, in the list of children,
    # in each child's "other children" and in a section of their own.
    for name in NAMES:
        assert name in text
    assert f"Not yet identified: {SLEEPOVER_GIRL}" in text
    assert "Identities passed to Testshire MASH (Jo Duty)" in text
    assert f"Not yet identified: {GAME_PLAYERS}" in text
    assert "Not yet passed on" in text
    assert (
        "Bella Cole (another child affected), Chloe Dunn (another child affected); not yet "
        f"identified: {SLEEPOVER_GIRL}; not yet identified: {GAME_PLAYERS}"
    ) in text
    assert "Children not yet identified" in text
    assert "Child not yet identified 2 of 2" in text
    assert "Described by Tom Teacher" in text
    assert "Are other children involved or at risk? Yes" in text
    # Who has spoken to each child.
    assert text.count(f"Who has spoken to the child about this {SPOKEN_TO}") == 3


def test_the_referral_pdf_says_why_a_concern_was_not_referred_and_who_countersigned(
    school, staff, dsl, deputy, pupils
):
    concern = handled_in_school(school=school, staff=staff, dsl=dsl, deputy=deputy, pupils=pupils)

    text = " ".join(pdf_text(render_referral(concern, by=dsl)))

    assert "Is an immediate-referral criterion met (UKCIS)? No" in text
    assert "None is met." in text
    assert "Notes: Pictures in underwear only: no sexual acts, no one coerced." in text
    assert "Decision Not referred" in text
    assert "Ground Children's social care or the police advised that no referral is needed" in text
    assert "Who advised Jo Duty, Testshire MASH, 5 Jan 2026, 13:30" in text
    assert "What they advised No referral needed: teach both girls about consent and images." in (
        text
    )
    assert "Reasons No immediate-referral criterion is met" in text
    assert (
        "Countersignature Countersigned by Dev Deputy, 6 Jan 2026, 09:00: Agreed: no criterion "
        "is met, and the MASH advice is recorded."
    ) in text
    assert "Reasons for the decision to refer" not in text
    # Bella was described before she was identified; the cousin's description was passed on.
    assert f"Described before being identified {FRIEND}" in text
    assert f"Not yet identified: {COUSIN}" in text
    assert "Identities passed to Testshire MASH (Jo Duty), 5 Jan 2026, 11:50" in text
    assert "Advice given to the child and family Advice Given by Given to When Sharing nudes" in (
        text
    )


def test_a_decision_not_to_refer_awaiting_its_countersignature_says_so(
    school, staff, dsl, deputy, pupils
):
    concern = handled_in_school(school=school, staff=staff, dsl=dsl, deputy=deputy, pupils=pupils)
    Concern.objects.filter(pk=concern.pk).update(
        countersigned_by=None, countersigned_at=None, countersign_reason=""
    )

    text = " ".join(pdf_text(render_referral(concern, by=dsl)))

    assert "Awaiting countersignature by another member of the safeguarding team (" in text
    assert "the concern is about sexual harm" in text


def test_the_referral_pdf_says_whether_money_was_paid_in_sextortion(school, staff, dsl):
    boy = PupilFactory(
        school=school,
        legal_first_name="Sam",
        legal_last_name="Reid",
        gender=Gender.MALE,
        date_of_birth=datetime.date(2011, 5, 2),
        year_group="Year 10",
    )
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[boy],
        categories=("sextortion",),
        discloser_type=DiscloserType.CHILD,
        discloser_name="Sam",
        discloser_relationship="",
        account="He said: 'They said they'd send the picture to everyone unless I paid.'",
        adult_involved="unknown",
    )
    concern = check_safety(concern, by=dsl)
    services.evidence_item_add(
        concern=concern,
        by=dsl,
        description="Messages demanding money, with the threat",
        location="Sam's phone, Instagram",
        held_by="Sam",
    )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=concern.version,
        advice_given_by="Dana Lead",
        advice_given_to="Sam",
        advice_given_at=timezone.now() - timezone.timedelta(minutes=5),
        payment_made="yes",
        payment_details="£50 by bank transfer to an account in the name of 'J Smith'",
    )

    text = " ".join(pdf_text(render_referral(concern, by=dsl)))

    assert "Sextortion: payment" in text
    assert "Was any money or anything else paid? Yes" in text
    assert "£50 by bank transfer to an account in the name of 'J Smith'" in text
    # Sextortion is blackmail by definition: the coercion question is answered by the app.
    assert "Sextortion is blackmail by definition" in text
    assert "The decision whether to refer has not been recorded yet." in text


def test_the_referral_page_lists_the_children_not_yet_identified(case, dsl):
    referral = case.referrals.get(agency=Agency.SOCIAL_CARE)

    text = page_text(signed_in(dsl).get(reverse("referrals:detail", args=[referral.uuid])))

    assert "Not yet identified:" in text
    assert f"{SLEEPOVER_GIRL} Identities passed to Testshire MASH (Jo Duty)" in text
    assert f"{GAME_PLAYERS} Not yet passed on" in text


def test_the_referral_pdf_has_no_images_or_attached_files(case, dsl):
    attach_pdf(case, by=dsl)
    pdf_bytes = render_referral(case, by=dsl)

    with pikepdf.open(io.BytesIO(pdf_bytes)) as document:
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        for page in document.pages:
            assert list(page.get_images()) == []


def test_every_page_is_marked_official_sensitive_and_numbered(case, dsl):
    pages = pdf_text(render_referral(case, by=dsl))

    # A cover page, one page per child at least, and the concern.
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in text
        assert re.search(r"Generated \d+ \w{3} \d{4}, \d\d:\d\d by Dana Lead", text)


def test_the_pdf_is_tagged_for_screen_readers(case, dsl):
    pdf_bytes = render_referral(case, by=dsl)

    with pikepdf.open(io.BytesIO(pdf_bytes)) as document:
        root = document.Root
        assert root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == "en-GB"
        assert root.ViewerPreferences.DisplayDocTitle is True
        metadata = document.open_metadata()
        assert metadata["pdfuaid:part"] == "1"
        assert metadata["dc:title"] == f"Referral to children's social care – {case.reference}"
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
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Sect", "/P"} <= tags


def test_a_static_file_is_all_a_pdf_may_load(settings):
    fetcher = StaticFilesOnly()

    assert b".sg-verbatim" in fetcher.fetch(BASE_URL + "static/css/app.css").read()
    for refused in [
        "https://example.com/tracker.png",
        "http://127.0.0.1:8000/static/css/app.css",
        "file:///etc/passwd",
        BASE_URL + "static/../../etc/passwd",
        BASE_URL + "media/attachments/body-map.pdf",
        "data:image/png;base64,iVBORw0KGgo=",
    ]:
        with pytest.raises(ValueError, match="may only load the project's static files"):
            fetcher.fetch(refused)


# Downloading, and what is recorded.


def test_the_dsl_downloads_the_referral_pdf_and_the_export_is_recorded(case, dsl, pupils):
    response = export_pdf(dsl, case)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="referral-{case.reference}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    export = Export.objects.get()
    assert export.kind == ExportKind.REFERRAL
    assert export.concern_id == case.pk
    assert export.exported_by_id == dsl.pk
    assert timezone.now() - export.exported_at < timezone.timedelta(minutes=1)
    assert not export.password_protected
    assert export.sha256 == hashlib.sha256(response.content).hexdigest()
    assert {child.pupil_id for child in export.children.all()} == {p.pk for p in pupils}
    (row,) = export.history.all()
    assert (row.history_user_id, row.history_change_reason) == (dsl.pk, "Referral PDF exported")
    assert row.children.count() == 3
    assert all(name in " ".join(pdf_text(response.content)) for name in NAMES)


def test_the_concerns_history_shows_each_export_with_who_and_which_children(case, dsl, deputy):
    export_pdf(dsl, case)
    protected = export_pdf(deputy, case, protected="yes")

    text = page_text(signed_in(dsl).get(reverse("concerns:history", args=[case.uuid])))

    subject = "Referral PDF for Amelia Hart, Bella Cole, Chloe Dunn: exported"
    assert text.count(subject) == 2
    assert "by Dana Lead. Reason: Referral PDF exported" in text
    assert "by Dev Deputy. Reason: Referral PDF exported (password-protected)" in text
    # Newest first.
    assert text.index("Dev Deputy. Reason: Referral PDF exported") < text.index(
        "Dana Lead. Reason: Referral PDF exported"
    )
    assert shown_password(protected) not in text


def test_a_protected_copy_needs_its_password_which_is_shown_once_and_kept_nowhere(
    case, dsl, pupils
):
    page = export_pdf(dsl, case, protected="yes")

    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "Write this down now: it is not stored and cannot be shown again." in page_text(page)
    password = shown_password(page)
    assert re.fullmatch(r"[3467ACDEFGHJKMNPQRTWXY]{4}(-[3467ACDEFGHJKMNPQRTWXY]{4}){4}", password)
    export = Export.objects.get()
    assert export.password_protected

    download = signed_in(dsl).post(download_url(export))

    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    encrypted = download.content
    assert export.sha256 == hashlib.sha256(encrypted).hexdigest()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted), password="wrong-password")
    with pikepdf.open(io.BytesIO(encrypted), password=password) as document:
        assert document.is_encrypted
        assert document.encryption.R == 6
        assert document.encryption.stream_method == EncryptionMethod.aesv3
    assert all(name in " ".join(pdf_text(encrypted, password)) for name in NAMES)
    # Kept nowhere: not on the export, its history, or in any session.
    assert "password" not in {f.name for f in Export._meta.get_fields()}
    assert password not in repr(list(Export.objects.values()))
    assert password not in repr(list(Export.history.values()))
    assert all(password not in repr(s.get_decoded()) for s in Session.objects.all())


def test_the_protected_download_works_once_and_then_is_gone(case, dsl):
    export_pdf(dsl, case, protected="yes")
    export = Export.objects.get()
    client = signed_in(dsl)

    first = client.post(download_url(export))
    second = client.post(download_url(export))

    assert first.status_code == 200
    assert second.status_code == 410
    assert "This download is no longer available" in page_text(second)
    assert not PendingDownload.objects.exists()
    # The record of the export stays.
    assert Export.objects.filter(pk=export.pk).exists()


def test_only_the_person_who_made_the_copy_can_download_it(case, dsl, deputy):
    export_pdf(dsl, case, protected="yes")
    export = Export.objects.get()

    someone_else = signed_in(deputy).post(download_url(export))
    maker = signed_in(dsl).post(download_url(export))

    assert someone_else.status_code == 404
    assert maker.status_code == 200


def test_the_protected_download_expires_after_ten_minutes(case, dsl):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        export_pdf(dsl, case, protected="yes")
        export = Export.objects.get()
        traveller.shift(timezone.timedelta(minutes=10, seconds=1))

        response = signed_in(dsl).post(download_url(export))

    assert response.status_code == 410
    assert not PendingDownload.objects.exists()


def test_the_protected_download_is_still_there_at_nine_minutes(case, dsl):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        export_pdf(dsl, case, protected="yes")
        traveller.shift(timezone.timedelta(minutes=9))

        response = signed_in(dsl).post(download_url(Export.objects.get()))

    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:5]
        == b"%PDF-"
    )


def test_copies_never_collected_are_cleared_away_when_the_next_one_is_made(case, dsl):
    with time_machine.travel(timezone.now() - timezone.timedelta(hours=1), tick=False):
        export_pdf(dsl, case, protected="yes")
    stale = Export.objects.get()

    export_pdf(dsl, case, protected="yes")

    fresh_export = Export.objects.exclude(pk=stale.pk).get()
    assert list(PendingDownload.objects.values_list("export", flat=True)) == [fresh_export.pk]
    assert Export.objects.filter(pk=stale.pk).exists()  # the record stays


def test_the_waiting_copy_is_in_the_database_not_on_a_server_s_disk(case, dsl, _private_media):
    export_pdf(dsl, case, protected="yes")

    (waiting,) = PendingDownload.objects.all()
    assert bytes(waiting.content)[:5] == b"%PDF-"
    assert not _private_media.exists() or not list(_private_media.rglob("*"))
    download = signed_in(dsl).post(download_url(Export.objects.get()))
    assert download.content == bytes(waiting.content)


def test_the_download_is_a_post(case, dsl):
    export_pdf(dsl, case, protected="yes")

    response = signed_in(dsl).get(download_url(Export.objects.get()))

    assert response.status_code == 405


def test_a_download_of_an_unknown_export_is_not_found(dsl):
    response = signed_in(dsl).post(reverse("referrals:export_download", args=[uuid.uuid4()]))

    assert response.status_code == 404


# Who may export.


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_staff_and_governors_cannot_export(request, persona, case):
    # Tom (staff) raised this concern, and still may not send it out of the system.
    response = export_pdf(request.getfixturevalue(persona), case)

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_another_schools_dsl_cannot_export(other_dsl, case):
    response = export_pdf(other_dsl, case)

    assert response.status_code == 404
    assert not Export.objects.exists()


def test_signing_in_comes_before_an_export(client, case):
    address = reverse("referrals:concern_pdf", args=[case.uuid])

    response = client.post(address, {"protected": "no"})

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"
    assert not Export.objects.exists()


def test_an_export_is_a_post(dsl, case):
    response = signed_in(dsl).get(reverse("referrals:concern_pdf", args=[case.uuid]))

    assert response.status_code == 405
    assert not Export.objects.exists()


def test_an_export_must_say_whether_it_is_protected(dsl, case):
    response = signed_in(dsl).post(reverse("referrals:concern_pdf", args=[case.uuid]))

    assert response.status_code == 400
    assert not Export.objects.exists()


def test_the_concern_page_offers_both_downloads_to_the_dsl_team_only(dsl, staff, case):
    as_dsl = page_text(signed_in(dsl).get(reverse("concerns:detail", args=[case.uuid])))
    as_reporter = page_text(signed_in(staff).get(reverse("concerns:detail", args=[case.uuid])))

    assert "Download the referral PDF" in as_dsl
    assert "Download a password-protected copy" in as_dsl
    assert "Download the referral PDF" not in as_reporter
    assert "Download a password-protected copy" not in as_reporter


# The chronology: the child protection file for a new school.


def chronology_pdf(user, pupil, protected="no"):
    return signed_in(user).post(
        reverse("concerns:chronology_pdf", args=[pupil.uuid]), {"protected": protected}
    )


def test_the_dsl_downloads_a_childs_chronology_and_the_export_is_recorded(
    school, staff, dsl, pupils
):
    amelia, _bella, chloe = pupils
    describe_the_children(pupils)
    first = work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)
    second = record_concern(
        school=school,
        reporter=staff,
        pupils=[chloe, amelia],
        roles=[ChildRole.SUBJECT, ChildRole.WITNESS],
        categories=("child-on-child",),
    )

    response = chronology_pdf(dsl, amelia)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="chronology-{amelia.upn}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    pages = pdf_text(response.content)
    text = " ".join(pages)
    assert "Chronology: Amelia Hart" in text
    assert amelia.upn in text and "14 Mar 2017" in text and "Mrs Sarah Hart" in text
    assert f"{first.reference}, {second.reference}" in text
    assert "Feedback from Testshire MASH: Child protection enquiry (section 47)" in text
    assert "Support reviewed" in text and "Mother rang: Amelia sleeping better." in text
    assert text.index("Concern raised: Sharing nudes") < text.index(
        "Concern raised: Child-on-child abuse"
    )
    assert all(page.count("OFFICIAL-SENSITIVE") == 2 for page in pages)
    assert f"Page 1 of {len(pages)}" in pages[0]
    export = Export.objects.get()
    assert (export.kind, export.pupil_id, export.concern_id) == (
        ExportKind.CHRONOLOGY,
        amelia.pk,
        None,
    )
    assert {(c.concern_id, c.pupil_id) for c in export.children.all()} == {
        (first.pk, amelia.pk),
        (second.pk, amelia.pk),
    }
    assert export.sha256 == hashlib.sha256(response.content).hexdigest()
    assert export.history.get().history_change_reason == "Chronology PDF exported"
    history = page_text(signed_in(dsl).get(reverse("concerns:history", args=[second.uuid])))
    assert "Chronology PDF for Amelia Hart: exported" in history


def test_a_protected_chronology_opens_only_with_its_password(school, staff, dsl, pupils):
    record_concern(school=school, reporter=staff, pupils=pupils)

    page = chronology_pdf(dsl, pupils[0], protected="yes")
    export = Export.objects.get()
    download = signed_in(dsl).post(download_url(export))

    assert download["Content-Disposition"] == (
        f'attachment; filename="chronology-{pupils[0].upn}.pdf"'
    )
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(download.content))
    assert "Chronology: Amelia Hart" in " ".join(pdf_text(download.content, shown_password(page)))
    assert export.history.get().history_change_reason == (
        "Chronology PDF exported (password-protected)"
    )


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_staff_and_governors_cannot_export_a_chronology(request, persona, school, staff, pupils):
    record_concern(school=school, reporter=staff, pupils=pupils)

    response = chronology_pdf(request.getfixturevalue(persona), pupils[0])

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_another_schools_dsl_cannot_export_a_chronology(other_dsl, pupils):
    response = chronology_pdf(other_dsl, pupils[0])

    assert response.status_code == 404
    assert not Export.objects.exists()


def test_signing_in_comes_before_a_chronology_export(client, pupils):
    address = reverse("concerns:chronology_pdf", args=[pupils[0].uuid])

    response = client.post(address, {"protected": "no"})

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"


def test_a_chronology_export_is_a_post(dsl, pupils):
    response = signed_in(dsl).get(reverse("concerns:chronology_pdf", args=[pupils[0].uuid]))

    assert response.status_code == 405


def test_the_referrers_role_is_not_repeated_when_their_job_title_says_it(dsl, case):
    dsl.job_title = "Designated safeguarding lead"
    dsl.save()

    text = " ".join(pdf_text(render_referral(case, by=dsl)))

    assert "Designated safeguarding lead; Designated safeguarding lead" not in text
    assert "Role Designated safeguarding lead" in text
