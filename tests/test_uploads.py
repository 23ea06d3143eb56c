"""What may be attached to a concern, judged from all of the file's bytes, never from its name.

DOMAIN.md rule 1: on a concern about sexual imagery, images and videos are refused outright,
and so is any file that holds or draws one. On every concern, a PDF that can run something or
carries other files is refused. The sample files are built here from bytes, so the suite needs
no binary fixtures.
"""

import hashlib
import io
import random
import re
import struct
import zipfile
import zlib

import pikepdf
import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from concerns import services, uploads
from concerns.models import Attachment, AttachmentChunk, Concern, Step
from concerns.selectors import attachment_content
from safeguard.errors import WorkflowError
from tests.factories import pdf_file, record_concern
from tests.test_views_concerns import bring_to, form_state, page_text, signed_in, url


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


# A 1x1 white greyscale PNG and a 1x1 grey baseline JPEG. Both decode in Chromium.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff"))
    + _png_chunk(b"IEND", b"")
)
JPEG = bytes.fromhex(
    "ffd8"  # start of image
    "ffe000104a46494600010100000100010000"  # JFIF header
    "ffdb004300"
    + "01"
    * 64  # one quantisation table, all ones
    + "ffc0000b080001000101011100"  # baseline, 1x1, one component
    "ffc4001400" + "01" + "00" * 15 + "00"  # DC table: one code, for category 0
    "ffc4001410" + "01" + "00" * 15 + "00"  # AC table: one code, for end of block
    "ffda0008010100003f00"  # start of scan
    "3f"  # DC difference 0, end of block, padded with ones
    "ffd9"  # end of image
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
PDF = pdf_file("Minutes of the strategy meeting")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
RANDOM_BYTES = random.Random(1).randbytes(512)


def _zip(files: dict[str, str | bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip(
    {
        "[Content_Types].xml": "<Types/>",
        "word/document.xml": "<w:document><w:body><w:p/></w:body></w:document>",
    }
)
ZIP = _zip({"notes.txt": "Minutes of the strategy meeting"})

NOT_ALLOWED = r"^This type of file cannot be attached\. "


def refused(message: str):
    return pytest.raises(WorkflowError, match=f"^{re.escape(message)}$")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    # The browser's content type is the sender's claim: the checks must not rely on it.
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def nudes_concern(school, staff, pupils):
    return record_concern(
        school=school, reporter=staff, pupils=pupils, categories=("sharing-nudes",)
    )


@pytest.fixture
def physical_concern(school, staff, pupils):
    return record_concern(
        school=school, reporter=staff, pupils=pupils[:1], categories=("physical",)
    )


def stored_bytes(attachment) -> bytes:
    return b"".join(attachment_content(attachment))


def attach(concern, by, file, description="Strategy meeting minutes"):
    return services.attachment_add(
        concern=concern, by=by, uploaded_file=file, description=description
    )


# Sexual imagery: images and videos are refused whatever they are called.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("screenshot.png", PNG),
        ("photo.jpg", JPEG),
        ("clip.mp4", MP4),
        ("minutes.pdf", PNG),
        ("minutes.docx", JPEG),
        ("notes.txt", MP4),
    ],
    ids=["png", "jpeg", "mp4", "png-named-pdf", "jpeg-named-docx", "mp4-named-txt"],
)
def test_images_and_videos_are_refused_on_a_sexual_imagery_concern(
    nudes_concern, dsl, tmp_path, name, content
):
    with refused(uploads.IMAGERY_REFUSAL):
        attach(nudes_concern, dsl, upload(name, content, "application/pdf"))

    assert not Attachment.objects.exists()
    assert not list((tmp_path / "private").rglob("*.*"))


@pytest.mark.parametrize("content", [PNG, JPEG, MP4], ids=["png", "jpeg", "mp4"])
def test_check_upload_refuses_imagery_on_a_sexual_imagery_concern(content):
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("evidence.bin", content), sexual_imagery=True)


