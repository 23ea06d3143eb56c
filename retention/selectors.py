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
    Count,
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
from retention.models import Disposal, DisposalStatus, LegalHold, RetentionReview
from schools.models import Membership, Pupil, School
from schools.policy import HANDLE_CASES, MANAGE_SCHOOL
from schools.selectors import member_for
from subject_access.models import OPEN as OPEN_REQUEST
from subject_access.models import SubjectAccessRequest
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


# What a disposal destroys, by kind, as retention_dispose() counts it (retention migration
# 0003), in the order a certificate lists them: (one, many).
DISPOSED_KINDS = {
    "pupils": ("child on the register", "children on the register"),
    "household_contacts": ("household contact", "household contacts"),
    "concerns": ("concern", "concerns"),
    "children_named": ("child's part of a concern", "children's parts of concerns"),
    "unnamed_children": ("child not yet identified", "children not yet identified"),
    "evidence_items": ("item of evidence", "items of evidence"),
    "attachments": ("attachment", "attachments"),
    "notes": ("note", "notes"),
    "advice_given": ("piece of advice recorded", "pieces of advice recorded"),
    "practice_flags": ("practice flag", "practice flags"),
    "follow_up_actions": ("follow-up action", "follow-up actions"),
    "support_actions": ("support action", "support actions"),
    "support_reviews": ("support review", "support reviews"),
    "referrals": ("referral", "referrals"),
    "agency_contacts": ("contact with an agency", "contacts with agencies"),
    "exports": ("export", "exports"),
    "files_sent": ("file sent to a new school", "files sent to new schools"),
    "files_received": ("file received from an earlier school", "files from earlier schools"),
    "no_school": ("record of no school to go to", "records of no school to go to"),
    "subject_access_requests": ("subject access request", "subject access requests"),
    "redactions": ("redaction", "redactions"),
    "reviews": ("retention review", "retention reviews"),
    "legal_holds": ("legal hold, lifted", "legal holds, lifted"),
    "history_entries": ("entry in the history", "entries in the history"),
    "access_log": ("entry in the access log", "entries in the access log"),
}


def destroyed(counts: dict[str, int]) -> list[str]:
    """A certificate's counts as words, in DISPOSED_KINDS' order, leaving out the zeros."""
    return [
        f"{counts[kind]} {one if counts[kind] == 1 else many}"
        for kind, (one, many) in DISPOSED_KINDS.items()
        if counts.get(kind)
    ]


@dataclass(frozen=True)
class Plan:
    """What disposing of a child's file would destroy, and what stops it now.

    `files` are the child's file and those of every child named with them in a concern
    (and so on: a concern is destroyed whole or kept whole), the child's first; `shared`
    says, for each other child, the references of the concerns that bind their files;
    `blockers` are the reasons it cannot be done today, each a sentence."""

    files: list[File]
    shared: dict[int, list[str]]
    blockers: list[str]
    waiting: Disposal | None

    @property
    def file(self) -> File:
        return self.files[0]

    @property
    def others(self) -> list[File]:
        return self.files[1:]

    @property
    def pupil_ids(self) -> list[int]:
        return [file.pupil.pk for file in self.files]

    def total(self, kind: str) -> int:
        return sum(getattr(file, kind) for file in self.files)


def _bound_to(pupil: Pupil) -> set[int]:
    """The child and every child bound to their file through shared concerns, to any depth.
    One query per step (one for a child who shares no concern)."""
    ids = {pupil.pk}
    while True:
        found = set(
            ConcernChild.objects.filter(
                concern__in=ConcernChild.objects.filter(pupil__in=ids).values("concern")
            ).values_list("pupil", flat=True)
        ) | {pupil.pk}
        if found == ids:
            return ids
        ids = found


