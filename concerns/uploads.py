"""What a file really is, judged from all of its bytes, and whether it may be attached.

Indecent images of children must never be stored (DOMAIN.md rule 1), so on a concern about
sexual imagery any file that is, holds or draws an image or a video is refused, whatever its
name says: a picture in a PDF or a Word document, one appended to a PDF, one nested in a zip,
one written out as text. On every concern, a PDF that can run something or carries other
files is refused, and so is one that cannot be read through.

The file is read in chunks that overlap, so a signature cut by a chunk's end is whole in the
next chunk. Compressed parts (zip entries, PDF streams) are inflated to temporary files, up
to a budget, and read the same way.
"""

import hashlib
import io
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from pikepdf import Array, Dictionary, Name, Stream, String

from safeguard import files
from safeguard.errors import WorkflowError


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
UNCHECKABLE = (
    "This file is packed or compressed in a way that cannot be checked for images and videos, "
    "so it cannot be attached to a concern about sexual imagery of children. Save it again as "
    "a plain PDF (Print to PDF) and attach that, or describe the evidence instead."
)
DANGEROUS_PDF = (
    "This PDF contains JavaScript, actions or attached files, which could run or hide "
    "content: save it again as a plain PDF (Print to PDF) and attach that."
)
LOCKED_PDF = (
    "This PDF is protected by a password, so it cannot be checked: save it again without the "
    "password (Print to PDF) and attach that."
)
DAMAGED_PDF = (
    "This PDF is damaged, so it cannot be checked: save it again as a plain PDF "
    "(Print to PDF) and attach that."
)

CHUNK = 1024 * 1024
# Longer than anything the patterns below can match, so a match cut by one window's end is
# whole in the next window.
OVERLAP = 4096
# Compressed parts may inflate to this many times the upload limit, in all; past that the
# file is refused as uncheckable rather than read for ever. No real document comes near it.
INFLATE_FACTOR = 6
NESTING_LIMIT = 6
PARTS_LIMIT = 100_000

# qpdf inflates a PDF stream whole, in memory: these caps (process-wide, and far above any
# real document's) make it raise instead of inflating one small stream to gigabytes.
pikepdf.settings.set_qpdf_limits(
    flate_max_memory=64 * 1024 * 1024,
    run_length_max_memory=64 * 1024 * 1024,
    png_max_memory=64 * 1024 * 1024,
    tiff_max_memory=64 * 1024 * 1024,
)
# qpdf has no cap for LZW, which can inflate some thousand-fold: such streams are only
# inflated while small.
LZW_MAX_RAW = 32 * 1024


def _read_at(f, offset: int, length: int) -> bytes:
    f.seek(offset)
    return f.read(length)


def _windows(f, size: int):
    """Yield (offset, bytes) covering f in chunks, each starting OVERLAP bytes early."""
    offset = 0
    while offset < size:
        start = max(0, offset - OVERLAP)
        yield start, _read_at(f, start, offset + CHUNK - start)
        offset += CHUNK


# Checks on the bytes that follow a short signature, read straight from the file so they can
# look past the window. Each returns whether an image really starts at `offset`.

_JPEG_MARKERS = frozenset([*range(0xC0, 0xD0), *range(0xDA, 0xF0), 0xFE])
_JPEG_APPLICATIONS = (
    b"JFIF\x00",
    b"JFXX\x00",
    b"Exif\x00",
    b"http://ns.adobe.com/",
    b"ICC_PROFILE\x00",
    b"MPF\x00",
    b"Adobe",
    b"Photoshop",
    b"Ducky",
)


