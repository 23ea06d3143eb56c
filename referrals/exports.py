"""Exports: every PDF that leaves the system is recorded (who, when, which children, a
fingerprint of the file), in the same transaction as it is made.

A password-protected copy is encrypted with AES-256 under a freshly generated password that
is handed back once and never stored. So that the browser can fetch the encrypted file
without the password ever being kept, the file waits in the database (PendingDownload) for
its maker for ten minutes, and is deleted when it is collected.
"""

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pikepdf
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from concerns.models import Concern, ConcernChild
from referrals import pdf
from referrals.models import EXPORT_HISTORY, Export, ExportKind, PendingDownload
from safeguard.db import stamp_history
from schools.models import Pupil

# Read aloud over the phone without confusion: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 9, U/V.
PASSWORD_ALPHABET = "3467ACDEFGHJKMNPQRTWXY"
PASSWORD_GROUPS, GROUP_LENGTH = 5, 4  # 20 characters, about 89 bits
DOWNLOAD_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class ExportResult:
    pdf_bytes: bytes
    filename: str
    password: str | None
    export: Export


def new_password() -> str:
    """A random password for a protected copy, in groups of four: 7KQM-F4XR-..."""
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def encrypt(pdf_bytes: bytes, password: str) -> bytes:
    """AES-256 (PDF 2.0 security handler, R=6). The owner password is random and thrown away:
    nobody can lift the protection, and reading (including by screen readers) stays allowed."""
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as document:
        document.save(
            output,
            encryption=pikepdf.Encryption(
                owner=secrets.token_urlsafe(32), user=password, R=6, aes=True
            ),
        )
    return output.getvalue()


def export_reason(kind: str, password_protected: bool) -> str:
    reason = f"{ExportKind(kind).label} PDF exported"
    return f"{reason} (password-protected)" if password_protected else reason


def export_filename(export: Export) -> str:
    if export.kind == ExportKind.REFERRAL:
        return f"referral-{export.concern.reference}.pdf"
    return f"chronology-{export.pupil.upn}.pdf"


def record_export(
    *,
    kind: str,
    by,
    pdf_bytes: bytes,
    password_protected: bool,
    children: list[ConcernChild],
    now: datetime,
    concern: Concern | None = None,
    pupil: Pupil | None = None,
) -> Export:
    export = Export(
        kind=kind,
        concern=concern,
        pupil=pupil,
        password_protected=password_protected,
        sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        exported_by=by,
        exported_at=now,
    )
    stamp_history(export, by=by, reason=export_reason(kind, password_protected))
    # One history row holding the children covered (see concerns.services.concern_record).
    export.skip_history_when_saving = True
    export.save()
    export.children.set(children)
    del export.skip_history_when_saving
    EXPORT_HISTORY.create_historical_record(export, "+")
    return export


def give_out(pdf_bytes: bytes, password_protected: bool) -> tuple[bytes, str | None]:
    if not password_protected:
        return pdf_bytes, None
    password = new_password()
    return encrypt(pdf_bytes, password), password


@transaction.atomic
def referral_pdf_export(
    *, concern: Concern, by, password_protected: bool, ip_address: str | None = None
) -> ExportResult:
    """The referral to children's social care as a PDF, recorded as an export of every child
    named in the concern, and in the access log (from `ip_address`) in the same transaction."""
    now = timezone.now()
    concern = Concern.objects.select_related("school").get(pk=concern.pk)
    access_record(
        user=by,
        school=concern.school,
        action=Action.EXPORTED_REFERRAL_PDF,
        ip_address=ip_address,
        concern=concern,
    )
    children = list(concern.children.all())
    rendered = pdf.render_referral(concern, by=by, now=now)
    pdf_bytes, password = give_out(rendered, password_protected)
    export = record_export(
        kind=ExportKind.REFERRAL,
        by=by,
        pdf_bytes=pdf_bytes,
        password_protected=password_protected,
        children=children,
        now=now,
        concern=concern,
    )
    return ExportResult(pdf_bytes, export_filename(export), password, export)


# The protected copy's one download.


def stash_for_download(result: ExportResult) -> None:
    """Keep the encrypted file until its maker downloads it (the password is not kept), and
    clear away copies that were never collected."""
    now = timezone.now()
    PendingDownload.objects.filter(stashed_at__lt=now - DOWNLOAD_WINDOW).delete()
    PendingDownload.objects.create(export=result.export, content=result.pdf_bytes, stashed_at=now)


@transaction.atomic
def collect_download(*, export: Export, by) -> bytes | None:
    """The stashed file, once, for the person who made the export, within ten minutes of
    making it; None otherwise. The file is deleted when collected or found expired."""
    export = Export.objects.select_for_update().get(pk=export.pk)
    pending = PendingDownload.objects.filter(export=export).first()
    if export.exported_by_id != by.pk or pending is None:
        return None
    pending.delete()
    if timezone.now() - pending.stashed_at > DOWNLOAD_WINDOW:
        return None
    return bytes(pending.content)
