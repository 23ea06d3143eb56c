"""Every change to a leaver's file and its transfer: one function each, in a transaction,
with who and why on the history row, and the e-mails queued once it commits.

The rules (KCSIE, and issue 15): only the DSL team sends or receives; a file is sent only for
a pupil who has left or is leaving, and who has a file; it is due 5 school days after the
leaving date, counted in the sending school's own term dates; nothing at the sending school is
deleted; a file can be sent again, with a reason.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from concerns.models import ConcernChild
from referrals.exports import encrypt, new_password
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import Pupil, School, User
from schools.policy import TRANSFER_FILES
from schools.selectors import require
from schools.terms import Counted, calendar_for
from transfers import document as documents
from transfers import tasks
from transfers.models import (
    SCHOOL_DAYS_TO_SEND,
    DeclineReason,
    IncomingFile,
    IncomingStatus,
    NoSchool,
    NoSchoolReason,
    Package,
    Receipt,
    ReferenceCounter,
    Route,
    Source,
    Status,
    Transfer,
)
from transfers.pdf import package_bytes

# How long an e-mailed package link and a receipt link work.
PACKAGE_LINK_DAYS = 7
RECEIPT_LINK_DAYS = 30
# The sending DSL's own download of a package waits this long.
PACKAGE_DOWNLOAD_WINDOW = timedelta(minutes=10)

SUMMARY_FIELDS = ("why_known", "current_risks", "plans", "agencies")


def due(pupil: Pupil, *, calendar=None) -> Counted:
    """When the leaver's file is due at the new school: 5 school days after the leaving date,
    in the sending school's term dates (a July leaver's lands in the new term)."""
    calendar = calendar or calendar_for(pupil.school)
    return calendar.add_school_days(pupil.leaving_date, SCHOOL_DAYS_TO_SEND)


def _require_dsl_team(user: User, school_id: int) -> None:
    require(
        TRANSFER_FILES,
        user,
        school_id,
        "Only the school's DSL team can send or receive a child's file.",
    )


def _has_file(pupil: Pupil) -> bool:
    """A concern names the child here, or a file from an earlier school was accepted."""
    return (
        ConcernChild.objects.filter(pupil=pupil).exists()
        or IncomingFile.objects.filter(pupil=pupil, status=IncomingStatus.ACCEPTED).exists()
    )


# --- Leavers ------------------------------------------------------------------------------


@transaction.atomic
def pupil_leaving_set(
    *,
    pupil: Pupil,
    by: User,
    leaving_date: date,
    destination_school: School | None,
    destination: str,
) -> Pupil:
    """Record that the pupil leaves (or left) on `leaving_date`, for a school in this
    deployment or one named in `destination`."""
    _require_dsl_team(by, pupil.school_id)
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    if leaving_date < pupil.date_of_birth:
        raise WorkflowError("The leaving date is before the child's date of birth.")
    if destination_school is not None and destination_school.pk == pupil.school_id:
        raise WorkflowError("The destination is this school. Choose the school they are going to.")
    if destination_school is None and not destination.strip():
        raise WorkflowError("Say which school the child is going to.")
    pupil.leaving_date = leaving_date
    pupil.destination_school = destination_school
    pupil.destination = destination_school.name if destination_school else destination.strip()
    stamp_history(pupil, by=by, reason="Leaving date recorded")
    pupil.save(update_fields=["leaving_date", "destination_school", "destination"])
    # A file already on its way follows the corrected date, and is due from it.
    for transfer in (
        Transfer.objects.select_for_update()
        .filter(pupil=pupil)
        .exclude(Q(status=Status.RECEIVED) | Q(leaving_date=leaving_date))
    ):
        counted = due(pupil)
        transfer.leaving_date, transfer.due_on = leaving_date, counted.day
        transfer.due_estimated = counted.estimated
        stamp_history(transfer, by=by, reason=f"Leaving date corrected to {leaving_date:%d %b %Y}")
        transfer.save(update_fields=["leaving_date", "due_on", "due_estimated"])
    return pupil


@transaction.atomic
def leaver_no_school(
    *, pupil: Pupil, by: User, reason: str, details: str, now: datetime | None = None
) -> NoSchool:
    """Record that a leaver's file has no school to go to, and what was done instead (the
    local authority told, the file shared with it): the file is no longer chased."""
    now = now or timezone.now()
    pupil = Pupil.objects.select_for_update(of=("self",)).get(pk=pupil.pk)
    _require_dsl_team(by, pupil.school_id)
    if pupil.leaving_date is None:
        raise WorkflowError("Record the child's leaving date first.")
    if not _has_file(pupil):
        raise WorkflowError("There is no safeguarding file for this child to send.")
    if reason not in NoSchoolReason.values:
        raise WorkflowError("Say why there is no school to send the file to.")
    if not details.strip():
        raise WorkflowError(
            "Say what was done instead: which local authority was told, by whom and when, "
            "and whether the file was shared with it."
        )
    if Transfer.objects.filter(pupil=pupil).exclude(status=Status.RECEIVED).exists():
        raise WorkflowError("The file has been sent to a school and is waiting for its receipt.")
    if NoSchool.objects.filter(pupil=pupil, leaving_date=pupil.leaving_date).exists():
        raise WorkflowError("This has already been recorded for this leaving date.")
    record = NoSchool(
        pupil=pupil,
        leaving_date=pupil.leaving_date,
        reason=reason,
        details=details.strip(),
        recorded_by=by,
        recorded_at=now,
    )
    stamp_history(
        record, by=by, reason=f"No school to send the file to: {record.get_reason_display()}"
    )
    record.save()
    return record


# --- Sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    transfer: Transfer
    # A package's password: shown once to the sender, never stored.
    password: str | None = None
    package: Package | None = None
    receipt_token: str | None = None


def _next_reference(year: int) -> str:
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"CPF-{year}-{counter.last_number:04d}"


def _destination(
    pupil: Pupil, route: str, to_school: School | None, to_school_name: str, to_school_urn: str
) -> tuple[School | None, str, str]:
    if route == Route.DEPLOYMENT:
        if to_school is None:
            raise WorkflowError("Choose the school the file goes to.")
        if to_school.pk == pupil.school_id:
            raise WorkflowError("The file cannot be sent to the school it comes from.")
        return to_school, to_school.name, to_school.urn
    if not to_school_name.strip():
        raise WorkflowError("Give the name of the school the file goes to.")
    return None, to_school_name.strip(), to_school_urn.strip()


def _check_summary(summary: dict[str, str]) -> dict[str, str]:
    cleaned = {key: (summary.get(key) or "").strip() for key in SUMMARY_FIELDS}
    if not all(cleaned.values()):
        raise WorkflowError("Write every part of the summary for the new school.")
    return cleaned


def _deliver(transfer: Transfer, *, by: User, now: datetime, email: str) -> Sent:
    """Hand the file over by its route: an incoming file at a school in this deployment, or an
    encrypted package and a receipt link for a school outside it."""
    if transfer.route == Route.DEPLOYMENT:
        incoming = IncomingFile(
            school=transfer.to_school,
            source=Source.DEPLOYMENT,
            transfer=transfer,
            **_identification(transfer.document),
            # Who it is about, until it is accepted: a file sent to the wrong school is
            # never kept there.
            document=documents.identification(transfer.document),
            arrived_at=now,
        )
        stamp_history(incoming, by=by, reason=f"Sent by {transfer.school.name}")
        incoming.save()
        transaction.on_commit(partial(tasks.notify_incoming.enqueue, incoming.pk))
        return Sent(transfer)

    receipt = Receipt.objects.create(
        transfer=transfer, made_at=now, expires_at=now + timedelta(days=RECEIPT_LINK_DAYS)
    )
    token = receipt_token(receipt)
    password = new_password()
    content = encrypt(package_bytes(transfer.document, receipt_url=receipt_url(token)), password)
    package = Package.objects.create(
        transfer=transfer,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        made_at=now,
        made_by=by,
        emailed_to=email,
        expires_at=now + (timedelta(days=PACKAGE_LINK_DAYS) if email else PACKAGE_DOWNLOAD_WINDOW),
    )
    if email:
        transaction.on_commit(partial(tasks.send_package_link.enqueue, package.pk, token))
    return Sent(transfer, password=password, package=package, receipt_token=token)


def _identification(document: dict) -> dict:
    child = document["child"]
    return {
        "reference": document["reference"],
        "from_school_name": document["from_school"]["name"],
        "from_school_urn": document["from_school"].get("urn", ""),
        "upn": child.get("upn", ""),
        "child_name": documents.child_name(document),
        "date_of_birth": date.fromisoformat(child["date_of_birth"]),
    }


@transaction.atomic
def transfer_send(
    *,
    pupil: Pupil,
    by: User,
    route: str,
    summary: dict[str, str],
    to_school: School | None = None,
    to_school_name: str = "",
    to_school_urn: str = "",
    email: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> Sent:
    """Send a leaver's file to their new school, by `route`."""
    now = now or timezone.now()
    # The pupil's row only: the school's stays free while the PDF is made (every row that
    # points at the school would otherwise wait for it).
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    school = pupil.school
    _require_dsl_team(by, school.pk)
    if pupil.leaving_date is None:
        raise WorkflowError(
            "A file is sent only for a child who has left or is leaving. "
            "Record their leaving date first."
        )
    if not _has_file(pupil):
        raise WorkflowError(
            "There is no safeguarding file for this child: no concern names them, and no file "
            "came with them from another school."
        )
    if Transfer.objects.filter(
        Q(leaving_date=pupil.leaving_date) | ~Q(status=Status.RECEIVED), pupil=pupil
    ).exists():
        raise WorkflowError(
            "This child's file has already been sent. To send it again, give the reason."
        )
    to_school, name, urn = _destination(pupil, route, to_school, to_school_name, to_school_urn)
    summary = _check_summary(summary)
    counted = due(pupil)
    reference = _next_reference(timezone.localdate(now).year)
    transfer = Transfer(
        reference=reference,
        school=school,
        pupil=pupil,
        route=route,
        to_school=to_school,
        to_school_name=name,
        to_school_urn=urn,
        leaving_date=pupil.leaving_date,
        due_on=counted.day,
        due_estimated=counted.estimated,
        **summary,
        document=documents.file_document(
            pupil=pupil,
            reference=reference,
            summary=summary,
            to_school_name=name,
            to_school_urn=urn,
            made_by=by,
            made_at=now,
        ),
        status=Status.SENT,
        sent_at=now,
        sent_by=by,
    )
    stamp_history(transfer, by=by, reason=f"Sent to {name}")
    transfer.save()
    access_record(
        user=by, school=school, action=Action.SENT_FILE, ip_address=ip_address, pupil=pupil
    )
    return _deliver(transfer, by=by, now=now, email=email)


