"""The casework pages' own forms: the triage queue's filters."""

from django import forms

from casework.queue import UNASSIGNED
from concerns.forms import text
from concerns.models import Step
from safeguard.forms import DateInput


class QueueFilterForm(forms.Form):
    """The queue's filters and search, sent by GET. Every field is optional; a value that is
    not one of the choices (an edited or stale link) is an error shown on the page."""

    q = text(
        "Search by reference or child's name",
        required=False,
        max_length=100,
        help_text="For example SG-2026-0004, or a child's first or last name",
    )
    category = forms.ChoiceField(label="Category", required=False)
    year_group = forms.ChoiceField(label="Year group", required=False)
    step = forms.TypedChoiceField(
        label="Step",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any step"), *Step.choices],
    )
    assignee = forms.ChoiceField(label="Assigned to", required=False)
    recorded_from = forms.DateField(
        label="Recorded from",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": "Enter the first date recorded as a real date"},
    )
    recorded_to = forms.DateField(
        label="Recorded to",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": "Enter the last date recorded as a real date"},
    )

    def __init__(self, *args, categories, year_groups, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = {str(user.uuid): user for user in team}
        self.fields["category"].choices = [("", "Any category")] + [
            (c.slug, c.name) for c in categories
        ]
        self.fields["year_group"].choices = [("", "Any year group")] + [
            (name, name) for name in year_groups
        ]
        self.fields["assignee"].choices = [
            ("", "Anyone or no one"),
            (UNASSIGNED, "Not assigned"),
        ] + [(uuid, user.full_name) for uuid, user in self.team.items()]
        for name, what in [
            ("category", "category"),
            ("year_group", "year group"),
            ("step", "step"),
            ("assignee", "person"),
        ]:
            self.fields[name].error_messages["invalid_choice"] = f"Choose a {what} from the list"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("recorded_from"), cleaned.get("recorded_to")
        if start and end and start > end:
            self.add_error("recorded_to", "The last date must be the same as or after the first")
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for `queue.concerns_matching`, from the fields that are valid."""
        data = getattr(self, "cleaned_data", {})
        assignee = data.get("assignee") or None
        return {
            "search": data.get("q", ""),
            "category": data.get("category", ""),
            "year_group": data.get("year_group", ""),
            "step": data.get("step"),
            "assignee": self.team.get(assignee, assignee),
            "recorded_from": data.get("recorded_from"),
            "recorded_to": data.get("recorded_to"),
        }

    @property
    def filtering(self) -> bool:
        return any(value not in (None, "") for value in self.filters().values())
