"""A child's file cut into passages the DSL team can redact, one by one.

The file is the child's whole file as transfers.document.file_document assembles it (frozen
on the request when assembled, so the passages marked are the passages disclosed). Each
passage is a piece of free text someone wrote: an account, a note, a decision's rationale, a
referral's outcome. Each has a stable key within that frozen file.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Passage:
    key: str
    # The concern it belongs to ("Concern SG-2026-0001, recorded 2 March 2026").
    heading: str
    label: str
    text: str


# A concern's own passages: (key, label, where in the concern's document).
_CONCERN_FIELDS = (
    ("account", "What was seen or heard", ("account",)),
    ("location", "Where", ("location",)),
    ("parent_wishes", "Parents' or carers' wishes", ("parent_wishes",)),
    ("safety_notes", "Safety check", ("safety", "notes")),
    ("safety_action", "Action taken to keep the child safe", ("safety", "action")),
    ("rationale", "Why the referral decision was made", ("decision", "referral_rationale")),
    ("advice", "Advice given when not referring", ("decision", "not_refer_advice")),
    ("outcome", "How the concern ended", ("outcome_summary",)),
)


def _at(document: dict, path: tuple[str, ...]) -> str:
    value = document
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{moment.day} {moment:%B %Y}"


def passages(document: dict) -> list[Passage]:
    """Every passage of free text in the file, in the file's order, empty ones left out."""
    found = []
    for number, concern in enumerate(document.get("concerns", [])):
        heading = f"Concern {concern['reference']}, recorded {_when(concern.get('recorded_at'))}"

        def add(key: str, label: str, text: str, heading=heading, number=number) -> None:
            if text and text.strip():
                found.append(Passage(f"c{number}.{key}", heading, label, text))

        for key, label, path in _CONCERN_FIELDS:
            add(key, label, _at(concern, path))
        for index, referral in enumerate(concern.get("referrals", [])):
            agency = referral.get("agency", "")
            add(
                f"referral{index}.risk",
                f"Referral to {agency}: the view of risk",
                referral.get("risk_view", ""),
            )
            add(
                f"referral{index}.outcome",
                f"Referral to {agency}: its outcome",
                referral.get("outcome_details", ""),
            )
        for index, action in enumerate(concern.get("support", [])):
            add(f"support{index}", "Support", action.get("action", ""))
            for review_index, review in enumerate(action.get("reviews", [])):
                add(
                    f"support{index}.review{review_index}",
                    f"Support review, {_when(review.get('at'))}",
                    review.get("notes", ""),
                )
        for index, note in enumerate(concern.get("notes", [])):
            add(
                f"note{index}",
                # Not who wrote it: a member of staff's name is withheld with their words.
                f"Note, {_when(note.get('at'))}",
                note.get("text", ""),
            )
    return found