def _jpeg_follows(f, offset: int, size: int) -> bool:
    """After the start-of-image marker, marker segments chained by their lengths: either the
    first names a JPEG application format, or three segments chain."""
    position = offset + 2
    for hop in range(3):
        segment = _read_at(f, position, 24)
        fill = len(segment) - len(segment.lstrip(b"\xff"))
        if fill == 0 or fill > 8:
            return False
        position += fill - 1  # encoders may pad with extra 0xFF bytes before a marker
        segment = segment[fill - 1 :]
        if len(segment) < 4 or segment[1] not in _JPEG_MARKERS:
            return False
        length = int.from_bytes(segment[2:4], "big")
        if length < 2:
            return False
        if hop == 0 and segment[4:].startswith(_JPEG_APPLICATIONS):
            return True
        position += 2 + length
    return True


def _tiff_follows(f, offset: int, size: int) -> bool:
    """The header points at a directory of tags inside the file, with tags in order."""
    header = _read_at(f, offset, 8)
    order = "little" if header[:2] == b"II" else "big"
    directory = int.from_bytes(header[4:8], order)
    if directory < 8 or offset + directory + 26 > size:
        return False
    entries = _read_at(f, offset + directory, 26)
    count = int.from_bytes(entries[:2], order)
    tags = [int.from_bytes(entries[2 + 12 * i : 4 + 12 * i], order) for i in range(2)]
    types = [int.from_bytes(entries[4 + 12 * i : 6 + 12 * i], order) for i in range(2)]
    if not 1 <= count <= 1000 or not 1 <= types[0] <= 18:
        return False
    return count == 1 or (tags[1] > tags[0] and 1 <= types[1] <= 18)


def _mpeg_pack_follows(f, offset: int, size: int) -> bool:
    """An MPEG-1 or MPEG-2 pack header, its marker bits set, then the next start code."""
    pack = _read_at(f, offset + 4, 10 + 7 + 3)
    if len(pack) < 11:
        return False
    if pack[0] & 0xF1 == 0x21:  # MPEG-1
        marked = pack[2] & 1 and pack[4] & 1 and pack[5] & 0x80 and pack[7] & 1
        following = pack[8:11]
    elif pack[0] & 0xC4 == 0x44:  # MPEG-2, with up to 7 bytes of stuffing
        marked = pack[2] & 4 and pack[4] & 4 and pack[5] & 1 and pack[8] & 3 == 3
        marked = marked and pack[9] & 0xF8 == 0xF8
        stuffing = pack[9] & 7
        following = pack[10 + stuffing : 13 + stuffing]
    else:
        return False
    return bool(marked) and following == b"\x00\x00\x01"


def _transport_packets_follow(spacing: int) -> Callable:
    """Six MPEG transport packets in a row, each unscrambled and carrying something."""

    def check(f, offset: int, size: int) -> bool:
        packets = _read_at(f, offset, 5 * spacing + 4)
        headers = [packets[i : i + 4] for i in range(0, 6 * spacing, spacing)]
        return all(
            len(header) == 4
            and header[0] == 0x47
            and not header[1] & 0x80
            # scrambling control 00, adaptation field control not the reserved 00
            and header[3] & 0xC0 == 0
            and header[3] & 0x30
            for header in headers
        )

    return check


_PDF_DELIMITERS = frozenset(b"\x00\t\n\x0c\r ()<>[]{}/%")


def _starts_a_token(f, offset: int, size: int) -> bool:
    return offset == 0 or _read_at(f, offset - 1, 1)[0] in _PDF_DELIMITERS


def _spelled(*words: str) -> list[bytes]:
    """Patterns for the words in sequence, each word given as alternatives split by '|', one
    pattern for each encoding text comes in. Matched against lower-cased bytes, so any case."""
    return [
        b"".join(
            b"(?:"
            + b"|".join(re.escape(option.encode(encoding)) for option in word.split("|"))
            + b")"
            for word in words
        )
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
    ]


_WS = rb"[\x00\t\n\x0c\r ]"  # white space, to PDF


def _patterns(*entries) -> list[tuple[re.Pattern, Callable | None]]:
    """(pattern, check) pairs; a bare pattern needs no check. Each pattern begins with a
    literal, which `re` finds fast: an alternation of differing starts would be much slower."""
    return [
        (re.compile(entry, re.DOTALL), None)
        if isinstance(entry, bytes)
        else (re.compile(entry[0], re.DOTALL), entry[1])
        for entry in entries
    ]


