"""Referral forms: they check and convert what the DSL typed, and carry the messages shown."""

from django import forms

from concerns.forms import datetime_field, not_in_future, text, yes_no
from concerns.models import Agency, ConcernChild
from referrals.models import PHONE_METHODS, Consent, ContactKind, Method, Outcome


def radios(label, choices, *, error, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": error},
    )


class ReferralForm(forms.Form):
    """One referral to one agency, with what the multi-agency referral forms ask for."""

    agency = radios(
        "Which agency was the referral made to?",
        Agency.choices,
        error="Select the agency the referral was made to",
    )
    agency_name = text(
        "Team or service",
        required=False,
        max_length=150,
        help_text="For example: Demoshire MASH, or Demoshire Police",
    )
    made_at = datetime_field(
        "When was the referral made?", error="Enter when the referral was made"
    )
    method = radios("How was it made?", Method.choices, error="Select how the referral was made")
    contact_name = text("Person spoken to", required=False, max_length=150)
    agency_reference = text(
        "Their reference",
        required=False,
        max_length=80,
        help_text="For example: the police incident number, or the MASH reference",
    )
    children = forms.MultipleChoiceField(
        label="Which children does the referral cover?",
        help_text="Name every child who may be at risk, including the other children involved.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children the referral covers"},
    )
    parents_aware = yes_no(
        "Are the parents or carers aware of the referral?",
        error="Select whether the parents or carers are aware of the referral",
    )
    consent = radios(
        "Did the parents or carers consent to the referral?",
        Consent.choices,
        error="Select whether the parents or carers consented to the referral",
        help_text="Consent is not needed to refer where a child may be at risk of significant "
        "harm.",
    )
    consent_reason = text(
        "If consent was not given, why not?",
        required=False,
        rows=3,
        help_text="Why it was refused or not sought, and what the parents or carers said.",
    )
    risk_view = text(
        "Your view of the risk, with your reasons",
        rows=6,
        error="Give your view of the risk, with your reasons",
    )
    urgent = forms.BooleanField(
        label="This was an urgent phone referral, to be confirmed in writing", required=False
    )

    def __init__(self, *args, children: list[ConcernChild], confirmation_hours: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_objects = {child.uuid.hex: child for child in children}
        self.fields["children"].choices = [
            (key, f"{child.pupil.full_name} ({child.get_role_display().lower()})")
            for key, child in self.child_objects.items()
        ]
        # Every child named is ticked to start with: leaving one out is a decision.
        self.fields["children"].initial = list(self.child_objects)
        self.fields[
            "urgent"
        ].help_text = (
            f"Your local authority expects it in writing within {confirmation_hours} hours."
        )

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "made_at")
        consent = cleaned.get("consent")
        if consent and consent != Consent.GIVEN and not cleaned.get("consent_reason"):
            self.add_error("consent_reason", "Say why consent was not given or not sought")
        method = cleaned.get("method")
        if cleaned.get("urgent") and method and method not in PHONE_METHODS:
            self.add_error(
                "urgent",
                "Only a phone referral is confirmed in writing afterwards: untick this, or "
                "choose the kind of call",
            )
        return cleaned

    def referral_values(self) -> dict:
        """The keyword arguments of `referral_record`, apart from the concern and who."""
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "agency_name": data["agency_name"],
            "made_at": data["made_at"],
            "method": data["method"],
            "contact_name": data["contact_name"],
            "agency_reference": data["agency_reference"],
            "children": [self.child_objects[key] for key in data["children"]],
            "parents_aware": data["parents_aware"],
            "consent": data["consent"],
            "consent_reason": data["consent_reason"],
            "risk_view": data["risk_view"],
            "urgent": data["urgent"],
        }


class ConfirmForm(forms.Form):
    confirmed_at = datetime_field(
        "When was it confirmed in writing?",
        error="Enter when the referral was confirmed in writing",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="confirm", **kwargs)

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "confirmed_at")
        return cleaned


class FeedbackForm(forms.Form):
    received_at = datetime_field(
        "When did the feedback arrive?", error="Enter when the feedback arrived"
    )
    acknowledged_at = datetime_field(
        "When did they acknowledge the referral?",
        required=False,
        help_text="Leave this blank if the feedback was the first you heard from them.",
        error="Enter when they acknowledged the referral",
    )
    outcome = radios("What did they decide?", Outcome.choices, error="Select what they decided")
    details = text(
        "What did they say?",
        rows=4,
        error="Describe what the agency said and decided",
        help_text="Include who you spoke to and anything the school has been asked to do.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="feedback", **kwargs)

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "received_at")
        not_in_future(self, "acknowledged_at")
        return cleaned


class ContactForm(forms.Form):
    kind = radios(
        "What kind of contact was it?", ContactKind.choices, error="Select the kind of contact"
    )
    happened_at = datetime_field("When was it?", error="Enter when the contact happened")
    with_whom = text("With whom?", required=False, max_length=150)
    notes = text(
        "What was said or done?",
        rows=4,
        error="Describe the contact",
        help_text="For example: chased the MASH by phone, no decision yet; escalated to the "
        "team manager.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="contact", **kwargs)

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "happened_at")
        return cleaned
