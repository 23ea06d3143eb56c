"""Referrals fetched for a user, and where each stands against its deadlines."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from concerns.models import Concern, ConcernChild
from concerns.selectors import concern_for
from referrals.models import Referral


def referral_for(user, referral_uuid) -> Referral:
    """Fetch one referral for `user`, or refuse as `concern_for` does for its concern.

    Referrals are the DSL team's work: 404 outside the user's school (or for a member of
    staff who did not raise the concern), 403 for a role that may not manage it. The
    concern comes back on `referral.concern`, with its school and reporter.
    """
    referral = (
        Referral.objects.select_related("made_by", "recorded_by")
        # Only the concern's UUID here: `concern_for` loads the concern itself.
        .annotate(concern_uuid=F("concern__uuid"))
        .filter(uuid=referral_uuid)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    referral.concern, _ = concern_for(user, referral.concern_uuid, manage=True)
    return referral


def referrals_of(concern: Concern, *, with_children: bool = False) -> QuerySet[Referral]:
    """A concern's referrals, in the order they were made."""
    referrals = concern.referrals.select_related("made_by").order_by("made_at", "pk")
    if with_children:
        referrals = referrals.prefetch_related(
            Prefetch(
                "children",
                queryset=ConcernChild.objects.select_related("pupil").order_by("added_at", "pk"),
            )
        )
    return referrals


@dataclass(frozen=True)
class Status:
    label: str
    # The GOV.UK tag colour: red when something is overdue.
    colour: str

    @property
    def overdue(self) -> bool:
        return self.colour == "red"


NOT_NEEDED = Status("Not needed", "grey")


def confirmation_status(referral: Referral, now: datetime) -> Status:
    """An urgent phone referral is confirmed in writing by the local authority's deadline."""
    if not referral.urgent:
        return NOT_NEEDED
    if referral.confirmed_in_writing_at is not None:
        return Status("Confirmed", "green")
    if referral.confirmation_due_at < now:
        return Status("Overdue", "red")
    return Status("Due", "blue")


def feedback_status(referral: Referral, now: datetime) -> Status:
    """Social care should say what it will do within a working day; other agencies have no
    deadline here, but what they say back is still recorded."""
    if referral.feedback_received_at is not None:
        return Status("Received", "green")
    if referral.feedback_due_at is None:
        return Status("Awaited", "grey")
    if referral.feedback_due_at < now:
        return Status("Overdue", "red")
    return Status("Awaited", "blue")


def referral_status(referral: Referral, now: datetime) -> Status:
    """The most pressing thing about a referral, for a list of them."""
    confirmation = confirmation_status(referral, now)
    feedback = feedback_status(referral, now)
    if confirmation.overdue:
        return Status("Written confirmation overdue", "red")
    if feedback.overdue:
        return Status("Feedback overdue", "red")
    if confirmation.label == "Due":
        return Status("Written confirmation due", "blue")
    if feedback.label == "Received":
        return Status("Feedback received", "green")
    if referral.feedback_due_at is not None:
        return Status("Awaiting feedback", "blue")
    return Status("Referred", "grey")


def with_status(referrals, now: datetime) -> list[tuple[Referral, Status]]:
    return [(referral, referral_status(referral, now)) for referral in referrals]
