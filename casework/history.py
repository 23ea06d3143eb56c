"""A concern's history, readable: who changed what, when and why, across every record in it.

The rows come from django-simple-history's tables. Differences are worked out here in
Python from consecutive versions of each record, so the page costs a fixed number of
queries however long the history is.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import models
from django.db.models import Q
from django.utils import timezone

from concerns import rules
from concerns.models import (
    AdviceGiven,
    Agency,
    Attachment,
    Category,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    GuidanceCard,
    Note,
    PracticeFlag,
    SupportAction,
    UnnamedChild,
)
from referrals.exports import export_reason
from referrals.models import Export
from schools.models import Pupil, User

# Bookkeeping that says nothing to a reader.
HIDDEN_FIELDS = {"id", "uuid", "concern", "school", "sha256", "file", "added_at", "uploaded_at"}
ACTIONS = {"+": "Added", "~": "Changed", "-": "Removed"}
# Fields whose own names would not tell a reader what they hold.
LABELS = {
    **{field: rules.QUESTIONS[key] for key, field in rules.ASKED_FIELDS.items()},
    "criteria_notes": "Notes on the immediate-referral questions",
    "criteria_assessed_at": "Immediate-referral questions answered at",
    "criteria_assessed_by": "Immediate-referral questions answered by",
    "other_children": "Are other children involved or at risk?",
    "payment_made": "Was any money or anything else paid?",
    "payment_details": "What was paid, how and to whom",
    "not_refer_ground": "Ground for not referring",
    "not_refer_contact": "Who advised, or the child's social worker",
    "not_refer_contact_at": "When they advised, or were told",
    "not_refer_advice": "What they advised, or what happens instead",
    "threshold_level": "Level of the local threshold document",
    "not_refer_review_date": "Review the decision not to refer by",
    "countersign_reason": "Countersigner's reason",
    "spoken_to": "Who has spoken to the child, and why",
    "passed_at": "Identities passed on at",
    "resolved_by": "Identified or passed on by",
    "resolved_at": "Identified or passed on at",
    "card": "Advice (guidance card)",
    "concern_text": "What it reads as",
    "source": "Where it was written",
    "excerpt": "What was written",
    "review_notes": "What the review found",
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    reason: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _tracked_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.name.startswith("history_")
    ]


class _Display:
    """Turns stored values into words, with names looked up once for the whole page."""

    def __init__(self, users: dict, pupils: dict, categories: dict, children: dict, cards: dict):
        self.users, self.pupils, self.categories = users, pupils, categories
        self.children, self.cards = children, cards

    def __call__(self, f: models.Field, value) -> str:
        if value in (None, "", []):
            return ""
        if f.name == "referral_agencies":
            return ", ".join(Agency(v).label for v in value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.ForeignKey):
            if f.related_model is Pupil:
                return self.pupils.get(value, "a pupil")
            if f.related_model is User:
                return self.users.get(value, "a former user")
            if f.related_model is ConcernChild:
                return self.children.get(value, "a child")
            if f.related_model is GuidanceCard:
                return self.cards.get(value, "a guidance card")
            return ""
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%d %b %Y, %H:%M")
        if isinstance(value, date):
            return value.strftime("%d %b %Y")
        return str(value)


def _rows(model, *related, **filters):
    return list(
        model.history.filter(**filters)
        .select_related("history_user", *related)
        .order_by("id", "history_date", "history_id")
    )


def concern_history(concern: Concern, *, for_pupil: Pupil | None = None) -> list[Entry]:
    """Every recorded change to the concern and the records within it, newest first.

    `for_pupil`: the history as it goes in that child's file to a new school. Another child
    named in the concern is "another child", and their own records (their safety check, their
    support) are left out: the new school needs to know of them, not who they are."""
    child_rows = _rows(ConcernChild, concern_id=concern.pk)
    other_pupils = set()
    if for_pupil is not None:
        other_pupils = {row.pupil_id for row in child_rows if row.pupil_id != for_pupil.pk}
        child_rows = [row for row in child_rows if row.pupil_id == for_pupil.pk]
    child_ids = {row.id for row in child_rows}
    flags = _rows(PracticeFlag, concern_id=concern.pk)
    if for_pupil is not None:
        # A flag on another child's safety check quotes that check (the chronology leaves
        # it out for the same reason).
        own_check = f"Safety check: {for_pupil.full_name}"
        flags = [
            row
            for row in flags
            if not row.source.startswith("Safety check: ") or row.source == own_check
        ]
    groups = {
        "concern": _rows(Concern, id=concern.pk),
        "child": child_rows,
        "evidence": _rows(EvidenceItem, concern_id=concern.pk),
        "attachment": _rows(Attachment, concern_id=concern.pk),
        "support": _rows(SupportAction, child_id__in=child_ids),
        "followup": _rows(FollowUpAction, concern_id=concern.pk),
        "note": _rows(Note, concern_id=concern.pk),
        "unnamed": _rows(UnnamedChild, concern_id=concern.pk),
        # With each card, for its title: cards are never deleted.
        "advice": _rows(AdviceGiven, "card", concern_id=concern.pk),
        "flag": flags,
    }
    user_ids = {
        getattr(row, f.attname)
        for rows in groups.values()
        for row in rows
        for f in _tracked_fields(type(row))
        if isinstance(f, models.ForeignKey) and f.related_model is User
    }
    users = dict(User.objects.filter(pk__in=user_ids - {None}).values_list("pk", "full_name"))
    pupil_ids = {row.pupil_id for row in child_rows} | other_pupils
    pupils = {
        pupil.pk: pupil.full_name
        for pupil in Pupil.objects.filter(pk__in=pupil_ids).only(
            "legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name"
        )
    }
    child_names = {row.id: pupils.get(row.pupil_id, "a child") for row in child_rows}
    # Names written into reasons ("Identified as ..."), to be taken out of this child's file.
    other_names = sorted((pupils[pk] for pk in other_pupils if pk in pupils), key=len, reverse=True)
    if for_pupil is not None:
        pupils = {pk: name for pk, name in pupils.items() if pk == for_pupil.pk}
    category_names = dict(Category.objects.values_list("pk", "name"))
    category_sets = _category_sets(groups["concern"])
    cards = {row.card_id: row.card.title for row in groups["advice"]}
    display = _Display(users, pupils, category_names, child_names, cards)

    subjects = {
        "concern": lambda row: "The concern",
        "child": lambda row: f"Child: {child_names.get(row.id, 'a child')}",
        "evidence": lambda row: "Evidence",
        # In a child's file, what the document is: the name it was uploaded with may name
        # someone.
        "attachment": lambda row: (
            f"Document: {row.description if for_pupil else row.original_name}"
        ),
        "support": lambda row: f"Support for {child_names.get(row.child_id, 'a child')}",
        "followup": lambda row: "School-wide follow-up",
        "note": lambda row: "Information added",
        "unnamed": lambda row: f"Child not yet identified (“{_short(row.description)}”)",
        "advice": lambda row: f"Advice given: {cards.get(row.card_id, 'a guidance card')}",
        "flag": lambda row: f"Entry flagged for review: {row.concern_text}",
    }

    entries = []
    for kind, rows in groups.items():
        by_object: dict[int, list] = {}
        for row in rows:
            by_object.setdefault(row.id, []).append(row)
        for versions in by_object.values():
            for previous, current in pairwise([None, *versions]):
                changes = _changes(type(current), previous, current, display)
                if for_pupil is not None and kind == "attachment":
                    changes = [c for c in changes if c.label != "Original name"]
                if kind == "concern":
                    before = category_sets.get(previous.history_id, set()) if previous else set()
                    after = category_sets.get(current.history_id, set())
                    if before != after:
                        changes.append(
                            Change(
                                "Categories",
                                ", ".join(sorted(category_names[c] for c in before)),
                                ", ".join(sorted(category_names[c] for c in after)),
                            )
                        )
                entries.append(
                    Entry(
                        when=current.history_date,
                        who=current.history_user.full_name if current.history_user else "System",
                        reason=current.history_change_reason or "",
                        action=ACTIONS.get(current.history_type, "Changed")
                        if previous
                        else "Added",
                        subject=subjects[kind](current),
                        changes=changes,
                    )
                )
    if for_pupil is None:
        entries += _export_entries(concern, child_names)
    elif other_names:
        entries = [_without_names(entry, other_names) for entry in entries]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _export_entries(concern: Concern, child_names: dict[int, str]) -> list[Entry]:
    """PDFs that left the system with this concern in them: its referral, and chronologies of
    its children. One query: each export with who made it and the children it covered."""
    exports = (
        Export.objects.filter(
            Q(concern=concern)
            | Q(
                pk__in=Export.children.through.objects.filter(concernchild__concern=concern).values(
                    "export_id"
                )
            )
        )
        .select_related("exported_by")
        .annotate(
            child_ids=ArrayAgg(
                "children", order_by=("children__added_at", "children__id"), default=[]
            )
        )
    )
    entries = []
    for export in exports:
        names = list(dict.fromkeys(child_names[c] for c in export.child_ids if c in child_names))
        entries.append(
            Entry(
                when=export.exported_at,
                who=export.exported_by.full_name,
                reason=export_reason(export.kind, export.password_protected),
                action="Exported",
                subject=f"{export.get_kind_display()} PDF for {', '.join(names)}",
            )
        )
    return entries


def _without_names(entry: Entry, names: list[str]) -> Entry:
    def clean(text: str) -> str:
        for name in names:
            text = text.replace(name, "another child")
        return text

    return replace(
        entry,
        subject=clean(entry.subject),
        reason=clean(entry.reason),
        changes=[Change(clean(c.label), clean(c.old), clean(c.new)) for c in entry.changes],
    )


def _category_sets(concern_rows) -> dict[int, set[int]]:
    if not concern_rows:
        return {}
    through = type(concern_rows[0])._meta.get_field("historicalconcern_categories").related_model
    sets: dict[int, set[int]] = {row.history_id: set() for row in concern_rows}
    for history_id, category_id in through.objects.filter(history_id__in=list(sets)).values_list(
        "history_id", "category_id"
    ):
        sets[history_id].add(category_id)
    return sets


def _changes(model, previous, current, display) -> list[Change]:
    changes = []
    for f in _tracked_fields(model):
        new = display(f, getattr(current, f.attname))
        old = display(f, getattr(previous, f.attname)) if previous is not None else ""
        if old != new:
            label = LABELS.get(f.name) or str(f.verbose_name)
            changes.append(Change(label[:1].upper() + label[1:], old, new))
    return changes


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
