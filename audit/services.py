"""Writing the read-access log. Plain values only: the view works out the address."""

from django.db.models import Model
from django.utils import timezone

from audit.models import AccessRecord, Action
from schools.models import Pupil, School, User


def access_record(
    *,
    user: User,
    school: School,
    action: Action,
    ip_address: str | None,
    concern: Model | None = None,  # a concerns.Concern
    pupil: Pupil | None = None,
    referral: Model | None = None,  # a referrals.Referral
) -> AccessRecord:
    """Log that `user` read a record. Call it once the access check has passed, so a refused
    request leaves no row.

    Not wrapped in `transaction.atomic`: a single INSERT is atomic on its own, and a savepoint
    would cost every logged page two more queries.
    """
    return AccessRecord.objects.create(
        user=user,
        school=school,
        action=action,
        concern=concern,
        pupil=pupil,
        referral=referral,
        at=timezone.now(),
        ip_address=ip_address,
    )