@transaction.atomic
def transfer_resend(
    *,
    transfer: Transfer,
    by: User,
    reason: str,
    summary: dict[str, str] | None = None,
    route: str | None = None,
    to_school: School | None = None,
    to_school_name: str = "",
    to_school_urn: str = "",
    email: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> Sent:
    """Send the file again (a package lost, a file declined as sent to the wrong school), with
    the reason: the file as it stands now, to the school given (the same one by default).
    The copy sent before is withdrawn, and its links stop working."""
    now = now or timezone.now()
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("school", "pupil", "to_school")
        .get(pk=transfer.pk)
    )
    _require_dsl_team(by, transfer.school_id)
    if not reason.strip():
        raise WorkflowError("Give the reason for sending the file again.")
    if transfer.status == Status.RECEIVED:
        raise WorkflowError("The new school has confirmed receipt: there is nothing to send again.")
    route = route or transfer.route
    if route == transfer.route and to_school is None and not to_school_name:
        to_school, to_school_name, to_school_urn = (
            transfer.to_school,
            transfer.to_school_name,
            transfer.to_school_urn,
        )
    to_school, name, urn = _destination(
        transfer.pupil, route, to_school, to_school_name, to_school_urn
    )
    summary = _check_summary(summary or {key: getattr(transfer, key) for key in SUMMARY_FIELDS})
    # The copy sent before stops: its incoming file is withdrawn, its links refused.
    for incoming in IncomingFile.objects.select_for_update().filter(
        transfer=transfer, status=IncomingStatus.AWAITING
    ):
        incoming.status = IncomingStatus.WITHDRAWN
        stamp_history(incoming, by=by, reason=f"Sent again: {reason.strip()}")
        incoming.save(update_fields=["status"])
    Receipt.objects.filter(transfer=transfer, used_at=None, replaced_at=None).update(
        replaced_at=now
    )
    Package.objects.filter(transfer=transfer, collected_at=None).exclude(content=None).update(
        content=None, expires_at=now
    )

    transfer.route = route
    transfer.to_school, transfer.to_school_name, transfer.to_school_urn = to_school, name, urn
    for key, value in summary.items():
        setattr(transfer, key, value)
    transfer.document = documents.file_document(
        pupil=transfer.pupil,
        reference=transfer.reference,
        summary=summary,
        to_school_name=name,
        to_school_urn=urn,
        made_by=by,
        made_at=now,
    )
    transfer.status = Status.SENT
    transfer.sent_at, transfer.sent_by = now, by
    transfer.times_sent += 1
    transfer.viewed_at = transfer.declined_at = None
    transfer.decline_reason = transfer.decline_details = ""
    stamp_history(transfer, by=by, reason=f"Sent again to {name}: {reason.strip()}")
    transfer.save()
    access_record(
        user=by,
        school=transfer.school,
        action=Action.SENT_FILE,
        ip_address=ip_address,
        pupil=transfer.pupil,
    )
    return _deliver(transfer, by=by, now=now, email=email)


