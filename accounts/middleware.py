import logging

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.encryption import SecretUnreadable
from safeguard.reauth import HAS_SECOND_FACTOR
from schools.policy import has_second_factor, second_factor_required
from schools.selectors import memberships_of

# What someone who still has to set up a second factor may open: setting it up, its
# recovery codes, confirming their password first if asked, and signing out.
SETUP_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
    }
)

logger = logging.getLogger(__name__)

NEEDS_SECOND_FACTOR = "Your role needs a second factor. Set up an authenticator app to continue."


class SecondFactorRequiredMiddleware:
    """Someone whose role needs a second factor (schools.policy) and who has none yet is sent
    to set one up, and can do nothing else until they have.

    It also keeps the signed-in user's memberships on the request (`request.memberships`),
    which the navigation then uses rather than asking the database again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        request.memberships = memberships_of(user)
        if not second_factor_required(request.memberships):
            return None
        if not request.session.get(HAS_SECOND_FACTOR):
            # Noted at sign-in (accounts.receivers); until there is one, look again on each
            # request, so that the page after setting one up opens.
            request.session[HAS_SECOND_FACTOR] = has_second_factor(user)
        if request.session[HAS_SECOND_FACTOR]:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in SETUP_URL_NAMES:
            return None
        # Once, however many pages are refused before the setup page is shown.
        waiting = messages.get_messages(request)
        if NEEDS_SECOND_FACTOR not in (message.message for message in waiting):
            messages.info(request, NEEDS_SECOND_FACTOR)
        waiting.used = False  # reading them above must not discard them
        return redirect("mfa_activate_totp")


class SecondFactorUnreadableMiddleware:
    """Where a second-factor secret cannot be decrypted (SECRET_KEY changed without the old
    key in SECRET_KEY_FALLBACKS), say what to do instead of showing a server error, and log
    it for whoever runs the server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SecretUnreadable):
            return None
        logger.error(
            "A second-factor secret could not be decrypted on %s: put the previous SECRET_KEY "
            "in SECRET_KEY_FALLBACKS, or have the person's second factor reset.",
            request.path,
        )
        # Refused rather than failed: nobody can be let in on a code that can't be checked.
        return render(request, "mfa/secret_unreadable.html", status=403)
