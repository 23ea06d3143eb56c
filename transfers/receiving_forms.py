"""The forms of the receiving side (transfers/views/receiving.py): declining a file, importing a
package, and the receipt a school outside the deployment gives."""

import json

from django import forms

from safeguard import files
from transfers.models import DeclineReason
from transfers.pdf import document_from_package

# A package is text only (no images, no attachments' content): even a long file is well under.
TRANSFER_FILE_MAX_BYTES = 20 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"


class AcceptForm(forms.Form):
    """Accepting has nothing to fill in; the form carries a refusal back to the page."""


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you declining the file?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are declining the file"},
    )
    details = forms.CharField(
        label="Details for the sending school",
        help_text="Required if you choose another reason. Say where the child went, if you "
        "know. Do not write anything about the child.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "Details must be 2000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == DeclineReason.OTHER and not cleaned.get("details"):
            self.add_error("details", "Say why you are declining the file")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label="The file from the sending school",
        help_text="The encrypted package (a PDF), or the JSON file taken out of it. "
        f"Smaller than {files.size_text(TRANSFER_FILE_MAX_BYTES)}.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.json,application/pdf,application/json"}),
        error_messages={
            "required": "Choose the file to import",
            "empty": "The selected file is empty",
            "invalid": "Choose the file to import",
        },
    )
    password = forms.CharField(
        label="Password of the package",
        help_text="For a package (PDF) only: the sending school gives it to you by phone.",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
    )

    def clean(self):
        """The document inside the upload, read from a package with its password or as JSON:
        `cleaned_data["document"]`, for the service to check."""
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > TRANSFER_FILE_MAX_BYTES:
            self.add_error(
                "file",
                "The selected file must be smaller than "
                f"{files.size_text(TRANSFER_FILE_MAX_BYTES)}",
            )
            return cleaned
        content = upload.read()
        if content.startswith(PDF_SIGNATURE):
            password = cleaned.get("password", "")
            if not password:
                self.add_error(
                    "password", "Enter the password of the package: the sending school gives it"
                )
                return cleaned
            try:
                cleaned["document"] = document_from_package(content, password)
            except ValueError as error:
                field = "password" if "password" in str(error) else "file"
                self.add_error(field, str(error).removesuffix("."))
            return cleaned
        try:
            cleaned["document"] = json.loads(content.decode("utf-8"))
        except UnicodeDecodeError:
            self.add_error("file", "The file is not JSON: it is not text")
        except json.JSONDecodeError as error:
            self.add_error("file", f"The file is not JSON: {error}")
        return cleaned


class ReceiptForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 150 characters or fewer",
        },
    )
    school_name = forms.CharField(
        label="Your school",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={
            "required": "Enter the name of your school",
            "max_length": "The name of your school must be 200 characters or fewer",
        },
    )