def package_collect(
    *, package: Package, by: User | None = None, now: datetime | None = None
) -> bytes | None:
    """The package's one download: its bytes, cleared as they are handed over; None if it was
    collected already, expired, or replaced. Each download is a step in the file's history;
    through the link e-mailed to the new school, the sender sees "viewed"."""
    now = now or timezone.now()
    with transaction.atomic():
        # The transfer first, then its package: the order transfer_resend takes them in.
        transfer = Transfer.objects.select_for_update().get(pk=package.transfer_id)
        package = Package.objects.select_for_update().get(pk=package.pk)
        if package.content is None or package.collected_at or package.expires_at <= now:
            return None
        content = bytes(package.content)
        package.content = None
        package.collected_at = now
        package.save(update_fields=["content", "collected_at"])
        if package.emailed_to:
            reason = f"Package downloaded through the link e-mailed to {package.emailed_to}"
            if transfer.status == Status.SENT:
                transfer.status, transfer.viewed_at = Status.VIEWED, now
        else:
            reason = "Package downloaded by the sender, to send on"
        stamp_history(transfer, by=by, reason=reason)
        transfer.save(update_fields=["status", "viewed_at"])
    return content


# --- Receiving in this deployment ---------------------------------------------------------


@transaction.atomic
def incoming_open(
    *, incoming: IncomingFile, by: User, ip_address: str | None, now: datetime | None = None
) -> IncomingFile:
    """The receiving DSL team opened the file: the sender sees "viewed"; logged as a read."""
    now = now or timezone.now()
    _lock_transfer_of(incoming)
    incoming = (
        IncomingFile.objects.select_for_update(of=("self",))
        .select_related("school", "pupil")
        .get(pk=incoming.pk)
    )
    _require_dsl_team(by, incoming.school_id)
    if incoming.first_opened_at is None:
        incoming.first_opened_at = now
        incoming.save(update_fields=["first_opened_at"])
    # Only the copy waiting here: a withdrawn or declined one may belong to a file sent again
    # to another school since, which this school's opening says nothing about.
    if incoming.transfer_id is not None and incoming.status == IncomingStatus.AWAITING:
        _viewed(incoming.transfer_id, by=by, now=now, reason=f"Opened by {incoming.school.name}")
    access_record(
        user=by,
        school=incoming.school,
        action=Action.VIEWED_INCOMING_FILE,
        ip_address=ip_address,
        pupil=incoming.pupil,
    )
    return incoming


