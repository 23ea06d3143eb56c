"""Every change to how long a child's file is kept: one function each, in a transaction, with
who and why on the history row.

The rules (issue 16): only the DSL team reviews a child's file, and only once it is due; a
file kept is kept for a reason until a later review date. The DSL team places and lifts a
hold on a child's file; the DSL team or the school's administrator on every file of the
school; each with a reason, and lifting needs one too.

A file due for review may instead be disposed of: one member of the DSL team proposes it, with
a reason; another confirms it, and the database function `retention_dispose` (migration 0003)
destroys the file, with every file bound to it by a shared concern, in the same transaction.
Nothing is disposed of while a hold is in force, while a subject access request about the
child is open, or while the child is on the roll; the proposer may withdraw, with a reason.
"""

import json
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from concerns.models import Concern
from retention import selectors
from retention.models import Disposal, DisposalStatus, LegalHold, Outcome, RetentionReview
from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import Pupil, School, User
from schools.policy import HANDLE_CASES, MANAGE_SCHOOL
from schools.selectors import require


@transaction.atomic
def retention_keep(
    *,
    pupil: Pupil,
    by: User,
    reason: str,
    next_review_on: date,
    now: datetime | None = None,
) -> RetentionReview:
    """A file due for review is kept for a further period, for a reason, until the next
    review date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # One review at a time: a second decision waits, then finds the file no longer due.
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    require(HANDLE_CASES, by, pupil.school_id, "Only the school's DSL team reviews a file.")
    file = selectors.file_of(pupil, today=today)
    if file is None:
        raise WorkflowError("The school holds no safeguarding file on this child.")
    if not file.due:
        when = f"until {file.review_on:%-d %B %Y}" if file.review_on else "yet"
        raise WorkflowError(f"This file is not due for review {when}.")
    if not reason.strip():
        raise WorkflowError("Say why the file is kept for longer.", field="reason")
    if next_review_on <= today:
        raise WorkflowError("The next review date must be after today.", field="next_review_on")
    review = RetentionReview(
        pupil=pupil,
        outcome=Outcome.KEEP,
        reason=reason.strip(),
        next_review_on=next_review_on,
        decided_by=by,
        decided_at=now,
    )
    stamp_history(
        review,
        by=by,
        reason=f"Reviewed: kept until {next_review_on:%-d %B %Y}: {review.reason}",
    )
    review.save()
    return review


@transaction.atomic
def legal_hold_place(
    *,
    school: School,
    by: User,
    reason: str,
    pupil: Pupil | None = None,
    now: datetime | None = None,
) -> LegalHold:
    """Hold one child's file (`pupil`), or every file of the school, whatever its age, for
    a reason such as an inquiry or a court case."""
    if pupil is None:
        require(
            MANAGE_SCHOOL,
            by,
            school.pk,
            "Only the school's DSL team or administrator holds every file of the school.",
        )
    else:
        if pupil.school_id != school.pk:
            raise WorkflowError("This child is not on this school's register.")
        require(HANDLE_CASES, by, school.pk, "Only the school's DSL team holds a child's file.")
    if not reason.strip():
        raise WorkflowError(
            "Say why the file is held, such as the inquiry or court case that may need it.",
            field="reason",
        )
    if LegalHold.objects.filter(school=school, pupil=pupil, lifted_at=None).exists():
        raise WorkflowError(
            "This file is already held." if pupil else "Every file of the school is already held."
        )
    hold = LegalHold(
        school=school,
        pupil=pupil,
        reason=reason.strip(),
        placed_by=by,
        placed_at=now or timezone.now(),
    )
    scope = "every file of the school" if pupil is None else "this child's file"
    stamp_history(hold, by=by, reason=f"Legal hold placed on {scope}: {hold.reason}")
    hold.save()
    return hold


@transaction.atomic
def legal_hold_lift(
    *, hold: LegalHold, by: User, reason: str, now: datetime | None = None
) -> LegalHold:
    """Lift a hold, for a reason (the inquiry has ended, say): the files it kept are
    reviewed again by their dates."""
    hold = LegalHold.objects.select_for_update(of=("self",)).get(pk=hold.pk)
    if hold.whole_school:
        require(
            MANAGE_SCHOOL,
            by,
            hold.school_id,
            "Only the school's DSL team or administrator lifts a hold on every file.",
        )
    else:
        require(
            HANDLE_CASES, by, hold.school_id, "Only the school's DSL team lifts a hold on a file."
        )
    if not hold.in_force:
        raise WorkflowError("This hold has already been lifted.")
    if not reason.strip():
        raise WorkflowError("Say why the hold is lifted.", field="lift_reason")
    hold.lifted_by = by
    hold.lifted_at = now or timezone.now()
    hold.lift_reason = reason.strip()
    stamp_history(hold, by=by, reason=f"Legal hold lifted: {hold.lift_reason}")
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    return hold


def _plan_allows(pupil: Pupil, *, today: date) -> selectors.Plan:
    plan = selectors.disposal_plan(pupil, today=today)
    if plan.blockers:
        raise WorkflowError(" ".join(plan.blockers))
    return plan


@transaction.atomic
def disposal_propose(
    *, pupil: Pupil, by: User, reason: str, now: datetime | None = None
) -> Disposal:
    """Propose disposing of a file due for review, for a reason: it waits for a second member
    of the DSL team to confirm it."""
    now = now or timezone.now()
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    require(HANDLE_CASES, by, pupil.school_id, "Only the school's DSL team disposes of a file.")
    if selectors.file_of(pupil, today=timezone.localdate(now)) is None:
        raise WorkflowError("The school holds no safeguarding file on this child.")
    plan = selectors.disposal_plan(pupil, today=timezone.localdate(now))
    if plan.waiting is not None:
        raise WorkflowError(
            f"{plan.waiting.proposed_by.full_name} has already proposed disposing of this "
            "file: it is waiting for a second member of the DSL team to confirm it."
        )
    if plan.blockers:
        raise WorkflowError(" ".join(plan.blockers))
    if not reason.strip():
        raise WorkflowError("Say why the file is disposed of.", field="reason")
    disposal = Disposal(
        school=pupil.school,
        pupil=pupil,
        reason=reason.strip(),
        proposed_by=by,
        proposed_at=now,
    )
    stamp_history(disposal, by=by, reason=f"Disposal proposed: {disposal.reason}")
    disposal.save()
    return disposal


@transaction.atomic
def disposal_withdraw(
    *, disposal: Disposal, by: User, reason: str, now: datetime | None = None
) -> Disposal:
    """Withdraw a proposal waiting for confirmation, for a reason: the file stays due."""
    disposal = Disposal.objects.select_for_update(of=("self",)).get(pk=disposal.pk)
    require(HANDLE_CASES, by, disposal.school_id, "Only the school's DSL team withdraws it.")
    if not disposal.waiting:
        raise WorkflowError("This proposal is no longer waiting: it cannot be withdrawn.")
    if not reason.strip():
        raise WorkflowError("Say why the proposal is withdrawn.", field="withdraw_reason")
    disposal.status = DisposalStatus.WITHDRAWN
    disposal.withdrawn_by = by
    disposal.withdrawn_at = now or timezone.now()
    disposal.withdraw_reason = reason.strip()
    stamp_history(disposal, by=by, reason=f"Disposal withdrawn: {disposal.withdraw_reason}")
    disposal.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdraw_reason"])
    return disposal


@transaction.atomic
def disposal_confirm(*, disposal: Disposal, by: User, now: datetime | None = None) -> Disposal:
    """A second member of the DSL team confirms a proposal: the file, and every file bound
    to it by a shared concern, is destroyed in this transaction, and the disposal becomes the
    certificate of what was destroyed."""
    now = now or timezone.now()
    disposal = Disposal.objects.select_for_update(of=("self",)).get(pk=disposal.pk)
    require(HANDLE_CASES, by, disposal.school_id, "Only the school's DSL team disposes of a file.")
    if not disposal.waiting:
        raise WorkflowError("This proposal is no longer waiting for confirmation.")
    if disposal.proposed_by_id == by.pk:
        raise WorkflowError(
            "You proposed this disposal: a second member of the DSL team must confirm it."
        )
    pupil = (
        Pupil.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=disposal.pupil_id)
    )
    plan = _plan_allows(pupil, today=timezone.localdate(now))
    disposal.children = [
        {
            "name": file.pupil.full_name,
            "date_of_birth": file.pupil.date_of_birth.isoformat(),
            "references": references,
        }
        for file in plan.files
        for references in [
            list(
                Concern.objects.filter(children__pupil=file.pupil)
                .order_by("reference")
                .values_list("reference", flat=True)
                .distinct()
            )
        ]
    ]
    disposal.confirmed_by = by
    disposal.confirmed_at = now
    # The function reads the confirmation from the row; the history row follows the outcome.
    disposal.save_without_historical_record(
        update_fields=["children", "confirmed_by", "confirmed_at"]
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT retention_dispose(%s, %s)", [disposal.pk, plan.pupil_ids])
            # Django reads jsonb as text, for its JSONField to decode.
            counts = json.loads(cursor.fetchone()[0])
    except IntegrityError as refusal:
        raise WorkflowError(str(refusal).splitlines()[0]) from refusal
    disposal.status = DisposalStatus.DISPOSED
    disposal.pupil = None
    disposal.counts = counts
    records = sum(counts.values())
    stamp_history(
        disposal,
        by=by,
        reason=f"Disposed of, confirmed by {by.full_name}: {records} records destroyed",
    )
    disposal.save(update_fields=["status", "pupil", "counts"])
    return disposal
