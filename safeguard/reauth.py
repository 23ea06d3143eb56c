"""What a session has proved about its user: when it last proved who they are (signing in,
or confirming the password or a code since), and whether they have a second factor.

Set at sign-in by accounts.receivers; read before sensitive actions by any app."""

import time

from django.conf import settings

# Session keys, set at sign-in by accounts.receivers.
SIGNED_IN_AT = "accounts_signed_in_at"
HAS_SECOND_FACTOR = "accounts_has_second_factor"


def last_checked_at(session) -> float:
    """When this session last proved who its user is: signing in, or confirming the password
    or a code since (allauth records each check in the session)."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    times = [r.get("at", 0) for r in records if isinstance(r, dict)]
    return max([session.get(SIGNED_IN_AT, 0), *times])


def checked_recently(session) -> bool:
    return time.time() - last_checked_at(session) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def require_recent_check(request) -> None:
    """Before a sensitive action (exporting a PDF, changing a role, importing pupils): if this
    session's last check is older than ACCOUNT_REAUTHENTICATION_TIMEOUT, stop here. allauth's
    middleware then asks for the password or a code and, for a POST, replays it afterwards.
    Call it after the access check, so that someone refused anyway is not asked first."""
    from allauth.core.exceptions import ReauthenticationRequired

    if not checked_recently(request.session):
        raise ReauthenticationRequired()