def _viewed(transfer_id: int, *, by: User | None, now: datetime, reason: str) -> None:
    transfer = Transfer.objects.select_for_update().get(pk=transfer_id)
    if transfer.status == Status.SENT:
        transfer.status, transfer.viewed_at = Status.VIEWED, now
        stamp_history(transfer, by=by, reason=reason)
        transfer.save(update_fields=["status", "viewed_at"])


def _lock_transfer_of(incoming: IncomingFile) -> None:
    """Lock the transfer before its incoming copy, in the order transfer_resend takes them,
    so that two of them at once wait for each other instead of deadlocking."""
    if incoming.transfer_id is not None:
        list(Transfer.objects.select_for_update().filter(pk=incoming.transfer_id).values("pk"))


def _awaiting(incoming: IncomingFile) -> IncomingFile:
    _lock_transfer_of(incoming)
    incoming = IncomingFile.objects.select_for_update().select_related("school").get(pk=incoming.pk)
    if incoming.status != IncomingStatus.AWAITING:
        raise WorkflowError(
            f"This file has already been dealt with: {incoming.get_status_display().lower()}."
        )
    return incoming


@transaction.atomic
def incoming_accept(
    *, incoming: IncomingFile, by: User, now: datetime | None = None
) -> IncomingFile:
    """Accept the file: the receipt (who, when) goes back to the sender, and the file joins
    the child's record here, sealed. The child is matched on UPN, or added to the register
    from the file if the school does not have them yet."""
    now = now or timezone.now()
    incoming = _awaiting(incoming)
    _require_dsl_team(by, incoming.school_id)
    if incoming.transfer_id is not None:
        # Accepted: now the whole file comes, as it was sent.
        incoming.document = (
            Transfer.objects.filter(pk=incoming.transfer_id)
            .values_list("document", flat=True)
            .get()
        )
    pupil = _pupil_for(incoming, by=by)
    incoming.status = IncomingStatus.ACCEPTED
    incoming.accepted_at, incoming.accepted_by, incoming.pupil = now, by, pupil
    stamp_history(incoming, by=by, reason="Accepted: receipt confirmed")
    incoming.save()
    if incoming.transfer_id is not None:
        transfer = Transfer.objects.select_for_update().get(pk=incoming.transfer_id)
        transfer.status = Status.RECEIVED
        transfer.received_at, transfer.received_by = now, by
        transfer.received_by_name = by.full_name
        transfer.received_by_school = incoming.school.name
        transfer.viewed_at = transfer.viewed_at or now
        stamp_history(transfer, by=by, reason=f"Received by {incoming.school.name}")
        transfer.save()
        transaction.on_commit(partial(tasks.notify_sender.enqueue, transfer.pk, "received"))
    return incoming


