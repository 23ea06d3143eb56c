"""What may be attached to a concern, judged from the file's bytes, never from its name.

DOMAIN.md rule 1: on a concern about sexual imagery, images and videos are refused outright.
The sample files are built here from bytes, so the suite needs no binary fixtures.
"""

import hashlib
import io
import random
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerns import services, uploads
from concerns.errors import WorkflowError
from concerns.models import Attachment, Concern, Step
from tests.factories import record_concern


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
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
RANDOM_BYTES = random.Random(1).randbytes(512)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
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


def test_a_pdf_is_accepted_on_a_sexual_imagery_concern_and_kept_privately(
    nudes_concern, dsl, tmp_path
):
    attachment = attach(nudes_concern, dsl, upload("minutes.pdf", PDF, "application/pdf"))

    saved = Attachment.objects.get(pk=attachment.pk)
    assert saved.content_type == "application/pdf"
    assert saved.original_name == "minutes.pdf"
    assert saved.size == len(PDF)
    assert saved.sha256 == hashlib.sha256(PDF).hexdigest()
    assert saved.uploaded_by_id == dsl.pk
    # Stored under a name of our own, in the private storage, with the bytes unchanged.
    assert saved.file.name.endswith(f"{saved.uuid}.pdf")
    stored = tmp_path / "private" / saved.file.name
    assert stored.read_bytes() == PDF
    assert [(h.history_user_id, h.history_change_reason) for h in saved.history.all()] == [
        (dsl.pk, "Document attached")
    ]


def test_a_word_document_is_accepted(nudes_concern, dsl):
    attachment = attach(nudes_concern, dsl, upload("strategy.docx", DOCX))
    assert attachment.content_type == uploads.DOCX.content_type
    assert attachment.file.name.endswith(".docx")


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
    ("content", "content_type", "extension"),
    [(PNG, "image/png", ".png"), (JPEG, "image/jpeg", ".jpg")],
    ids=["png", "jpeg"],
)
def test_an_image_is_accepted_on_a_concern_without_sexual_imagery(
    physical_concern, dsl, content, content_type, extension
):
    attachment = attach(physical_concern, dsl, upload("bruise.dat", content), "Photo of bruise")
    assert attachment.content_type == content_type
    assert attachment.file.name.endswith(extension)


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
