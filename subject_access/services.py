"""Every change to a subject access request: one function each, in a transaction, with who and
why on the history row. Only the school's DSL team keeps the register (schools.policy
HANDLE_CASES).

The rules (UK GDPR Art. 12(3) and ICO guidance on the right of access): the deadline is one
calendar month from the day the request is received; it may be extended once, by one or two
further months, with a reason, and the extension is decided within the first month; nothing is
disclosed before the requester's identity is checked; a refusal gives its reason; a request
disclosed or refused is closed, and nothing more changes on it.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from referrals.pdf import render_pdf
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import Pupil, User
from schools.policy import HANDLE_CASES
from schools.selectors import require
from subject_access.models import (
    MAX_EXTENSION_MONTHS,
    Redaction,
    RedactionReason,
    Relationship,
    Status,
    SubjectAccessRequest,
    months_after,
)
from subject_access.passages import Passage, passages
from transfers.document import file_document
from transfers.services import SUMMARY_FIELDS


def _require_dsl_team(user: User, school_id: int) -> None:
    require(
        HANDLE_CASES,
        user,
        school_id,
        "Only the school's DSL team keeps the subject access register.",
    )


def _locked(sar: SubjectAccessRequest, by: User) -> SubjectAccessRequest:
    """The request, locked against a change made at the same moment, and still open."""
    _require_dsl_team(by, sar.school_id)
    sar = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("pupil")
        .get(pk=sar.pk)
    )
    if not sar.is_open:
        raise WorkflowError(
            f"This request was {sar.get_status_display().lower()} on "
            f"{sar.closed_on:%-d %B %Y}: it is closed and cannot be changed."
        )
    return sar


def _not_before_receipt(day: date, sar: SubjectAccessRequest, *, field: str, what: str):
    if day < sar.received_on:
        raise WorkflowError(
            f"The date {what} must be on or after the day the request was received "
            f"({sar.received_on:%-d %B %Y}).",
            field=field,
        )
    if day > timezone.localdate():
        raise WorkflowError(f"The date {what} cannot be in the future.", field=field)


@transaction.atomic
def request_record(
    *,
    pupil: Pupil,
    by: User,
    requester_name: str,
    relationship: str,
    received_on: date,
) -> SubjectAccessRequest:
    """Record a request received for `pupil`'s information; it is due one month later."""
    _require_dsl_team(by, pupil.school_id)
    if received_on > timezone.localdate():
        raise WorkflowError("The date received cannot be in the future.", field="received_on")
    if not requester_name.strip():
        raise WorkflowError("Enter the name of the person asking.", field="requester_name")
    if relationship not in Relationship.values:
        raise WorkflowError("Select who is asking.", field="relationship")
    sar = SubjectAccessRequest(
        school_id=pupil.school_id,
        pupil=pupil,
        requester_name=requester_name.strip(),
        relationship=relationship,
        received_on=received_on,
        due_on=months_after(received_on, 1),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    stamp_history(
        sar,
        by=by,
        reason=f"Request received on {received_on:%-d %B %Y} from {sar.requester_name} "
        f"({sar.get_relationship_display().lower()}); due {sar.due_on:%-d %B %Y}",
    )
    sar.save()
    return sar


@transaction.atomic
def request_check_identity(
    *, sar: SubjectAccessRequest, by: User, checked_on: date, how: str
) -> SubjectAccessRequest:
    """Record that the requester's identity (and, for someone acting for the child, their
    authority) was checked, and how."""
    sar = _locked(sar, by)
    if sar.identity_checked_on is not None:
        raise WorkflowError("The requester's identity has already been checked.")
    if not how.strip():
        raise WorkflowError("Say how the requester's identity was checked.", field="how")
    _not_before_receipt(checked_on, sar, field="checked_on", what="identity was checked")
    sar.identity_checked_on = checked_on
    sar.identity_checked_by = by
    sar.identity_check = how.strip()
    if sar.status == Status.RECEIVED:
        sar.status = Status.IDENTITY_CHECKED
    stamp_history(sar, by=by, reason=f"Identity checked on {checked_on:%-d %B %Y}: {how.strip()}")
    sar.save(
        update_fields=["identity_checked_on", "identity_checked_by", "identity_check", "status"]
    )
    return sar


@transaction.atomic
def request_extend(
    *, sar: SubjectAccessRequest, by: User, months: int, reason: str
) -> SubjectAccessRequest:
    """Extend the deadline by one or two months, once, for a complex or numerous sar. The
    requester must be told within the first month, so an extension is decided by then."""
    sar = _locked(sar, by)
    if sar.extension_months:
        raise WorkflowError("The deadline has already been extended; it can be extended once.")
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise WorkflowError("Choose an extension of 1 or 2 months.", field="months")
    if not reason.strip():
        raise WorkflowError(
            "Say why the request is complex or numerous enough to extend the deadline.",
            field="reason",
        )
    if timezone.localdate() > sar.first_due_on:
        raise WorkflowError(
            f"An extension must be decided within one month of receipt (by "
            f"{sar.first_due_on:%-d %B %Y}). That date has passed."
        )
    sar.extension_months = months
    sar.extension_reason = reason.strip()
    sar.due_on = months_after(sar.received_on, 1 + months)
    sar.status = Status.EXTENDED
    stamp_history(
        sar,
        by=by,
        reason=f"Deadline extended by {months} month{'s' if months > 1 else ''} to "
        f"{sar.due_on:%-d %B %Y}: {reason.strip()}",
    )
    sar.save(update_fields=["extension_months", "extension_reason", "due_on", "status"])
    return sar


@transaction.atomic
def request_disclose(
    *, sar: SubjectAccessRequest, by: User, disclosed_on: date, disclosure: str
) -> SubjectAccessRequest:
    """Record that the information was disclosed to the requester: when, what and how."""
    sar = _locked(sar, by)
    if sar.identity_checked_on is None:
        raise WorkflowError("Check the requester's identity before disclosing anything to them.")
    if not disclosure.strip():
        raise WorkflowError(
            "Say what was disclosed, and how it was sent or given.", field="disclosure"
        )
    _not_before_receipt(disclosed_on, sar, field="disclosed_on", what="of disclosure")
    sar.status = Status.DISCLOSED
    sar.closed_on = disclosed_on
    sar.disclosure = disclosure.strip()
    late = " (after the deadline)" if sar.answered_late else ""
    stamp_history(
        sar,
        by=by,
        reason=f"Disclosed to {sar.requester_name} on {disclosed_on:%-d %B %Y}{late}: "
        f"{sar.disclosure}",
    )
    sar.save(update_fields=["status", "closed_on", "disclosure"])
    return sar


@transaction.atomic
def request_refuse(
    *, sar: SubjectAccessRequest, by: User, refused_on: date, reason: str
) -> SubjectAccessRequest:
    """Refuse the request, with the reason given to the requester (for example manifestly
    unfounded or excessive, or identity not confirmed)."""
    sar = _locked(sar, by)
    if not reason.strip():
        raise WorkflowError(
            "Say why the request is refused: the requester must be told.", field="reason"
        )
    _not_before_receipt(refused_on, sar, field="refused_on", what="of refusal")
    sar.status = Status.REFUSED
    sar.closed_on = refused_on
    sar.refusal_reason = reason.strip()
    stamp_history(sar, by=by, reason=f"Refused on {refused_on:%-d %B %Y}: {sar.refusal_reason}")
    sar.save(update_fields=["status", "closed_on", "refusal_reason"])
    return sar


# --- The file, its redactions and the redacted PDF -----------------------------------------


@transaction.atomic
def request_assemble_file(*, sar: SubjectAccessRequest, by: User) -> SubjectAccessRequest:
    """Freeze the child's whole file, as it stands now, on the request: the passages marked
    for redaction are then the passages disclosed, whatever is recorded after."""
    sar = _locked(sar, by)
    if sar.file is not None:
        raise WorkflowError("The child's file has already been assembled for this request.")
    now = timezone.now()
    sar.file = file_document(
        pupil=sar.pupil,
        reference=f"SAR-{sar.received_on:%Y%m%d}",
        summary=dict.fromkeys(SUMMARY_FIELDS, ""),
        to_school_name=sar.requester_name,
        to_school_urn="",
        made_by=by,
        made_at=now,
    )
    sar.file_assembled_at = now
    count = len(passages(sar.file))
    stamp_history(
        sar, by=by, reason=f"The child's file assembled: {count} passage{'s' * (count != 1)}"
    )
    sar.save(update_fields=["file", "file_assembled_at"])
    return sar


def _passage(sar: SubjectAccessRequest, key: str) -> Passage:
    if sar.file is None:
        raise WorkflowError("Assemble the child's file first.")
    found = {passage.key: passage for passage in passages(sar.file)}
    if key not in found:
        raise WorkflowError("That passage is not in the assembled file.")
    return found[key]


@transaction.atomic
def passage_redact(
    *, sar: SubjectAccessRequest, by: User, passage: str, reason: str, details: str
) -> Redaction:
    """Withhold a passage from the requester, with the exemption and why it applies."""
    sar = _locked(sar, by)
    found = _passage(sar, passage)
    if reason not in RedactionReason.values:
        raise WorkflowError("Select why the passage is withheld.", field="reason")
    if not details.strip():
        raise WorkflowError("Say why this passage is withheld.", field="details")
    redaction = Redaction.objects.select_for_update().filter(
        request=sar, passage=found.key
    ).first() or Redaction(request=sar, passage=found.key)
    redaction.reason, redaction.details = reason, details.strip()
    redaction.marked_by, redaction.marked_at = by, timezone.now()
    stamp_history(
        redaction,
        by=by,
        reason=f"Redacted ({redaction.get_reason_display().lower()}): {found.label}, "
        f"{found.heading}: {redaction.details}",
    )
    redaction.save()
    return redaction


@transaction.atomic
def passage_unredact(*, sar: SubjectAccessRequest, by: User, passage: str) -> Redaction:
    """Disclose a passage marked for redaction after all. Its row stays, with no reason."""
    sar = _locked(sar, by)
    found = _passage(sar, passage)
    redaction = (
        Redaction.objects.select_for_update()
        .filter(request=sar, passage=found.key)
        .exclude(reason="")
        .first()
    )
    if redaction is None:
        raise WorkflowError("That passage is not redacted.")
    redaction.reason, redaction.details = "", ""
    redaction.marked_by, redaction.marked_at = by, timezone.now()
    stamp_history(redaction, by=by, reason=f"Redaction lifted: {found.label}, {found.heading}")
    redaction.save()
    return redaction


@dataclass(frozen=True)
class Shown:
    """A passage as the requester receives it: its text, or only why it was withheld."""

    heading: str
    label: str
    text: str
    redacted: bool


def redacted_passages(sar: SubjectAccessRequest) -> list[Shown]:
    """The assembled file's passages with every redacted one's text removed: a redacted
    passage's words never reach the template, so they cannot be in the PDF."""
    marked = dict(
        Redaction.objects.filter(request=sar).exclude(reason="").values_list("passage", "reason")
    )
    labels = dict(RedactionReason.choices)
    return [
        Shown(passage.heading, passage.label, f"[Redacted: {labels[marked[passage.key]]}]", True)
        if passage.key in marked
        else Shown(passage.heading, passage.label, passage.text, False)
        for passage in passages(sar.file)
    ]


def request_file_read(*, sar: SubjectAccessRequest, by: User, ip_address: str | None) -> None:
    """Log that `by` read the child's file assembled for the request (a read of the child's
    records, like opening their chronology). Nothing to log before it is assembled."""
    if sar.file is not None:
        access_record(
            user=by,
            school=sar.school,
            action=Action.VIEWED_REQUEST_FILE,
            ip_address=ip_address,
            pupil=sar.pupil,
        )


@transaction.atomic
def request_redacted_pdf(
    *, sar: SubjectAccessRequest, by: User, ip_address: str | None = None
) -> bytes:
    """The redacted file as a PDF, for the requester; its making is in the history and, as
    an export of the child's records, in the access log."""
    _require_dsl_team(by, sar.school_id)
    sar = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("pupil", "school")
        .get(pk=sar.pk)
    )
    if sar.file is None:
        raise WorkflowError("Assemble the child's file first.")
    shown = redacted_passages(sar)
    withheld = sum(passage.redacted for passage in shown)
    now = timezone.now()
    content = render_pdf(
        "subject_access/pdf/redacted.html",
        {
            "sar": sar,
            "passages": shown,
            "withheld": withheld,
            "doc": {
                "generated_at": now,
                "generated_by": {"full_name": by.full_name},
                "school": {"name": sar.school.name},
            },
        },
    )
    sar.pdf_made_at = now
    access_record(
        user=by,
        school=sar.school,
        action=Action.EXPORTED_REDACTED_PDF,
        ip_address=ip_address,
        pupil=sar.pupil,
    )
    stamp_history(
        sar,
        by=by,
        reason=f"Redacted PDF made for {sar.requester_name}: {withheld} of {len(shown)} "
        f"passages withheld",
    )
    sar.save(update_fields=["pdf_made_at"])
    return content