# Image and video signatures, matched against the bytes as they are. Short ones are only
# trusted with a header that checks out, so ordinary text and compressed data don't trip them.
_SIGNATURES = _patterns(
    (rb"\xff\xd8\xff", _jpeg_follows),
    rb"\x89PNG\r\n\x1a\n",
    rb"GIF8[79]a",
    rb"RIFF.{4}(?:WEBP|AVI )",
    # A bitmap: file header with reserved zeros, then a known DIB header size.
    rb"BM.{4}\x00{4}.{4}[\x0c\x28\x34\x38\x40\x6c\x7c]\x00{3}",
    (rb"II\*\x00", _tiff_follows),
    (rb"MM\x00\*", _tiff_follows),
    rb"II\+\x00\x08\x00\x00\x00",  # BigTIFF
    rb"MM\x00\+\x00\x08\x00\x00",
    # ISO media (MP4, MOV, 3GP, HEIC, AVIF): a small ftyp box with a printable brand.
    rb"\x00\x00[\x00-\x0f].ftyp[\x20-\x7e]{4}",
    rb"moov.{4}(?:mvhd|cmov)",  # QuickTime without an ftyp box
    rb"\x1a\x45\xdf\xa3.{1,64}?\x42\x82.{1,8}?(?:webm|matroska)",  # WebM, Matroska
    rb"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c",  # WMV, ASF
    rb"FLV\x01[\x00-\x0f]\x00\x00\x00\x09",
    (rb"\x00\x00\x01\xba", _mpeg_pack_follows),  # MPEG program stream (.mpg, .vob)
    (rb"\x47(?:.{187}\x47){5}", _transport_packets_follow(188)),  # MPEG transport (.mts)
    (rb"\x47(?:.{191}\x47){5}", _transport_packets_follow(192)),  # with timestamps (.m2ts)
    rb"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    rb"\xff\x4f\xff\x51\x00[\x29\x2c\x2f\x32]",
    rb"\x00\x00\x00\x0cJXL \r\n\x87\n",  # JPEG XL
    rb"8BPS\x00[\x01\x02]\x00{6}",  # Photoshop
    rb" EMF\x00\x00\x01\x00",  # Windows metafiles
    rb"\xd7\xcd\xc6\x9a\x00\x00",
    rb"\x80theora",  # Ogg video
    # Images written out in base64 without a data: prefix: PNG, JPEG, GIF, WebP or AVI, MP4.
    rb"iVBORw0KGgo",
    rb"/9j/[2-7wx/][A-Za-z0-9+/]{15}",
    rb"R0lGOD[dl]h",
    rb"UklGR[A-Za-z0-9+/]{6}(?:XRUJQ|BVkkg)",
    rb"AAA[A-Za-z0-9+/]{3}Z0eX",
    # A PDF image in an object no cross-reference leads to any more (an earlier version of an
    # edited file), and an inline image in a content stream: BI, its entries, ID, the data.
    rb"/Subtype" + _WS + rb"*/Image(?![A-Za-z0-9#])",
    (
        rb"BI(?:%s|%%[^\r\n]*[\r\n])*/[^\x00\t\n\x0c\r /\[\]<>(){}%%]+.{0,2048}?%sID%s"
        % (_WS, _WS, _WS),
        _starts_a_token,
    ),
)
# Matched against lower-cased bytes. A data: URI, in the encodings of text and with the
# usual escapes of its colon and slash (URL, HTML, JSON, PDF); SVG; images written in hex,
# as RTF does, and RTF's picture keyword.
_FOLDED_SIGNATURES = _patterns(
    *_spelled(
        "data",
        r":|%3a|&#58;|&#058;|&#x3a;|&colon;|\u003a|\x3a|\072",
        "image|video",
        r"/|%2f|&#47;|&#047;|&#x2f;|&sol;|\/|\u002f",
    ),
    *_spelled("<svg", " |\n|\r|\t|>"),
    rb"89504e470d0a1a0a",
    rb"ffd8ff(?:e[0-9a-f]|db|c[0-4]|fe)",
    rb"474946383[79]61",
    rb"\\pict(?![a-z])",
)

