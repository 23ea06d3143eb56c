"""Every change to the oversight registers and checklist goes through one of these functions.

Each is atomic and leaves one history row saying who changed what and why. Nothing is
deleted: a training record is superseded by a newer one, a role ends on a date, a policy's
review dates move on. Updates lock the row, so two people saving at once are applied one
after the other, each in the history.
"""

from collections.abc import Callable
from datetime import date
from typing import NotRequired, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from oversight.models import (
    REPORT_KEPT,
    REPORT_STALLED_AFTER,
    ChecklistItem,
    ChecklistQuestion,
    ChecklistStatus,
    NamedRole,
    Policy,
    PreparedReport,
    ReportStatus,
    TrainingRecord,
    default_expiry,
    default_next_review,
)
from oversight.periods import Period
from oversight.report import filename as report_filename
from oversight.tasks import prepare_report
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import Membership, School, User


def _person(*, school_id: int, person: User | None, person_name: str) -> tuple[User | None, str]:
    """Someone with an account at the school, or a name; never both, never neither."""
    person_name = person_name.strip()
    if person is None and not person_name:
        raise WorkflowError("Choose the person, or type the name of someone without an account.")
    if person is not None and person_name:
        raise WorkflowError("Choose the person or type a name, not both.")
    if (
        person is not None
        and not Membership.objects.filter(user=person, school_id=school_id).exists()
    ):
        raise WorkflowError("Choose someone from this school.")
    return person, person_name


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise WorkflowError(f"The {what} cannot be in the future.")


def _reason(reason: str) -> str:
    if not reason.strip():
        raise WorkflowError("Give the reason for this change.")
    return reason.strip()


def _differs(instance, name: str, value) -> bool:
    field = instance._meta.get_field(name)
    if field.is_relation:
        # Compare keys: the related row may not be loaded (and must not be, lazily).
        return getattr(instance, field.attname) != (None if value is None else value.pk)
    return getattr(instance, name) != value


def _add(row, *, by: User, reason: str):
    """Save a new register row with its first history row."""
    stamp_history(row, by=by, reason=reason)
    row.save()
    return row


def _update(row, checked: Callable[[], dict], *, by: User, reason: str):
    """Lock the row, then check the new values (`checked` returns them) and save those that
    changed, with one history row saying why; refuse a save that changes nothing."""
    reason = _reason(reason)
    row = type(row).objects.select_for_update().get(pk=row.pk)
    fields = checked()
    changed = [name for name, value in fields.items() if _differs(row, name, value)]
    if not changed:
        raise WorkflowError("Nothing has changed. Change something, or go back.")
    for name in changed:
        setattr(row, name, fields[name])
    stamp_history(row, by=by, reason=reason)
    row.save(update_fields=changed)
    return row


# --- Training ------------------------------------------------------------------------------


class TrainingEntry(TypedDict):
    """What a training record says (the defaults are `_training_fields`')."""

    person: User | None
    person_name: NotRequired[str]
    person_role: str
    kind: str
    title: NotRequired[str]
    provider: NotRequired[str]
    completed_on: date
    expires_on: NotRequired[date | None]


def _training_fields(
    *,
    school_id: int,
    person: User | None,
    person_name: str = "",
    person_role: str,
    kind: str,
    title: str = "",
    provider: str = "",
    completed_on: date,
    expires_on: date | None = None,
) -> dict:
    person, person_name = _person(school_id=school_id, person=person, person_name=person_name)
    _not_in_future(completed_on, "date the course was completed")
    if expires_on is None:
        expires_on = default_expiry(kind, completed_on)
    if expires_on is not None and expires_on < completed_on:
        raise WorkflowError("The expiry date must be on or after the date it was completed.")
    return {
        "person": person,
        "person_name": person_name,
        "person_role": person_role,
        "kind": kind,
        "title": title.strip(),
        "provider": provider.strip(),
        "completed_on": completed_on,
        "expires_on": expires_on,
    }


