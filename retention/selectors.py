"""A child's file as the retention review sees it: when it is due for review, what it holds,
and whether a legal hold keeps it. Already scoped to a school; reached by a user only through
the access helpers below (404 outside their schools, 403 for a role that may not).

The review date is the child's birthday `settings.RETENTION_YEARS` after their birth (25, the
IRMS toolkit for schools), or the date a review put off to; never before a new school has
confirmed receipt of a copy sent to it (the sending school keeps the file until then), so a
file on its way, or a leaver's file not yet sent, has no review date.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from concerns.models import Attachment, Concern, ConcernChild
from referrals.models import Export, Referral
from retention.models import LegalHold, RetentionReview
from schools.models import Membership, Pupil, School
from schools.policy import HANDLE_CASES, MANAGE_SCHOOL
from schools.selectors import member_for
from transfers.models import IncomingFile, IncomingStatus, NoSchool, Status, Transfer


def birthday(born: date, years: int) -> date:
    """The day someone born on `born` turns `years` old: 1 March in a year with no 29 February,
    for a child born on one (as the law in England counts it)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def review_date(
    *,
    date_of_birth: date,
    kept_until: date | None = None,
    received_on: date | None = None,
    waiting_for_receipt: bool = False,
) -> date | None:
    """When a file is due for review: at the end of the period a review kept it for, else
    at the birthday settings.RETENTION_YEARS on; not before a new school confirmed receipt of
    the file (`received_on`); None while a copy sent is not yet confirmed received."""
    if waiting_for_receipt:
        return None
    day = kept_until or birthday(date_of_birth, settings.RETENTION_YEARS)
    if received_on is not None and received_on > day:
        day = received_on
    return day


@dataclass(frozen=True)
class File:
    """One child's file: what it holds, when it is due for review, and its holds."""

    pupil: Pupil
    today: date
    concerns: int
    referrals: int
    exports: int
    attachments: int
    earlier_files: int  # files from earlier schools, accepted here
    held: bool  # a hold on this child's file
    school_held: bool  # a hold on every file of the school
    waiting_for_receipt: bool
    kept_until: date | None
    received_at: datetime | None

    @property
    def review_on(self) -> date | None:
        return review_date(
            date_of_birth=self.pupil.date_of_birth,
            kept_until=self.kept_until,
            received_on=timezone.localdate(self.received_at) if self.received_at else None,
            waiting_for_receipt=self.waiting_for_receipt,
        )

    @property
    def due(self) -> bool:
        return self.review_on is not None and self.review_on <= self.today

    @property
    def on_hold(self) -> bool:
        return self.held or self.school_held


