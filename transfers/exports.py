"""What the sending school takes out of Safeguard of a leaver's file: the PDF of the file as it
was sent, and the encrypted package's one download by the DSL who made it. Each is logged in
the access log in the same transaction as it is handed over (like referrals.exports)."""

from django.db import transaction

from audit.models import Action
from audit.services import access_record
from schools.models import User
from transfers.models import Package, Transfer
from transfers.pdf import file_pdf
from transfers.services import package_collect


def filename(transfer: Transfer) -> str:
    return f"{transfer.reference}.pdf"


@transaction.atomic
def transfer_pdf_export(*, transfer: Transfer, by: User, ip_address: str | None) -> bytes:
    """The file as last sent (its frozen document), as a PDF; logged as an export of the
    child's file. The caller has checked `by` may see the transfer (selectors.transfer_for)."""
    access_record(
        user=by,
        school=transfer.school,
        action=Action.EXPORTED_FILE_PDF,
        ip_address=ip_address,
        pupil=transfer.pupil,
    )
    return file_pdf(transfer.document)


@transaction.atomic
def package_download(*, package: Package, by: User, ip_address: str | None) -> bytes | None:
    """The package's one download by the DSL who made it: its encrypted bytes, logged; None
    if it was collected already, expired or replaced by the file sent again."""
    content = package_collect(package=package)
    if content is None:
        return None
    access_record(
        user=by,
        school=package.transfer.school,
        action=Action.DOWNLOADED_PACKAGE,
        ip_address=ip_address,
        pupil=package.transfer.pupil,
    )
    return content