_LOCAL_HEADER = re.compile(rb"PK\x03\x04")
# A PDF stream's data, if it starts with a zlib header (every Flate stream does).
_FLATE_STREAM = re.compile(rb"stream[ \t]*(?:\r\n|\n|\r)(?=[\x08\x18\x28\x38\x48\x58\x68\x78])")
# Stored, deflated, and the others zip tools write (Deflate64, bzip2, LZMA, Zstandard, xz,
# PPMd, AES); a header naming any other method is four bytes that only look like one.
_ZIP_METHODS = {0, 8, 9, 12, 14, 93, 95, 98, 99}
_MEDIA_NAME = re.compile(
    r"(?:^|/)media/|\.(?:jpe?g|jpe|jfif|png|apng|gif|bmp|dib|tiff?|webp|hei[cf]|avif|jxl|jp2|"
    r"j2k|jpx|svgz?|emf|wmf|ico|psd|dng|cr[23w]|nef|arw|orf|rw2|raw|mp4|m4v|mov|qt|avi|wmv|"
    r"asf|mkv|webm|flv|3gp|3g2|mpe?g|mts|m2ts|ogv|vob)$",
    re.IGNORECASE,
)


class _Scanner:
    """Looks through one upload for images and videos, inflating what is compressed."""

    def __init__(self, *, budget: int):
        self.budget = budget
        # What has been scanned already: a PDF's Flate streams are inflated once from the
        # raw bytes, to reach streams no cross-reference leads to, and again through pikepdf.
        self.seen: set[bytes] = set()

    def first_sight(self, digest) -> bool:
        if digest.digest() in self.seen:
            return False
        self.seen.add(digest.digest())
        return True

    def spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise WorkflowError(UNCHECKABLE)

    def scan(self, f, size: int, depth: int = 0) -> None:
        if depth > NESTING_LIMIT:
            raise WorkflowError(UNCHECKABLE)
        zip_entries: set[int] = set()
        flate_streams: set[int] = set()
        for start, window in _windows(f, size):
            folded = window.lower()
            for patterns, data in ((_SIGNATURES, window), (_FOLDED_SIGNATURES, folded)):
                for pattern, check in patterns:
                    for match in pattern.finditer(data):
                        if check is None or check(f, start + match.start(), size):
                            raise WorkflowError(IMAGERY_REFUSAL)
            zip_entries.update(start + m.start() for m in _LOCAL_HEADER.finditer(window))
            flate_streams.update(start + m.end() for m in _FLATE_STREAM.finditer(window))
            if len(zip_entries) + len(flate_streams) > PARTS_LIMIT:
                raise WorkflowError(UNCHECKABLE)
        if zip_entries:
            self._zip_directory(f)
        for offset in sorted(zip_entries):
            self._zip_entry(f, offset, size, depth)
        for offset in sorted(flate_streams):
            header = _read_at(f, offset, 2)
            if len(header) == 2 and header[0] & 0x0F == 8 and int.from_bytes(header) % 31 == 0:
                self._inflate(f, offset, size, zlib.MAX_WBITS, depth)
        if depth and b"%PDF-" in _read_at(f, 0, 1024):
            self._nested_pdf(f, depth)

    def scan_bytes(self, data: bytes, depth: int) -> None:
        if self.first_sight(hashlib.blake2b(data, digest_size=16)):
            self.spend(len(data))
            self.scan(io.BytesIO(data), len(data), depth)

    def _zip_directory(self, f) -> None:
        """Names in the central directory, which is what zip tools list."""
        try:
            with zipfile.ZipFile(f) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return
        if any(_MEDIA_NAME.search(name.replace("\\", "/")) for name in names):
            raise WorkflowError(IMAGERY_REFUSAL)

    def _zip_entry(self, f, offset: int, size: int, depth: int) -> None:
        """Each local header is read, not only those the central directory lists, so an
        entry left out of the directory is still seen."""
        header = _read_at(f, offset, 30)
        if len(header) < 30:
            return
        version, flags, method, *_, name_length, extra_length = struct.unpack(
            "<HHHHHIIIHH", header[4:]
        )
        name = _read_at(f, offset + 30, name_length)
        if (version & 0xFF) > 63 or not 0 < len(name) == name_length <= 1024:
            return  # four bytes that only look like a header
        if method not in _ZIP_METHODS or any(byte < 0x20 for byte in name):
            return
        if _MEDIA_NAME.search(name.decode("utf-8", "replace").replace("\\", "/")):
            raise WorkflowError(IMAGERY_REFUSAL)
        if flags & 1 or method not in (0, 8):
            # Encrypted, or compressed in a way not inflated here.
            raise WorkflowError(UNCHECKABLE)
        if method == 8:
            self._inflate(f, offset + 30 + name_length + extra_length, size, -zlib.MAX_WBITS, depth)
        # A stored entry's bytes are the file's own, already scanned.

    def _inflate(self, f, offset: int, size: int, wbits: int, depth: int) -> None:
        inflater = zlib.decompressobj(wbits)
        digest = hashlib.blake2b(digest_size=16)
        with tempfile.SpooledTemporaryFile(max_size=CHUNK) as out:
            position, pending = offset, b""
            try:
                while not inflater.eof:
                    if not pending:
                        if position >= size:
                            break
                        pending = _read_at(f, position, CHUNK)
                        position += len(pending)
                    piece = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                    if not piece and not pending and position >= size:
                        break
                    self.spend(len(piece))
                    digest.update(piece)
                    out.write(piece)
            except zlib.error:
                pass  # a chance match, or damaged data: what came out is still scanned
            inflated = out.tell()
            if not self.first_sight(digest):
                self.budget += inflated
            elif inflated:
                self.scan(out, inflated, depth + 1)

    def _nested_pdf(self, f, depth: int) -> None:
        try:
            with pikepdf.open(f) as document:
                _inspect_pdf(document, self, depth)
        except pikepdf.PdfError as error:
            raise WorkflowError(UNCHECKABLE) from error

    def pdf_stream(self, stream: Stream, depth: int) -> None:
        """Refuse a stream that is an image; otherwise scan what it inflates to."""
        filters = stream.get(Name.Filter)
        filters = {str(name) for name in (filters if isinstance(filters, Array) else [filters])}
        if stream.get(Name.Subtype) == Name.Image or filters & _IMAGE_FILTERS:
            raise WorkflowError(IMAGERY_REFUSAL)
        if stream.get(Name.Subtype) == Name.PS:
            raise WorkflowError(UNCHECKABLE)  # PostScript, which can draw anything
        if "/LZWDecode" in filters and len(stream.read_raw_bytes()) > LZW_MAX_RAW:
            raise WorkflowError(UNCHECKABLE)
        try:
            data = stream.read_bytes()
        except pikepdf.PdfError as error:
            raise WorkflowError(UNCHECKABLE) from error
        self.scan_bytes(data, depth + 1)


