from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from schools.models import Role


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


# The school's people (accounts.views).


def _reason(label: str, error: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": error,
            "max_length": "Keep the reason to 500 characters or fewer",
        },
    )


class InviteForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their full name",
            "max_length": "Their full name must be 150 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email address. The invitation is sent here.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@school.org.uk",
            "max_length": "Their email address must be 254 characters or fewer",
        },
    )
    job_title = forms.CharField(
        label="Job title (optional)",
        required=False,
        max_length=120,
        error_messages={"max_length": "The job title must be 120 characters or fewer"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="What they may see and do. Only the safeguarding team reads concerns.",
        error_messages={"required": "Select their role"},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(
        label="New role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their new role"},
    )
    reason = _reason("Why is their role changing?", "Give the reason for changing the role")


class SecondFactorResetForm(forms.Form):
    reason = _reason(
        "Why?",
        "Give the reason",
        help_text="For example: lost her phone, confirmed in person on 3 March.",
    )


class SignInForm(forms.Form):
    """Turn someone's sign-in off, or back on; `turn` says which, so a second click of the
    same button can't undo the first."""

    turn = forms.ChoiceField(choices=[("off", "off"), ("on", "on")], widget=forms.HiddenInput)
    reason = _reason(
        "Why?",
        "Give the reason",
        help_text="For example: left the school at the end of term.",
    )

    @property
    def active(self) -> bool:
        return self.cleaned_data["turn"] == "on"


class AcceptInvitationForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "Create a password"
        first.help_text = (
            "At least 12 characters. Three or four random words are easy to remember and hard "
            "to guess. Don't use your name, your email address or a common password."
        )
        first.error_messages["required"] = "Enter a password"
        second.label = "Confirm your password"
        second.help_text = ""
        second.error_messages["required"] = "Enter the password again"

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "The passwords do not match. Enter the same password twice.",
    }

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        # A password that breaks the rules is the one chosen, not its confirmation: the error
        # goes beside "Create a password", and the error summary links to that box.
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean()
