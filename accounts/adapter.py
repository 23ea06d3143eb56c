"""django-allauth, fitted to a school: nobody signs themselves up, a second factor can't be
removed by someone whose role needs one, and TOTP secrets are encrypted at rest."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import PermissionDenied

from accounts import encryption, ratelimits
from safeguard.http import client_ip
from safeguard.reauth import checked_recently
from schools.policy import second_factor_required
from schools.selectors import memberships_of


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Enter a correct email address and password",
        "too_many_login_attempts": "Too many failed attempts to sign in. Wait 5 minutes and "
        "try again, reset your password, or ask your school administrator to let you sign "
        "in again",
    }

    def get_client_ip(self, request) -> str:
        # The address the access log records too, so both agree (safeguard.http).
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def pre_authenticate(self, request, **credentials) -> None:
        """Count this attempt against the account at this address, against the address, and
        against the account wherever it is tried from (accounts.ratelimits); refuse it once
        any of them is used up. A successful sign-in gives the counts back (allauth's
        authenticate calls _rollback_login_failed_rl_usage)."""
        login = credentials.get("email", credentials.get("username", ""))
        keys = ratelimits.keys_for(login, self.get_client_ip(request))
        self._login_failed_rl_usage = ratelimit.consume(
            request, app=ratelimits.APP, action=ratelimits.FAILED, key=keys.account_at_address
        )
        if self._login_failed_rl_usage:
            self._account_rl_usage = ratelimit.consume(
                request, app=ratelimits.APP, action=ratelimits.FAILED_FOR_ACCOUNT, key=keys.account
            )
            if self._account_rl_usage:
                return
        raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # After a password reset, as allauth does, but at every address the account was
        # tried from, not only the one the reset came from.
        login = credentials.get("email", credentials.get("username", ""))
        ratelimits.failed_sign_ins_forget(login=login)

    def is_open_for_signup(self, request):
        # Accounts are made by a school administrator's invitation (accounts.views).
        return False

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # Arriving on their home page says they are signed in; a banner saying so as well
        # would push what they came for down the page.
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Ask for the password or a code again only when this session's last check (signing
        in, or confirming since) is older than ACCOUNT_REAUTHENTICATION_TIMEOUT. allauth on
        its own would also ask straight after signing in."""
        request = self.request or context.request
        return request is None or not checked_recently(request.session)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # A Microsoft or Google account signs in someone the school has invited (matched by
        # its verified email address), never a new account.
        return False


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "Your role needs a second factor, so the authenticator "
        "app can't be turned off. Set up a new one by signing in again after asking your "
        "school administrator for help.",
        "incorrect_code": "The code is not right. Enter the 6-digit code your authenticator "
        "app shows now, or one of your recovery codes.",
        # A code is accepted once (allauth.mfa.totp), so a second sign-in within the same 30
        # seconds needs the next one; "not right" would send them looking for a typo.
        "code_just_used": "This code has just been used: wait for the next one your "
        "authenticator app shows, then enter that.",
    }

    def encrypt(self, text: str) -> str:
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        # Raises encryption.SecretUnreadable, which accounts.middleware turns into a page
        # saying what to do.
        return encryption.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator) -> bool:
        if authenticator.type == authenticator.Type.RECOVERY_CODES:
            return True
        others = (
            type(authenticator)
            .objects.filter(
                user_id=authenticator.user_id,
                type__in=(authenticator.Type.TOTP, authenticator.Type.WEBAUTHN),
            )
            .exclude(pk=authenticator.pk)
        )
        # By id: the authenticator's user is not loaded, and need not be.
        return others.exists() or not second_factor_required(memberships_of(authenticator.user_id))