_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
# Entries that run something, or carry files or media, wherever they appear in a PDF.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/RichMediaExecute",
    "/GoToE",
    "/Rendition",
    "/Movie",
    "/Sound",
}
_ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}


def _is_active(dictionary) -> bool:
    keys = set(dictionary.keys())
    if keys & _ACTIVE_KEYS:
        return True
    additional_actions = dictionary.get(Name.AA)
    if isinstance(additional_actions, Dictionary) and len(additional_actions.keys()):
        return True
    # An /OpenAction that only opens at a page (a destination, or a GoTo) is what LibreOffice
    # and others write for the initial view; any other action runs by itself on opening.
    opening = dictionary.get(Name.OpenAction)
    if isinstance(opening, Dictionary) and opening.get(Name.S) != Name.GoTo:
        return True
    action, subtype = dictionary.get(Name.S), dictionary.get(Name.Subtype)
    return (
        (isinstance(action, Name) and str(action) in _ACTIVE_ACTIONS)
        or (isinstance(subtype, Name) and str(subtype) in _ACTIVE_ANNOTATIONS)
        or dictionary.get(Name.Type) == Name.EmbeddedFile
    )


def _inspect_pdf(document: pikepdf.Pdf, scanner: _Scanner | None, depth: int = 0) -> bool:
    """Whether any object of the PDF, referenced or not, is active (see _is_active). With a
    scanner, images are refused, and every stream and string is scanned as well."""
    active = False
    strings = bytearray()
    for top in [document.trailer, *document.objects]:
        stack = [top]
        while stack:
            item = stack.pop()
            if isinstance(item, Dictionary | Stream):
                active = active or _is_active(item)
                if isinstance(item, Stream) and scanner:
                    scanner.pdf_stream(item, depth)
                children = [value for _, value in item.items()]
            elif isinstance(item, Array):
                children = list(item)
            else:
                if isinstance(item, String) and scanner:
                    strings += bytes(item) + b"\n"
                continue
            # Indirect objects are visited from the document's list, once each.
            stack.extend(child for child in children if not getattr(child, "is_indirect", False))
        if active and not scanner:
            return True
        if scanner and len(strings) > CHUNK:
            scanner.scan_bytes(bytes(strings), depth + 1)
            strings.clear()
    if scanner and strings:
        scanner.scan_bytes(bytes(strings), depth + 1)
    return active