def test_a_pdf_is_accepted_on_a_sexual_imagery_concern_and_kept_privately(nudes_concern, dsl):
    attachment = attach(nudes_concern, dsl, upload("minutes.pdf", PDF, "application/pdf"))

    saved = Attachment.objects.get(pk=attachment.pk)
    assert saved.content_type == "application/pdf"
    assert saved.original_name == "minutes.pdf"
    assert saved.size == len(PDF)
    assert saved.sha256 == hashlib.sha256(PDF).hexdigest()
    assert saved.uploaded_by_id == dsl.pk
    # Kept in the database with the bytes unchanged.
    assert stored_bytes(saved) == PDF
    assert [(h.history_user_id, h.history_change_reason) for h in saved.history.all()] == [
        (dsl.pk, "Document attached")
    ]


def test_a_word_document_is_accepted(nudes_concern, dsl):
    attachment = attach(nudes_concern, dsl, upload("strategy.docx", DOCX))
    assert attachment.content_type == uploads.DOCX.content_type
    assert stored_bytes(attachment) == DOCX


def test_a_zip_that_is_not_a_word_document_is_refused(nudes_concern, dsl):
    with pytest.raises(WorkflowError, match=NOT_ALLOWED):
        attach(nudes_concern, dsl, upload("strategy.docx", ZIP))


def test_plain_text_is_accepted(nudes_concern, dsl):
    text = "Notes from the call with social care. The mother said ‘no’.\n".encode()
    attachment = attach(nudes_concern, dsl, upload("call.txt", text))
    assert attachment.content_type == "text/plain"


def test_long_plain_text_is_accepted_whatever_character_falls_at_the_sniffed_length(
    nudes_concern, dsl
):
    # Only the first 8 KB are sniffed; here a curly apostrophe (three bytes) straddles the cut.
    text = ("a" * 8191 + "’ and the rest of the notes.\n").encode()
    attachment = attach(nudes_concern, dsl, upload("call.txt", text))
    assert attachment.content_type == "text/plain"


def test_plain_text_starting_with_bm_is_not_taken_for_a_bitmap(physical_concern, dsl):
    text = b"BMX club: Amelia missed practice again, second week running.\n"
    attachment = attach(physical_concern, dsl, upload("notes.txt", text))
    assert attachment.content_type == "text/plain"


# Other concerns: a photograph (of a bruise, say) is allowed, other files are not.


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PNG, "image/png"), (JPEG, "image/jpeg")],
    ids=["png", "jpeg"],
)
def test_an_image_is_accepted_on_a_concern_without_sexual_imagery(
    physical_concern, dsl, content, content_type
):
    attachment = attach(physical_concern, dsl, upload("bruise.dat", content), "Photo of bruise")
    assert attachment.content_type == content_type
    assert stored_bytes(attachment) == content


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", EXE), ("minutes.pdf", RANDOM_BYTES), ("clip.mp4", MP4)],
    ids=["exe", "random-bytes", "video"],
)
def test_other_files_are_refused(physical_concern, dsl, name, content):
    with pytest.raises(WorkflowError, match=NOT_ALLOWED):
        attach(physical_concern, dsl, upload(name, content))
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused(physical_concern, dsl):
    with refused("The selected file is empty."):
        attach(physical_concern, dsl, upload("minutes.pdf", b""))


