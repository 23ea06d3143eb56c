"""Forms for the registers and the checklist: they check and convert what was typed and carry
the messages people see. The services check the rules again."""

from django import forms
from django.utils import timezone

from oversight.models import (
    ChecklistStatus,
    CourseKind,
    NamedRoleKind,
    PersonRole,
    PolicyKind,
)
from safeguard.forms import DateInput
from schools.models import User

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date(label, *, error, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"required": error, "invalid": f"{error} in the right format"},
    )


def _text(
    label, *, required=False, error="", help_text="", rows=None, width="govuk-!-width-two-thirds"
):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput({"class": width})
    field = forms.CharField(
        label=label, required=required, help_text=help_text, widget=widget, strip=True
    )
    if error:
        field.error_messages["required"] = error
    return field


def _choice(label, choices, *, error, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": error},
    )


def _not_in_future(form, name, message):
    value = form.cleaned_data.get(name)
    if value and value > timezone.localdate():
        form.add_error(name, message)


def _not_before(form, later, earlier, message, *, same_day=True):
    """Refuse `later` before `earlier` (or on the same day, unless `same_day`), when both
    were given."""
    end, start = form.cleaned_data.get(later), form.cleaned_data.get(earlier)
    if end and start and (end < start or (end == start and not same_day)):
        form.add_error(later, message)


class RegisterForm(forms.Form):
    """One register's form, for `school`. Given the `row` it changes, it starts from the row's
    values (its fields are named as the row's) and asks for the reason."""

    def __init__(self, *args, school, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        if row is not None:
            self.initial = {name: getattr(row, name) for name in self.fields}
            self.fields["reason"] = _text(
                "Why are you changing this?",
                required=True,
                error="Give the reason for this change",
                help_text="For example, “Course date was wrong” or “Policy reviewed by the "
                "full governing body”. It is kept in the history.",
                rows=2,
            )


class PersonForm(RegisterForm):
    """Someone with an account at the school, or the name of someone without one."""

    # The person fields come first on the page.
    person = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label="Someone without an account (type their name below)",
        help_text="Staff and governors who sign in to this service at the school.",
        error_messages={"invalid_choice": "Choose someone from the list"},
    )
    person_name = _text(
        "Name of someone without an account",
        help_text="Only if they are not in the list above.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(
            memberships__school=self.school
        ).order_by("full_name")

    def clean(self):
        cleaned = super().clean()
        person, name = cleaned.get("person"), cleaned.get("person_name")
        if "person" in self.errors:
            return cleaned
        if person is None and not name:
            self.add_error(
                "person", "Choose the person, or type the name of someone without an account"
            )
        elif person is not None and name:
            self.add_error("person_name", "Choose the person or type a name, not both")
        return cleaned


class TrainingRecordForm(PersonForm):
    person_role = _choice("Their role", PersonRole.choices, error="Choose their role")
    kind = _choice("Course", CourseKind.choices, error="Choose the course")
    title = _text("Course title (optional)", help_text="For example, “DSL refresher, Demoshire”.")
    provider = _text("Provider (optional)", help_text="For example, the local authority or NSPCC.")
    completed_on = _date("Date completed", error="Enter the date the course was completed")
    expires_on = _date(
        "Expiry date (optional)",
        required=False,
        error="Enter the expiry date",
        help_text="Leave blank for the course's usual validity: designated safeguarding lead, "
        "CEOP and Prevent training 2 years, governor refresher 3 years, whole-staff update "
        "1 year. A governor induction does not expire.",
    )

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "completed_on", "The date completed cannot be in the future")
        _not_before(
            self,
            "expires_on",
            "completed_on",
            "The expiry date must be on or after the date completed",
        )
        return cleaned


class PolicyForm(RegisterForm):
    kind = _choice("Kind of policy", PolicyKind.choices, error="Choose the kind of policy")
    title = _text("Title", required=True, error="Enter the policy's title")
    last_reviewed_on = _date("Last reviewed", error="Enter the date of the last review")
    next_review_due_on = _date(
        "Next review due (optional)",
        required=False,
        error="Enter the date the next review is due",
        help_text="Leave blank for a year after the last review.",
    )
    approved_by = _text("Approved by (optional)", help_text="For example, “Full governing body”.")
    notes = _text(
        "Notes (optional)",
        rows=3,
        help_text="About the policy and its review. Governors read this: never name a child.",
    )

    def clean(self):
        cleaned = super().clean()
        _not_in_future(
            self, "last_reviewed_on", "The date of the last review cannot be in the future"
        )
        _not_before(
            self,
            "next_review_due_on",
            "last_reviewed_on",
            "The next review must be due after the last review",
            same_day=False,
        )
        return cleaned


class NamedRoleForm(PersonForm):
    role = _choice("Role", NamedRoleKind.choices, error="Choose the role")
    from_date = _date("Holds the role from", error="Enter the date they took on the role")
    to_date = _date(
        "Until (optional)",
        required=False,
        error="Enter the date they stopped",
        help_text="Leave blank while they still hold the role. To hand a role over, enter the "
        "last day here, then name the new holder.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The role is the first question.
        self.fields = {"role": self.fields.pop("role"), **self.fields}

    def clean(self):
        cleaned = super().clean()
        _not_before(self, "to_date", "from_date", "The role cannot end before it starts")
        return cleaned


class ChecklistAssessForm(forms.Form):
    status = _choice("Is this met?", ChecklistStatus.choices, error="Choose whether this is met")
    evidence = _text(
        "Evidence",
        rows=5,
        help_text="What was seen or heard, by whom: for example, “Computing lead showed the "
        "Year 5 online safety lessons”. Governors read this: describe the school's practice and "
        "never name or identify a child.",
    )
    assessed_on = _date("Date of the assessment", error="Enter the date of the assessment")

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "assessed_on", "The date of the assessment cannot be in the future")
        if cleaned.get("status") == ChecklistStatus.MET and not cleaned.get("evidence"):
            self.add_error("evidence", "Say what shows this is met")
        return cleaned