def _check_pdf(upload, scanner: _Scanner | None) -> None:
    try:
        document = pikepdf.open(upload)
    except pikepdf.PasswordError as error:
        raise WorkflowError(LOCKED_PDF) from error
    except pikepdf.PdfError as error:
        raise WorkflowError(DAMAGED_PDF) from error
    with document:
        try:
            active = _inspect_pdf(document, scanner)
        except pikepdf.PdfError as error:
            raise WorkflowError(DAMAGED_PDF) from error
    if active:
        raise WorkflowError(DANGEROUS_PDF)


def _sniff(head: bytes, upload) -> tuple[Kind | None, bool]:
    """Return (allowed kind or None, whether the bytes are an image or a video)."""
    text = files.is_text(head)
    if text and b"<svg" in head.lower():
        # SVG is an image written as text, and may carry a picture inside it.
        return None, True
    matches = files.signatures(head, text=text)
    mime_types = [match.mime_type for match in matches]
    if any(m.startswith(("image/", "video/")) for m in mime_types):
        if mime_types[0] == "image/png":
            return PNG, True
        if mime_types[0] == "image/jpeg":
            return JPEG, True
        return None, True
    if mime_types and mime_types[0] == "application/pdf":
        return PDF, False
    if files.is_zip(head):
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


def check_upload(upload, *, sexual_imagery: bool) -> Kind:
    """Return the file's kind, or raise WorkflowError saying why it is refused."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise WorkflowError("The selected file is empty.")
    if upload.size > limit:
        raise WorkflowError(f"The selected file must be smaller than {files.size_text(limit)}.")
    try:
        kind, is_image_or_video = _sniff(files.read_head(upload), upload)
        if is_image_or_video and sexual_imagery:
            raise WorkflowError(IMAGERY_REFUSAL)
        scanner = _Scanner(budget=INFLATE_FACTOR * limit) if sexual_imagery else None
        if scanner:
            scanner.scan(upload, upload.size)
        if kind is PDF:
            _check_pdf(upload, scanner)
        if kind is None or (kind is TEXT and not files.is_text_throughout(upload)):
            raise WorkflowError(f"This type of file cannot be attached. Attach {ALLOWED}.")
    finally:
        upload.seek(0)
    return kind
