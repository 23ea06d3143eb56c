"""What the DSL team sees of files leaving and arriving: already scoped to a school, and
fetched for a user only through the access helpers below (404 outside their schools, 403 in
a school where their role does not send or receive files)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from concerns.models import ConcernChild
from schools.models import Membership, Pupil, School
from schools.policy import TRANSFER_FILES
from schools.selectors import member_for
from schools.terms import Counted, calendar_for
from transfers.models import (
    SCHOOL_DAYS_TO_SEND,
    IncomingFile,
    IncomingStatus,
    NoSchool,
    Status,
    Transfer,
)


class State:
    """A leaver's file as the DSL team sees it: a transfer's status, not yet sent, or no
    school to send it to."""

    PENDING = "pending"
    OVERDUE = "overdue"
    NO_SCHOOL = "no_school"
    LABELS = {
        PENDING: "Not sent",
        OVERDUE: "Overdue",
        NO_SCHOOL: "No school",
        **dict(Status.choices),
    }
    # Where the file needs nothing more.
    DONE = (Status.RECEIVED, NO_SCHOOL)


@dataclass(frozen=True)
class Leaver:
    pupil: Pupil
    due: Counted
    transfer: Transfer | None
    today: date
    no_school: NoSchool | None = None

    @property
    def status(self) -> str:
        if self.transfer is not None:
            return self.transfer.status
        return State.NO_SCHOOL if self.no_school is not None else State.PENDING

    @property
    def done(self) -> bool:
        return self.status in State.DONE

    @property
    def overdue(self) -> bool:
        """Not received (nor closed with no school to go to) by the end of the day it was due."""
        return not self.done and self.today > self.due.day

    @property
    def due_today(self) -> bool:
        return not self.done and self.today == self.due.day

    @property
    def status_label(self) -> str:
        if self.status == State.NO_SCHOOL:
            return f"No school: {self.no_school.get_reason_display().lower()}"
        return State.LABELS[self.status]


def leavers(school: School, *, today: date) -> list[Leaver]:
    """The school's leavers who have a file (a concern names them, or a file came with them
    from an earlier school), with when each file is
    due and where it stands, soonest due first. Four queries: the term dates, the pupils,
    their transfers, and any recorded as having no school to go to."""
    calendar = calendar_for(school)
    pupils = list(
        Pupil.objects.filter(school=school, leaving_date__isnull=False)
        .filter(
            Exists(ConcernChild.objects.filter(pupil=OuterRef("pk")))
            | Exists(
                IncomingFile.objects.filter(pupil=OuterRef("pk"), status=IncomingStatus.ACCEPTED)
            )
        )
        .select_related("destination_school")
    )
    by_pupil: dict[int, list[Transfer]] = {}
    for transfer in Transfer.objects.filter(pupil__in=pupils).order_by("sent_at", "pk"):
        by_pupil.setdefault(transfer.pupil_id, []).append(transfer)
    no_school = {
        (record.pupil_id, record.leaving_date): record
        for record in NoSchool.objects.filter(pupil__in=pupils)
    }
    rows = [
        Leaver(
            pupil=pupil,
            due=calendar.add_school_days(pupil.leaving_date, SCHOOL_DAYS_TO_SEND),
            transfer=current_transfer(by_pupil.get(pupil.pk, []), pupil.leaving_date),
            today=today,
            no_school=no_school.get((pupil.pk, pupil.leaving_date)),
        )
        for pupil in pupils
    ]
    rows.sort(key=lambda row: (row.due.day, row.pupil.legal_last_name, row.pupil.pk))
    return rows


def current_transfer(transfers: list[Transfer], leaving_date: date) -> Transfer | None:
    """Of a pupil's transfers (oldest first), the one for this leaving: sent for this leaving
    date, or still on its way (a leaving date corrected since, say by the MIS import, does not
    cut loose a file already sent). A file received for an earlier leaving is done."""
    for transfer in reversed(transfers):
        if transfer.leaving_date == leaving_date or transfer.status != Status.RECEIVED:
            return transfer
    return None


def outstanding(school: School, *, today: date) -> list[Leaver]:
    """Leavers whose file has not been received yet: not sent, sent, viewed or declined."""
    return [row for row in leavers(school, today=today) if not row.done]


def incoming_awaiting(school: School) -> list[IncomingFile]:
    return list(IncomingFile.objects.filter(school=school, status=IncomingStatus.AWAITING))


def incoming_files(school: School) -> list[IncomingFile]:
    return list(IncomingFile.objects.filter(school=school).select_related("pupil"))


def _dsl_team_at(user, school_id: int) -> Membership:
    return member_for(
        user,
        school_id,
        TRANSFER_FILES,
        missing="No such file",
        refusal="Only the DSL team sends and receives child protection files.",
    )


def transfer_for(user, transfer_uuid) -> tuple[Transfer, Membership]:
    """A file the user's school sent, for its DSL team."""
    transfer = (
        Transfer.objects.select_related("school", "pupil", "to_school", "sent_by", "received_by")
        .filter(uuid=transfer_uuid)
        .first()
    )
    if transfer is None:
        raise Http404("No such file")
    return transfer, _dsl_team_at(user, transfer.school_id)


def incoming_for(user, incoming_uuid) -> tuple[IncomingFile, Membership]:
    """A file that came to the user's school, for its DSL team."""
    incoming = (
        IncomingFile.objects.select_related("school", "pupil", "accepted_by", "declined_by")
        .filter(uuid=incoming_uuid)
        .first()
    )
    if incoming is None:
        raise Http404("No such file")
    return incoming, _dsl_team_at(user, incoming.school_id)


def leaver_for(user, pupil_uuid) -> tuple[Pupil, Membership]:
    """A pupil whose leaving the user's DSL team records."""
    pupil = (
        Pupil.objects.select_related("school", "destination_school").filter(uuid=pupil_uuid).first()
    )
    if pupil is None:
        raise Http404("No such pupil")
    return pupil, _dsl_team_at(user, pupil.school_id)


@dataclass(frozen=True)
class FileCounts:
    """Leavers' files that fell due in a stretch of days, anonymised: counts only."""

    due: int
    on_time: int
    late: int  # received after the day it was due
    no_school: int  # no school to send it to (the local authority told instead)
    not_received: int  # still not received (not sent, sent, viewed or declined)


def files_due(
    school: School, spans: dict[str, tuple[date, date]], *, today: date
) -> dict[str, FileCounts]:
    """How the leavers' files due in each span of days (first and last day included, and no
    later than `today`: a file not yet due is not late) went. Four queries, like `leavers`,
    however many spans."""
    rows = leavers(school, today=today)
    counts = {}
    for name, (first, last) in spans.items():
        last = min(last, today)
        due = [row for row in rows if first <= row.due.day <= last]
        on_time = late = 0
        no_school = sum(row.status == State.NO_SCHOOL for row in due)
        for row in due:
            if row.status != Status.RECEIVED:
                continue
            if timezone.localdate(row.transfer.received_at) <= row.due.day:
                on_time += 1
            else:
                late += 1
        counts[name] = FileCounts(
            len(due), on_time, late, no_school, len(due) - on_time - late - no_school
        )
    return counts
