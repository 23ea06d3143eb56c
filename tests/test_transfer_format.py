"""docs/transfer-format.md documents the child protection file's JSON (transfers.document): every
key a real file carries is listed there, nothing listed is gone from the code, and the example
is a file Safeguard would read. So the page another school's system is built from can't drift.
"""

import json
import re
from pathlib import Path

from django.utils import timezone

from schools.models import HouseholdContact
from tests.factories import record_concern
from tests.test_chronology import add_guidance_rows, handled_in_school, work_through
from transfers.document import check_document, file_document

DOC = (Path(__file__).resolve().parent.parent / "docs" / "transfer-format.md").read_text()
# A decision's keys are there only when recorded (document._concern), so no one file has all.
ONLY_WHEN_RECORDED = "concerns[].decision."
# This child came with no file from a school before (tests/test_transfer_services.py sends one
# on with a second move).
EARLIER_PARTS = "earlier_parts[]."


def key_paths(value, prefix="") -> set[str]:
    """Every key of a document as a path: `child.household[].name`."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def documented_paths() -> set[str]:
    """The paths in the first column of the page's tables."""
    return set(re.findall(r"^\| `([^`]+)` \|", DOC, flags=re.M))


def test_every_key_of_a_real_file_is_documented_and_nothing_documented_is_gone(
    school, staff, dsl, deputy, pupils
):
    amelia = pupils[0]
    HouseholdContact.objects.create(
        pupil=amelia, name="Sarah Hart", relationship="Mother", parental_responsibility=True
    )
    # One concern taken through every step with every kind of record, and one handled in
    # school (a decision not to refer, countersigned), both naming Amelia.
    concern = work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)
    add_guidance_rows(concern, by=dsl)
    handled_in_school(school=school, staff=staff, dsl=dsl, deputy=deputy, pupils=pupils)
    document = file_document(
        pupil=amelia,
        reference="CPF-2027-0001",
        summary={"why_known": "a", "current_risks": "b", "plans": "c", "agencies": "d"},
        to_school_name="Riverside Academy",
        to_school_urn="100002",
        made_by=dsl,
        made_at=timezone.now(),
    )

    produced = key_paths(document)
    documented = documented_paths()

    assert sorted(produced - documented) == [], "keys the code writes that the page omits"
    gone = {
        path
        for path in documented - produced
        if not path.startswith((ONLY_WHEN_RECORDED, EARLIER_PARTS))
    }
    assert sorted(gone) == [], "keys the page lists that the code no longer writes"
    # The file has concerns with support, referrals, evidence, notes and history: the check
    # above looked inside every list.
    assert {"concerns[].support[].reviews[].by", "concerns[].history[].changes[].new"} <= produced


def test_the_example_is_a_file_safeguard_reads():
    example = DOC.split("```json", 1)[1].split("```", 1)[0]

    document = check_document(json.loads(example))

    assert key_paths(document) <= documented_paths()