@transaction.atomic
def training_record_add(
    *, school: School, by: User, **entry: Unpack[TrainingEntry]
) -> TrainingRecord:
    """Record a course someone completed. Without `expires_on`, it expires after the kind's
    usual validity (DSL training: two years). An older record of the same person and kind
    stays, superseded."""
    record = TrainingRecord(school=school, **_training_fields(school_id=school.pk, **entry))
    return _add(record, by=by, reason="Training recorded")


@transaction.atomic
def training_record_update(
    *, record: TrainingRecord, by: User, reason: str, **entry: Unpack[TrainingEntry]
) -> TrainingRecord:
    """Correct a training record, saying why. A blank `expires_on` takes the kind's default."""
    return _update(
        record,
        lambda: _training_fields(school_id=record.school_id, **entry),
        by=by,
        reason=reason,
    )


# --- Policies ------------------------------------------------------------------------------


class PolicyEntry(TypedDict):
    """What the policy register says of a policy (the defaults are `_policy_fields`')."""

    kind: str
    title: str
    last_reviewed_on: date
    next_review_due_on: NotRequired[date | None]
    approved_by: NotRequired[str]
    notes: NotRequired[str]


def _policy_fields(
    *,
    kind: str,
    title: str,
    last_reviewed_on: date,
    next_review_due_on: date | None = None,
    approved_by: str = "",
    notes: str = "",
) -> dict:
    if not title.strip():
        raise WorkflowError("Enter the policy's title.")
    _not_in_future(last_reviewed_on, "date of the last review")
    if next_review_due_on is None:
        next_review_due_on = default_next_review(last_reviewed_on)
    if next_review_due_on <= last_reviewed_on:
        raise WorkflowError("The next review must be due after the last review.")
    return {
        "kind": kind,
        "title": title.strip(),
        "last_reviewed_on": last_reviewed_on,
        "next_review_due_on": next_review_due_on,
        "approved_by": approved_by.strip(),
        "notes": notes.strip(),
    }


@transaction.atomic
def policy_add(*, school: School, by: User, **entry: Unpack[PolicyEntry]) -> Policy:
    """Add a policy to the register. Its next review is due a year after the last unless
    `next_review_due_on` says otherwise."""
    policy = Policy(school=school, **_policy_fields(**entry))
    return _add(policy, by=by, reason="Policy added to the register")


@transaction.atomic
def policy_update(*, policy: Policy, by: User, reason: str, **entry: Unpack[PolicyEntry]) -> Policy:
    """Record a review or correct the entry, saying why; the earlier dates stay in the history."""
    return _update(policy, lambda: _policy_fields(**entry), by=by, reason=reason)


# --- Named roles ---------------------------------------------------------------------------


class RoleEntry(TypedDict):
    """Who holds a role, and when (the defaults are `_role_fields`')."""

    role: str
    person: User | None
    person_name: NotRequired[str]
    from_date: date
    to_date: NotRequired[date | None]


def _role_fields(
    *,
    school_id: int,
    role: str,
    person: User | None,
    person_name: str = "",
    from_date: date,
    to_date: date | None = None,
) -> dict:
    person, person_name = _person(school_id=school_id, person=person, person_name=person_name)
    if to_date is not None and to_date < from_date:
        raise WorkflowError("The role cannot end before it starts.")
    return {
        "role": role,
        "person": person,
        "person_name": person_name,
        "from_date": from_date,
        "to_date": to_date,
    }


@transaction.atomic
def named_role_add(*, school: School, by: User, **entry: Unpack[RoleEntry]) -> NamedRole:
    """Name who holds a safeguarding responsibility from `from_date` (until `to_date`)."""
    named = NamedRole(school=school, **_role_fields(school_id=school.pk, **entry))
    return _add(named, by=by, reason="Role holder named")


