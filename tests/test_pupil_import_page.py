"""Importing pupils from the web: the page over schools.pupil_import (as `manage.py
import_pupils`), for the school's administrator and its safeguarding team."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from schools.models import Pupil
from tests.test_views_concerns import page_text

URL = reverse("pupil_import")
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _first_day_of_term(time_machine):
    # Ages in the sample files are checked against "today".
    time_machine.move_to(datetime.datetime(2026, 9, 1, 9, tzinfo=ZoneInfo("Europe/London")))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/csv")


def upload(client, file, **extra):
    return client.post(URL, {"file": file, **extra})


@pytest.mark.parametrize("persona", ["school_admin", "dsl", "deputy"])
def test_the_admin_and_the_dsl_team_import_and_see_what_was_rejected(
    persona, request, school, other_school
):
    user = request.getfixturevalue(persona)
    client = signed_in(user)

    response = upload(client, csv_file("pupils_bad.csv"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Pupils imported" in text
    assert "Created 2 Updated 0 Unchanged 0 Rejected 7" in text
    assert "7 rows were not imported" in text
    # Line 2's address runs over two lines, so the next row starts on line 4.
    assert (
        "Line 4 UPN 'B801200015009' fails the DfE check-letter test; check it against the MIS"
    ) in text
    assert "Line 5 Date of birth '31/02/2015' is not a real date" in text
    assert "Line 7 UPN K801200015008 is already on line 2" in text
    assert "Line 9 Contact 1 email 'not-an-email' is not a valid email address" in text
    assert sorted(
        Pupil.objects.filter(school=school).values_list("legal_last_name", flat=True)
    ) == [
        "Frost",
        "Moss",
    ]
    ella = Pupil.objects.get(upn="K801200015008")
    latest = Pupil.history.filter(id=ella.pk).latest("history_date")
    assert (latest.history_user_id, latest.history_change_reason) == (
        user.pk,
        "Imported from pupils_bad.csv",
    )
    assert not Pupil.objects.filter(school=other_school).exists()


def test_importing_the_same_file_again_changes_nothing(school, school_admin):
    client = signed_in(school_admin)
    upload(client, csv_file("pupils_good.csv"))
    history = Pupil.history.count()

    response = upload(client, csv_file("pupils_good.csv"))

    assert "Created 0 Updated 0 Unchanged 4 Rejected 0" in page_text(response)
    assert "Rows not imported" not in page_text(response)
    assert Pupil.history.count() == history


def test_checking_a_file_saves_nothing(school, dsl):
    response = upload(signed_in(dsl), csv_file("pupils_good.csv"), dry_run="on")

    text = page_text(response)
    assert "File checked: nothing was saved" in text
    assert "Would be created 4" in text
    assert not Pupil.objects.exists()


def test_a_file_that_cannot_be_read_imports_nothing(school, dsl):
    response = upload(signed_in(dsl), csv_file("pupils_missing_column.csv"))

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Nothing was imported: pupils_missing_column.csv is missing required column(s)" in text
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "pupils.csv",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "The selected file is not a CSV file (it looks like a PDF file)",
        ),
        (
            "pupils.csv",
            b"PK\x03\x04" + b"\x00" * 100,
            "The selected file is not a CSV file (it looks like an Excel workbook",
        ),
        ("pupils.csv", b"upn,name\x00\x01\x02\n", "it looks like a binary file"),
        ("pupils.csv", b"", "The selected file is empty"),
        (
            "pupils.csv",
            "upn,legal_first_name\nK801200015008,Zoë\n".encode("latin-1"),
            "is not UTF-8 text (first seen on line 2)",
        ),
    ],
)
def test_a_file_that_is_not_a_csv_is_refused_by_its_content(school, dsl, name, content, error):
    response = upload(signed_in(dsl), SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert error in page_text(response)
    assert not Pupil.objects.exists()


def test_a_file_over_the_size_limit_is_refused(school, dsl):
    big = b"upn,legal_first_name\n" + b"x" * (5 * 1024 * 1024)

    response = upload(signed_in(dsl), SimpleUploadedFile("pupils.csv", big))

    assert "The selected file must be smaller than 5 MB" in page_text(response)
    assert not Pupil.objects.exists()


def test_no_file_is_explained(school, dsl):
    response = signed_in(dsl).post(URL, {})

    assert "Choose the CSV file to import" in page_text(response)


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_other_roles_are_refused(persona, request, school):
    client = signed_in(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert upload(client, csv_file("pupils_good.csv")).status_code == 403
    assert not Pupil.objects.exists()


def test_another_schools_dsl_imports_into_their_own_school_only(school, other_school, other_dsl):
    upload(signed_in(other_dsl), csv_file("pupils_good.csv"))

    assert Pupil.objects.filter(school=other_school).count() == 4
    assert not Pupil.objects.filter(school=school).exists()


def test_anonymous_users_are_sent_to_sign_in(client, school):
    response = upload(client, csv_file("pupils_good.csv"))

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert not Pupil.objects.exists()
