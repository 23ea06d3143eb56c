from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.exceptions import ValidationError


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, in the words and markup of the rest of the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["login"]
        email.label = "Email address"
        email.widget.attrs = {"type": "email", "autocomplete": "email", "spellcheck": "false"}
        email.error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the correct format, like name@school.org.uk",
        )
        password = self.fields["password"]
        # allauth's help text is a link written as HTML; the page has its own link instead.
        password.help_text = ""
        password.widget.attrs = {"autocomplete": "current-password"}
        password.error_messages["required"] = "Enter your password"


class CodeJustUsedMixin:
    """allauth refuses a code from the authenticator app the second time it is entered (each
    code signs in once) with the same message as a wrong code. Tell the two apart, so that
    someone signing in twice within 30 seconds waits for the next code rather than looking
    for a typo."""

    def clean_code(self) -> str:
        try:
            code = super().clean_code()
        except ValidationError:
            if self._code_just_used(self.cleaned_data.get("code", "")):
                raise get_adapter().validation_error("code_just_used") from None
            raise
        self._keep_code_used(code)
        return code

    def _used_code_keys(self, code: str) -> list[str]:
        return [
            TOTP(authenticator)._get_used_cache_key(code)
            for authenticator in Authenticator.objects.filter(
                user=self.user, type=Authenticator.Type.TOTP
            )
        ]

    def _code_just_used(self, code: str) -> bool:
        return any(cache.get(key) is not None for key in self._used_code_keys(code))

    def _keep_code_used(self, code: str) -> None:
        """allauth remembers a code it accepted for one period (30 seconds), but accepts a
        code for MFA_TOTP_TOLERANCE periods either side of its own: for up to 90 seconds.
        Remember it that long, so that nobody who saw it can use it again."""
        lifetime = mfa_settings.TOTP_PERIOD * (2 * mfa_settings.TOTP_TOLERANCE + 1)
        for key in self._used_code_keys(code):
            cache.touch(key, timeout=lifetime)


class AuthenticateForm(CodeJustUsedMixin, mfa_forms.AuthenticateForm):
    """The code asked for after the password."""


class ReauthenticateForm(CodeJustUsedMixin, mfa_forms.ReauthenticateForm):
    """The code asked for again before a sensitive action."""
