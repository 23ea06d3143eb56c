"""The child protection file as a PDF, drawn from its document (transfers.document), made like
every PDF of the app by referrals.pdf.render_pdf: tagged, OFFICIAL-SENSITIVE and page X of Y on
every page, text only.

A package for a school outside this deployment is that PDF with the JSON document attached
inside it (a PDF's embedded files), encrypted as one file under one password: one thing to
send, and another system can read the JSON out of it.
"""

import io
import json
from datetime import date, datetime

import pikepdf

from referrals.pdf import render_pdf

# Keys whose values are ISO dates or date-times in the document (docs/transfer-format.md).
_DATETIME_KEYS = {"at", "made_at", "recorded_at", "disclosed_at", "checked_at", "closed_at"}
_DATE_KEYS = {"date_of_birth", "leaving_date", "review_date", "ended_on"}


def readable(value, key: str = ""):
    """A copy of the document with its dates as dates, for templates to format."""
    if isinstance(value, dict):
        return {k: readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    if isinstance(value, str) and value:
        try:
            if key in _DATETIME_KEYS or key.endswith("_at"):
                return datetime.fromisoformat(value)
            if key in _DATE_KEYS:
                return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def file_pdf(document: dict, *, receipt_url: str = "") -> bytes:
    doc = readable(document)
    # What the layout of every PDF (referrals/pdf/base.html) names on each page: when the
    # file was made, by whom, and the school it is from.
    doc.update(
        generated_at=doc["made_at"],
        generated_by={"full_name": doc["made_by"]["name"]},
        school=doc["from_school"],
    )
    return render_pdf("transfers/pdf/file.html", {"doc": doc, "receipt_url": receipt_url})


def json_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def attachment_name(document: dict) -> str:
    return f"{document['reference']}.json"


def package_bytes(document: dict, *, receipt_url: str) -> bytes:
    """The PDF with the JSON document inside it (not yet encrypted)."""
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(file_pdf(document, receipt_url=receipt_url))) as pdf:
        pdf.attachments[attachment_name(document)] = pikepdf.AttachedFileSpec(
            pdf,
            json_bytes(document),
            description="The same file as JSON (docs/transfer-format.md)",
            mime_type="application/json",
        )
        pdf.save(output)
    return output.getvalue()


def document_from_package(content: bytes, password: str = "") -> dict:
    """The JSON document inside a package; ValueError if there is none (or the password is
    wrong)."""
    try:
        with pikepdf.open(io.BytesIO(content), password=password) as pdf:
            for name, spec in pdf.attachments.items():
                if name.endswith(".json"):
                    return json.loads(spec.get_file().read_bytes())
    except pikepdf.PasswordError:
        raise ValueError("The password does not open this package.") from None
    except pikepdf.PdfError:
        raise ValueError("This is not a package from Safeguard: it is not a PDF.") from None
    raise ValueError("This PDF has no child protection file inside it.")