def disposal_plan(pupil: Pupil, *, today: date) -> Plan:
    """What disposing of `pupil`'s file destroys and whether it can be done: about six
    queries, two more for each step of shared concerns."""
    ids = _bound_to(pupil)
    found = {row.pk: _file(row, today) for row in _with_file(pupil.school).filter(pk__in=ids)}
    files = [found[pupil.pk]] + [file for pk, file in found.items() if pk != pupil.pk]
    shared: dict[int, list[str]] = {}
    if len(files) > 1:
        for pupil_id, reference in (
            ConcernChild.objects.filter(pupil__in=ids - {pupil.pk})
            .values_list("pupil", "concern__reference")
            .order_by("concern__reference")
        ):
            shared.setdefault(pupil_id, [])
            if reference not in shared[pupil_id]:
                shared[pupil_id].append(reference)
    open_requests = set(
        SubjectAccessRequest.objects.filter(pupil__in=ids, status__in=OPEN_REQUEST).values_list(
            "pupil", flat=True
        )
    )
    waiting = (
        Disposal.objects.filter(pupil__in=ids, status=DisposalStatus.PROPOSED)
        .select_related("pupil", "proposed_by")
        .first()
    )
    blockers = []
    if any(file.school_held for file in files):
        blockers.append(
            "Every file of the school is held: no file is disposed of until it is lifted."
        )
    for file in files:
        name = file.pupil.full_name
        if file.held:
            blockers.append(f"{name}'s file is held: it is kept until the hold is lifted.")
        if file.pupil.is_on_roll:
            blockers.append(
                f"{name} is still on the school's roll: a file is disposed of only after the "
                "child has left."
            )
        if file.review_on is None:
            blockers.append(
                f"{name}'s file is not due for review: a new school has not yet confirmed "
                "receipt of the copy sent to it."
            )
        elif not file.due:
            blockers.append(
                f"{name}'s file is not due for review until {file.review_on:%-d %B %Y}."
            )
        if file.pupil.pk in open_requests:
            blockers.append(
                f"A subject access request for {name}'s information is still open: the file "
                "is kept at least until it is answered."
            )
    return Plan(files=files, shared=shared, blockers=blockers, waiting=waiting)


def disposals_waiting(school: School) -> list[Disposal]:
    """Proposals waiting for a second member of the DSL team, oldest first."""
    return list(
        Disposal.objects.filter(school=school, status=DisposalStatus.PROPOSED)
        .select_related("pupil", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def certificates(school: School) -> list[Disposal]:
    """The school's disposal certificates, newest first."""
    return list(
        Disposal.objects.filter(school=school, status=DisposalStatus.DISPOSED)
        .select_related("proposed_by", "confirmed_by")
        .order_by("-confirmed_at", "-pk")
    )


def disposal_for(user, disposal_uuid) -> tuple[Disposal, Membership]:
    """A disposal (waiting, withdrawn, or its certificate) at one of the user's schools, for
    its DSL team: 404 elsewhere, 403 for another role."""
    disposal = (
        Disposal.objects.select_related(
            "school", "pupil", "pupil__school", "proposed_by", "confirmed_by", "withdrawn_by"
        )
        .filter(uuid=disposal_uuid)
        .first()
    )
    if disposal is None:
        raise Http404("No such disposal")
    membership = member_for(
        user,
        disposal.school_id,
        HANDLE_CASES,
        missing="No such disposal",
        refusal="Only the DSL team disposes of a child's file.",
    )
    return disposal, membership


@dataclass(frozen=True)
class RetentionCounts:
    """Reviews decided in a span of days: files kept for longer, files disposed of, and the
    records those disposals destroyed."""

    kept: int
    disposed: int
    records: int


def retention_counts(
    school: School, spans: dict[str, tuple[date, date]]
) -> dict[str, RetentionCounts]:
    """For the governors: how the school's file reviews went in each span of days (first and
    last day included). Two queries, however many spans."""
    kept = RetentionReview.objects.filter(pupil__school=school).aggregate(
        **{
            name: Count("pk", filter=Q(decided_at__date__range=span))
            for name, span in spans.items()
        }
    )
    certificates_ = list(
        Disposal.objects.filter(school=school, status=DisposalStatus.DISPOSED)
        .filter(
            Q.create(
                [("confirmed_at__date__range", span) for span in spans.values()],
                connector=Q.OR,
            )
        )
        .values_list("confirmed_at", "children", "counts")
    )
    counted = {}
    for name, (first, last) in spans.items():
        in_span = [
            (children, counts)
            for at, children, counts in certificates_
            if first <= timezone.localdate(at) <= last
        ]
        counted[name] = RetentionCounts(
            kept=kept[name],
            disposed=sum(len(children) for children, _ in in_span),
            records=sum(sum(counts.values()) for _, counts in in_span),
        )
    return counted
