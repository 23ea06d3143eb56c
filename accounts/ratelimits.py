"""How failed sign-ins are counted, and how a school administrator has them forgotten.

django-allauth keeps each limit's count in the cache (settings.CACHES) as a list of the
failures' times, under `allauth:rl:allauth.account:<action>:<rate>:<sha256 of the key>`
for a limit per key, or `...:<rate>:ip:<address>` for a limit per network address, and
lets the entry expire with the rate's window. For a password, allauth's key would be the
e-mail address typed, so that anyone who knows a DSL's address could keep them locked out.
Here (accounts.adapter) the key of allauth's "login_failed" limits is the account *and* the
network address, and a second action, "login_failed_account", counts the account alone,
more generously (the numbers are in settings.ACCOUNT_RATE_LIMITS).

Both keys also carry the account's generation, a random value kept in the cache. The
counts at every address an account was tried from can't be listed (their keys are hashes),
so lifting a lockout gives the account a new generation instead: every count made before
stops applying at once, and expires on its own.
"""

import hashlib
import secrets
from typing import NamedTuple

from allauth.core.internal.ratelimit import cache_lock, get_cache_key, get_rates
from django.core.cache import cache

APP = "allauth.account"
# allauth's action: per account and address for passwords, per person for codes.
FAILED = "login_failed"
# Safeguard's own: per account, wherever the attempts come from.
FAILED_FOR_ACCOUNT = "login_failed_account"


class Keys(NamedTuple):
    account: str
    account_at_address: str


def _account(login: str) -> str:
    # As allauth compares them: the address typed, in lower case.
    return login.strip().lower()


def _generation_key(login: str) -> str:
    digest = hashlib.sha256(_account(login).encode()).hexdigest()
    return f"safeguard:sign-in-generation:{digest}"


def keys_for(login: str, address: str) -> Keys:
    """The rate-limit keys of a sign-in attempt with `login` from network `address`."""
    account = f"{_account(login)}:{cache.get(_generation_key(login), '')}"
    return Keys(account=account, account_at_address=f"{account}:{address}")


def failed_sign_ins_forget(*, login: str, user_id: int | None = None) -> None:
    """Forget the failed sign-ins to the account `login`, from every address, and, given
    `user_id`, the person's wrong second-factor codes. Other accounts and other addresses'
    own limits are left as they are."""
    # Kept until the cache drops it: by then every older count has expired anyway.
    cache.set(_generation_key(login), secrets.token_hex(8), timeout=None)
    if user_id is None:
        return
    # allauth counts wrong codes under a key of its own (allauth.mfa.base.internal.flows).
    # Only the per-key entries are the person's; the per-address ones are everybody's there.
    for rate in get_rates(app=APP, action=FAILED):
        if rate.per != "key":
            continue
        cache_key = get_cache_key(
            None, app=APP, action=FAILED, rate=rate, key=f"mfa-auth-user-{user_id}"
        )
        with cache_lock(cache_key):
            cache.delete(cache_key)
