"""The child protection file as a document: one JSON-ready dict, the same for every reader.

It is what is sent (stored frozen on the Transfer), what a receiving school keeps (its
IncomingFile), what the PDF is drawn from (transfers/pdf.py) and what another system reads:
docs/transfer-format.md documents every key. Version 1; a reader refuses a version it does not
know rather than guess.

Everything in it is text, dates (ISO 8601) and lists: no images, ever (DOMAIN.md rule 1), and
no attachment's content, only what each document is. Another child named in a concern is
"another child": the new school needs to know there was one, not who.
"""

from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone

from casework.chronology import chronology_for
from casework.history import concern_history
from concerns.models import (
    Attachment,
    Category,
    Concern,
    ConcernChild,
    EvidenceItem,
    Note,
    SupportAction,
    SupportReview,
)
from referrals.models import Referral
from schools.models import HouseholdContact, Pupil, School
from transfers.models import IncomingFile, IncomingStatus

FORMAT = "safeguard.child-protection-file"
VERSION = 1


class DocumentError(ValueError):
    """A document that is not a child protection file this version can read."""


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _school(school: School) -> dict:
    return {
        "name": school.name,
        "urn": school.urn,
        "address": school.address,
        "phone": school.phone,
        "email": school.email,
        "local_authority": school.local_authority,
    }


def _child(pupil: Pupil, household: list[HouseholdContact]) -> dict:
    return {
        "upn": pupil.upn,
        "legal_first_name": pupil.legal_first_name,
        "legal_last_name": pupil.legal_last_name,
        "preferred_first_name": pupil.preferred_first_name,
        "preferred_last_name": pupil.preferred_last_name,
        "date_of_birth": _iso(pupil.date_of_birth),
        "gender": pupil.get_gender_display(),
        "year_group": pupil.year_group,
        "first_language": pupil.first_language,
        "ethnicity": pupil.ethnicity,
        "sen_disability": pupil.sen_disability,
        "sen_details": pupil.sen_details,
        "address": pupil.address,
        "leaving_date": _iso(pupil.leaving_date),
        "household": [
            {
                "name": contact.name,
                "relationship": contact.relationship,
                "phone": contact.phone,
                "email": contact.email,
                "address": contact.address,
                "parental_responsibility": contact.parental_responsibility,
                "lives_with_child": contact.lives_with_child,
            }
            for contact in household
        ],
    }


def _name(user) -> str:
    return user.full_name if user is not None else ""


def _concern(
    concern: Concern,
    link: ConcernChild,
    *,
    categories: list[str],
    referrals: list[Referral],
    support: list[SupportAction],
    pupil: Pupil,
) -> dict:
    decision = {
        "referral_decision": concern.get_referral_decision_display(),
        "referral_rationale": concern.referral_rationale,
        "decided_by": _name(concern.decided_by),
        "referral_decided_at": _iso(concern.referral_decided_at),
        "not_refer_ground": concern.get_not_refer_ground_display(),
        "not_refer_contact": concern.not_refer_contact,
        "not_refer_advice": concern.not_refer_advice,
        "threshold_level": concern.threshold_level,
        "police_not_told_reason": concern.police_not_told_reason,
        "parents_informed": concern.parents_informed,
        "parents_not_informed_reason": concern.parents_not_informed_reason,
        "countersigned_by": _name(concern.countersigned_by),
        "countersign_reason": concern.countersign_reason,
    }
    return {
        "reference": concern.reference,
        "categories": categories,
        "child_role": link.get_role_display(),
        "recorded_at": _iso(concern.recorded_at),
        "recorded_by": _name(concern.reporter),
        "disclosed_at": _iso(concern.disclosed_at),
        "told_by": concern.get_discloser_type_display(),
        "location": concern.location,
        "account": concern.account,
        "parent_wishes": concern.parent_wishes,
        "immediate_danger": concern.immediate_danger,
        "safety": {
            "safe_now": link.safe_now,
            "notes": link.safety_notes,
            "action": link.safety_action,
            "checked_at": _iso(link.safety_checked_at),
            "checked_by": _name(link.safety_checked_by),
        },
        "decision": {key: value for key, value in decision.items() if value not in ("", None)},
        "closed_at": _iso(concern.closed_at),
        "outcome_summary": concern.outcome_summary,
        "referrals": [
            {
                "agency": referral.get_agency_display(),
                "team": referral.agency_name,
                "made_at": _iso(referral.made_at),
                "method": referral.get_method_display(),
                "made_by": _name(referral.made_by),
                "person_spoken_to": referral.contact_name,
                "their_reference": referral.agency_reference,
                "consent": referral.get_consent_display(),
                "consent_reason": referral.consent_reason,
                "risk_view": referral.risk_view,
                "outcome": referral.get_outcome_display(),
                "outcome_details": referral.outcome_details,
            }
            for referral in referrals
        ],
        "support": [
            {
                "action": action.action,
                "owner": action.owner,
                "review_date": _iso(action.review_date),
                "ended_on": _iso(action.ended_on),
                "reviews": [
                    {
                        "at": _iso(review.reviewed_at),
                        "by": _name(review.reviewed_by),
                        "notes": review.notes,
                    }
                    for review in action.reviews.all()
                ],
            }
            for action in support
        ],
        "evidence": [
            {
                "description": item.description,
                "platform": item.platform,
                "where_it_is": item.location,
                "held_by": item.held_by,
                "device_custody": item.device_custody,
            }
            for item in concern.evidence_items.all()
        ]
        + [
            # What each document is, never its content.
            {"description": f"Document kept by the school: {document.description}"}
            for document in concern.attachments.all()
        ],
        "notes": [
            {"at": _iso(note.added_at), "by": _name(note.author), "text": note.text}
            for note in concern.notes.all()
        ],
        "history": [
            {
                "at": _iso(entry.when),
                "who": entry.who,
                "action": entry.action,
                "subject": entry.subject,
                "reason": entry.reason,
                "changes": [
                    {"field": change.label, "old": change.old, "new": change.new}
                    for change in entry.changes
                ],
            }
            for entry in concern_history(concern, for_pupil=pupil)
        ],
    }


