from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