def _pupil_for(incoming: IncomingFile, *, by: User) -> Pupil:
    child = incoming.document["child"]
    if incoming.upn:
        existing = Pupil.objects.filter(school=incoming.school, upn=incoming.upn).first()
        if existing is not None:
            return existing
    if not incoming.upn:
        raise WorkflowError(
            "The file has no UPN to match the child with. Add the child to the pupil register "
            "(import it from the MIS) and ask the sending school for their UPN."
        )
    gender = {"Female": "F", "Male": "M"}.get(child.get("gender", ""), "X")
    pupil = Pupil(
        school=incoming.school,
        upn=incoming.upn,
        legal_first_name=child["legal_first_name"],
        legal_last_name=child["legal_last_name"],
        preferred_first_name=child.get("preferred_first_name", ""),
        preferred_last_name=child.get("preferred_last_name", ""),
        date_of_birth=incoming.date_of_birth,
        gender=gender,
        year_group=child.get("year_group") or "Not known",
        sen_disability=bool(child.get("sen_disability")),
        sen_details=child.get("sen_details", ""),
        first_language=child.get("first_language", ""),
        ethnicity=child.get("ethnicity", ""),
    )
    stamp_history(pupil, by=by, reason=f"Added from the file {incoming.reference}")
    pupil.save()
    return pupil


@transaction.atomic
def incoming_decline(
    *,
    incoming: IncomingFile,
    by: User,
    reason: str,
    details: str = "",
    now: datetime | None = None,
) -> IncomingFile:
    """Decline the file (sent to the wrong school, not our pupil): the sender is told why and
    can send it again. The sealed copy stays here, declined, never read as the child's."""
    now = now or timezone.now()
    incoming = _awaiting(incoming)
    _require_dsl_team(by, incoming.school_id)
    if reason not in DeclineReason.values:
        raise WorkflowError("Say why the file is declined.")
    if reason == DeclineReason.OTHER and not details.strip():
        raise WorkflowError("Say why the file is declined.")
    incoming.status = IncomingStatus.DECLINED
    incoming.declined_at, incoming.declined_by = now, by
    incoming.decline_reason, incoming.decline_details = reason, details.strip()
    # Not this school's child: it keeps who the file was about, not the file.
    incoming.document = documents.identification(incoming.document)
    label = DeclineReason(reason).label
    stamp_history(incoming, by=by, reason=f"Declined: {label}")
    incoming.save()
    if incoming.transfer_id is not None:
        transfer = Transfer.objects.select_for_update().get(pk=incoming.transfer_id)
        transfer.status = Status.DECLINED
        transfer.declined_at = now
        transfer.decline_reason, transfer.decline_details = reason, details.strip()
        stamp_history(transfer, by=by, reason=f"Declined by {incoming.school.name}: {label}")
        transfer.save()
        transaction.on_commit(partial(tasks.notify_sender.enqueue, transfer.pk, "declined"))
    return incoming


