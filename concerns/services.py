"""Every change to a concern goes through one of these functions.

Each is atomic, records who acted and why on every row it writes (one simple-history row
per row changed), and refuses what the safeguarding workflow forbids: skipping a step,
deciding without a reason, storing images on a sexual-imagery concern, a stale overwrite.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from concerns import rules, uploads
from concerns.models import (
    CONCERN_HISTORY,
    GUIDANCE_HISTORY,
    ROLES_NEEDING_SUPPORT,
    STEP_REACHED_AT,
    AdviceGiven,
    Agency,
    Attachment,
    AttachmentChunk,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    GuidanceCard,
    Note,
    NotReferGround,
    PracticeFlag,
    ReferenceCounter,
    ReferralDecision,
    Step,
    SupportAction,
    SupportReview,
    UnnamedChild,
    YesNoUnknown,
)
from concerns.tasks import notify_assignee, notify_dsl_team
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import Membership, Pupil, School
from schools.policy import HANDLE_CASES


class StaleEdit(WorkflowError):
    """Someone else changed the concern after the form was shown."""

    def __init__(self, concern: Concern):
        self.concern = concern
        super().__init__(
            "Someone else changed this concern while you were editing it. Nothing you typed "
            "has been saved: check the current record, then submit your changes again."
        )


@dataclass(frozen=True)
class ChildInput:
    pupil: Pupil
    role: str


@dataclass(frozen=True)
class SafetyCheckInput:
    safe_now: bool
    notes: str = ""
    action: str = ""
    action_at: datetime | None = None
    # None when the check comes with a child being added.
    child: ConcernChild | None = None
    # Who has spoken to the child about this, and why.
    spoken_to: str = ""


def _locked(concern: Concern, *, version: int | None) -> Concern:
    """Lock the concern's row for this transaction; refuse an edit based on an old version."""
    current = Concern.objects.select_for_update().select_related("school").get(pk=concern.pk)
    if version is not None and current.version != version:
        raise StaleEdit(current)
    return current


def _bump(concern: Concern, *, by, reason: str, fields: list[str]) -> None:
    concern.version = F("version") + 1
    stamp_history(concern, by=by, reason=reason)
    concern.save(update_fields=[*fields, *STEP_REACHED_AT.values(), "version"])
    # simple-history would date every later save of this object with it.
    concern.__dict__.pop("_history_date", None)
    concern.refresh_from_db(fields=["version"])


def _advance(concern: Concern, step: Step) -> None:
    """Move the concern on to `step`, noting when it got there. The history row written by
    the save carries the same moment, so the two always agree."""
    concern.step = step
    concern._history_date = timezone.now()
    setattr(concern, STEP_REACHED_AT[step], concern._history_date)


def _open_step(concern: Concern, step: Step) -> bool:
    """Check `step` may be worked on now; return True when this is a correction."""
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if concern.step < step - 1:
        raise WorkflowError(
            f"Complete “{Step(concern.step + 1).label}” first: steps cannot be skipped."
        )
    return concern.step >= step


def _correction_reason(correction: bool, reason: str, default: str) -> str:
    if not correction:
        return default
    if not reason.strip():
        raise WorkflowError("Give the reason for this correction.")
    return f"Corrected: {reason.strip()}"


