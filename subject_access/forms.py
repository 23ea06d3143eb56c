"""The subject access register's forms. They check and convert what was typed; the rules are
the services' (subject_access.services), whose refusals the views put back on the form."""

from django import forms
from django.db.models import QuerySet

from concerns.forms import date_field, text
from concerns.pupil_picker import PupilChoiceField, PupilPicking
from schools.models import Pupil
from subject_access.models import MAX_EXTENSION_MONTHS, RedactionReason, Relationship


class RecordForm(PupilPicking, forms.Form):
    pupil = PupilChoiceField(
        label="Which child is the request about?",
        error_messages={
            "required": "Choose the child the request is about",
            "invalid_choice": "Find the child on your school's register and choose them",
        },
    )
    requester_name = text(
        "Name of the person asking", error="Enter the name of the person asking", max_length=150
    )
    relationship = forms.ChoiceField(
        label="Who is asking?",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is asking"},
    )
    received_on = date_field("Date the request was received", error="Enter the date received")

    def __init__(self, *args, pupils: QuerySet[Pupil], search_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pick_from(pupils, search_url=search_url)
        self.fields["received_on"].help_text = (
            "The day it reached the school, by any route (letter, e-mail, said to a member of "
            "staff). The answer is due one calendar month later."
        )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["pupil"] = self.pupils[data["pupil"]]
        return data


class IdentityForm(forms.Form):
    checked_on = date_field(
        "Date identity was checked", error="Enter the date identity was checked"
    )
    how = text(
        "How was identity checked?",
        error="Say how the requester's identity was checked",
        help_text="For example: passport seen in person; for someone acting for the child, "
        "their written authority too.",
        rows=3,
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        choices=[
            (n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, MAX_EXTENSION_MONTHS + 1)
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many months to extend by"},
    )
    reason = text(
        "Why is the request complex or numerous?",
        error="Say why the request is complex or numerous enough to extend the deadline",
        help_text="The requester must be told of the extension, and why, within the first month.",
        rows=3,
    )


class DiscloseForm(forms.Form):
    disclosed_on = date_field(
        "Date disclosed", error="Enter the date the information was disclosed"
    )
    disclosure = text(
        "What was disclosed, to whom, and how?",
        error="Say what was disclosed, and how it was sent or given",
        help_text="For example: the redacted file, 34 pages, sent by secure e-mail to the "
        "requester's checked address.",
        rows=4,
    )


class RefuseForm(forms.Form):
    refused_on = date_field("Date refused", error="Enter the date the request was refused")
    reason = text(
        "Why is the request refused?",
        error="Say why the request is refused",
        help_text="The requester must be told why, and of their right to complain to the ICO. "
        "For example: manifestly unfounded or excessive; identity not confirmed.",
        rows=3,
    )


class RedactForm(forms.Form):
    passage = forms.CharField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label="Why is it withheld?",
        choices=[("", "Choose a reason"), *RedactionReason.choices],
        error_messages={"required": "Select why the passage is withheld"},
    )
    details = text(
        "Why does it apply here?",
        error="Say why this passage is withheld",
        help_text="For example: names the child's aunt, who has not agreed to her details "
        "being shared.",
        rows=2,
    )
