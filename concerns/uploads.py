"""What a file really is, judged from its bytes, and whether it may be attached.

Indecent images of children must never be stored (DOMAIN.md rule 1), so on a concern about
sexual imagery every image and video is refused, whatever its name says.
"""

import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings

from concerns.errors import WorkflowError


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extension: str


PDF = Kind("PDF", "application/pdf", ".pdf")
DOCX = Kind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
TEXT = Kind("plain text", "text/plain", ".txt")
PNG = Kind("PNG image", "image/png", ".png")
JPEG = Kind("JPEG image", "image/jpeg", ".jpg")

ALLOWED = "a PDF, a Word document (.docx), a plain text file, or a PNG or JPEG image"
IMAGERY_REFUSAL = (
    "Images and videos cannot be attached to a concern about sexual imagery of children. "
    "Do not copy, forward or view them: describe the evidence and say where it is instead."
)


def _sniff(head: bytes, upload) -> tuple[Kind | None, bool]:
    """Return (allowed kind or None, whether the bytes are an image or a video)."""
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    mime_types = [match.mime_type for match in matches]
    if any(m.startswith(("image/", "video/")) for m in mime_types):
        if mime_types[0] == "image/png":
            return PNG, True
        if mime_types[0] == "image/jpeg":
            return JPEG, True
        return None, True
    if mime_types and mime_types[0] == "application/pdf":
        return PDF, False
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None, False
        finally:
            upload.seek(0)
        return (DOCX if "word/document.xml" in names else None), False
    if not matches and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None, False
        return TEXT, False
    return None, False


def check_upload(upload, *, sexual_imagery: bool) -> Kind:
    """Return the file's kind, or raise WorkflowError saying why it is refused."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise WorkflowError("The selected file is empty.")
    if upload.size > limit:
        raise WorkflowError(f"The selected file must be smaller than {limit // (1024 * 1024)} MB.")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind, is_image_or_video = _sniff(head, upload)
    if is_image_or_video and sexual_imagery:
        raise WorkflowError(IMAGERY_REFUSAL)
    if kind is None:
        raise WorkflowError(f"This type of file cannot be attached. Attach {ALLOWED}.")
    return kind