@transaction.atomic
def incoming_import(
    *, school: School, by: User, document, now: datetime | None = None
) -> IncomingFile:
    """A package's JSON from a school outside this deployment, as an incoming file here."""
    now = now or timezone.now()
    _require_dsl_team(by, school.pk)
    try:
        document = documents.check_document(document)
    except documents.DocumentError as error:
        raise WorkflowError(str(error)) from None
    identification = _identification(document)
    if (
        # Another installation counts its references itself: the sender's URN tells them apart.
        IncomingFile.objects.filter(
            school=school,
            reference=identification["reference"],
            from_school_urn=identification["from_school_urn"],
        )
        .exclude(status__in=[IncomingStatus.DECLINED, IncomingStatus.WITHDRAWN])
        .exists()
    ):
        raise WorkflowError(
            f"The file {identification['reference']} is already here. "
            "Open it from the incoming files."
        )
    incoming = IncomingFile(
        school=school,
        source=Source.IMPORTED,
        **identification,
        document=document,
        arrived_at=now,
        imported_by=by,
    )
    stamp_history(incoming, by=by, reason=f"Imported from {identification['from_school_name']}")
    incoming.save()
    return incoming


# --- Receipt links for schools outside ----------------------------------------------------

RECEIPT_SALT = "transfers.receipt"


def receipt_token(receipt: Receipt) -> str:
    return signing.dumps(str(receipt.uuid), salt=RECEIPT_SALT, compress=False)


def receipt_url(token: str) -> str:
    return settings.SITE_URL + reverse("transfers:receipt", args=[token])


class ReceiptRefused(WorkflowError):
    """A receipt link that cannot be used: `gone` if it was good once (used, replaced or
    expired), not if it never was (tampered with, or naming no receipt)."""

    def __init__(self, message: str, *, gone: bool = True):
        super().__init__(message)
        self.gone = gone


def receipt_for(token: str, *, now: datetime | None = None) -> Receipt:
    """The receipt a link names, if the link is genuine and still usable; ReceiptRefused,
    saying why, if not. A tampered link is "not valid", whatever it was changed to."""
    now = now or timezone.now()
    try:
        value = signing.loads(token, salt=RECEIPT_SALT, max_age=timedelta(days=RECEIPT_LINK_DAYS))
    except signing.SignatureExpired:
        raise ReceiptRefused("This receipt link has expired.") from None
    except signing.BadSignature:
        raise ReceiptRefused("This receipt link is not valid.", gone=False) from None
    receipt = (
        Receipt.objects.select_related("transfer", "transfer__school").filter(uuid=value).first()
    )
    if receipt is None:
        raise ReceiptRefused("This receipt link is not valid.", gone=False)
    if receipt.used_at is not None:
        raise ReceiptRefused("Receipt has already been confirmed with this link.")
    if receipt.replaced_at is not None:
        raise ReceiptRefused(
            "This file was sent again, with a new receipt link: use the link that came with it."
        )
    if receipt.expires_at <= now:
        raise ReceiptRefused("This receipt link has expired.")
    return receipt


@transaction.atomic
def receipt_open(*, receipt: Receipt, now: datetime | None = None) -> None:
    """The receiving school used the receipt page (submitted it, not just opened the link,
    which a mail scanner may do): the sender sees "viewed"."""
    now = now or timezone.now()
    if receipt.opened_at is None:
        Receipt.objects.filter(pk=receipt.pk, opened_at=None).update(opened_at=now)
    _viewed(receipt.transfer_id, by=None, now=now, reason="Receipt link opened by the new school")


@transaction.atomic
def receipt_confirm(
    *,
    receipt: Receipt,
    name: str,
    school_name: str,
    ip_address: str | None,
    now: datetime | None = None,
) -> Transfer:
    """The receiving DSL confirms receipt: their name and school are the receipt. The link is
    used up whatever happens next."""
    now = now or timezone.now()
    if not name.strip() or not school_name.strip():
        raise WorkflowError("Give your name and your school.")
    # Used once: the conditional UPDATE touches the row only if nobody used it first.
    used = Receipt.objects.filter(pk=receipt.pk, used_at=None, replaced_at=None).update(
        used_at=now,
        confirmed_name=name.strip(),
        confirmed_school=school_name.strip(),
        ip_address=ip_address,
    )
    if not used:
        raise ReceiptRefused("Receipt has already been confirmed with this link.")
    transfer = Transfer.objects.select_for_update().get(pk=receipt.transfer_id)
    transfer.status = Status.RECEIVED
    transfer.received_at = now
    transfer.received_by_name = name.strip()
    transfer.received_by_school = school_name.strip()
    transfer.viewed_at = transfer.viewed_at or now
    stamp_history(
        transfer, by=None, reason=f"Receipt confirmed by {name.strip()}, {school_name.strip()}"
    )
    transfer.save()

    transaction.on_commit(partial(tasks.notify_sender.enqueue, transfer.pk, "received"))
    return transfer
