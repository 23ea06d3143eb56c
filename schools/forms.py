from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safeguard import files
from safeguard.forms import DateInput
from schools.models import Term


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


# --- Term dates ----------------------------------------------------------------------------


def _day_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date",
        },
    )


class TermDatesForm(forms.Form):
    """The first and last teaching day of each of the year's six half terms. The service
    checks that they fall in the year and in order (schools.services.school_terms_set)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for half in Term.Half:
            self.fields[f"{half}_starts"] = _day_field(f"First day of {half.label.lower()}")
            self.fields[f"{half}_ends"] = _day_field(f"Last day of {half.label.lower()}")

    @staticmethod
    def initial_from(terms: dict[str, Term]) -> dict:
        initial = {}
        for half, term in terms.items():
            initial[f"{half}_starts"], initial[f"{half}_ends"] = term.starts_on, term.ends_on
        return initial

    def halves(self) -> dict:
        data = self.cleaned_data
        return {half.value: (data[f"{half}_starts"], data[f"{half}_ends"]) for half in Term.Half}


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
