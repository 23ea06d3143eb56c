"""What a file really is, judged from its bytes, and whether it may be attached.

Indecent images of children must never be stored (DOMAIN.md rule 1), so on a concern about
sexual imagery every image and video is refused, whatever its name says.
"""

import codecs
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


def _is_text(head: bytes) -> bool:
    """UTF-8 with no NUL bytes. The head may end part-way through a character."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _sniff(head: bytes, upload) -> tuple[Kind | None, bool]:
    """Return (allowed kind or None, whether the bytes are an image or a video)."""
    text = _is_text(head)
    if text and b"<svg" in head.lower():
        # SVG is an image written as text, and may carry a picture inside it.
        return None, True
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    if text:
        # Prose can begin with a short signature by chance ("BM" is a bitmap's); only a
        # longer one outweighs the bytes reading as text.
        matches = [match for match in matches if len(match.byte_match) >= 4]
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
    if text and not matches:
        return TEXT, False
    return None, False


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit / mib:g} MB" if limit >= mib else f"{limit / 1024:g} KB"


def check_upload(upload, *, sexual_imagery: bool) -> Kind:
    """Return the file's kind, or raise WorkflowError saying why it is refused."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise WorkflowError("The selected file is empty.")
    if upload.size > limit:
        raise WorkflowError(f"The selected file must be smaller than {_size(limit)}.")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind, is_image_or_video = _sniff(head, upload)
    if is_image_or_video and sexual_imagery:
        raise WorkflowError(IMAGERY_REFUSAL)
    if kind is None:
        raise WorkflowError(f"This type of file cannot be attached. Attach {ALLOWED}.")
    return kind