def _next_reference(school: School, year: int) -> str:
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(school=school, year=year)], ignore_conflicts=True
    )
    counter = ReferenceCounter.objects.select_for_update().get(school=school, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"SG-{year}-{counter.last_number:04d}"


def _check_record(
    *, school: School, disclosed_at: datetime, account: str, categories, eldest: Pupil | None
) -> None:
    """`eldest`: the eldest of the children named, if any; nothing can be disclosed about
    them before the first of them was born."""
    if disclosed_at > timezone.now():
        raise WorkflowError("The time of the disclosure cannot be in the future.")
    if eldest is not None and before_birth(disclosed_at, eldest):
        raise WorkflowError(disclosed_before_birth(eldest))
    if not account.strip():
        raise WorkflowError("Write down what was said, in the speaker's own words.")
    if not categories:
        raise WorkflowError("Choose at least one category.")
    if any(category.school_id not in (None, school.pk) for category in categories):
        raise WorkflowError("Choose categories from this school's list.")


def before_birth(moment: datetime, pupil: Pupil) -> bool:
    # Compared as moments: converting a date such as 1 January 0001 to local time overflows.
    born = datetime.combine(pupil.date_of_birth, time(), tzinfo=timezone.get_current_timezone())
    return moment < born


def disclosed_before_birth(eldest: Pupil) -> str:
    return (
        f"The disclosure cannot be dated before {eldest.full_name} was born, on "
        f"{eldest.date_of_birth:%d/%m/%Y}: check the date."
    )


def _check_other_children(other_children: str, *, named_others: int, unnamed: int) -> None:
    if other_children and other_children not in YesNoUnknown.values:
        raise WorkflowError("Say whether other children are involved or may be at risk.")
    if other_children == YesNoUnknown.NO and (named_others or unnamed):
        raise WorkflowError(
            "You have named or described other children, so other children are involved: "
            "answer “Yes” to whether other children are involved or at risk."
        )
    if other_children == YesNoUnknown.YES and not named_others and not unnamed:
        raise WorkflowError(
            "You said other children are involved or may be at risk: name each of them, or "
            "describe them if you do not know who they are (for example, “two friends at a "
            "sleepover”)."
        )


def _flag_investigating(concern: Concern, *, by, source: str, text: str, now=None) -> None:
    """Raise a flag for the DSL team where `text` reads as investigating, not listening."""
    found = rules.investigating(text)
    if not found:
        return
    flag = PracticeFlag(
        concern=concern,
        source=source,
        excerpt=text.strip()[:2000],
        concern_text="; ".join(found).capitalize(),
        raised_by=by,
        raised_at=now or timezone.now(),
    )
    stamp_history(flag, by=by, reason="Flagged for review: " + "; ".join(found))
    flag.save()


def _flag_removed(
    concern: Concern, *, by, source: str, before: list[str], after: list[str], why: str
) -> None:
    """Raise a flag for a second member of the DSL team where a correction takes away
    something that made the concern need a second look (an adult involved, sexual harm,
    other children at risk, a criterion met): the correction is kept, as the record must be
    right, but nobody makes such a change on their own."""
    removed = [item for item in before if item not in after]
    if not removed:
        return
    flag = PracticeFlag(
        concern=concern,
        source=source,
        excerpt=why.strip()[:2000],
        concern_text=("A correction takes away: " + "; ".join(removed))[:200],
        raised_by=by,
        raised_at=timezone.now(),
    )
    stamp_history(flag, by=by, reason="Flagged for review: " + "; ".join(removed))
    flag.save()


def _flag_misfiled(concern: Concern, *, by, account: str, categories, source: str) -> None:
    """Raise a flag where the account is about sexual harm but no category says so."""
    if not rules.misfiled_as_not_sexual(account, categories):
        return
    flag = PracticeFlag(
        concern=concern,
        source=source,
        excerpt=account.strip()[:2000],
        concern_text=rules.MISFILED,
        raised_by=by,
        raised_at=timezone.now(),
    )
    stamp_history(flag, by=by, reason="Flagged for review: " + rules.MISFILED)
    flag.save()


def _second_look(concern: Concern, categories=None) -> list[str]:
    """What makes this concern need a second look, in words for a flag."""
    found = rules.indicators(concern, categories)
    if concern.other_children in (YesNoUnknown.YES, YesNoUnknown.UNKNOWN):
        found.append("other children are or may be involved")
    return found


@transaction.atomic
def concern_record(
    *,
    school: School,
    reporter,
    discloser_type: str,
    discloser_name: str,
    discloser_relationship: str,
    disclosed_at: datetime,
    location: str,
    account: str,
    categories: list[Category],
    children: list[ChildInput],
    adult_involved: str = YesNoUnknown.UNKNOWN,
    parent_wishes: str = "",
    immediate_danger: bool = False,
    other_children: str = "",
    unnamed_children: list[str] = (),
) -> Concern:
    """Record a new concern, as told, and alert the school's DSL team. Other children
    involved or at risk are named, or described until they can be."""
    now = timezone.now()
    _check_record(
        school=school,
        disclosed_at=disclosed_at,
        account=account,
        categories=categories,
        eldest=min((c.pupil for c in children), key=lambda p: p.date_of_birth, default=None),
    )
    unnamed_children = [text.strip() for text in unnamed_children if text.strip()]
    if not children:
        raise WorkflowError("Name at least one child.")
    _check_other_children(
        other_children,
        named_others=len(children) - 1,
        unnamed=len(unnamed_children),
    )
    if not any(child.role == ChildRole.SUBJECT for child in children):
        raise WorkflowError("Say which child the concern is about.")
    if len({child.pupil.pk for child in children}) != len(children):
        raise WorkflowError("Each child can be named only once.")
    if any(child.pupil.school_id != school.pk for child in children):
        raise WorkflowError("Children must be pupils of this school.")

    concern = Concern(
        school=school,
        reference=_next_reference(school, timezone.localdate(now).year),
        reporter=reporter,
        recorded_at=now,
        discloser_type=discloser_type,
        discloser_name=discloser_name.strip(),
        discloser_relationship=discloser_relationship.strip(),
        disclosed_at=disclosed_at,
        location=location.strip(),
        account=account,
        adult_involved=adult_involved,
        parent_wishes=parent_wishes.strip(),
        immediate_danger=immediate_danger,
        other_children=other_children,
    )
    stamp_history(concern, by=reporter, reason="Concern recorded")
    # One history row for the new record, holding its categories: saved and linked without
    # history, then written once the categories are in place.
    concern.skip_history_when_saving = True
    concern.save()
    concern.categories.set(categories)
    del concern.skip_history_when_saving
    CONCERN_HISTORY.create_historical_record(concern, "+")
    for child in children:
        link = ConcernChild(
            concern=concern, pupil=child.pupil, role=child.role, added_by=reporter, added_at=now
        )
        stamp_history(link, by=reporter, reason="Child named when the concern was recorded")
        link.save()
    for description in unnamed_children:
        unnamed = UnnamedChild(
            concern=concern, description=description, added_by=reporter, added_at=now
        )
        stamp_history(unnamed, by=reporter, reason="Child described when the concern was recorded")
        unnamed.save()
    _flag_misfiled(
        concern, by=reporter, account=account, categories=categories, source="The record"
    )
    transaction.on_commit(partial(notify_dsl_team.enqueue, concern.pk, "new"))
    return concern


@transaction.atomic
def concern_correct_record(
    *,
    concern: Concern,
    by,
    version: int,
    reason: str,
    discloser_type: str,
    discloser_name: str,
    discloser_relationship: str,
    disclosed_at: datetime,
    location: str,
    account: str,
    categories: list[Category],
    adult_involved: str,
    parent_wishes: str,
    immediate_danger: bool,
    other_children: str | None = None,
) -> Concern:
    """Correct the recorded account. The original stays in the history. Where the corrected
    facts leave the referral decision one guidance no longer allows (a criterion now met),
    the correction is kept, and the concern cannot move on until the decision is corrected:
    refusing it would leave the record wrong."""
    concern = _locked(concern, version=version)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    why = _correction_reason(True, reason, "")
    _check_record(
        school=concern.school,
        disclosed_at=disclosed_at,
        account=account,
        categories=categories,
        # Among twins, the first named, as when the concern was recorded.
        eldest=Pupil.objects.filter(concern_links__concern=concern)
        .order_by("date_of_birth", "concern_links__pk")
        .first(),
    )
    if other_children is None:
        other_children = concern.other_children
    _check_other_children(
        other_children,
        named_others=concern.children.exclude(role=ChildRole.SUBJECT).count(),
        unnamed=concern.unnamed_children.count(),
    )
    # A referral already made must include the police before the record says an adult is
    # involved. (A decision not to refer is held instead, until it is corrected: correcting
    # it may first need the questions these corrected facts raise; see open_items.)
    if (
        concern.referral_decision == ReferralDecision.REFER
        and police_required_for(categories, adult_involved)
        and Agency.POLICE not in concern.referral_agencies
        and not concern.police_not_told_reason
    ):
        raise WorkflowError(
            "With this correction an adult is involved, so the police must be told: correct "
            "the referral decision first (add the police, or say why not)."
        )
    became_urgent = immediate_danger and not concern.immediate_danger
    before = _second_look(concern)
    misfiled_before = rules.misfiled_as_not_sexual(concern.account, concern.categories.all())
    # The categories change without a history row of their own: the save below writes one
    # row holding the corrected fields and categories together.
    concern.skip_history_when_saving = True
    concern.categories.set(categories)
    del concern.skip_history_when_saving
    concern.discloser_type = discloser_type
    concern.discloser_name = discloser_name.strip()
    concern.discloser_relationship = discloser_relationship.strip()
    concern.disclosed_at = disclosed_at
    concern.location = location.strip()
    concern.account = account
    concern.adult_involved = adult_involved
    concern.parent_wishes = parent_wishes.strip()
    concern.immediate_danger = immediate_danger
    concern.other_children = other_children
    _bump(
        concern,
        by=by,
        reason=why,
        fields=[
            "discloser_type",
            "discloser_name",
            "discloser_relationship",
            "disclosed_at",
            "location",
            "account",
            "adult_involved",
            "parent_wishes",
            "immediate_danger",
            "other_children",
        ],
    )
    _flag_removed(
        concern,
        by=by,
        source="Correction of the record",
        before=before,
        after=_second_look(concern, categories),
        why=why,
    )
    if not misfiled_before:
        _flag_misfiled(
            concern,
            by=by,
            account=account,
            categories=categories,
            source="Correction of the record",
        )
    if became_urgent:
        transaction.on_commit(partial(notify_dsl_team.enqueue, concern.pk, "danger"))
    return concern


@transaction.atomic
def concern_add_note(*, concern: Concern, author, text: str) -> Note:
    """Add information to a concern. Reporters and the DSL team may do this at any step."""
    if not text.strip():
        raise WorkflowError("Write the information you want to add.")
    note = Note(concern=concern, author=author, text=text, added_at=timezone.now())
    stamp_history(note, by=author, reason="Information added")
    note.save()
    _flag_investigating(concern, by=author, source="Note", text=text, now=note.added_at)
    return note


@transaction.atomic
def concern_add_child(
    *,
    concern: Concern,
    by,
    pupil: Pupil,
    role: str,
    safety: SafetyCheckInput | None = None,
) -> ConcernChild:
    """Name another child. Once safety checks have been done, the new child's comes with it."""
    concern = _locked(concern, version=None)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if pupil.school_id != concern.school_id:
        raise WorkflowError("Children must be pupils of this school.")
    if concern.children.filter(pupil=pupil).exists():
        raise WorkflowError(f"{pupil.full_name} is already named in this concern.")
    if concern.step >= Step.SAFETY_CHECKED and safety is None:
        raise WorkflowError("Record whether this child is safe now.")
    now = timezone.now()
    child = ConcernChild(concern=concern, pupil=pupil, role=role, added_by=by, added_at=now)
    if safety is not None:
        _apply_safety(child, safety, by=by, now=now)
    stamp_history(child, by=by, reason="Child added by the safeguarding team")
    child.save()
    if safety is not None:
        _flag_safety_texts(concern, child, by=by, now=now)
    _bump(concern, by=by, reason=f"Child added ({child.get_role_display().lower()})", fields=[])
    return child


def _flag_safety_texts(concern: Concern, child: ConcernChild, *, by, now) -> None:
    text = "\n".join(t for t in (child.spoken_to, child.safety_notes, child.safety_action) if t)
    _flag_investigating(
        concern, by=by, source=f"Safety check: {child.pupil.full_name}", text=text, now=now
    )


def _apply_safety(child: ConcernChild, check: SafetyCheckInput, *, by, now: datetime) -> None:
    if not check.safe_now:
        if not check.action.strip():
            raise WorkflowError(f"Say what was done to keep {child.pupil.full_name} safe.")
        if check.action_at is None:
            raise WorkflowError(f"Say when action was taken for {child.pupil.full_name}.")
    child.safe_now = check.safe_now
    child.spoken_to = check.spoken_to.strip()
    child.safety_notes = check.notes.strip()
    child.safety_action = check.action.strip()
    child.safety_action_at = check.action_at
    child.safety_checked_by = by
    child.safety_checked_at = now


@transaction.atomic
def concern_check_safety(
    *, concern: Concern, by, version: int, checks: list[SafetyCheckInput], reason: str = ""
) -> Concern:
    """Record, for every child, whether they are safe now and what was done if not."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.SAFETY_CHECKED)
    why = _correction_reason(correction, reason, "Safety check recorded")
    children = {child.pk: child for child in concern.children.select_related("pupil")}
    checked = {check.child.pk for check in checks if check.child is not None}
    if len(checked) != len(checks) or not checked <= children.keys():
        raise WorkflowError("Record the safety check only for the children named in this concern.")
    missing = [child.pupil.full_name for pk, child in children.items() if pk not in checked]
    if missing:
        raise WorkflowError(f"Record whether {', '.join(missing)} is safe now.")
    now = timezone.now()
    for check in checks:
        child = children[check.child.pk]
        before = (child.spoken_to, child.safety_notes, child.safety_action)
        _apply_safety(child, check, by=by, now=now)
        stamp_history(child, by=by, reason=why)
        child.save()
        if (child.spoken_to, child.safety_notes, child.safety_action) != before:
            _flag_safety_texts(concern, child, by=by, now=now)
    if not correction:
        _advance(concern, Step.SAFETY_CHECKED)
    _bump(concern, by=by, reason=why, fields=["step"])
    return concern


@transaction.atomic
def evidence_item_add(
    *,
    concern: Concern,
    by,
    description: str,
    location: str,
    held_by: str,
    platform: str = "",
    usernames: str = "",
    device_custody: str = "",
) -> EvidenceItem:
    """Describe a piece of evidence and where it is. The evidence itself is never collected."""
    concern = _locked(concern, version=None)
    _open_step(concern, Step.EVIDENCE_PRESERVED)
    if not description.strip() or not location.strip() or not held_by.strip():
        raise WorkflowError("Describe the evidence, where it is and who holds it.")
    item = EvidenceItem(
        concern=concern,
        description=description.strip(),
        platform=platform.strip(),
        usernames=usernames.strip(),
        location=location.strip(),
        held_by=held_by.strip(),
        device_custody=device_custody.strip(),
        added_by=by,
        added_at=timezone.now(),
    )
    stamp_history(item, by=by, reason="Evidence described")
    item.save()
    return item


@transaction.atomic
def attachment_add(*, concern: Concern, by, uploaded_file, description: str) -> Attachment:
    """Keep a document with the concern, after checking what it really is from its content."""
    concern = _locked(concern, version=None)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    kind = uploads.check_upload(uploaded_file, sexual_imagery=rules.images_refused(concern))
    digest = hashlib.sha256()
    for piece in _pieces(uploaded_file):
        digest.update(piece)
    attachment = Attachment(
        concern=concern,
        original_name=uploaded_file.name[:200],
        content_type=kind.content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        description=description.strip(),
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    stamp_history(attachment, by=by, reason="Document attached")
    attachment.save()
    # One piece at a time, in this transaction: the bytes are never all in memory, and an
    # upload that fails part way leaves neither the attachment nor any of its pieces.
    for position, piece in enumerate(_pieces(uploaded_file)):
        AttachmentChunk.objects.create(attachment=attachment, position=position, data=piece)
    return attachment


def _pieces(uploaded_file):
    # Not UploadedFile.chunks(): for a file held in memory it yields everything at once.
    uploaded_file.seek(0)
    while piece := uploaded_file.read(AttachmentChunk.SIZE):
        yield piece


@transaction.atomic
def concern_preserve_evidence(
    *,
    concern: Concern,
    by,
    version: int,
    advice_given_by: str,
    advice_given_to: str,
    advice_given_at: datetime,
    no_evidence_reason: str = "",
    reason: str = "",
    payment_made: str = "",
    payment_details: str = "",
) -> Concern:
    """Record the advice not to delete anything, and complete the evidence step. On a
    sextortion concern, whether money was paid, how and to whom is kept as evidence."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.EVIDENCE_PRESERVED)
    why = _correction_reason(correction, reason, "Evidence step completed")
    if not advice_given_by.strip() or not advice_given_to.strip():
        raise WorkflowError("Say who gave the advice not to delete anything, and to whom.")
    if advice_given_at > timezone.now():
        raise WorkflowError("The time the advice was given cannot be in the future.")
    if not concern.evidence_items.exists() and not no_evidence_reason.strip():
        raise WorkflowError("Describe the evidence, or explain why there is none to record.")
    if rules.is_extortion(concern):
        if payment_made not in YesNoUnknown.values:
            raise WorkflowError("Say whether any money or anything else was paid.")
        if payment_made == YesNoUnknown.YES and not payment_details.strip():
            raise WorkflowError(
                "Say what was paid, how and to whom (the account, card or payment details are "
                "evidence for the police)."
            )
    else:
        payment_made, payment_details = "", ""
    concern.evidence_advice_given_by = advice_given_by.strip()
    concern.evidence_advice_given_to = advice_given_to.strip()
    concern.evidence_advice_given_at = advice_given_at
    concern.no_evidence_reason = no_evidence_reason.strip()
    concern.payment_made = payment_made
    concern.payment_details = payment_details.strip()
    if not correction:
        _advance(concern, Step.EVIDENCE_PRESERVED)
    _bump(
        concern,
        by=by,
        reason=why,
        fields=[
            "evidence_advice_given_by",
            "evidence_advice_given_to",
            "evidence_advice_given_at",
            "no_evidence_reason",
            "payment_made",
            "payment_details",
            "step",
        ],
    )
    return concern


def guidance_cards_for(concern: Concern) -> list[GuidanceCard]:
    """The cards for a concern's categories, national first, then the school's own (which
    carry its local contacts); cards with no category apply to every concern."""
    categories = [category.pk for category in concern.categories.all()]
    return list(
        GuidanceCard.objects.filter(Q(school=None) | Q(school_id=concern.school_id))
        .filter(Q(categories__in=categories) | Q(categories=None))
        .distinct()
        .order_by(F("school").asc(nulls_first=True), "position", "title")
    )


def advice_outstanding(concern: Concern) -> list[GuidanceCard]:
    """National cards with advice for the family that is not yet recorded as given."""
    given = set(concern.advice_given.values_list("card_id", flat=True))
    return [
        card
        for card in guidance_cards_for(concern)
        if card.has_family_advice
        and not card.is_local
        and card.categories.exists()
        and card.pk not in given
    ]


@transaction.atomic
def advice_record(
    *,
    concern: Concern,
    by,
    card: GuidanceCard,
    given_by: str,
    given_to: str,
    given_at: datetime,
    notes: str = "",
) -> AdviceGiven:
    """Record that a card's advice was given: by whom, to whom and when."""
    concern = _locked(concern, version=None)
    _open_step(concern, Step.EVIDENCE_PRESERVED)
    if card not in guidance_cards_for(concern):
        raise WorkflowError("Choose advice that applies to this concern.")
    if not given_by.strip() or not given_to.strip():
        raise WorkflowError("Say who gave the advice, and to whom.")
    if given_at > timezone.now():
        raise WorkflowError("The time the advice was given cannot be in the future.")
    advice = AdviceGiven(
        concern=concern,
        card=card,
        given_by=given_by.strip(),
        given_to=given_to.strip(),
        given_at=given_at,
        notes=notes.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    stamp_history(advice, by=by, reason=f"Advice given: {card.title}")
    advice.save()
    return advice


def police_required(concern: Concern) -> bool:
    """An adult obtaining images of, or contact with, a child is a crime (DOMAIN.md step 4)."""
    return police_required_for(list(concern.categories.all()), concern.adult_involved)


def police_required_for(categories, adult_involved: str) -> bool:
    """The rule of `police_required`, for categories and an answer not yet saved."""
    if any(category.adult_perpetrator for category in categories):
        return True
    # Sexual abuse of a child by an adult, with images or without, is a crime.
    return adult_involved == YesNoUnknown.YES and any(
        category.involves_sexual_imagery or category.is_sexual for category in categories
    )


def _referred_agencies(concern: Concern) -> list[str]:
    agencies = set(concern.referrals.values_list("agency", flat=True))
    return [agency for agency in Agency.values if agency in agencies]


@transaction.atomic
def concern_assess_criteria(
    *,
    concern: Concern,
    by,
    version: int,
    answers: dict[str, str],
    notes: str = "",
    reason: str = "",
) -> Concern:
    """Answer the UKCIS immediate-referral questions the app cannot answer itself. Answers
    that leave an earlier decision not to refer standing against a criterion are kept; the
    concern then cannot move on until the decision is corrected (see open_items)."""
    concern = _locked(concern, version=version)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if not rules.asks_criteria(concern):
        raise WorkflowError(
            "These questions are asked only of concerns about sexual imagery, "
            "grooming, sextortion or exploitation."
        )
    correction = concern.criteria_assessed_at is not None
    why = _correction_reason(correction, reason, "Immediate-referral questions answered")
    before = _second_look(concern) if correction else []
    asked = [c for c in rules.criteria(concern) if c.asked]
    missing = [c.question for c in asked if answers.get(c.key) not in YesNoUnknown.values]
    if missing:
        raise WorkflowError("Answer every question: " + " ".join(missing))
    for criterion in asked:
        setattr(concern, rules.ASKED_FIELDS[criterion.key], answers[criterion.key])
    concern.criteria_notes = notes.strip()
    concern.criteria_assessed_at = timezone.now()
    concern.criteria_assessed_by = by
    _bump(
        concern,
        by=by,
        reason=why,
        fields=[
            *rules.ASKED_FIELDS.values(),
            "criteria_notes",
            "criteria_assessed_at",
            "criteria_assessed_by",
        ],
    )
    _flag_removed(
        concern,
        by=by,
        source="Correction of the immediate-referral answers",
        before=before,
        after=_second_look(concern),
        why=why,
    )
    return concern


@dataclass(frozen=True)
class NotReferring:
    """Why a concern is not referred: the ground and what stands behind it."""

    ground: str
    contact: str = ""
    contact_at: datetime | None = None
    advice: str = ""
    threshold_level: str = ""
    review_date: date | None = None


def _check_not_referring(grounds: NotReferring, rationale: str) -> None:
    if grounds.ground not in NotReferGround.values:
        raise WorkflowError(
            "Choose the ground for not referring: advice from children's social care or the "
            "police, the local threshold not met, or a social worker already involved and told."
        )
    if not rationale.strip():
        raise WorkflowError("Explain why the concern is not being referred.")
    now = timezone.now()
    if grounds.ground == NotReferGround.ADVICE:
        if not grounds.contact.strip() or grounds.contact_at is None or not grounds.advice.strip():
            raise WorkflowError(
                "Say who gave the advice (name and service), when, and what they advised."
            )
    elif grounds.ground == NotReferGround.THRESHOLD:
        if not grounds.threshold_level.strip() or not grounds.advice.strip():
            raise WorkflowError(
                "Say which level of the local threshold document applies, and what will "
                "happen instead (for example early help, or monitoring)."
            )
        if grounds.review_date is None or grounds.review_date <= timezone.localdate(now):
            raise WorkflowError("Set a date in the future to review the decision.")
    elif not grounds.contact.strip() or grounds.contact_at is None:
        raise WorkflowError("Name the child's social worker and say when they were told.")
    if grounds.contact_at is not None and grounds.contact_at > now:
        raise WorkflowError("The time of the contact cannot be in the future.")
    for field, text in (
        ("rationale", rationale),
        ("not_refer_advice", grounds.advice),
        ("threshold_level", grounds.threshold_level),
    ):
        if rules.cites_family_wishes(text):
            raise WorkflowError(rules.FAMILY_WISHES_MESSAGE, field=field)


@transaction.atomic
def concern_decide_referral(
    *,
    concern: Concern,
    by,
    version: int,
    decision: str,
    rationale: str,
    police_not_told_reason: str,
    parents_informed: bool,
    parents_not_informed_reason: str,
    reason: str = "",
    not_referring: NotReferring | None = None,
) -> Concern:
    """Complete the referral step: referred (to the agencies whose referrals are recorded) or
    not, and on which ground guidance accepts. Where an immediate-referral criterion is met,
    only a referral to children's social care and the police is accepted. The parents'
    wishes are recorded beside the decision; they do not decide it."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.REFERRAL_DECIDED)
    why = _correction_reason(correction, reason, "Referral decision recorded")
    referrals = list(concern.referrals.select_related("made_by").order_by("made_at", "pk"))
    unanswered = rules.unanswered_criteria(concern)
    if unanswered:
        raise WorkflowError(
            "Answer the immediate-referral questions before deciding: "
            + " ".join(c.question for c in unanswered)
        )
    grounds = NotReferring(ground="")
    if decision == ReferralDecision.REFER:
        if not referrals:
            raise WorkflowError("Record the referral to each agency before completing this step.")
        agencies = [
            agency for agency in Agency.values if any(r.agency == agency for r in referrals)
        ]
        made_at, made_by = referrals[0].made_at, referrals[0].made_by.full_name
    elif decision == ReferralDecision.NOT_REFER:
        if rules.criteria_met(concern):
            raise WorkflowError(rules.decision_problems(concern, _referred_agencies(concern))[0])
        grounds = not_referring or NotReferring(ground="")
        _check_not_referring(grounds, rationale)
        agencies = [r.agency for r in referrals]
        made_at, made_by = None, ""
    else:
        raise WorkflowError("Choose whether to refer.")
    concern.referral_decision = decision
    concern.not_refer_ground = grounds.ground
    problems = rules.decision_problems(concern, agencies)
    if problems:
        raise WorkflowError(problems[0])
    if police_required(concern) and Agency.POLICE not in agencies:
        if not police_not_told_reason.strip():
            raise WorkflowError(
                "An adult is involved in seeking images or contact from a child: refer to the "
                "police, or explain why not."
            )
        if rules.cites_family_wishes(police_not_told_reason):
            raise WorkflowError(rules.FAMILY_WISHES_MESSAGE, field="police_not_told_reason")
    else:
        police_not_told_reason = ""
    if not parents_informed and not parents_not_informed_reason.strip():
        raise WorkflowError("Explain why the parents or carers have not been told.")
    concern.referral_agencies = agencies if decision == ReferralDecision.REFER else []
    concern.referral_made_at = made_at
    concern.referral_made_by = made_by
    concern.referral_rationale = rationale.strip()
    concern.police_not_told_reason = police_not_told_reason.strip()
    concern.parents_informed = parents_informed
    concern.parents_not_informed_reason = (
        "" if parents_informed else parents_not_informed_reason.strip()
    )
    concern.not_refer_ground = grounds.ground
    concern.not_refer_contact = grounds.contact.strip()
    concern.not_refer_contact_at = grounds.contact_at
    concern.not_refer_advice = grounds.advice.strip()
    concern.threshold_level = grounds.threshold_level.strip()
    concern.not_refer_review_date = grounds.review_date
    # A new decision is signed afresh.
    concern.countersigned_by = None
    concern.countersigned_at = None
    concern.countersign_reason = ""
    concern.decided_by = by
    if not correction:
        _advance(concern, Step.REFERRAL_DECIDED)
    _bump(
        concern,
        by=by,
        reason=why,
        fields=[
            "referral_decision",
            "referral_agencies",
            "referral_made_at",
            "referral_made_by",
            "referral_rationale",
            "police_not_told_reason",
            "parents_informed",
            "parents_not_informed_reason",
            "not_refer_ground",
            "not_refer_contact",
            "not_refer_contact_at",
            "not_refer_advice",
            "threshold_level",
            "not_refer_review_date",
            "countersigned_by",
            "countersigned_at",
            "countersign_reason",
            "decided_by",
            "step",
        ],
    )
    if rationale.strip():
        _flag_investigating(concern, by=by, source="Referral decision", text=rationale)
    return concern


@transaction.atomic
def concern_countersign(*, concern: Concern, by, version: int, reason: str) -> Concern:
    """A second member of the DSL team agrees, with their own reason, with a decision not to
    refer a concern that had an indicator of risk. One who disagrees corrects the decision."""
    concern = _locked(concern, version=version)
    if concern.is_closed:
        raise WorkflowError("This concern is closed.")
    if not rules.awaiting_countersignature(concern):
        raise WorkflowError("This decision does not need a countersignature.")
    if concern.decided_by_id == by.pk:
        raise WorkflowError(
            "Another member of the safeguarding team must countersign: you made this decision."
        )
    if not Membership.objects.filter(
        user=by, school_id=concern.school_id, role__in=HANDLE_CASES.roles, user__is_active=True
    ).exists():
        raise WorkflowError("Only a member of this school's safeguarding team can countersign.")
    if not reason.strip():
        raise WorkflowError("Give your own reason for agreeing that the concern is not referred.")
    if rules.cites_family_wishes(reason):
        raise WorkflowError(rules.FAMILY_WISHES_MESSAGE, field="countersign_reason")
    concern.countersigned_by = by
    concern.countersigned_at = timezone.now()
    concern.countersign_reason = reason.strip()
    _bump(
        concern,
        by=by,
        reason="Decision not to refer countersigned",
        fields=["countersigned_by", "countersigned_at", "countersign_reason"],
    )
    return concern


def _require_decision_stands(concern: Concern) -> None:
    """Refuse to move on from a referral decision guidance does not allow, or one still
    waiting for its countersignature."""
    problems = rules.decision_problems(concern, _referred_agencies(concern))
    if problems:
        raise WorkflowError(problems[0] + " Correct the referral decision first.")
    if rules.awaiting_countersignature(concern):
        raise WorkflowError(
            "The decision not to refer is awaiting a countersignature by another member of the "
            "safeguarding team: it cannot move on until then."
        )


def _require_support_step_open(concern: Concern) -> None:
    _open_step(concern, Step.SUPPORT_PLANNED)


@transaction.atomic
def support_action_add(
    *, concern: Concern, by, child: ConcernChild, action: str, owner: str, review_date: date
) -> SupportAction:
    """Plan support for one child, with an owner and a date to review it."""
    concern = _locked(concern, version=None)
    _require_support_step_open(concern)
    if child.concern_id != concern.pk:
        raise WorkflowError("That child is not named in this concern.")
    if not action.strip() or not owner.strip():
        raise WorkflowError("Describe the support and who is responsible for it.")
    if rules.declines_support(action):
        raise WorkflowError(rules.NO_SUPPORT_MESSAGE, field="action")
    support = SupportAction(
        child=child,
        school_id=concern.school_id,
        action=action.strip(),
        owner=owner.strip(),
        review_date=review_date,
        added_by=by,
        added_at=timezone.now(),
    )
    stamp_history(support, by=by, reason="Support action planned")
    support.save()
    return support


@transaction.atomic
def follow_up_add(
    *, concern: Concern, by, kind: str, description: str, owner: str, due_date: date
) -> FollowUpAction:
    """Plan school-wide follow-up (lessons, a parents' session, a policy review)."""
    concern = _locked(concern, version=None)
    _require_support_step_open(concern)
    if kind not in FollowUpKind.values:
        raise WorkflowError("Choose the kind of follow-up.")
    if not description.strip() or not owner.strip():
        raise WorkflowError("Describe the follow-up and who is responsible for it.")
    follow_up = FollowUpAction(
        concern=concern,
        kind=kind,
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
        added_by=by,
        added_at=timezone.now(),
    )
    stamp_history(follow_up, by=by, reason="School-wide follow-up planned")
    follow_up.save()
    return follow_up


def _children_without_support(concern: Concern) -> list[str]:
    return [
        child.pupil.full_name
        for child in concern.children.select_related("pupil").filter(
            role__in=ROLES_NEEDING_SUPPORT, support_actions__isnull=True
        )
    ]


@transaction.atomic
def concern_plan_support(
    *, concern: Concern, by, version: int, no_follow_up_reason: str = "", reason: str = ""
) -> Concern:
    """Complete the support step: every child affected has support; school-wide work decided."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.SUPPORT_PLANNED)
    why = _correction_reason(correction, reason, "Support planned")
    _require_decision_stands(concern)
    missing = _children_without_support(concern)
    if missing:
        raise WorkflowError(f"Plan support for {', '.join(missing)}.")
    if not concern.follow_ups.exists() and not no_follow_up_reason.strip():
        raise WorkflowError("Plan school-wide follow-up, or explain why none is needed.")
    if rules.cites_family_wishes(no_follow_up_reason):
        raise WorkflowError(rules.FAMILY_WISHES_MESSAGE, field="no_follow_up_reason")
    concern.no_follow_up_reason = no_follow_up_reason.strip()
    if not correction:
        _advance(concern, Step.SUPPORT_PLANNED)
    _bump(concern, by=by, reason=why, fields=["no_follow_up_reason", "step"])
    return concern


def open_items(concern: Concern) -> list[str]:
    """What must be settled before the concern can close, besides its steps."""
    items = []
    if concern.referral_decision:
        agencies = _referred_agencies(concern)
        items += [
            "The referral decision no longer stands. " + problem
            for problem in rules.decision_problems(concern, agencies)
        ]
        if (
            police_required(concern)
            and Agency.POLICE not in agencies
            and not concern.police_not_told_reason
        ):
            items.append(
                "An adult is involved in seeking images or contact from a child: refer to the "
                "police, or explain why not, in a corrected referral decision."
            )
    if (
        concern.step >= Step.EVIDENCE_PRESERVED
        and not concern.payment_made
        and rules.is_extortion(concern)
    ):
        items.append("Record at the evidence step whether anything was paid, how and to whom.")
    if concern.other_children == YesNoUnknown.UNKNOWN:
        items.append(
            "It is not known whether other children are involved or at risk: find out, then "
            "correct the record (naming or describing them)."
        )
    unnamed = [u.description for u in concern.unnamed_children.all() if u.is_open]
    if unnamed:
        items.append(
            "Children not yet identified: "
            + "; ".join(f"“{text[:80]}”" for text in unnamed)
            + ". Name each from the register, or record that their identities were passed to "
            "children's social care or the police to establish."
        )
    flags = concern.practice_flags.filter(reviewed_at=None).count()
    if flags:
        items.append(
            f"{flags} flagged {'entry needs' if flags == 1 else 'entries need'} review by the "
            "safeguarding team (a child questioned, other parents asked, images viewed or an "
            "offender contacted)."
        )
    return items


@transaction.atomic
def concern_close(*, concern: Concern, by, version: int, outcome_summary: str) -> Concern:
    """Close a concern whose every step is complete. It is kept, never deleted."""
    concern = _locked(concern, version=version)
    if concern.is_closed:
        raise WorkflowError("This concern is already closed.")
    if concern.step < Step.SUPPORT_PLANNED:
        raise WorkflowError(
            f"Complete “{Step(concern.step + 1).label}” first: a concern closes only once "
            "every step is complete."
        )
    unchecked = [
        child.pupil.full_name
        for child in concern.children.select_related("pupil")
        if not child.safety_checked
    ]
    if unchecked:
        raise WorkflowError(f"Record whether {', '.join(unchecked)} is safe now.")
    missing = _children_without_support(concern)
    if missing:
        raise WorkflowError(f"Plan support for {', '.join(missing)}.")
    for problem in open_items(concern):
        raise WorkflowError(problem)
    _require_decision_stands(concern)
    if not outcome_summary.strip():
        raise WorkflowError("Summarise the outcome.")
    concern.step = Step.CLOSED
    concern.closed_at = concern._history_date = timezone.now()
    concern.outcome_summary = outcome_summary.strip()
    _bump(concern, by=by, reason="Concern closed", fields=["step", "closed_at", "outcome_summary"])
    return concern


@transaction.atomic
def category_add(
    *,
    school: School,
    by,
    name: str,
    involves_sexual_imagery: bool = False,
    adult_perpetrator: bool = False,
    is_online_safety: bool = False,
) -> Category:
    """Extend the school's list of categories. Categories are never removed."""
    name = name.strip()
    slug = slugify(name)[:80]
    if not slug:
        raise WorkflowError("Enter the name of the category.")
    if Category.objects.filter(Q(school=None) | Q(school=school), slug=slug).exists():
        raise WorkflowError(f"There is already a category called “{name}”.")
    category = Category(
        school=school,
        name=name,
        slug=slug,
        involves_sexual_imagery=involves_sexual_imagery,
        adult_perpetrator=adult_perpetrator,
        is_online_safety=is_online_safety,
        # Sexual imagery and adults seeking contact are asked the UKCIS referral questions;
        # a category whose very name is about sexual harm ("sexual harassment") is held to
        # the rules for sexual harm (a second signature, no images) even with no box ticked.
        is_sexual=involves_sexual_imagery
        or adult_perpetrator
        or rules.misfiled_as_not_sexual(name, []),
        asks_referral_criteria=involves_sexual_imagery or adult_perpetrator,
        implies_coercion=adult_perpetrator,
        position=500,
    )
    stamp_history(category, by=by, reason="Category added by the school")
    category.save()
    return category


@transaction.atomic
def concern_acknowledge(*, concern: Concern, by) -> Concern:
    """The DSL team has seen a new concern. The time it took is kept (recorded to acknowledged)."""
    concern = _locked(concern, version=None)
    if concern.acknowledged_at is not None:
        raise WorkflowError("This concern has already been acknowledged.")
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = by
    _bump(concern, by=by, reason="Acknowledged", fields=["acknowledged_at", "acknowledged_by"])
    return concern


@transaction.atomic
def concern_assign(*, concern: Concern, by, assignee) -> Concern:
    """Give a concern to a member of the school's DSL team (acknowledging it if need be)."""
    concern = _locked(concern, version=None)
    if concern.is_closed:
        raise WorkflowError("This concern is closed.")
    if not Membership.objects.filter(
        user=assignee,
        school_id=concern.school_id,
        role__in=HANDLE_CASES.roles,
        user__is_active=True,
    ).exists():
        raise WorkflowError("Assign the concern to a member of this school's safeguarding team.")
    if concern.assignee_id == assignee.pk:
        raise WorkflowError(f"This concern is already assigned to {assignee.full_name}.")
    fields = ["assignee"]
    if concern.acknowledged_at is None:
        concern.acknowledged_at = timezone.now()
        concern.acknowledged_by = by
        fields += ["acknowledged_at", "acknowledged_by"]
    concern.assignee = assignee
    _bump(concern, by=by, reason=f"Assigned to {assignee.full_name}", fields=fields)
    if assignee.pk != by.pk:
        transaction.on_commit(partial(notify_assignee.enqueue, concern.pk))
    return concern


@transaction.atomic
def support_review_record(
    *, action: SupportAction, by, notes: str, next_review_date: date | None
) -> SupportReview:
    """Review a support action: how it is going, and when next (or that it has ended)."""
    action = (
        SupportAction.objects.select_for_update(of=("self",))
        .select_related("child__concern")
        .get(pk=action.pk)
    )
    if action.child.concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if action.ended_on is not None:
        raise WorkflowError("This support has ended.")
    if not notes.strip():
        raise WorkflowError("Say how the support is going.")
    today = timezone.localdate()
    if next_review_date is not None and next_review_date <= today:
        raise WorkflowError("The next review date must be in the future.")
    review = SupportReview(
        action=action,
        reviewed_at=timezone.now(),
        reviewed_by=by,
        notes=notes.strip(),
        next_review_date=next_review_date,
    )
    stamp_history(review, by=by, reason="Support reviewed")
    review.save()
    if next_review_date is None:
        action.ended_on = today
        fields, why = ["ended_on"], "Support ended at review"
    else:
        action.review_date = next_review_date
        fields, why = ["review_date"], "Next review set"
    stamp_history(action, by=by, reason=why)
    action.save(update_fields=fields)
    return review


@transaction.atomic
def follow_up_complete(
    *, follow_up: FollowUpAction, by, completed_on: date, notes: str
) -> FollowUpAction:
    """Record that a piece of school-wide follow-up has been done."""
    follow_up = FollowUpAction.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.completed_on is not None:
        raise WorkflowError("This follow-up is already recorded as done.")
    if completed_on > timezone.localdate():
        raise WorkflowError("The date it was done cannot be in the future.")
    if not notes.strip():
        raise WorkflowError("Say what was done.")
    follow_up.completed_on = completed_on
    follow_up.completion_notes = notes.strip()
    stamp_history(follow_up, by=by, reason="Follow-up done")
    follow_up.save(update_fields=["completed_on", "completion_notes"])
    return follow_up


@transaction.atomic
def unnamed_child_add(*, concern: Concern, by, description: str) -> UnnamedChild:
    """Describe a child involved or at risk who is not yet identified."""
    concern = _locked(concern, version=None)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if not description.strip():
        raise WorkflowError(
            "Describe the child (for example, “a friend at the sleepover, about 9”)."
        )
    unnamed = UnnamedChild(
        concern=concern, description=description.strip(), added_by=by, added_at=timezone.now()
    )
    stamp_history(unnamed, by=by, reason="Child not yet identified described")
    unnamed.save()
    if concern.other_children != YesNoUnknown.YES:
        concern.other_children = YesNoUnknown.YES
        _bump(
            concern, by=by, reason="Other children involved or at risk", fields=["other_children"]
        )
    return unnamed


def _locked_unnamed(unnamed: UnnamedChild) -> UnnamedChild:
    unnamed = (
        UnnamedChild.objects.select_for_update(of=("self",))
        .select_related("concern")
        .get(pk=unnamed.pk)
    )
    if unnamed.concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    if not unnamed.is_open:
        raise WorkflowError("This child has already been identified or passed on.")
    return unnamed


@transaction.atomic
def unnamed_child_identify(
    *,
    unnamed: UnnamedChild,
    by,
    pupil: Pupil,
    role: str,
    safety: SafetyCheckInput | None = None,
) -> ConcernChild:
    """A described child is now known: name them from the register (with their own safety
    check once checks have been done) and close the open item."""
    unnamed = _locked_unnamed(unnamed)
    child = concern_add_child(concern=unnamed.concern, by=by, pupil=pupil, role=role, safety=safety)
    unnamed.identified_as = child
    unnamed.resolved_by = by
    unnamed.resolved_at = timezone.now()
    stamp_history(unnamed, by=by, reason=f"Identified as {pupil.full_name}")
    unnamed.save(update_fields=["identified_as", "resolved_by", "resolved_at"])
    return child


@transaction.atomic
def unnamed_child_pass_on(
    *, unnamed: UnnamedChild, by, passed_to: str, passed_at: datetime
) -> UnnamedChild:
    """Record that what is known of a child was passed to social care or the police to
    establish who they are: the school does not investigate."""
    unnamed = _locked_unnamed(unnamed)
    if not passed_to.strip():
        raise WorkflowError("Say to whom the information was passed (service and person).")
    if rules.names_family(passed_to):
        raise WorkflowError(
            "Pass what is known to children's social care or the police, who find out who "
            "the child is: not to a parent or family. Say which service and who.",
            field="passed_to",
        )
    if passed_at > timezone.now():
        raise WorkflowError("The time it was passed on cannot be in the future.")
    unnamed.passed_to = passed_to.strip()
    unnamed.passed_at = passed_at
    unnamed.resolved_by = by
    unnamed.resolved_at = timezone.now()
    stamp_history(unnamed, by=by, reason=f"Passed to {unnamed.passed_to} to identify")
    unnamed.save(update_fields=["passed_to", "passed_at", "resolved_by", "resolved_at"])
    return unnamed


@transaction.atomic
def practice_flag_review(*, flag: PracticeFlag, by, notes: str) -> PracticeFlag:
    """The DSL team has looked at a flagged entry and says what follows from it."""
    flag = PracticeFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.reviewed_at is not None:
        raise WorkflowError("This has already been reviewed.")
    if flag.raised_by_id == by.pk:
        raise WorkflowError(
            "You wrote the flagged entry, so another member of the DSL team reviews it: a "
            "second person looks at every exception."
        )
    if not notes.strip():
        raise WorkflowError(
            "Say what you found and what follows (for example, advice given to the member of "
            "staff, or information passed to the police)."
        )
    if rules.cites_family_wishes(notes):
        raise WorkflowError(rules.FAMILY_WISHES_MESSAGE, field="review_notes")
    flag.reviewed_by = by
    flag.reviewed_at = timezone.now()
    flag.review_notes = notes.strip()
    stamp_history(flag, by=by, reason="Flag reviewed")
    flag.save(update_fields=["reviewed_by", "reviewed_at", "review_notes"])
    return flag


@transaction.atomic
def guidance_card_save(
    *,
    school: School,
    by,
    title: str,
    categories: list[Category],
    when_told: str = "",
    tell_family: str = "",
    do_not: str = "",
    report_to: str = "",
    removal: str = "",
    card: GuidanceCard | None = None,
    reason: str = "",
) -> GuidanceCard:
    """Add or change one of the school's own guidance cards (local contacts and procedures).
    National cards are not changed here: they come from national guidance."""
    if card is not None:
        card = GuidanceCard.objects.select_for_update().get(pk=card.pk)
        if card.school_id != school.pk:
            raise WorkflowError("Only the school's own cards can be changed.")
        if not reason.strip():
            raise WorkflowError("Give the reason for this change.")
    if not title.strip():
        raise WorkflowError("Enter a title for the card.")
    if not any(t.strip() for t in (when_told, tell_family, do_not, report_to, removal)):
        raise WorkflowError("Write the guidance: at least one part of the card.")
    if any(category.school_id not in (None, school.pk) for category in categories):
        raise WorkflowError("Choose categories from this school's list.")
    if card is None:
        base = slugify(title)[:60] or "card"
        key, n = base, 1
        while GuidanceCard.objects.filter(school=school, key=key).exists():
            n += 1
            key = f"{base}-{n}"
        card = GuidanceCard(school=school, key=key, added_by=by, position=500)
    card.title = title.strip()
    card.when_told = when_told.strip()
    card.tell_family = tell_family.strip()
    card.do_not = do_not.strip()
    card.report_to = report_to.strip()
    card.removal = removal.strip()
    new = card.pk is None
    stamp_history(card, by=by, reason="Local card added" if new else f"Corrected: {reason.strip()}")
    # One history row holding the card and its categories: saved and linked without history,
    # then written once the categories are in place (as concern_record does).
    card.skip_history_when_saving = True
    card.save()
    card.categories.set(categories)
    del card.skip_history_when_saving
    GUIDANCE_HISTORY.create_historical_record(card, "+" if new else "~")
    return card
