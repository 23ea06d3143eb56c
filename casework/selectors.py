"""Reading the access log about a child: their chronology, and the concerns and referrals
that name them."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from audit.models import AccessRecord
from concerns.models import ConcernChild
from referrals.models import Referral
from schools.models import Membership, Pupil


def access_to_pupil(pupil: Pupil) -> QuerySet[AccessRecord]:
    """Every read of a record about `pupil`, newest first: their chronology, and the concerns
    and referrals that name them. Each record carries `role`, the reader's role at the school
    (None if they have since left it), and its user, concern and referral."""
    concerns_naming = ConcernChild.objects.filter(pupil=pupil).values("concern_id")
    referrals_naming = Referral.children.through.objects.filter(concernchild__pupil=pupil).values(
        "referral_id"
    )
    role = Membership.objects.filter(user=OuterRef("user_id"), school=OuterRef("school_id"))
    return (
        AccessRecord.objects.filter(
            Q(pupil=pupil)
            | Q(referral_id__in=referrals_naming)
            # A referral covers only some of its concern's children: match those by referral.
            | Q(referral=None, concern_id__in=concerns_naming)
        )
        .select_related("user", "concern", "referral")
        .annotate(role=Subquery(role.values("role")[:1]))
        .order_by("-at", "-pk")
    )