def file_document(
    *,
    pupil: Pupil,
    reference: str,
    summary: dict[str, str],
    to_school_name: str,
    to_school_urn: str,
    made_by,
    made_at: datetime,
) -> dict:
    """The child's whole file at the sending school, as it stands at `made_at`."""
    pupil = Pupil.objects.select_related("school").get(pk=pupil.pk)
    household = list(HouseholdContact.objects.filter(pupil=pupil).order_by("priority"))
    links = list(
        ConcernChild.objects.filter(pupil=pupil)
        .select_related(
            "safety_checked_by",
            "concern__reporter",
            "concern__decided_by",
            "concern__countersigned_by",
        )
        .prefetch_related(
            Prefetch("concern__evidence_items", EvidenceItem.objects.order_by("added_at", "pk")),
            Prefetch(
                "concern__attachments",
                Attachment.objects.only("concern_id", "description", "uploaded_at").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch(
                "concern__notes", Note.objects.select_related("author").order_by("added_at", "pk")
            ),
        )
        .order_by("concern__recorded_at", "pk")
    )
    concern_ids = [link.concern_id for link in links]
    categories: dict[int, list[str]] = {}
    for concern_id, name in (
        Category.objects.filter(concerns__in=concern_ids)
        .order_by("position", "name")
        .values_list("concerns", "name")
    ):
        categories.setdefault(concern_id, []).append(name)
    referrals: dict[int, list[Referral]] = {}
    for referral in (
        Referral.objects.filter(concern_id__in=concern_ids, children__pupil=pupil)
        .select_related("made_by")
        .distinct()
        .order_by("made_at", "pk")
    ):
        referrals.setdefault(referral.concern_id, []).append(referral)
    support: dict[int, list[SupportAction]] = {}
    for action in (
        SupportAction.objects.filter(child__in=links)
        .prefetch_related(
            Prefetch(
                "reviews",
                SupportReview.objects.select_related("reviewed_by").order_by("reviewed_at", "pk"),
            )
        )
        .order_by("added_at", "pk")
    ):
        support.setdefault(action.child_id, []).append(action)

    # The parts of the file received from the schools before, kept sealed here: they go on
    # with the child, so the file follows them through every move.
    earlier = [
        {
            "received_at": _iso(incoming.accepted_at),
            "received_by": _name(incoming.accepted_by),
            "document": incoming.document,
        }
        for incoming in IncomingFile.objects.filter(pupil=pupil, status=IncomingStatus.ACCEPTED)
        .select_related("accepted_by")
        .order_by("accepted_at", "pk")
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "reference": reference,
        "made_at": _iso(made_at),
        "made_by": {"name": made_by.full_name, "job_title": made_by.job_title},
        "from_school": _school(pupil.school),
        "to_school": {"name": to_school_name, "urn": to_school_urn},
        "child": _child(pupil, household),
        "summary": {
            "why_known": summary["why_known"],
            "current_risks": summary["current_risks"],
            "plans": summary["plans"],
            "agencies": summary["agencies"],
        },
        "chronology": [
            {
                "at": _iso(event.when),
                "kind": event.kind,
                "title": event.title,
                "detail": event.detail,
                "who": event.who,
                "concern": event.concern_reference,
            }
            for event in chronology_for(pupil)
        ],
        "concerns": [
            _concern(
                link.concern,
                link,
                categories=categories.get(link.concern_id, []),
                referrals=referrals.get(link.concern_id, []),
                support=support.get(link.pk, []),
                pupil=pupil,
            )
            for link in links
        ],
        "earlier_parts": earlier,
    }


# Who a file is about and where it is from: all a receiving school keeps of it until it is
# accepted, and all it keeps of a file it declined.
IDENTIFICATION_KEYS = ("format", "version", "reference", "made_at", "made_by", "from_school")
CHILD_IDENTIFICATION_KEYS = (
    "upn",
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "gender",
    "year_group",
)


def identification(document: dict) -> dict:
    child = document["child"]
    return {
        **{key: document[key] for key in IDENTIFICATION_KEYS if key in document},
        "child": {key: child[key] for key in CHILD_IDENTIFICATION_KEYS if key in child},
    }


# --- Reading a document -------------------------------------------------------------------

REQUIRED_KEYS = ("format", "version", "reference", "from_school", "child", "summary")
REQUIRED_CHILD_KEYS = ("legal_first_name", "legal_last_name", "date_of_birth")


def check_document(document) -> dict:
    """`document` if it is a version-1 file with what a receiving school needs to match the
    child; DocumentError, saying what is wrong, if not."""
    if not isinstance(document, dict):
        raise DocumentError("The file is not a child protection file: it is not a JSON object.")
    if document.get("format") != FORMAT:
        raise DocumentError(
            "The file is not a child protection file from Safeguard "
            f"(its format is not “{FORMAT}”)."
        )
    if document.get("version") != VERSION:
        raise DocumentError(
            f"The file is version {document.get('version')!r} of the format; this installation "
            f"reads version {VERSION}. Ask the sending school for a version {VERSION} file."
        )
    missing = [key for key in REQUIRED_KEYS if key not in document]
    child = document.get("child")
    if not isinstance(child, dict):
        missing.append("child")
    else:
        missing += [f"child.{key}" for key in REQUIRED_CHILD_KEYS if not child.get(key)]
    if missing:
        raise DocumentError(f"The file is incomplete: it has no {', '.join(missing)}.")
    try:
        date.fromisoformat(child["date_of_birth"])
    except (TypeError, ValueError):
        raise DocumentError("The child's date of birth in the file is not a date.") from None
    from_school = document["from_school"]
    if not isinstance(from_school, dict) or not _text(from_school.get("name"), 200):
        raise DocumentError("The file does not say which school sent it.")
    if not isinstance(from_school.get("urn", ""), str) or len(from_school.get("urn", "")) > 10:
        raise DocumentError("The sending school's URN in the file is not a URN.")
    if not _text(document["reference"], 40):
        raise DocumentError("The file's reference is not a reference (40 characters at most).")
    for key, limit in LIMITS.items():
        value = child.get(key, "")
        if not isinstance(value, str) or len(value) > limit:
            raise DocumentError(f"The child's {key.replace('_', ' ')} in the file is not valid.")
    if not isinstance(document["summary"], dict):
        raise DocumentError("The file's summary is not in the expected form.")
    return document


# The identification a receiving school keeps in its own columns, with their lengths.
LIMITS = {
    "upn": 13,
    "legal_first_name": 100,
    "legal_last_name": 100,
    "preferred_first_name": 100,
    "preferred_last_name": 100,
    "year_group": 20,
}


def _text(value, limit: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit


def child_name(document: dict) -> str:
    child = document["child"]
    first = child.get("preferred_first_name") or child["legal_first_name"]
    last = child.get("preferred_last_name") or child["legal_last_name"]
    return f"{first} {last}"
