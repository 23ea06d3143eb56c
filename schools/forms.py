from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from safeguard import files
from schools.models import Role


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive "
        "except the email address.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update(type="email", autocomplete="email")
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SchoolDeadlinesForm(forms.Form):
    safety_check_hours = forms.IntegerField(
        label="Safety check due within (hours)",
        help_text="How soon after a concern is recorded every child's safety must be checked. "
        "Concerns past this appear as overdue in the queue.",
        min_value=1,
        max_value=168,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of hours for the safety check",
            "invalid": "Enter the number of hours as a whole number",
            "min_value": "Enter at least 1 hour",
            "max_value": "Enter 168 hours (a week) or fewer",
        },
    )
    written_confirmation_hours = forms.IntegerField(
        label="Urgent phone referrals confirmed in writing within (hours)",
        help_text="Your local authority's deadline, usually between 24 hours and 2 working days.",
        min_value=1,
        max_value=168,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of hours for written confirmation",
            "invalid": "Enter the number of hours as a whole number",
            "min_value": "Enter at least 1 hour",
            "max_value": "Enter 168 hours (a week) or fewer",
        },
    )
    staff_mfa_required = forms.TypedChoiceField(
        label="Must members of staff sign in with a second factor?",
        help_text="The safeguarding team, governors and administrators always do. With a second "
        "factor, staff type a code from an authenticator app on their phone after their password.",
        choices=[
            ("True", "Yes, every member of staff sets up an authenticator app"),
            ("False", "No, staff choose for themselves"),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether members of staff must use a second factor"},
    )


# --- People ------------------------------------------------------------------------------


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


# --- Pupils ------------------------------------------------------------------------------

PUPIL_FILE_MAX_BYTES = 5 * 1024 * 1024


class PupilImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file from your MIS",
        help_text="Export the pupils from SIMS, Arbor or your MIS as 'CSV UTF-8', with a "
        "header row. Smaller than 5 MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose the CSV file to import",
            "empty": "The selected file is empty",
            "invalid": "Choose the CSV file to import",
        },
    )
    dry_run = forms.BooleanField(
        label="Check the file only, without saving anything",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > PUPIL_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {files.size_text(PUPIL_FILE_MAX_BYTES)}"
            )
        if kind := binary_kind(files.read_head(upload)):
            raise forms.ValidationError(
                f"The selected file is not a CSV file (it looks like {kind}). "
                "Export the pupils from your MIS as 'CSV UTF-8'"
            )
        return upload


def binary_kind(head: bytes) -> str | None:
    """What the first bytes of a file say it is, if not text: "an Excel workbook", "a PDF
    file", ...

    Judged from the content, never the name. A CSV is text, so it has no NUL byte and no
    file signature (prose may begin with a short one by chance, so only a signature of 4
    bytes or more counts).
    """
    if files.is_zip(head):
        return "an Excel workbook or another zip file"
    if matches := files.signatures(head, text=True):
        extension = matches[0].extension.lstrip(".").upper()
        return f"a {extension} file" if extension else f"a {matches[0].name}"
    if b"\x00" in head:
        return "a binary file"
    return None
