"""The retention pages' forms: a review's outcome, and a legal hold placed or lifted. They
check and convert what was typed; the rules are the services' (retention.services), whose
refusals the views put back on the form."""

from django import forms

from concerns.forms import date_field, text


class KeepForm(forms.Form):
    """A file due for review, kept for a further period."""

    prefix = "keep"  # on the file's page beside the hold form, which also has a reason

    reason = text(
        "Why is the file kept for longer?",
        rows=4,
        error="Say why the file is kept for longer",
        help_text="For example: a sibling's case is still open, or the police asked the school "
        "to keep it.",
    )
    next_review_on = date_field("Next review date", error="Enter the next review date")


class HoldForm(forms.Form):
    prefix = "hold"

    reason = text(
        "Why is the file held?",
        rows=4,
        error="Say why the file is held",
        help_text="The inquiry or court case that may need it, and who asked, if anyone did.",
    )


class SchoolHoldForm(forms.Form):
    reason = text(
        "Why are the school's files held?",
        rows=4,
        error="Say why the school's files are held",
        help_text="The inquiry or court case that may need them, and who asked, if anyone did.",
    )


class LiftForm(forms.Form):
    lift_reason = text(
        "Why is the hold lifted?",
        rows=3,
        error="Say why the hold is lifted",
        help_text="For example: the inquiry has reported, or the case is over.",
    )


class DisposeForm(forms.Form):
    """A file due for review, proposed for disposal."""

    prefix = "dispose"

    reason = text(
        "Why is the file disposed of?",
        rows=4,
        error="Say why the file is disposed of",
        help_text="For example: reviewed at the child's 25th birthday; no inquiry, claim or "
        "request needs it, and no sibling's case is open.",
    )


class ConfirmDisposalForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked what is destroyed, and that nothing needs it. It cannot be undone.",
        error_messages={
            "required": "Tick to confirm that you have checked what is destroyed",
        },
    )


class WithdrawDisposalForm(forms.Form):
    withdraw_reason = text(
        "Why is the proposal withdrawn?",
        rows=3,
        error="Say why the proposal is withdrawn",
        help_text="For example: a claim has been made, or the child's sibling has a case open.",
    )