def _count(rows: QuerySet) -> Coalesce:
    """How many distinct rows of `rows` there are, as a subquery of the pupil's row."""
    counted = rows.order_by().annotate(
        n=Func(F("pk"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)")
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def _with_file(school: School) -> QuerySet[Pupil]:
    """The school's pupils with a file (named in a concern, or a file accepted from an earlier
    school), with what each file holds, its latest review and its holds: one query."""
    pupil = OuterRef("pk")
    leaving = OuterRef("leaving_date")
    received = Transfer.objects.filter(pupil=pupil, status=Status.RECEIVED)
    # A file on its way (sent, opened, or declined and to be sent again), or a leaver going to
    # a school whose file has not been sent nor recorded as having no school to go to.
    waiting = Exists(Transfer.objects.filter(pupil=pupil).exclude(status=Status.RECEIVED)) | (
        Q(leaving_date__isnull=False)
        & (~Q(destination="") | Q(destination_school__isnull=False))
        & ~Exists(received.filter(leaving_date=leaving))
        & ~Exists(NoSchool.objects.filter(pupil=pupil, leaving_date=leaving))
    )
    in_force = LegalHold.objects.filter(lifted_at__isnull=True)
    return (
        Pupil.objects.filter(school=school)
        .filter(
            Exists(ConcernChild.objects.filter(pupil=pupil))
            | Exists(IncomingFile.objects.filter(pupil=pupil, status=IncomingStatus.ACCEPTED))
        )
        .annotate(
            concern_count=_count(Concern.objects.filter(children__pupil=pupil)),
            referral_count=_count(Referral.objects.filter(concern__children__pupil=pupil)),
            export_count=_count(
                Export.objects.filter(
                    Q(pupil=pupil) | Q(children__pupil=pupil) | Q(concern__children__pupil=pupil)
                )
            ),
            attachment_count=_count(Attachment.objects.filter(concern__children__pupil=pupil)),
            earlier_file_count=_count(
                IncomingFile.objects.filter(pupil=pupil, status=IncomingStatus.ACCEPTED)
            ),
            kept_until=Subquery(
                RetentionReview.objects.filter(pupil=pupil)
                .order_by("-decided_at", "-pk")
                .values("next_review_on")[:1]
            ),
            last_received_at=Subquery(received.order_by("-received_at").values("received_at")[:1]),
            waiting_for_receipt=ExpressionWrapper(waiting, output_field=BooleanField()),
            held=Exists(in_force.filter(pupil=pupil)),
            school_held=Exists(in_force.filter(school=OuterRef("school"), pupil__isnull=True)),
        )
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def _file(pupil: Pupil, today: date) -> File:
    return File(
        pupil=pupil,
        today=today,
        concerns=pupil.concern_count,
        referrals=pupil.referral_count,
        exports=pupil.export_count,
        attachments=pupil.attachment_count,
        earlier_files=pupil.earlier_file_count,
        held=pupil.held,
        school_held=pupil.school_held,
        waiting_for_receipt=pupil.waiting_for_receipt,
        kept_until=pupil.kept_until,
        received_at=pupil.last_received_at,
    )


def files_due(school: School, *, today: date) -> list[File]:
    """The school's files due for review on `today`, the longest overdue first. One query.

    Only files whose child is old enough, or whose last review put them off until now, are
    counted in the database (a superset, worked out exactly here)."""
    old_enough = birthday(today, -settings.RETENTION_YEARS)
    rows = _with_file(school).filter(
        Q(kept_until__lte=today) | Q(kept_until__isnull=True, date_of_birth__lte=old_enough)
    )
    files = [_file(pupil, today) for pupil in rows]
    due = [file for file in files if file.due]
    due.sort(key=lambda file: file.review_on)
    return due


def file_of(pupil: Pupil, *, today: date) -> File | None:
    """One child's file; None if the school holds no file on them."""
    found = _with_file(pupil.school).filter(pk=pupil.pk).select_related("school").first()
    return None if found is None else _file(found, today)


def reviews_of(pupil: Pupil) -> list[RetentionReview]:
    return list(RetentionReview.objects.filter(pupil=pupil).select_related("decided_by"))


def holds_on(pupil: Pupil) -> list[LegalHold]:
    """The holds on this child's file, and on every file of their school, newest first."""
    return list(
        LegalHold.objects.filter(school_id=pupil.school_id)
        .filter(Q(pupil=pupil) | Q(pupil__isnull=True))
        .select_related("placed_by", "lifted_by")
    )


def school_holds(school: School) -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(school=school, pupil__isnull=True).select_related(
            "placed_by", "lifted_by"
        )
    )


def file_for(user, pupil_uuid, *, today: date) -> tuple[File, Membership]:
    """A child's file at one of the user's schools, for its DSL team: 404 elsewhere, and
    for a child the school holds no file on; 403 for another role."""
    pupil = Pupil.objects.select_related("school").filter(uuid=pupil_uuid).first()
    if pupil is None:
        raise Http404("No such file")
    membership = member_for(
        user,
        pupil.school_id,
        HANDLE_CASES,
        missing="No such file",
        refusal="Only the DSL team reviews a child's file.",
    )
    file = file_of(pupil, today=today)
    if file is None:
        raise Http404("No such file")
    return file, membership


def hold_for(user, hold_uuid) -> tuple[LegalHold, Membership]:
    """A hold at one of the user's schools: on a child's file for its DSL team, on the whole
    school for its DSL team or administrator. 404 elsewhere, 403 for another role."""
    hold = (
        LegalHold.objects.select_related("school", "pupil", "placed_by", "lifted_by")
        .filter(uuid=hold_uuid)
        .first()
    )
    if hold is None:
        raise Http404("No such hold")
    membership = member_for(
        user,
        hold.school_id,
        MANAGE_SCHOOL if hold.whole_school else HANDLE_CASES,
        missing="No such hold",
        refusal="Only the DSL team lifts a hold on a child's file.",
    )
    return hold, membership
