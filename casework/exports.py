"""Exporting a child's chronology as a PDF: recorded like every export (referrals.exports),
and logged as a read of the child's file in the same transaction."""

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from casework.pdf import render_chronology
from concerns.models import ConcernChild
from referrals import exports
from referrals.models import ExportKind
from schools.models import Pupil


@transaction.atomic
def chronology_pdf_export(
    *, pupil: Pupil, by, password_protected: bool = False, ip_address: str | None = None
) -> exports.ExportResult:
    """A child's chronology as a PDF, recorded as an export about the child in every concern
    that names them, and in the access log (from `ip_address`) in the same transaction."""
    now = timezone.now()
    access_record(
        user=by,
        school=pupil.school,
        action=Action.EXPORTED_CHRONOLOGY_PDF,
        ip_address=ip_address,
        pupil=pupil,
    )
    children = list(ConcernChild.objects.filter(pupil=pupil))
    rendered = render_chronology(pupil, by=by, now=now)
    pdf_bytes, password = exports.give_out(rendered, password_protected)
    export = exports.record_export(
        kind=ExportKind.CHRONOLOGY,
        by=by,
        pdf_bytes=pdf_bytes,
        password_protected=password_protected,
        children=children,
        now=now,
        pupil=pupil,
    )
    return exports.ExportResult(pdf_bytes, exports.export_filename(export), password, export)