def test_an_oversized_file_is_refused(physical_concern, dsl, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    just_too_big = PDF + b"%" * (1024 * 1024 - len(PDF) + 1)
    with refused("The selected file must be smaller than 1 MB."):
        attach(physical_concern, dsl, upload("minutes.pdf", just_too_big))
    assert not Attachment.objects.exists()

    at_the_limit = just_too_big[:-1]
    assert attach(physical_concern, dsl, upload("minutes.pdf", at_the_limit)).size == 1024 * 1024


def test_a_closed_concern_refuses_attachments(physical_concern, dsl):
    # Closed directly: the way a concern gets closed is test_services' business.
    Concern.objects.filter(pk=physical_concern.pk).update(
        step=Step.CLOSED, closed_at=timezone.now(), outcome_summary="No further action."
    )
    with refused("This concern is closed. Add a note to it instead."):
        attach(physical_concern, dsl, upload("minutes.pdf", PDF))
    assert not Attachment.objects.exists()


# The files of the security probe (issue 13), and the ways a picture hides in an allowed file.
# Each is refused on a concern about sexual imagery; before, only the first 8 KB were read.


def _draw_photo(pdf, page):
    """A JPEG drawn across the page: what "Save as PDF" makes of a photo."""
    photo = pdf.make_stream(
        JPEG,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=1,
        Height=1,
        ColorSpace=Name.DeviceGray,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    page.Resources.XObject = Dictionary(Im0=photo)
    page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")


def _pixels(pdf):
    """An image XObject of raw pixels, compressed: no image signature in its bytes at all."""
    return pdf.make_stream(
        zlib.compress(bytes(range(12))),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=2,
        Height=2,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=Name.FlateDecode,
    )


def _draw_pixels(pdf, page):
    page.Resources.XObject = Dictionary(Im0=_pixels(pdf))
    page.Contents = pdf.make_stream(b"q 100 0 0 100 72 600 cm /Im0 Do Q")


def _draw_pixels_in_a_form(pdf, page):
    form = pdf.make_stream(
        b"q 100 0 0 100 0 0 cm /Im0 Do Q",
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=[0, 0, 100, 100],
        Resources=Dictionary(XObject=Dictionary(Im0=_pixels(pdf))),
    )
    page.Resources.XObject = Dictionary(Fm0=form)
    page.Contents = pdf.make_stream(b"q 1 0 0 1 72 600 cm /Fm0 Do Q")


INLINE_IMAGE = b"BI /W 2 /H 2 /CS /RGB /BPC 8 ID " + bytes(range(12)) + b" EI"


def _draw_inline_image(pdf, page):
    # pikepdf compresses the content stream: "BI" is only there once it is inflated.
    page.Contents = pdf.make_stream(b"q 100 0 0 100 72 600 cm " + INLINE_IMAGE + b" Q")


def _draw_inline_image_in_a_form(pdf, page):
    form = pdf.make_stream(
        b"q 100 0 0 100 0 0 cm " + INLINE_IMAGE + b" Q",
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=[0, 0, 100, 100],
    )
    page.Resources.XObject = Dictionary(Fm0=form)
    page.Contents = pdf.make_stream(b"/Fm0 Do")


def _docx(parts: dict[str, str | bytes] | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A Word document with the parts Word writes for a page of text, plus `parts`."""
    return _zip(
        {
            "[Content_Types].xml": '<Types><Default Extension="xml" ContentType="application/xml"/>'
            "</Types>",
            "_rels/.rels": "<Relationships/>",
            "docProps/core.xml": "<cp:coreProperties><dc:creator>Dana Lead</dc:creator>"
            "</cp:coreProperties>",
            "word/document.xml": "<w:document><w:body><w:p><w:r><w:t>Minutes of the strategy "
            "meeting. The mother said she had not deleted anything.</w:t></w:r></w:p></w:body>"
            "</w:document>",
            "word/styles.xml": "<w:styles/>",
            "word/settings.xml": "<w:settings/>",
            **(parts or {}),
        },
        compression,
    )


PHOTO_PDF = pdf_file(change=_draw_photo)
DOCX_WITH_PICTURE = _docx({"word/media/image1.jpeg": JPEG})
DATA_URI_TEXT = (
    b"Copied from the chat:\n<img src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'>\n"
)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("chat.pdf", PHOTO_PDF),
        ("minutes.docx", DOCX_WITH_PICTURE),
        ("minutes.pdf", b"%PDF-1.4\n" + JPEG),
        ("chat.txt", DATA_URI_TEXT),
    ],
    ids=["photo-saved-as-pdf", "docx-with-word-media", "pdf-header-then-jpeg", "text-data-uri"],
)
def test_the_security_probe_files_are_refused_on_a_sexual_imagery_concern(
    nudes_concern, dsl, tmp_path, name, content
):
    with refused(uploads.IMAGERY_REFUSAL):
        attach(nudes_concern, dsl, upload(name, content, "application/pdf"))

    assert not Attachment.objects.exists()
    assert not list((tmp_path / "private").rglob("*.*"))


@pytest.mark.parametrize(
    "change",
    [
        _draw_photo,
        _draw_pixels,
        _draw_pixels_in_a_form,
        _draw_inline_image,
        _draw_inline_image_in_a_form,
    ],
    ids=["jpeg-xobject", "pixels-xobject", "pixels-in-form", "inline-image", "inline-in-form"],
)
@pytest.mark.parametrize(
    "save",
    [{}, {"object_stream_mode": pikepdf.ObjectStreamMode.generate}],
    ids=["plain", "object-streams"],
)
def test_a_pdf_that_draws_an_image_is_refused_whichever_way_it_draws_it(change, save):
    content = pdf_file(change=change, **save)
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("minutes.pdf", content), sexual_imagery=True)


def test_a_pdf_that_only_restricts_printing_is_still_read_through():
    # Encrypted with an owner password only: anyone can open it, so its pictures are found.
    restricted = pikepdf.Encryption(owner="owner-password", user="")
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(
            upload("minutes.pdf", pdf_file(change=_draw_pixels, encryption=restricted)),
            sexual_imagery=True,
        )
    content = pdf_file(encryption=restricted)
    assert uploads.check_upload(upload("minutes.pdf", content), sexual_imagery=True) is uploads.PDF


@pytest.mark.parametrize(
    "content",
    [
        _docx({"word/embeddings/pack.zip": _zip({"chat/1.bin": PNG})}),
        _docx({"word/embeddings/pack.zip": _zip({"chat/1.bin": PNG}, zipfile.ZIP_DEFLATED)}),
        _docx({"word/embeddings/oleObject1.bin": b"Package" + PNG}),
        _docx({"word/clip.mp4": "named as a video"}),
        _zip({"word/document.xml": "<w:document/>", "word/media/image1.png": PNG}),
    ],
    ids=["zip-in-docx", "deflated-zip-in-docx", "png-bytes-in-object", "video-name", "stored"],
)
def test_a_picture_packed_anywhere_in_a_word_document_is_found(content):
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("minutes.docx", content), sexual_imagery=True)


def _pillow(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "grey").save(buffer, image_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "picture",
    [
        JPEG,
        PNG,
        _pillow("GIF"),
        _pillow("WEBP"),
        _pillow("BMP"),
        _pillow("TIFF"),
        MP4,
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
        b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm\x42\x87\x81\x04",
        b"RIFF\x00\x01\x00\x00AVI LIST\x00\x00\x00\x00hdrlavih",
    ],
    ids=[
        "jpeg",
        "png",
        "gif",
        "webp",
        "bmp",
        "tiff",
        "mp4",
        "heic",
        "mov",
        "webm",
        "avi",
    ],
)
def test_an_image_or_video_anywhere_in_the_bytes_is_found(picture):
    content = b"Notes of the call with social care.\n" * 500 + picture + b"\nEnd of notes.\n"
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("notes.txt", content), sexual_imagery=True)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("<IMG SRC='DATA:IMAGE/JPEG;BASE64,AAAA'>", "utf-8"),
        ("<img src='data:image/png;base64,AAAA'>", "utf-16"),
        ("<img src='Data:Image/png;base64,AAAA'>", "utf-32"),
        ("<img src='data&#58;image/png;base64,AAAA'>", "utf-8"),
        ('{"src": "data:image\\/png;base64,AAAA"}', "utf-8"),
        ("<video src='data:video/mp4;base64,AAAA'>", "utf-8"),
        (
            "Attachment follows:\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
            "utf-8",
        ),
        ("{\\rtf1 {\\pict\\jpegblip ffd8ffe000104a46494600010100000100010000}}", "utf-8"),
    ],
    ids=[
        "upper-case",
        "utf-16",
        "utf-32",
        "html-entity",
        "json-escaped",
        "video",
        "bare-base64",
        "rtf-picture",
    ],
)
def test_an_image_written_out_as_text_is_found_in_any_case_and_encoding(text, encoding):
    content = ("Copied from the chat:\n" + text + "\n").encode(encoding)
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("chat.txt", content), sexual_imagery=True)


def test_a_signature_split_across_the_chunk_boundary_is_found():
    # The JPEG starts two bytes before the first chunk ends: neither chunk holds it whole.
    content = b"a" * (uploads.CHUNK - 2) + JPEG
    with refused(uploads.IMAGERY_REFUSAL):
        uploads.check_upload(upload("notes.txt", content), sexual_imagery=True)


class _RecordedReads(io.BytesIO):
    def __init__(self, content: bytes):
        super().__init__(content)
        self.sizes: list[int] = []

    def read(self, size=-1):
        data = super().read(size)
        self.sizes.append(len(data))
        return data


def test_a_large_file_is_read_in_chunks_not_whole():
    content = b"Notes of the call with social care.\n" * 150_000  # 5.4 MB
    file = upload("notes.txt", content)
    file.file = _RecordedReads(content)

    assert uploads.check_upload(file, sexual_imagery=True) is uploads.TEXT
    assert max(file.file.sizes) <= uploads.CHUNK + uploads.OVERLAP


@pytest.mark.parametrize(
    "content",
    [
        _docx(compression=zipfile.ZIP_BZIP2),
        _docx({"word/padding.bin": b"\x00" * 7_000_000}),
    ],
    ids=["bzip2", "inflates-past-the-budget"],
)
def test_a_file_that_cannot_be_checked_for_pictures_is_refused(content, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    with refused(uploads.UNCHECKABLE):
        uploads.check_upload(upload("minutes.docx", content), sexual_imagery=True)


# What is still accepted on a concern about sexual imagery: documents of words.


def _letter_printed_to_pdf() -> bytes:
    """A letter as a browser's Print to PDF makes it: fonts embedded, streams compressed."""
    paragraphs = "<p>The mother said <b>she</b> found “pictures” on the tablet — 14 messages.</p>"
    html = (
        f"<h1>Strategy meeting</h1>{paragraphs * 60}<a href='https://www.ceop.police.uk/'>CEOP</a>"
    )
    return weasyprint.HTML(string=html).write_pdf()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("minutes.pdf", PDF, uploads.PDF),
        ("letter.pdf", None, uploads.PDF),
        ("minutes.docx", _docx(), uploads.DOCX),
        (
            "call.txt",
            b"The metadata: images were on her phone. BMX, GIF and MM were mentioned.\n" * 40,
            uploads.TEXT,
        ),
    ],
    ids=["text-pdf", "printed-letter-with-fonts", "text-docx", "prose-about-images"],
)
def test_documents_of_words_are_accepted_on_a_sexual_imagery_concern(
    nudes_concern, dsl, name, content, kind
):
    content = content or _letter_printed_to_pdf()
    attachment = attach(nudes_concern, dsl, upload(name, content))
    assert attachment.content_type == kind.content_type
    assert Attachment.objects.get().sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("photo.pdf", PHOTO_PDF, uploads.PDF), ("report.docx", DOCX_WITH_PICTURE, uploads.DOCX)],
    ids=["photo-pdf", "docx-with-picture"],
)
def test_documents_with_pictures_are_accepted_on_a_concern_without_sexual_imagery(
    physical_concern, dsl, name, content, kind
):
    attachment = attach(physical_concern, dsl, upload(name, content), "Photo of the bruise")
    assert attachment.content_type == kind.content_type