@transaction.atomic
def named_role_update(
    *, named_role: NamedRole, by: User, reason: str, **entry: Unpack[RoleEntry]
) -> NamedRole:
    """Correct a role holder's entry or end it (with `to_date`), saying why."""
    return _update(
        named_role,
        lambda: _role_fields(school_id=named_role.school_id, **entry),
        by=by,
        reason=reason,
    )


# --- Checklist -----------------------------------------------------------------------------


def _lock_checklist(school_id: int) -> None:
    """Lock the school's row, so that two requests adding its checklist rows at once are
    applied one after the other."""
    School.objects.select_for_update().filter(pk=school_id).values_list("pk").get()


@transaction.atomic
def checklist_seed(*, school: School) -> int:
    """Give the school every checklist question it lacks, as "Not started"; return how many
    were added. Safe to call again and from two requests at once. (The pages need no seeding:
    a question's row is made when it is first assessed; the demo and the tests seed.)"""
    _lock_checklist(school.pk)
    present = set(ChecklistItem.objects.filter(school=school).values_list("question", flat=True))
    missing = [
        ChecklistItem.not_yet_assessed(school, question)
        for question in ChecklistQuestion.values
        if question not in present
    ]
    if missing:
        bulk_create_with_history(
            missing, ChecklistItem, default_change_reason="Checklist question added"
        )
    return len(missing)


def _locked_item(item: ChecklistItem) -> ChecklistItem:
    """The item's row, locked; for a question not yet assessed (an unsaved item), its row if
    someone has made it meanwhile, else `item` itself, to be saved."""
    if item.pk is None:
        _lock_checklist(item.school_id)
        made = ChecklistItem.objects.filter(school_id=item.school_id, question=item.question)
        return made.select_for_update().first() or item
    return ChecklistItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def checklist_assess(
    *, item: ChecklistItem, by: User, status: str, evidence: str, assessed_on: date
) -> ChecklistItem:
    """Record the governors' latest assessment of one checklist question. A question first
    assessed (`item` unsaved, from ChecklistItem.not_yet_assessed) gets its row now.

    "Met" needs evidence: what was seen, by whom (about the school's practice, never a child).
    """
    item = _locked_item(item)
    status = ChecklistStatus(status)
    evidence = evidence.strip()
    _not_in_future(assessed_on, "date of the assessment")
    if status == ChecklistStatus.MET and not evidence:
        raise WorkflowError("Say what shows this is met.")
    item.status = status
    item.evidence = evidence
    item.assessed_on = assessed_on
    item.assessed_by = by
    stamp_history(item, by=by, reason=f"Assessed as {status.label.lower()}")
    if item.pk is None:
        item.save()
    else:
        item.save(update_fields=["status", "evidence", "assessed_on", "assessed_by"])
    return item


# --- The termly report, prepared in the background ----------------------------------------


@transaction.atomic
def report_ask(
    *, school: School, by: User, period: Period, period_choice: dict, exact: bool
) -> PreparedReport:
    """Ask for the report of `period` (as chosen on the period picker: `period_choice`), to be
    rendered by the task worker. The task is queued in this transaction: the report and its
    task are saved together or not at all. The same report already being prepared for the
    same reader is the one returned (a second press of the button asks for nothing more)."""
    now = timezone.now()
    choice = {key: str(value) for key, value in period_choice.items() if value not in (None, "")}
    already = PreparedReport.objects.filter(
        school=school,
        asked_by=by,
        period_choice=choice,
        period_name=period.name,
        exact=exact,
        status=ReportStatus.PREPARING,
        asked_at__gte=now - REPORT_STALLED_AFTER,
    ).first()
    if already is not None:
        return already
    # Files older than they are kept are cleared (the rows stay): exact figures included.
    PreparedReport.objects.filter(asked_at__lt=now - REPORT_KEPT, content__isnull=False).update(
        content=None
    )
    asked = PreparedReport.objects.create(
        school=school,
        asked_by=by,
        asked_at=now,
        period_choice=choice,
        period_name=period.name,
        exact=exact,
        filename=report_filename(school, period),
    )
    prepare_report.enqueue(asked.pk)
    return asked
