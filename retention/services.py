"""Every change to how long a child's file is kept: one function each, in a transaction, with
who and why on the history row.

The rules (issue 16): only the DSL team reviews a child's file, and only once it is due; a
file kept is kept for a reason until a later review date. The DSL team places and lifts a
hold on a child's file; the DSL team or the school's administrator on every file of the
school; each with a reason, and lifting needs one too.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from retention import selectors
from retention.models import LegalHold, Outcome, RetentionReview
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
