"""Forms validate and convert what people type, and carry the messages they see."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from concerns.models import (
    ChildRole,
    ConcernChild,
    DiscloserType,
    FollowUpKind,
    GuidanceCard,
    NotReferGround,
    ReferralDecision,
    YesNoUnknown,
)
from concerns.pupil_picker import PupilChoiceField, PupilPicking
from concerns.rules import Criterion
from concerns.services import (
    ChildInput,
    NotReferring,
    SafetyCheckInput,
    before_birth,
    disclosed_before_birth,
)
from safeguard.forms import DateInput, DateTimeInput
from schools.models import Pupil

CHILD_ROWS = 4
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
YES_NO = [("yes", "Yes"), ("no", "No")]


def datetime_field(label, *, required=True, help_text="", error="Enter the date and time"):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=DateTimeInput(),
        error_messages={"required": error, "invalid": f"{error} in the right format"},
    )


def date_field(label, *, error):
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"required": error, "invalid": f"{error} in the right format"},
    )


def text(label, *, required=True, error="", help_text="", rows=None, max_length=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    field = forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=widget,
        max_length=max_length,
        strip=True,
    )
    if error:
        field.error_messages["required"] = error
    return field


def yes_no(label, *, error, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": error},
    )


def not_in_future(form, field):
    value = form.cleaned_data.get(field)
    if value and value > timezone.now():
        form.add_error(field, "The date and time cannot be in the future")


class VersionedForm(forms.Form):
    """A form that edits a concern: it carries the version it was shown, and a reason when
    it corrects a step already completed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, correction=False, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        if version is not None:
            self.fields["version"].initial = version
        if correction:
            self.fields["reason"] = text(
                "Reason for the correction",
                rows=2,
                error="Enter the reason for this correction",
                help_text="The record keeps the earlier version; say why it is being changed.",
            )

    def refresh_version(self, version: int) -> None:
        """After a refused stale edit, keep what was typed but point at the current version,
        so the user can check the record and submit again."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("reason", "")


class RecordFields(forms.Form):
    discloser_type = forms.ChoiceField(
        label="Who told you, or what did you see?",
        choices=DiscloserType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the disclosure"},
    )
    discloser_name = text("Their name", required=False, max_length=150)
    discloser_relationship = text(
        "Their relationship to the child",
        required=False,
        max_length=80,
        help_text="For example: mother, class teacher, the child's friend",
    )
    disclosed_at = datetime_field(
        "When was it disclosed or seen?", error="Enter the date and time of the disclosure"
    )
    location = text(
        "Where?",
        max_length=200,
        error="Enter where the disclosure happened",
        help_text="For example: the head's office, the playground, by phone",
    )
    account = text(
        "What was said, in the speaker's own words",
        rows=10,
        error="Write down what was said, in the speaker's own words",
        help_text="Write exactly what was said, as close to word for word as you can. "
        "Do not use acronyms. Record facts, not your opinion.",
    )
    categories = forms.MultipleChoiceField(
        label="What kind of concern is it?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one kind of concern"},
    )
    adult_involved = forms.ChoiceField(
        label="Is an adult believed to be involved in seeking images or contact?",
        choices=YesNoUnknown.choices,
        initial=YesNoUnknown.UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether an adult is involved"},
    )
    parent_wishes = text(
        "What do the parents or carers want to happen?",
        required=False,
        rows=3,
        help_text="Record their wishes. They do not decide whether the school refers.",
    )
    immediate_danger = yes_no(
        "Is anyone in immediate danger now?",
        error="Select whether anyone is in immediate danger now",
        help_text="If yes, call 999 now, then finish this form: the safeguarding team is "
        "alerted at once.",
    )
    other_children = forms.ChoiceField(
        label="Are other children involved, or may they be at risk?",
        help_text="For example friends who were sent the same messages, or at the same "
        "sleepover. Name each one below, or describe them if you do not know who they are.",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether other children are involved or at risk"},
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_objects = {str(c.pk): c for c in categories}
        self.fields["categories"].choices = [(str(c.pk), c.name) for c in categories]

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "disclosed_at")
        if cleaned.get("discloser_type") not in (None, DiscloserType.STAFF_OBSERVATION):
            if not cleaned.get("discloser_name"):
                self.add_error("discloser_name", "Enter the name of the person who told you")
        return cleaned

    @property
    def chosen_categories(self):
        return [self.category_objects[pk] for pk in self.cleaned_data["categories"]]

    def record_values(self) -> dict:
        data = self.cleaned_data
        return {
            "discloser_type": data["discloser_type"],
            "discloser_name": data["discloser_name"],
            "discloser_relationship": data["discloser_relationship"],
            "disclosed_at": data["disclosed_at"],
            "location": data["location"],
            "account": data["account"],
            "categories": self.chosen_categories,
            "adult_involved": data["adult_involved"],
            "parent_wishes": data["parent_wishes"],
            "immediate_danger": data["immediate_danger"],
            "other_children": data["other_children"],
        }


class ConcernRecordForm(PupilPicking, RecordFields):
    """The staff form. Up to four children, each found on the register by a search
    (`pupils`: those who may be named; `search_url`: where the pickers ask); the safeguarding
    team can add more later."""

    def __init__(self, *args, pupils: QuerySet[Pupil], search_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [("", "Choose their role"), *ChildRole.choices]
        for row in range(1, CHILD_ROWS + 1):
            first = row == 1
            # The row's legend says who the child is; the labels say which field is which.
            self.fields[f"child_{row}"] = PupilChoiceField(
                label="Child",
                required=first,
                error_messages={"required": "Choose the child the concern is about"},
            )
            self.fields[f"role_{row}"] = forms.ChoiceField(
                label="Their role in the concern",
                choices=roles,
                required=False,
                initial=ChildRole.SUBJECT if first else "",
            )
        self.fields["unnamed_children"] = text(
            "Children you cannot name yet",
            required=False,
            rows=3,
            help_text="Describe each child on a line of their own, for example “two friends "
            "at a sleepover” or “a boy in the year above, name not known”. Do not ask the "
            "child or anyone else to find out who they are: the safeguarding team will.",
        )
        # Fields appear on the page in this order; children after the categories.
        order = ["discloser_type", "discloser_name", "discloser_relationship", "disclosed_at"]
        order += ["location", "account"]
        order += [f"{f}_{row}" for row in range(1, CHILD_ROWS + 1) for f in ("child", "role")]
        order += ["other_children", "unnamed_children"]
        self.order_fields(order)
        self.pick_from(pupils, search_url=search_url)

    def child_rows(self):
        return [(self[f"child_{row}"], self[f"role_{row}"]) for row in range(1, CHILD_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        seen = set()
        for row in range(1, CHILD_ROWS + 1):
            pupil_id, role = cleaned.get(f"child_{row}"), cleaned.get(f"role_{row}")
            if not pupil_id:
                if role and row > 1:
                    self.add_error(f"child_{row}", "Choose the child, or clear their role")
                continue
            if pupil_id in seen:
                self.add_error(f"child_{row}", "This child is already named above")
            seen.add(pupil_id)
            if not role:
                self.add_error(f"role_{row}", "Choose the child's role in the concern")
        roles = [cleaned.get(f"role_{row}") for row in range(1, CHILD_ROWS + 1)]
        if cleaned.get("child_1") and ChildRole.SUBJECT not in roles:
            self.add_error("role_1", "Say which child the concern is about")
        others = [row for row in range(2, CHILD_ROWS + 1) if cleaned.get(f"child_{row}")]
        if cleaned.get("other_children") == YesNoUnknown.YES and not others and not self.unnamed():
            self.add_error(
                "other_children",
                "Name the other children, or describe them below if you do not know who they are",
            )
        if cleaned.get("other_children") == YesNoUnknown.NO and (others or self.unnamed()):
            self.add_error(
                "other_children",
                "You have named or described other children: select “Yes”",
            )
        named = [
            self.pupils[cleaned[f"child_{row}"]]
            for row in range(1, CHILD_ROWS + 1)
            if cleaned.get(f"child_{row}") in self.pupils
        ]
        disclosed_at = cleaned.get("disclosed_at")
        if named and disclosed_at:
            eldest = min(named, key=lambda pupil: pupil.date_of_birth)
            if before_birth(disclosed_at, eldest):
                self.add_error("disclosed_at", disclosed_before_birth(eldest))
        return cleaned

    def unnamed(self) -> list[str]:
        text_ = self.cleaned_data.get("unnamed_children", "")
        return [line.strip() for line in text_.splitlines() if line.strip()]

    def children(self) -> list[ChildInput]:
        return [
            ChildInput(
                pupil=self.pupils[self.cleaned_data[f"child_{row}"]],
                role=self.cleaned_data[f"role_{row}"],
            )
            for row in range(1, CHILD_ROWS + 1)
            if self.cleaned_data.get(f"child_{row}")
        ]


class CorrectRecordForm(RecordFields, VersionedForm):
    """The DSL team corrects the record; the original stays in the history."""


class NoteForm(forms.Form):
    text = text(
        "Add information",
        rows=5,
        error="Write the information you want to add",
        help_text="For example, something else the child or parent said later. It is added "
        "to the record with your name and the time; nothing is overwritten.",
    )


def spoken_to_field(name: str):
    return text(
        f"Who has spoken to {name} about this, and why?",
        rows=2,
        error=f"Say who has spoken to {name} about this, and why (or that no one has)",
        help_text="For example: “Class teacher, who listened when she came to him; no "
        "questions asked.” or “No one: her mother told us.” Listen, do not investigate: "
        "the school does not interview children.",
    )


class SafetyCheckForm(VersionedForm):
    """For every child named: safe now or not, and if not, what was done and when."""

    def __init__(self, *args, children: list[ConcernChild], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            name = child.pupil.full_name
            key = child.uuid.hex
            self.fields[f"safe_{key}"] = yes_no(
                f"Is {name} safe now?",
                error=f"Select whether {name} is safe now",
            )
            self.fields[f"spoken_to_{key}"] = spoken_to_field(name)
            self.fields[f"notes_{key}"] = text(
                "How do you know?",
                required=False,
                rows=2,
                help_text="For example: seen in class at 9:15; at home with mother.",
            )
            self.fields[f"action_{key}"] = text(
                "If not, what was done to make them safe?",
                required=False,
                rows=2,
                help_text="For example: 999 called, police attended.",
            )
            self.fields[f"action_at_{key}"] = datetime_field(
                "When was this done?", required=False, error="Enter when the action was taken"
            )
            if child.safety_checked and not self.is_bound:
                self.fields[f"safe_{key}"].initial = "yes" if child.safe_now else "no"
                self.fields[f"spoken_to_{key}"].initial = child.spoken_to
                self.fields[f"notes_{key}"].initial = child.safety_notes
                self.fields[f"action_{key}"].initial = child.safety_action
                self.fields[f"action_at_{key}"].initial = child.safety_action_at

    def child_groups(self):
        return [
            (
                child,
                [
                    self[f"{f}_{child.uuid.hex}"]
                    for f in ("safe", "spoken_to", "notes", "action", "action_at")
                ],
            )
            for child in self.children
        ]

    def clean(self):
        cleaned = super().clean()
        for child in self.children:
            key = child.uuid.hex
            if cleaned.get(f"safe_{key}") is False:
                if not cleaned.get(f"action_{key}"):
                    self.add_error(
                        f"action_{key}", f"Say what was done to make {child.pupil.full_name} safe"
                    )
                if not cleaned.get(f"action_at_{key}"):
                    self.add_error(f"action_at_{key}", "Enter when the action was taken")
            not_in_future(self, f"action_at_{key}")
        return cleaned

    def checks(self) -> list[SafetyCheckInput]:
        data = self.cleaned_data
        return [
            SafetyCheckInput(
                child=child,
                safe_now=data[f"safe_{child.uuid.hex}"],
                spoken_to=data[f"spoken_to_{child.uuid.hex}"],
                notes=data[f"notes_{child.uuid.hex}"],
                action=data[f"action_{child.uuid.hex}"],
                action_at=data[f"action_at_{child.uuid.hex}"],
            )
            for child in self.children
        ]


class AddChildForm(PupilPicking, forms.Form):
    pupil = PupilChoiceField(label="Child", error_messages={"required": "Choose the child to add"})
    role = forms.ChoiceField(
        label="Their role",
        choices=[("", "Choose their role"), *ChildRole.choices],
        error_messages={"required": "Choose the child's role in the concern"},
    )
    safe_now = yes_no("Is this child safe now?", error="Select whether this child is safe now")
    spoken_to = spoken_to_field("this child")
    safety_notes = text("How do you know?", required=False, rows=2)
    safety_action = text("If not, what was done to make them safe?", required=False, rows=2)
    safety_action_at = datetime_field(
        "When was this done?", required=False, error="Enter when the action was taken"
    )

    def __init__(
        self, *args, pupils: QuerySet[Pupil], search_url: str, needs_safety: bool, **kwargs
    ):
        super().__init__(*args, prefix="add", **kwargs)
        if not needs_safety:
            for name in (
                "safe_now",
                "spoken_to",
                "safety_notes",
                "safety_action",
                "safety_action_at",
            ):
                del self.fields[name]
        self.needs_safety = needs_safety
        self.pick_from(pupils, search_url=search_url)

    def clean(self):
        cleaned = super().clean()
        if self.needs_safety and cleaned.get("safe_now") is False:
            if not cleaned.get("safety_action"):
                self.add_error("safety_action", "Say what was done to make this child safe")
            if not cleaned.get("safety_action_at"):
                self.add_error("safety_action_at", "Enter when the action was taken")
        if self.needs_safety:
            not_in_future(self, "safety_action_at")
        return cleaned

    @property
    def chosen_pupil(self) -> Pupil:
        return self.pupils[self.cleaned_data["pupil"]]

    def safety(self) -> SafetyCheckInput | None:
        if not self.needs_safety:
            return None
        data = self.cleaned_data
        return SafetyCheckInput(
            safe_now=data["safe_now"],
            spoken_to=data["spoken_to"],
            notes=data["safety_notes"],
            action=data["safety_action"],
            action_at=data["safety_action_at"],
        )


class EvidenceItemForm(forms.Form):
    description = text(
        "What is the evidence?",
        rows=3,
        error="Describe the evidence",
        help_text="Describe it in words: for example, '14 WhatsApp messages from the "
        "username gamerfriend99 asking for pictures'. Never copy, forward or view images.",
    )
    platform = text("App or platform", required=False, max_length=120)
    usernames = text("Usernames, numbers or accounts involved", required=False, max_length=200)
    location = text(
        "Where is it?",
        max_length=200,
        error="Enter where the evidence is",
        help_text="For example: the mother's phone",
    )
    held_by = text("Who holds it?", max_length=150, error="Enter who holds the evidence")
    device_custody = text(
        "Device custody",
        required=False,
        max_length=200,
        help_text="Who has the device now, and whether it has been handed to the police",
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Document",
        help_text="A PDF, Word document, or plain text file, such as a letter or a "
        "completed body map. Never attach images of a child.",
        error_messages={"required": "Choose a file to attach"},
    )
    description = text("What is it?", max_length=200, error="Say what the document is")


class EvidenceAdviceForm(VersionedForm):
    advice_given_by = text(
        "Who told them not to delete anything?",
        max_length=150,
        error="Enter who gave the advice not to delete anything",
    )
    advice_given_to = text(
        "Who was told?",
        max_length=150,
        error="Enter who was given the advice",
        help_text="For example: the mother, Mrs Example",
    )
    advice_given_at = datetime_field(
        "When was the advice given?", error="Enter when the advice was given"
    )
    no_evidence_reason = text("If no evidence is described above, why not?", required=False, rows=2)
    payment_made = forms.ChoiceField(
        label="Has any money, gift card or anything else been paid?",
        help_text="Ask, but do not advise paying. What was paid, how and to whom is evidence "
        "for the police: it is recorded, not acted on.",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether anything has been paid"},
    )
    payment_details = text(
        "If so, what was paid, how and to whom?",
        required=False,
        rows=2,
        help_text="For example: “£50 by bank transfer on 3 November to an account named "
        "J Smith; the blackmailer's number and the bank details are kept.”",
    )

    def __init__(self, *args, extortion: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not extortion:
            del self.fields["payment_made"]
            del self.fields["payment_details"]

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "advice_given_at")
        if cleaned.get("payment_made") == YesNoUnknown.YES and not cleaned.get("payment_details"):
            self.add_error("payment_details", "Say what was paid, how and to whom")
        return cleaned


class AdviceGivenForm(forms.Form):
    """Which card's advice was given to the child or family, by whom, to whom and when."""

    card = forms.ChoiceField(
        label="Which advice?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the advice that was given"},
    )
    given_by = text("Who gave it?", max_length=150, error="Enter who gave the advice")
    given_to = text(
        "To whom?",
        max_length=150,
        error="Enter who was given the advice",
        help_text="For example: the child and his father, Mr Example",
    )
    given_at = datetime_field("When?", error="Enter when the advice was given")
    notes = text(
        "Anything to note",
        required=False,
        rows=2,
        help_text="For example: a leaflet given; what the family said they would do.",
    )

    def __init__(self, *args, cards: list[GuidanceCard], **kwargs):
        super().__init__(*args, prefix="advice_given", **kwargs)
        self.cards = {card.uuid.hex: card for card in cards}
        self.fields["card"].choices = [(card.uuid.hex, card.title) for card in cards]

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "given_at")
        return cleaned

    @property
    def chosen_card(self) -> GuidanceCard:
        return self.cards[self.cleaned_data["card"]]


