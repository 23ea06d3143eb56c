"""Keep the session's note of how its user signed in up to date.

Django's `user_logged_in` fires for every way of signing in (password, second factor, school
SSO, and the test client's force_login), so what the session needs to know is set in one
place rather than in each sign-in view.
"""

import time

from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from safeguard.middleware import mark_active
from safeguard.reauth import HAS_SECOND_FACTOR, SIGNED_IN_AT
from schools.policy import SECOND_FACTORS, has_second_factor


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    session[SIGNED_IN_AT] = time.time()
    session[HAS_SECOND_FACTOR] = has_second_factor(user)
    mark_active(session)


@receiver(authenticator_removed, dispatch_uid="accounts.second_factor_removed")
def second_factor_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type in SECOND_FACTORS and request is not None:
        request.session[HAS_SECOND_FACTOR] = has_second_factor(user)
