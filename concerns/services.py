"""Every change to a concern goes through one of these functions.

Each is atomic, records who acted and why on every row it writes (one simple-history row
per row changed), and refuses what the safeguarding workflow forbids: skipping a step,
deciding without a reason, storing images on a sexual-imagery concern, a stale overwrite.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from concerns import uploads
from concerns.errors import WorkflowError
from concerns.models import (
    CONCERN_HISTORY,
    ROLES_NEEDING_SUPPORT,
    STEP_REACHED_AT,
    Agency,
    Attachment,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    Note,
    ReferenceCounter,
    ReferralDecision,
    Step,
    SupportAction,
    SupportReview,
    YesNoUnknown,
)
from concerns.tasks import notify_assignee, notify_dsl_team
from safeguard.db import stamp_history
from schools.models import DSL_TEAM, Membership, Pupil, School


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


def _check_record(*, school: School, disclosed_at: datetime, account: str, categories) -> None:
    if disclosed_at > timezone.now():
        raise WorkflowError("The time of the disclosure cannot be in the future.")
    if not account.strip():
        raise WorkflowError("Write down what was said, in the speaker's own words.")
    if not categories:
        raise WorkflowError("Choose at least one category.")
    if any(category.school_id not in (None, school.pk) for category in categories):
        raise WorkflowError("Choose categories from this school's list.")


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
) -> Concern:
    """Record a new concern, as told, and alert the school's DSL team."""
    now = timezone.now()
    _check_record(school=school, disclosed_at=disclosed_at, account=account, categories=categories)
    if not children:
        raise WorkflowError("Name at least one child.")
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
) -> Concern:
    """Correct the recorded account. The original stays in the history."""
    concern = _locked(concern, version=version)
    if concern.is_closed:
        raise WorkflowError("This concern is closed. Add a note to it instead.")
    why = _correction_reason(True, reason, "")
    _check_record(
        school=concern.school, disclosed_at=disclosed_at, account=account, categories=categories
    )
    if (
        concern.referral_decision
        and police_required_for(categories, adult_involved)
        and Agency.POLICE not in concern.referral_agencies
        and not concern.police_not_told_reason
    ):
        raise WorkflowError(
            "With this correction an adult is involved, so the police must be told: correct "
            "the referral decision first (add the police, or say why not)."
        )
    became_urgent = immediate_danger and not concern.immediate_danger
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
        ],
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
    _bump(concern, by=by, reason=f"Child added ({child.get_role_display().lower()})", fields=[])
    return child


def _apply_safety(child: ConcernChild, check: SafetyCheckInput, *, by, now: datetime) -> None:
    if not check.safe_now:
        if not check.action.strip():
            raise WorkflowError(f"Say what was done to keep {child.pupil.full_name} safe.")
        if check.action_at is None:
            raise WorkflowError(f"Say when action was taken for {child.pupil.full_name}.")
    child.safe_now = check.safe_now
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
        _apply_safety(child, check, by=by, now=now)
        stamp_history(child, by=by, reason=why)
        child.save()
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
    sexual_imagery = concern.categories.filter(involves_sexual_imagery=True).exists()
    kind = uploads.check_upload(uploaded_file, sexual_imagery=sexual_imagery)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
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
    attachment.file.save(f"{attachment.uuid}{kind.extension}", uploaded_file, save=False)
    stamp_history(attachment, by=by, reason="Document attached")
    attachment.save()
    return attachment


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
) -> Concern:
    """Record the advice not to delete anything, and complete the evidence step."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.EVIDENCE_PRESERVED)
    why = _correction_reason(correction, reason, "Evidence step completed")
    if not advice_given_by.strip() or not advice_given_to.strip():
        raise WorkflowError("Say who gave the advice not to delete anything, and to whom.")
    if advice_given_at > timezone.now():
        raise WorkflowError("The time the advice was given cannot be in the future.")
    if not concern.evidence_items.exists() and not no_evidence_reason.strip():
        raise WorkflowError("Describe the evidence, or explain why there is none to record.")
    concern.evidence_advice_given_by = advice_given_by.strip()
    concern.evidence_advice_given_to = advice_given_to.strip()
    concern.evidence_advice_given_at = advice_given_at
    concern.no_evidence_reason = no_evidence_reason.strip()
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
            "step",
        ],
    )
    return concern


def police_required(concern: Concern) -> bool:
    """An adult obtaining images of, or contact with, a child is a crime (DOMAIN.md step 4)."""
    return police_required_for(list(concern.categories.all()), concern.adult_involved)


def police_required_for(categories, adult_involved: str) -> bool:
    """The rule of `police_required`, for categories and an answer not yet saved."""
    if any(category.adult_perpetrator for category in categories):
        return True
    return adult_involved == YesNoUnknown.YES and any(
        category.involves_sexual_imagery for category in categories
    )


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
) -> Concern:
    """Complete the referral step: referred (to the agencies whose referrals are recorded) or
    not, and why. The parents' wishes are recorded beside it; they do not decide it."""
    concern = _locked(concern, version=version)
    correction = _open_step(concern, Step.REFERRAL_DECIDED)
    why = _correction_reason(correction, reason, "Referral decision recorded")
    referrals = list(concern.referrals.select_related("made_by").order_by("made_at", "pk"))
    if decision == ReferralDecision.REFER:
        if not referrals:
            raise WorkflowError("Record the referral to each agency before completing this step.")
        agencies = [
            agency for agency in Agency.values if any(r.agency == agency for r in referrals)
        ]
        made_at, made_by = referrals[0].made_at, referrals[0].made_by.full_name
    elif decision == ReferralDecision.NOT_REFER:
        if not rationale.strip():
            raise WorkflowError("Explain why the concern is not being referred.")
        agencies = [r.agency for r in referrals]
        made_at, made_by = None, ""
    else:
        raise WorkflowError("Choose whether to refer.")
    if police_required(concern) and Agency.POLICE not in agencies:
        if not police_not_told_reason.strip():
            raise WorkflowError(
                "An adult is involved in seeking images or contact from a child: refer to the "
                "police, or explain why not."
            )
    else:
        police_not_told_reason = ""
    if not parents_informed and not parents_not_informed_reason.strip():
        raise WorkflowError("Explain why the parents or carers have not been told.")
    concern.referral_decision = decision
    concern.referral_agencies = agencies if decision == ReferralDecision.REFER else []
    concern.referral_made_at = made_at
    concern.referral_made_by = made_by
    concern.referral_rationale = rationale.strip()
    concern.police_not_told_reason = police_not_told_reason.strip()
    concern.parents_informed = parents_informed
    concern.parents_not_informed_reason = (
        "" if parents_informed else parents_not_informed_reason.strip()
    )
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
            "decided_by",
            "step",
        ],
    )
    return concern


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
    support = SupportAction(
        child=child,
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
    missing = _children_without_support(concern)
    if missing:
        raise WorkflowError(f"Plan support for {', '.join(missing)}.")
    if not concern.follow_ups.exists() and not no_follow_up_reason.strip():
        raise WorkflowError("Plan school-wide follow-up, or explain why none is needed.")
    concern.no_follow_up_reason = no_follow_up_reason.strip()
    if not correction:
        _advance(concern, Step.SUPPORT_PLANNED)
    _bump(concern, by=by, reason=why, fields=["no_follow_up_reason", "step"])
    return concern


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
        user=assignee, school_id=concern.school_id, role__in=DSL_TEAM, user__is_active=True
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