class CriteriaForm(VersionedForm):
    """The UKCIS immediate-referral questions the app cannot answer from what it holds."""

    notes = text(
        "What the answers rest on",
        required=False,
        rows=3,
        help_text="For example: what the parent said about the messages. Do not view the "
        "images to answer: what is known of them is enough, and where unsure, answer "
        "“Not known”.",
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            if not criterion.asked:
                continue
            self.fields[criterion.key] = forms.ChoiceField(
                label=criterion.question,
                choices=YesNoUnknown.choices,
                widget=forms.RadioSelect,
                initial=criterion.answer or None,
                error_messages={"required": "Answer this question (“Not known” if unsure)"},
            )
        self.order_fields([c.key for c in criteria if c.asked] + ["notes", "reason"])

    @property
    def answers(self) -> dict[str, str]:
        return {c.key: self.cleaned_data[c.key] for c in self.criteria if c.asked}


class CountersignForm(VersionedForm):
    countersign_reason = text(
        "Your reason for agreeing",
        rows=3,
        error="Give your own reason for agreeing that the concern is not referred",
        help_text="Your own view, with what you relied on. If you do not agree, do not "
        "countersign: correct the decision instead.",
    )


class ReferralDecisionForm(VersionedForm):
    """Complete the referral step. The referrals themselves are recorded one by one first."""

    decision = forms.ChoiceField(
        label="Will the concern be referred?",
        choices=[
            (ReferralDecision.REFER, "Refer: the referrals recorded above"),
            (ReferralDecision.NOT_REFER, "Do not refer"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the concern will be referred"},
    )
    not_refer_ground = forms.ChoiceField(
        label="If not referring, on what ground?",
        help_text="These are the only grounds guidance accepts. A parent's or carer's wish is "
        "never a ground: it is recorded beside the decision.",
        choices=NotReferGround.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    not_refer_contact = text(
        "Who advised, or who is the child's social worker?",
        required=False,
        max_length=150,
        help_text="Name and service, for example “Sam Duty, Demoshire MASH”. For the "
        "advice or social worker grounds.",
    )
    not_refer_contact_at = datetime_field(
        "When did you speak to them?",
        required=False,
        error="Enter when you spoke to them",
    )
    threshold_level = text(
        "Which level of the local threshold document applies?",
        required=False,
        max_length=120,
        help_text="For the threshold ground. For example “Level 2: early help”.",
    )
    not_refer_advice = text(
        "What did they advise, or what will happen instead?",
        required=False,
        rows=3,
        help_text="For example: early help assessment offered; monitoring by the pastoral "
        "lead with weekly check-ins.",
    )
    not_refer_review_date = forms.DateField(
        label="When will the decision be reviewed?",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        help_text="For the threshold ground.",
        error_messages={"invalid": "Enter the review date in the right format"},
    )
    rationale = text(
        "Reasons for the decision",
        required=False,
        rows=4,
        help_text="Required when not referring. Say why, with the information you relied on.",
    )
    police_not_told_reason = text(
        "Why have the police not been told?",
        required=False,
        rows=2,
        help_text="An adult is believed to be involved: record a referral to the police "
        "above, or explain here why not.",
    )
    parents_informed = yes_no(
        "Have the parents or carers been told about this decision?",
        error="Select whether the parents or carers have been told",
    )
    parents_not_informed_reason = text(
        "If not, why not?",
        required=False,
        rows=2,
        help_text="For example: telling them could put the child at greater risk.",
    )

    NOT_REFER_FIELDS = (
        "not_refer_ground",
        "not_refer_contact",
        "not_refer_contact_at",
        "threshold_level",
        "not_refer_advice",
        "not_refer_review_date",
    )

    def __init__(
        self,
        *args,
        has_referrals: bool,
        police_not_referred: bool,
        must_refer: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.has_referrals = has_referrals
        # The question is asked only while the police must be told and no referral to
        # them is recorded.
        if not police_not_referred or must_refer:
            del self.fields["police_not_told_reason"]
        # Where an immediate-referral criterion is met, not referring is not offered.
        if must_refer:
            self.fields["decision"].choices = [
                (ReferralDecision.REFER, "Refer: the referrals recorded above")
            ]
            for name in self.NOT_REFER_FIELDS:
                del self.fields[name]
            self.fields["rationale"].help_text = "Say why, with the information you relied on."
        self.order_fields(
            ["version", "decision", *self.NOT_REFER_FIELDS, "rationale", "police_not_told_reason"]
        )

    def not_referring(self) -> NotReferring | None:
        data = self.cleaned_data
        if data.get("decision") != ReferralDecision.NOT_REFER:
            return None
        return NotReferring(
            ground=data.get("not_refer_ground", ""),
            contact=data.get("not_refer_contact", ""),
            contact_at=data.get("not_refer_contact_at"),
            advice=data.get("not_refer_advice", ""),
            threshold_level=data.get("threshold_level", ""),
            review_date=data.get("not_refer_review_date"),
        )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == ReferralDecision.REFER and not self.has_referrals:
            self.add_error(
                "decision", "Record the referral to each agency before completing this step"
            )
        if decision == ReferralDecision.NOT_REFER:
            self._clean_not_referring(cleaned)
        if (
            "police_not_told_reason" in self.fields
            and decision
            and not cleaned.get("police_not_told_reason")
        ):
            self.add_error(
                "police_not_told_reason",
                "An adult is involved: record a referral to the police, or explain why not",
            )
        if cleaned.get("parents_informed") is False and not cleaned.get(
            "parents_not_informed_reason"
        ):
            self.add_error(
                "parents_not_informed_reason",
                "Explain why the parents or carers have not been told",
            )
        return cleaned

    def _clean_not_referring(self, cleaned) -> None:
        if not cleaned.get("rationale"):
            self.add_error("rationale", "Explain why the concern is not being referred")
        ground = cleaned.get("not_refer_ground")
        if not ground:
            self.add_error("not_refer_ground", "Select the ground for not referring")
        if ground in (NotReferGround.ADVICE, NotReferGround.KNOWN):
            if not cleaned.get("not_refer_contact"):
                self.add_error(
                    "not_refer_contact",
                    "Enter who advised"
                    if ground == NotReferGround.ADVICE
                    else "Enter the name of the child's social worker",
                )
            if not cleaned.get("not_refer_contact_at") and "not_refer_contact_at" not in (
                self.errors
            ):
                self.add_error("not_refer_contact_at", "Enter when you spoke to them")
            not_in_future(self, "not_refer_contact_at")
        if ground == NotReferGround.ADVICE and not cleaned.get("not_refer_advice"):
            self.add_error("not_refer_advice", "Enter what they advised")
        if ground == NotReferGround.THRESHOLD:
            if not cleaned.get("threshold_level"):
                self.add_error("threshold_level", "Enter the level of the threshold document")
            if not cleaned.get("not_refer_advice"):
                self.add_error("not_refer_advice", "Enter what will happen instead")
            review = cleaned.get("not_refer_review_date")
            if review is None and "not_refer_review_date" not in self.errors:
                self.add_error("not_refer_review_date", "Enter the date of the review")
            elif review is not None and review <= timezone.localdate():
                self.add_error("not_refer_review_date", "The review date must be in the future")


class UnnamedChildForm(forms.Form):
    description = text(
        "Describe the child",
        rows=2,
        error="Describe the child",
        help_text="What is known, for example “a friend at the sleepover, about 9”. Do not "
        "question anyone to find out more: social care or the police will establish who "
        "they are.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="unnamed", **kwargs)


class PassOnForm(forms.Form):
    passed_to = text(
        "To whom was the information passed?",
        max_length=200,
        error="Enter to whom the information was passed",
        help_text="Service and person, for example “Demoshire MASH, Sam Duty” or “Police, "
        "PC Example, reference 1234”.",
    )
    passed_at = datetime_field("When?", error="Enter when the information was passed on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="pass", **kwargs)

    def clean(self):
        cleaned = super().clean()
        not_in_future(self, "passed_at")
        return cleaned


class FlagReviewForm(forms.Form):
    review_notes = text(
        "What you found and what follows",
        rows=3,
        error="Say what you found and what follows",
        help_text="For example: advice given to the member of staff about not questioning "
        "children; the other parents' contact passed to the police.",
    )


class GuidanceCardForm(forms.Form):
    """One of the school's own cards: local contacts and procedures."""

    title = text("Title", max_length=200, error="Enter a title for the card")
    categories = forms.MultipleChoiceField(
        label="Which kinds of concern does it apply to?",
        help_text="Leave all unticked for a card that applies to every concern (for example "
        "the MASH, LADO and police numbers).",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    report_to = text(
        "Whom to report to, and how",
        required=False,
        rows=4,
        help_text="For example: Demoshire MASH 01632 960 000 (out of hours 01632 960 001); "
        "LADO 01632 960 002; police 101, or 999 in an emergency.",
    )
    tell_family = text("What to tell the child and family", required=False, rows=4)
    when_told = text("When a child or parent tells you", required=False, rows=3)
    do_not = text("What not to do", required=False, rows=3)
    removal = text("Getting images removed", required=False, rows=3)
    reason = text(
        "Reason for the change",
        required=False,
        rows=2,
        help_text="Needed when changing a card: the earlier version is kept.",
    )

    def __init__(self, *args, categories, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_objects = {str(c.pk): c for c in categories}
        self.fields["categories"].choices = [(str(c.pk), c.name) for c in categories]
        self.editing = editing
        if not editing:
            del self.fields["reason"]

    def clean(self):
        cleaned = super().clean()
        if self.editing and not cleaned.get("reason"):
            self.add_error("reason", "Enter the reason for the change")
        parts = ("report_to", "tell_family", "when_told", "do_not", "removal")
        if not any(cleaned.get(name) for name in parts):
            self.add_error("report_to", "Write the guidance: at least one part of the card")
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "categories": [self.category_objects[pk] for pk in data["categories"]],
            "when_told": data["when_told"],
            "tell_family": data["tell_family"],
            "do_not": data["do_not"],
            "report_to": data["report_to"],
            "removal": data["removal"],
            "reason": data.get("reason", ""),
        }


class SupportActionForm(forms.Form):
    child = forms.ChoiceField(label="Child", error_messages={"required": "Choose the child"})
    action = text(
        "Support",
        rows=3,
        error="Describe the support",
        help_text="For example: weekly check-in with the pastoral lead; counselling referral; "
        "family liaison. Praise the child for telling.",
    )
    owner = text("Who is responsible?", max_length=150, error="Enter who is responsible")
    review_date = date_field("Review date", error="Enter the review date")

    def __init__(self, *args, children: list[ConcernChild], **kwargs):
        super().__init__(*args, prefix="support", **kwargs)
        self.children = {child.uuid.hex: child for child in children}
        self.fields["child"].choices = [("", "Choose a child")] + [
            (child.uuid.hex, f"{child.pupil.full_name} ({child.get_role_display().lower()})")
            for child in children
        ]

    @property
    def chosen_child(self) -> ConcernChild:
        return self.children[self.cleaned_data["child"]]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of follow-up",
        choices=FollowUpKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of follow-up"},
    )
    description = text("What will happen?", rows=3, error="Describe the follow-up")
    owner = text("Who is responsible?", max_length=150, error="Enter who is responsible")
    due_date = date_field("Due date", error="Enter the due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="followup", **kwargs)


class PlanSupportForm(VersionedForm):
    no_follow_up_reason = text(
        "If no school-wide follow-up is planned, why not?", required=False, rows=2
    )


class CloseForm(VersionedForm):
    outcome_summary = text(
        "Outcome",
        rows=5,
        error="Summarise the outcome",
        help_text="What happened, what is in place now, and what was agreed with other "
        "agencies. The record is kept, never deleted.",
    )


class CategoryForm(forms.Form):
    name = text("Name of the category", max_length=80, error="Enter the name of the category")
    involves_sexual_imagery = forms.BooleanField(
        label="Concerns in this category may involve sexual images of children "
        "(image and video uploads will be refused)",
        required=False,
    )
    adult_perpetrator = forms.BooleanField(
        label="An adult seeking images or contact from a child (the police must be told)",
        required=False,
    )
    is_online_safety = forms.BooleanField(label="This is an online-safety concern", required=False)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Assign to",
        error_messages={
            "required": "Choose who to assign the concern to",
            "invalid_choice": "Choose a member of the safeguarding team",
        },
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = {str(user.uuid): user for user in team}
        self.fields["assignee"].choices = [("", "Choose a person")] + [
            (uuid, user.full_name) for uuid, user in self.team.items()
        ]

    @property
    def chosen(self):
        return self.team[self.cleaned_data["assignee"]]


class SupportReviewForm(forms.Form):
    notes = text(
        "How is the support going?",
        rows=3,
        error="Say how the support is going",
        help_text="What the child, their family and the person responsible said.",
    )
    next_review_date = forms.DateField(
        label="Next review date",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={"invalid": "Enter the next review date as a real date"},
    )
    end = forms.BooleanField(label="End this support: it is no longer needed", required=False)

    def clean(self):
        cleaned = super().clean()
        if "next_review_date" in self.errors:
            return cleaned
        next_date, end = cleaned.get("next_review_date"), cleaned.get("end")
        if end and next_date:
            self.add_error("next_review_date", "Either set a next review date or end the support")
        elif not end and not next_date:
            self.add_error("next_review_date", "Enter the next review date, or end the support")
        return cleaned


class FollowUpDoneForm(forms.Form):
    completed_on = date_field("When was it done?", error="Enter the date it was done")
    notes = text(
        "What was done?",
        rows=3,
        error="Say what was done",
        help_text="For example: e-safety lessons taught to Years 3 to 6 in the week of 7 December.",
    )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date it was done cannot be in the future")
        return value
