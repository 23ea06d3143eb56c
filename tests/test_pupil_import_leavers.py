"""Leavers from the MIS import: a pupil's leaving date and destination, the destination linked
to a school in this deployment when it names one (issue 15)."""

import datetime
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import Pupil
from schools.pupil_import import pupils_import
from tests.factories import PupilFactory, SchoolFactory
from tests.test_views_concerns import page_text

TODAY = date(2026, 9, 1)
AMELIA = "L801200015001"  # a valid UPN


def row(**leaver) -> dict[str, str]:
    """Amelia's row of an MIS export, with the leaver columns given (headings as given)."""
    return {
        "UPN": AMELIA,
        "Forename": "Amelia",
        "Surname": "Hart",
        "DOB": "14/03/2017",
        "Gender": "F",
        "Year": "Year 4",
        **leaver,
    }


def run(school, *rows, name="leavers.csv", by=None):
    return pupils_import(
        school=school, rows_or_file=list(rows), source_name=name, by=by, today=TODAY
    )


@pytest.fixture
def amelia(school):
    return PupilFactory(
        school=school,
        upn=AMELIA,
        legal_first_name="Amelia",
        legal_last_name="Hart",
        date_of_birth=date(2017, 3, 14),
        gender="F",
        year_group="Year 4",
    )


def reload(pupil) -> Pupil:
    return Pupil.objects.select_related("destination_school").get(pk=pupil.pk)


# --- Leaving date and destination ---------------------------------------------------------


def test_a_leaving_date_and_destination_are_imported_with_a_history_row(school, amelia, dsl):
    result = run(
        school,
        row(**{"Leaving Date": "17/07/2027", "Destination": "Northgate High School"}),
        by=dsl,
    )

    assert (result.updated, result.rejected) == (1, [])
    amelia = reload(amelia)
    assert amelia.leaving_date == date(2027, 7, 17)
    assert amelia.destination == "Northgate High School"
    # Not a school in this deployment: the text is kept, and linked to nothing.
    assert amelia.destination_school is None
    assert amelia.destination_name == "Northgate High School"
    latest = Pupil.history.filter(id=amelia.pk).latest("history_id")
    assert (latest.leaving_date, latest.destination) == (date(2027, 7, 17), "Northgate High School")
    assert (latest.history_change_reason, latest.history_user_id) == (
        "Imported from leavers.csv",
        dsl.pk,
    )


@pytest.mark.parametrize(
    ("leaving", "destination"),
    [
        ("Date of Leaving", "Next School"),
        ("Leave Date", "New School"),
        ("Date Left", "Destination School"),
        ("Leaving", "destination"),
        ("leaving_date", "Destination"),
    ],
)
def test_mis_headings_for_leavers_are_understood(school, leaving, destination):
    result = run(school, row(**{leaving: "2026-07-17", destination: "Northgate High School"}))

    assert (result.created, result.rejected, result.ignored_columns) == (1, [], ())
    pupil = Pupil.objects.get(upn=AMELIA)
    assert (pupil.leaving_date, pupil.destination) == (date(2026, 7, 17), "Northgate High School")


def test_a_new_pupil_can_arrive_already_leaving(school):
    run(school, row(**{"Leaving Date": "2026-12-18"}))

    assert Pupil.objects.get(upn=AMELIA).leaving_date == date(2026, 12, 18)


def test_blank_leaving_date_and_destination_leave_what_is_recorded(school, amelia, other_school):
    amelia.leaving_date, amelia.destination = date(2027, 7, 17), "Riverside Academy"
    amelia.destination_school = other_school
    amelia.save()
    versions = Pupil.history.filter(id=amelia.pk).count()

    result = run(school, row(**{"Leaving Date": "", "Destination": "  "}))

    assert (result.unchanged, result.updated, result.rejected) == (1, 0, [])
    amelia = reload(amelia)
    assert amelia.leaving_date == date(2027, 7, 17)
    assert (amelia.destination, amelia.destination_school) == ("Riverside Academy", other_school)
    assert Pupil.history.filter(id=amelia.pk).count() == versions


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("31/02/2027", "leaving date '31/02/2027' is not a real date"),
        (
            "July 2027",
            "leaving date 'July 2027' is not in the form DD/MM/YYYY or YYYY-MM-DD",
        ),
        ("17.07.2027", "leaving date '17.07.2027' is not in the form DD/MM/YYYY or YYYY-MM-DD"),
        ("2016-09-01", "leaving date '2016-09-01' is before the date of birth"),
        ("02/09/2027", "leaving date '02/09/2027' is more than a year from today"),
    ],
)
def test_a_bad_leaving_date_rejects_the_row_and_says_why(school, amelia, cell, reason):
    result = run(school, row(**{"Leaving Date": cell, "Year": "Year 5"}))

    assert [str(rejected) for rejected in result.rejected] == [f"line 2: {reason}"]
    # Nothing of the row is imported, not even its good cells.
    amelia = reload(amelia)
    assert (amelia.leaving_date, amelia.year_group) == (None, "Year 4")
    assert Pupil.history.filter(id=amelia.pk).count() == 1


def test_a_leaving_date_a_year_from_today_is_accepted(school, amelia):
    result = run(school, row(**{"Leaving Date": "01/09/2027"}))

    assert result.rejected == []
    assert reload(amelia).leaving_date == date(2027, 9, 1)


# --- A destination in this deployment -----------------------------------------------------


