"""State changes to sign-in itself (the people and their roles are in schools.services)."""

from collections import Counter

from django.db import transaction

from accounts.encryption import SecretUnreadable, is_current, reencrypt
from accounts.ratelimits import failed_sign_ins_forget
from safeguard.db import stamp_history
from schools.models import Membership, User

# The encrypted values in each kind of authenticator's data (allauth.mfa): the TOTP key; the
# recovery codes' seed, and the codes carried over from an older version, if any.
ENCRYPTED = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


@transaction.atomic
def second_factors_reencrypt() -> Counter:
    """Encrypt every second-factor secret with the current SECRET_KEY, after a key change.

    Returns how many authenticators were "reencrypted", were "current" already, and were
    "unreadable" (no key in SECRET_KEY_FALLBACKS decrypts them: their owners' second
    factors need resetting). Nothing unreadable is changed.
    """
    from allauth.mfa.models import Authenticator

    counts = Counter(reencrypted=0, current=0, unreadable=0)
    for authenticator in Authenticator.objects.select_for_update().filter(type__in=ENCRYPTED):
        encrypted = {
            field: authenticator.data[field]
            for field in ENCRYPTED[authenticator.type]
            if authenticator.data.get(field) is not None
        }
        tokens = [t for value in encrypted.values() for t in _as_list(value)]
        if all(is_current(token) for token in tokens):
            counts["current"] += 1
            continue
        try:
            again = {
                field: [reencrypt(t) for t in value]
                if isinstance(value, list)
                else reencrypt(value)
                for field, value in encrypted.items()
            }
        except SecretUnreadable:
            counts["unreadable"] += 1
            continue
        authenticator.data = {**authenticator.data, **again}
        authenticator.save(update_fields=["data"])
        counts["reencrypted"] += 1
    return counts


def _as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


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