def test_a_text_file_that_turns_to_binary_after_the_first_8_kb_is_refused(physical_concern, dsl):
    content = b"Notes of the call.\n" * 1000 + RANDOM_BYTES
    with pytest.raises(WorkflowError, match=NOT_ALLOWED):
        attach(physical_concern, dsl, upload("notes.txt", content))


# PDFs that could run something or hide another file are refused on every concern.


def _javascript(code: str) -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(code))


def _link(action: Dictionary) -> Dictionary:
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 200, 720], A=action)


def _open_action_javascript(pdf, page):
    pdf.Root.OpenAction = _javascript("app.alert('Opened')")


def _document_javascript(pdf, page):
    scripts = Array([String("init"), _javascript("this.print()")])
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=scripts))


def _page_opening_action(pdf, page):
    page.AA = Dictionary(O=_javascript("app.beep()"))


def _launch_link(pdf, page):
    page.Annots = Array([_link(Dictionary(S=Name.Launch, F=String("cmd.exe")))])


def _submit_form_link(pdf, page):
    page.Annots = Array([_link(Dictionary(S=Name.SubmitForm, F=String("https://x.example/")))])


def _attached_file(pdf, page):
    pdf.attachments["chat.txt"] = pikepdf.AttachedFileSpec(pdf, b"Saved messages")


