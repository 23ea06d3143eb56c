"""The sending school's forms: a leaver's leaving date and destination, and the file sent (or
sent again) to their new school. They check and convert what was typed; the rules are the
services' (transfers.services), whose refusals the views put back on the form."""

import re

from django import forms
from django.db.models import QuerySet

from concerns.forms import date_field, text
from concerns.pupil_picker import PupilChoiceField, PupilPicking
from schools.models import Pupil, School
from transfers.models import NoSchoolReason, Route, Transfer

# Where a leaver goes: a school in this deployment, or one named by hand.
HERE, ELSEWHERE = "here", "elsewhere"
URN = re.compile(r"\d{5,8}")


def _school_field(label: str, schools: list[School], *, error: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choose a school")] + [(str(s.uuid), s.name) for s in schools],
        required=False,
        error_messages={"invalid_choice": error},
    )


class LeaverChoiceForm(PupilPicking, forms.Form):
    """On the leavers page: the child whose leaving date is to be recorded."""

    pupil = PupilChoiceField(
        label="Child",
        error_messages={
            "required": "Choose the child who is leaving",
            "invalid_choice": "Find the child on your school's register and choose them",
        },
    )

    def __init__(self, *args, pupils: QuerySet[Pupil], search_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pick_from(pupils, search_url=search_url)


class LeavingForm(forms.Form):
    leaving_date = date_field("Leaving date", error="Enter the leaving date")
    going_to = forms.ChoiceField(
        label="Which school are they going to?",
        choices=[
            (HERE, "A school that uses Safeguard here"),
            (ELSEWHERE, "Another school"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the child is going"},
    )
    # Choices set per deployment; placed here so that errors are listed in the page's order.
    destination_school = forms.ChoiceField(label="School that uses Safeguard here")
    destination = text("Name of another school", required=False, max_length=200)

    def __init__(self, *args, schools: list[School], **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {str(school.uuid): school for school in schools}
        self.fields["leaving_date"].help_text = (
            "The last day they attend, or attended, this school. The file is due at their new "
            "school 5 school days after it."
        )
        self.fields["destination_school"] = _school_field(
            "School that uses Safeguard here",
            schools,
            error="Choose one of the schools in the list",
        )
        if not schools:
            self.fields["going_to"].choices = [(ELSEWHERE, "Another school")]
        self.fields[
            "destination_school"
        ].help_text = "If they are going to a school that uses Safeguard here"
        self.fields[
            "destination"
        ].help_text = (
            "If they are going to another school: as the school calls itself, with its town"
        )
        self.fields["destination"].error_messages["max_length"] = (
            "The school's name must be 200 characters or fewer"
        )

    @staticmethod
    def initial_for(pupil: Pupil) -> dict:
        if pupil.leaving_date is None:
            return {}
        if pupil.destination_school_id is not None:
            return {
                "leaving_date": pupil.leaving_date,
                "going_to": HERE,
                "destination_school": str(pupil.destination_school.uuid),
            }
        return {
            "leaving_date": pupil.leaving_date,
            "going_to": ELSEWHERE if pupil.destination else "",
            "destination": pupil.destination,
        }

    def clean(self):
        data = super().clean()
        if data.get("going_to") == HERE and not data.get("destination_school"):
            self.add_error("destination_school", "Choose the school the child is going to")
        if data.get("going_to") == ELSEWHERE and not data.get("destination"):
            self.add_error("destination", "Enter the name of the school the child is going to")
        return data

    def values(self) -> dict:
        """The arguments of services.pupil_leaving_set that come from the form."""
        data = self.cleaned_data
        here = data["going_to"] == HERE
        return {
            "leaving_date": data["leaving_date"],
            "destination_school": self.schools[data["destination_school"]] if here else None,
            "destination": "" if here else data["destination"],
        }


SUMMARY_HINTS = {
    "why_known": (
        "Why the child is known to the safeguarding team",
        "What happened, when, and what the school did: the concerns in a few sentences, so the "
        "new DSL knows at once why this file matters.",
        "Write why the child is known to the safeguarding team",
    ),
    "current_risks": (
        "Current risks",
        "What could still harm the child, and any person the child must be kept away from. "
        "Write “None known” if there are none.",
        "Write the current risks, or “None known”",
    ),
    "plans": (
        "Plans and support in place",
        "Child protection or child in need plans, early help, and the school's own support: "
        "who does what, and when it is next reviewed.",
        "Write the plans and support in place, or “None”",
    ),
    "agencies": (
        "Agencies involved, and their contacts",
        "Social worker, police, early help, CAMHS and others: each with a name, a phone number "
        "or e-mail address, and their reference.",
        "Write the agencies involved and their contacts, or “None”",
    ),
}


class SendForm(forms.Form):
    """The DSL's summary at the front of the file, and where the file goes."""

    route = forms.ChoiceField(
        label="Where is the file going?",
        choices=[
            (Route.DEPLOYMENT, "A school that uses Safeguard here"),
            (Route.PACKAGE, "A school outside Safeguard (an encrypted package)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the file is going"},
    )
    # Choices set per deployment; placed here so that errors are listed in the page's order.
    to_school = forms.ChoiceField(label="School that uses Safeguard here")
    to_school_name = text("Name of the school outside Safeguard", required=False, max_length=200)
    to_school_urn = forms.CharField(
        label="The school's URN (optional)",
        help_text="Its unique reference number, from Get Information about Schools",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label="E-mail address for a download link (optional)",
        help_text="The receiving DSL's address: a link to download the package, which works "
        "once, for 7 days. Leave it empty to download the package yourself and send it "
        "securely.",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.org"
        },
    )

    def __init__(self, *args, schools: list[School], **kwargs):
        super().__init__(*args, **kwargs)
        summary = {
            key: text(label, rows=5, error=error, help_text=hint)
            for key, (label, hint, error) in SUMMARY_HINTS.items()
        }
        # The summary first, then where it goes.
        self.fields = {**summary, **self.fields}
        self.schools = {str(school.uuid): school for school in schools}
        self.fields["to_school"] = _school_field(
            "School that uses Safeguard here",
            schools,
            error="Choose one of the schools in the list",
        )
        if not schools:
            self.fields["route"].choices = self.fields["route"].choices[1:]
        self.fields["to_school_name"].error_messages["max_length"] = (
            "The school's name must be 200 characters or fewer"
        )

    @staticmethod
    def initial_for(pupil: Pupil) -> dict:
        if pupil.destination_school_id is not None:
            return {"route": Route.DEPLOYMENT, "to_school": str(pupil.destination_school.uuid)}
        return {"to_school_name": pupil.destination}

    def clean_to_school_urn(self):
        urn = self.cleaned_data["to_school_urn"].replace(" ", "")
        if urn and not URN.fullmatch(urn):
            raise forms.ValidationError("Enter the URN in numbers only, like 123456")
        return urn

    def clean(self):
        data = super().clean()
        if data.get("route") == Route.DEPLOYMENT and not data.get("to_school"):
            self.add_error("to_school", "Choose the school the file goes to")
        if data.get("route") == Route.PACKAGE and not data.get("to_school_name"):
            self.add_error("to_school_name", "Enter the name of the school the file goes to")
        return data

    def summary(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in SUMMARY_HINTS}

    def delivery(self) -> dict:
        """Where the file goes, as services.transfer_send and transfer_resend take it: only
        what the chosen route uses."""
        data = self.cleaned_data
        if data["route"] == Route.DEPLOYMENT:
            return {"route": Route.DEPLOYMENT, "to_school": self.schools[data["to_school"]]}
        return {
            "route": Route.PACKAGE,
            "to_school_name": data["to_school_name"],
            "to_school_urn": data["to_school_urn"],
            "email": data["email"],
        }


class ResendForm(SendForm):
    """Sending the file again: why, and (by default) the same school and summary as before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "reason": text(
                "Why are you sending the file again?",
                rows=3,
                error="Enter why you are sending the file again",
                help_text="For example: the package was lost; the school declined it as sent "
                "to the wrong school. The reason is kept in the file's history.",
            ),
            **self.fields,
        }

    @staticmethod
    def initial_for(transfer: Transfer) -> dict:
        initial = {key: getattr(transfer, key) for key in SUMMARY_HINTS}
        initial["route"] = transfer.route
        if transfer.route == Route.DEPLOYMENT:
            initial["to_school"] = str(transfer.to_school.uuid)
        else:
            initial["to_school_name"] = transfer.to_school_name
            initial["to_school_urn"] = transfer.to_school_urn
        return initial


class NoSchoolForm(forms.Form):
    """A leaver with a file and no school to send it to, and what was done instead."""

    reason = forms.ChoiceField(
        label="Why is there no school to send the file to?",
        choices=NoSchoolReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why there is no school to send the file to"},
    )
    details = text(
        "What was done instead",
        rows=5,
        error="Say what was done instead",
        help_text="Which local authority was told, by whom and when (a child missing "
        "education, or educated at home), and whether the file was shared with it.",
    )
