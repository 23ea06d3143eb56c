"""State changes to how people sign in."""

from django.db import transaction

from accounts.ratelimits import failed_sign_ins_forget
from safeguard.db import stamp_history
from schools.models import Membership, User


@transaction.atomic
def sign_in_lockout_lift(*, membership: Membership, by: User) -> None:
    """Let someone locked out by failed sign-ins (their own typing, or someone trying their
    address) sign in again at once: their failed attempts and wrong codes are forgotten at
    every address. Recorded in the history of their membership at `by`'s school.
    """
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    stamp_history(membership, by=by, reason="Lockout lifted: failed sign-ins forgotten")
    # No field changes: the save is the history row of the decision.
    membership.save()
    # In the transaction: with the database cache (the default) the counts go with the
    # history row or not at all.
    failed_sign_ins_forget(login=membership.user.email, user_id=membership.user_id)