def test_a_destination_naming_another_school_is_linked_to_it(school, amelia, other_school):
    # Compared ignoring case and the spaces around it.
    run(school, row(Destination="  riverside ACADEMY "))

    amelia = reload(amelia)
    assert amelia.destination == "riverside ACADEMY"
    assert amelia.destination_school == other_school
    assert amelia.destination_name == "Riverside Academy"
    latest = Pupil.history.filter(id=amelia.pk).latest("history_id")
    assert latest.destination_school_id == other_school.pk


def test_a_destination_giving_another_schools_urn_is_linked_to_it(school, amelia, other_school):
    other_school.urn = "100002"
    other_school.save()

    run(school, row(Destination="100002"))

    amelia = reload(amelia)
    assert (amelia.destination, amelia.destination_school) == ("100002", other_school)
    assert amelia.destination_name == "Riverside Academy"


@pytest.mark.parametrize("cell", ["Oakfield Primary School", "oakfield primary school", "100001"])
def test_a_destination_naming_the_pupils_own_school_rejects_the_row(school, amelia, cell):
    school.urn = "100001"
    school.save()

    result = run(school, row(**{"Leaving Date": "17/07/2027", "Destination": cell}))

    assert [str(rejected) for rejected in result.rejected] == [
        f"line 2: destination '{cell}' is this school; give the school the pupil is moving to"
    ]
    amelia = reload(amelia)
    assert (amelia.leaving_date, amelia.destination, amelia.destination_school) == (None, "", None)


def test_a_name_shared_by_this_school_and_another_asks_for_the_urn(school, amelia):
    SchoolFactory(name=school.name, urn="100009")

    result = run(school, row(Destination=school.name))

    assert [str(rejected) for rejected in result.rejected] == [
        "line 2: destination 'Oakfield Primary School' is the name of this school and another; "
        "give the other school's URN"
    ]


def test_a_name_two_other_schools_share_is_kept_as_text_and_linked_to_neither(school, amelia):
    SchoolFactory(name="St Mary's Primary School")
    SchoolFactory(name="St Mary's Primary School")

    result = run(school, row(Destination="St Mary's Primary School"))

    assert result.rejected == []
    amelia = reload(amelia)
    assert (amelia.destination, amelia.destination_school) == ("St Mary's Primary School", None)


def test_the_same_destination_again_keeps_the_school_it_is_linked_to(school, amelia, other_school):
    # Linked by hand: the MIS spells the school its own way.
    amelia.destination, amelia.destination_school = "Riverside", other_school
    amelia.save()
    versions = Pupil.history.filter(id=amelia.pk).count()

    result = run(school, row(Destination="RIVERSIDE"))

    assert result.unchanged == 1
    assert reload(amelia).destination_school == other_school
    assert Pupil.history.filter(id=amelia.pk).count() == versions


def test_the_same_destination_is_linked_once_the_school_is_here(school, amelia, other_school):
    # Imported before Riverside Academy used Safeguard.
    amelia.destination = "Riverside Academy"
    amelia.save()

    result = run(school, row(Destination="Riverside Academy"))

    assert result.updated == 1
    assert reload(amelia).destination_school == other_school


def test_a_changed_destination_is_linked_afresh(school, amelia, other_school):
    amelia.destination, amelia.destination_school = "Riverside", other_school
    amelia.save()

    result = run(school, row(Destination="Northgate High School"))

    assert result.updated == 1
    amelia = reload(amelia)
    assert (amelia.destination, amelia.destination_school) == ("Northgate High School", None)
    assert amelia.destination_name == "Northgate High School"


def test_schools_are_looked_up_once_for_the_whole_file(school, other_school):
    rows = [
        row(UPN=upn, Destination="Riverside Academy")
        for upn in ("L801200015001", "A801200015002", "C80120001507B")
    ]

    with CaptureQueriesContext(connection) as queries:
        result = run(school, *rows)

    assert (result.created, result.rejected) == (3, [])
    assert set(Pupil.objects.values_list("destination_school", flat=True)) == {other_school.pk}
    school_table = '"schools_school"'
    assert sum(school_table in q["sql"].split(" WHERE ")[0] for q in queries.captured_queries) == 1


def test_a_file_without_a_destination_column_looks_up_no_school(school, amelia):
    with CaptureQueriesContext(connection) as queries:
        run(school, row(**{"Leaving Date": "17/07/2027"}))

    assert not any('FROM "schools_school"' in q["sql"] for q in queries.captured_queries)


# --- The import page ----------------------------------------------------------------------


def test_the_import_page_explains_the_leaver_columns_and_their_problems(school, school_admin):
    client = Client()
    client.force_login(school_admin)
    url = reverse("pupil_import")

    assert "For leavers, add a Leaving Date column (DD/MM/YYYY) and a Destination column" in (
        page_text(client.get(url))
    )

    export = (
        "UPN,Forename,Surname,DOB,Gender,Year,Leaving Date,Destination\r\n"
        "L801200015001,Amelia,Hart,14/03/2017,F,Year 6,17/07/2027,Riverside Academy\r\n"
        "A801200015002,Bella,Jones,02/11/2016,F,Year 6,31/06/2027,\r\n"
    )
    with time_machine.travel(datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC), tick=False):
        response = client.post(
            url, {"file": SimpleUploadedFile("leavers.csv", export.encode(), "text/csv")}
        )

    text = page_text(response)
    assert "Created 1 Updated 0 Unchanged 0 Rejected 1" in text
    assert "Line 3 Leaving date '31/06/2027' is not a real date" in text
    assert Pupil.objects.get(upn=AMELIA).leaving_date == date(2027, 7, 17)