def _file_attachment_annotation(pdf, page):
    note = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[72, 700, 90, 720])
    page.Annots = Array([note])


@pytest.mark.parametrize(
    "change",
    [
        _open_action_javascript,
        _document_javascript,
        _page_opening_action,
        _launch_link,
        _submit_form_link,
        _attached_file,
        _file_attachment_annotation,
    ],
    ids=[
        "open-action-javascript",
        "document-javascript",
        "page-action",
        "launch",
        "submit-form",
        "embedded-file",
        "file-attachment-annotation",
    ],
)
def test_a_pdf_with_javascript_actions_or_attached_files_is_refused_on_any_concern(
    physical_concern, dsl, change
):
    for save in ({}, {"object_stream_mode": pikepdf.ObjectStreamMode.generate}):
        with refused(uploads.DANGEROUS_PDF):
            attach(physical_concern, dsl, upload("body-map.pdf", pdf_file(change=change, **save)))
    assert not Attachment.objects.exists()


def _opens_at_first_page(pdf, page):
    pdf.Root.OpenAction = Array([page.obj, Name.Fit])


def _web_link(pdf, page):
    page.Annots = Array([_link(Dictionary(S=Name.URI, URI=String("https://www.ceop.police.uk/")))])


@pytest.mark.parametrize(
    "change", [_opens_at_first_page, _web_link], ids=["opens-at-first-page", "web-link"]
)
def test_a_pdf_that_opens_at_a_page_or_links_to_a_website_is_accepted(change):
    # LibreOffice writes an /OpenAction destination for the initial view: it runs nothing.
    content = pdf_file(change=change)
    assert uploads.check_upload(upload("letter.pdf", content), sexual_imagery=True) is uploads.PDF


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            pdf_file(encryption=pikepdf.Encryption(owner="owner-pass", user="user-pass")),
            uploads.LOCKED_PDF,
        ),
        (b"%PDF-1.7\n" + b"not a PDF after all " * 40, uploads.DAMAGED_PDF),
    ],
    ids=["password-protected", "damaged"],
)
def test_a_pdf_that_cannot_be_read_through_is_refused_with_the_reason(content, message):
    with refused(message):
        uploads.check_upload(upload("minutes.pdf", content), sexual_imagery=False)


# The evidence page shows why, and keeps what was typed.


@pytest.mark.parametrize(
    ("category", "name", "content", "message"),
    [
        ("sharing-nudes", "minutes.docx", DOCX_WITH_PICTURE, uploads.IMAGERY_REFUSAL),
        (
            "physical",
            "body-map.pdf",
            pdf_file(change=_open_action_javascript),
            uploads.DANGEROUS_PDF,
        ),
    ],
    ids=["picture-in-docx", "javascript-pdf"],
)
def test_the_evidence_page_says_why_a_file_is_refused_and_keeps_the_description(
    school, staff, dsl, pupils, _private_media, category, name, content, message
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils, categories=(category,))
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)

    response = signed_in(dsl).post(
        url("evidence", concern),
        {
            "form": "attachment",
            "attachment-description": "Minutes of the strategy meeting",
            "attachment-file": SimpleUploadedFile(name, content),
        },
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert form_state(response)["attachment-description"] == ["Minutes of the strategy meeting"]
    assert not Attachment.objects.exists()
    assert not AttachmentChunk.objects.exists()
    assert not list(_private_media.rglob("*"))
