"""What a file is, judged from its bytes and never its name: the reading shared by the check
on attachments (concerns.uploads) and the one on pupil imports (schools)."""

import codecs

import puremagic

# How much of a file its kind is judged from.
HEAD_BYTES = 8192
# A zip archive's first local header: a .docx or an .xlsx is one too.
ZIP_SIGNATURE = b"PK\x03\x04"
_CHUNK = 1024 * 1024


def read_head(f) -> bytes:
    """The first HEAD_BYTES of an open file, which is left at its start."""
    f.seek(0)
    head = f.read(HEAD_BYTES)
    f.seek(0)
    return head


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_SIGNATURE)


def signatures(head: bytes, *, text: bool) -> list[puremagic.PureMagic]:
    """The file signatures found in `head`, the likeliest first.

    With `text` (the bytes read as text, or should), only signatures of 4 bytes or more:
    prose can begin with a short one by chance ("BM" is a bitmap's).
    """
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return []
    if text:
        matches = [match for match in matches if len(match.byte_match) >= 4]
    return matches


def is_text(head: bytes) -> bool:
    """UTF-8 with no NUL bytes. The head may end part-way through a character."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def is_text_throughout(f) -> bool:
    """Whether the whole of an open file is UTF-8 with no NUL bytes, read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    f.seek(0)
    try:
        while chunk := f.read(_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def size_text(limit: int) -> str:
    """A size limit as people read it: "10 MB", "512 KB"."""
    mib = 1024 * 1024
    return f"{limit / mib:g} MB" if limit >= mib else f"{limit / 1024:g} KB"
