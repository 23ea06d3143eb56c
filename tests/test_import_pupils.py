"""`manage.py import_pupils`: loading a school's pupils and contacts from its MIS export."""

import datetime
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from schools.models import Boarding, Gender, HouseholdContact, Pupil, School, User
from schools.pupil_import import pupils_import, upn_check_letter, upn_problem

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _first_day_of_term(settings, time_machine):
    # Ages in the sample files are checked against "today".
    time_machine.move_to(datetime.datetime(2026, 9, 1, 9, tzinfo=ZoneInfo("Europe/London")))
    # As in tests/conftest.py; repeated so this module stands on its own.
    settings.FETCH_MODE = "FETCH_RAISE"


@pytest.fixture
def oakfield(db):
    return School.objects.create(name="Oakfield Primary School")


@pytest.fixture
def riverside(db):
    return School.objects.create(name="Riverside Academy")


@pytest.fixture
def office_manager(db):
    return User.objects.create_user("office@oakfield.example", full_name="Olu Office")


def import_pupils(path, school, *args) -> str:
    out = io.StringIO()
    call_command("import_pupils", str(path), "--school", str(school.uuid), *args, stdout=out)
    return out.getvalue()


def history_count() -> int:
    return Pupil.history.count() + HouseholdContact.history.count()


# --- UPN check letter --------------------------------------------------------------------


@pytest.mark.parametrize(
    "upn",
    [
        "H801200001001",  # the DfE guidance's worked example
        "G80120000101A",  # ... and its temporary UPN, ending in a letter
        "L801200015001",
    ],
)
def test_valid_upns_pass_the_check_letter_test(upn):
    assert upn_check_letter(upn[1:]) == upn[0]
    assert upn_problem(upn) is None


@pytest.mark.parametrize(
    ("upn", "problem"),
    [
        ("Z801200001001", "fails the DfE check-letter test"),
        ("H80120000100", "has 12 characters"),
        ("8801200001001", "is not a check letter, 11 digits"),
        ("H8012000010A1", "is not a check letter, 11 digits"),
        ("O80120000101A", "is not a check letter"),  # I, O and S are never check letters
        ("G80120000101I", "is not a check letter"),  # ... nor a temporary UPN's last letter
    ],
)
def test_invalid_upns_are_explained(upn, problem):
    assert problem in upn_problem(upn)


# --- A good file -------------------------------------------------------------------------


def test_good_file_creates_pupils_with_contacts_and_history(oakfield, office_manager):
    out = import_pupils(DATA / "pupils_good.csv", oakfield, "--by", "office@oakfield.example")

    assert out.splitlines()[0] == "Created 4, updated 0, unchanged 0, rejected 0"
    amelia = Pupil.objects.get(school=oakfield, upn="L801200015001")
    assert (amelia.legal_first_name, amelia.legal_last_name, amelia.preferred_first_name) == (
        "Amelia",
        "Hart",
        "Millie",
    )
    assert amelia.date_of_birth == datetime.date(2017, 3, 14)
    assert amelia.gender == Gender.FEMALE
    assert (amelia.year_group, amelia.class_name) == ("Year 4", "4B")
    assert amelia.boarding == Boarding.WEEKLY
    assert amelia.address == "12 Orchard Road\nTestington\nTE1 2AB"
    mother, father = HouseholdContact.objects.filter(pupil=amelia).order_by("priority")
    assert (mother.name, mother.relationship, mother.email) == (
        "Sarah Hart",
        "Mother",
        "sarah.hart@example.com",
    )
    assert mother.parental_responsibility and mother.lives_with_child
    assert (father.name, father.parental_responsibility, father.lives_with_child) == (
        "David Hart",
        True,
        False,
    )
    bella = Pupil.objects.get(upn="A801200015002")
    assert bella.sen_disability and bella.sen_details == "Dyslexia"
    assert HouseholdContact.objects.filter(pupil=bella).count() == 1
    daniel = Pupil.objects.get(upn="C80120001507B")  # a temporary UPN
    assert daniel.gender == Gender.MALE and not daniel.sen_disability

    assert Pupil.objects.filter(school=oakfield).count() == 4
    assert HouseholdContact.objects.count() == 6
    history = Pupil.history.filter(upn="L801200015001").get()
    assert history.history_type == "+"
    assert history.history_change_reason == "Imported from pupils_good.csv"
    assert history.history_user_id == office_manager.pk
    contact_history = HouseholdContact.history.filter(id=mother.pk).get()
    assert contact_history.history_change_reason == "Imported from pupils_good.csv"
    assert contact_history.history_user_id == office_manager.pk


def test_reimporting_the_same_file_changes_nothing(oakfield):
    import_pupils(DATA / "pupils_good.csv", oakfield)
    rows_of_history = history_count()

    out = import_pupils(DATA / "pupils_good.csv", oakfield)

    assert out.splitlines()[0] == "Created 0, updated 0, unchanged 4, rejected 0"
    assert Pupil.objects.count() == 4
    assert HouseholdContact.objects.count() == 6
    assert history_count() == rows_of_history


def test_a_changed_row_updates_the_pupil_and_contact_with_a_reason(oakfield, office_manager):
    import_pupils(DATA / "pupils_good.csv", oakfield)

    out = import_pupils(DATA / "pupils_changed.csv", oakfield, "--by", office_manager.email)

    assert out.splitlines()[0] == "Created 0, updated 1, unchanged 3, rejected 0"
    amelia = Pupil.objects.get(upn="L801200015001")
    assert amelia.class_name == "4C"
    mother = HouseholdContact.objects.get(pupil=amelia, priority=1)
    assert mother.phone == "07700 900099"
    latest = Pupil.history.filter(upn="L801200015001").order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.class_name == "4C"
    assert latest.history_change_reason == "Imported from pupils_changed.csv"
    assert latest.history_user_id == office_manager.pk
    contact_versions = HouseholdContact.history.filter(id=mother.pk).order_by("history_id")
    assert [v.phone for v in contact_versions] == ["07700 900001", "07700 900099"]
    assert contact_versions.last().history_change_reason == "Imported from pupils_changed.csv"
    # The father's record didn't change, so it has no new version.
    father = HouseholdContact.objects.get(pupil=amelia, priority=2)
    assert HouseholdContact.history.filter(id=father.pk).count() == 1


def test_mis_headings_bom_and_uk_dates_are_understood(oakfield):
    out = import_pupils(DATA / "pupils_sims.csv", oakfield)

    assert out.splitlines()[0] == "Created 2, updated 0, unchanged 0, rejected 0"
    assert "Columns ignored: Admission Date" in out
    priya = Pupil.objects.get(upn="G801200015006")  # lower case in the file
    assert (priya.legal_first_name, priya.legal_last_name) == ("Priya", "Patel")
    assert priya.date_of_birth == datetime.date(2016, 4, 5)
    assert priya.boarding == Boarding.WEEKLY
    assert priya.class_name == "5A"
    assert priya.sen_disability  # "K": SEN support
    oliver = Pupil.objects.get(upn="T801200015005")
    assert oliver.date_of_birth == datetime.date(2018, 1, 9)
    assert oliver.boarding == Boarding.DAY
    kate = HouseholdContact.objects.get(pupil=oliver)
    assert (kate.name, kate.parental_responsibility, kate.lives_with_child) == (
        "Kate Smith",
        True,
        False,
    )


# --- Bad rows ----------------------------------------------------------------------------


def test_bad_rows_are_reported_by_line_and_good_rows_still_import(oakfield):
    out = import_pupils(DATA / "pupils_bad.csv", oakfield)

    assert out.splitlines() == [
        "Created 2, updated 0, unchanged 0, rejected 7",
        # Line 2's address runs over two lines, so the next row starts on line 4.
        "line 4: UPN 'B801200015009' fails the DfE check-letter test; check it against the MIS",
        "line 5: date of birth '31/02/2015' is not a real date",
        "line 6: legal first name is missing",
        "line 7: UPN K801200015008 is already on line 2",
        "line 8: gender 'Q' is not F, M or X (Female, Male or Other)",
        "line 9: contact 1 email 'not-an-email' is not a valid email address",
        "line 10: date of birth '1990-01-01' gives an age of 36; expected a pupil aged 2 to 20",
    ]
    assert set(Pupil.objects.values_list("upn", flat=True)) == {"K801200015008", "Z801200015009"}
    ella = Pupil.objects.get(upn="K801200015008")
    assert ella.address == "1 Long Road\nTestington"
    assert HouseholdContact.objects.get(pupil=ella).name == "Kim Frost"


def test_a_row_with_several_problems_lists_them_all(oakfield):
    rows = [{"UPN": "", "Forename": "", "Surname": "Moss", "DOB": "next week", "Gender": ""}]
    rows[0]["Year"] = "Year 3"

    result = pupils_import(school=oakfield, rows_or_file=rows)

    assert [str(r) for r in result.rejected] == [
        "line 2: UPN is missing; legal first name is missing; date of birth 'next week' is not "
        "in the form DD/MM/YYYY or YYYY-MM-DD; gender is missing"
    ]


# --- Unreadable files --------------------------------------------------------------------


def write(tmp_path, content: bytes) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda tmp: tmp / "nowhere.csv", "nowhere.csv does not exist"),
        (lambda tmp: DATA / "pupils_empty.csv", "pupils_empty.csv is empty"),
        (
            lambda tmp: DATA / "pupils_missing_column.csv",
            "pupils_missing_column.csv is missing required column(s) date_of_birth",
        ),
        (
            lambda tmp: write(tmp, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00"),
            "export.csv is not UTF-8 text",
        ),
        (
            lambda tmp: write(tmp, "upn,legal_first_name\nL801200015001,Zoë\n".encode("cp1252")),
            "export.csv is not UTF-8 text (first seen on line 2)",
        ),
        (lambda tmp: write(tmp, b"PK\x03\x04\x14\x00\x06\x00"), "looks like an Excel workbook"),
        (lambda tmp: write(tmp, b"upn\x00legal\x00\n"), "contains binary data"),
    ],
    ids=["not-found", "empty", "missing-column", "binary", "not-utf8", "xlsx", "nul-bytes"],
)
def test_an_unreadable_file_imports_nothing_and_fails(oakfield, tmp_path, make_file, message):
    with pytest.raises(CommandError) as error:
        import_pupils(make_file(tmp_path), oakfield)

    assert str(error.value).startswith("Nothing imported: ")
    assert message in str(error.value)
    assert not Pupil.objects.exists()
    assert history_count() == 0


def test_unknown_school_fails(db):
    with pytest.raises(CommandError, match="No school has the UUID or name 'Nowhere High'"):
        call_command("import_pupils", str(DATA / "pupils_good.csv"), "--school", "Nowhere High")


# --- Dry run, other schools, what is left alone ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_dry_run_reports_but_saves_nothing(oakfield):
    # transactional_db: the import's own transaction is the outermost one, as in production.
    out = import_pupils(DATA / "pupils_bad.csv", oakfield, "--dry-run")

    assert out.splitlines()[:2] == [
        "Dry run: nothing was saved.",
        "Created 2, updated 0, unchanged 0, rejected 7",
    ]
    assert not Pupil.objects.exists()
    assert not HouseholdContact.objects.exists()
    assert history_count() == 0


def test_school_can_be_given_by_exact_name(oakfield):
    out = io.StringIO()
    call_command(
        "import_pupils", str(DATA / "pupils_good.csv"), "--school", oakfield.name, stdout=out
    )

    assert out.getvalue().startswith("Created 4,")
    assert Pupil.objects.filter(school=oakfield).count() == 4


def test_another_schools_pupil_with_the_same_upn_is_untouched(oakfield, riverside):
    theirs = Pupil.objects.create(
        school=riverside,
        upn="L801200015001",
        legal_first_name="Amy",
        legal_last_name="Hartley",
        date_of_birth=datetime.date(2017, 1, 1),
        gender=Gender.FEMALE,
        year_group="Year 4",
    )

    out = import_pupils(DATA / "pupils_good.csv", oakfield)

    assert out.startswith("Created 4,")
    theirs.refresh_from_db()
    assert (theirs.legal_first_name, theirs.legal_last_name) == ("Amy", "Hartley")
    assert not HouseholdContact.objects.filter(pupil=theirs).exists()
    assert Pupil.history.filter(id=theirs.pk).count() == 1
    assert Pupil.objects.get(school=oakfield, upn="L801200015001").legal_first_name == "Amelia"


def test_columns_absent_from_the_file_and_blank_contacts_are_left_alone(oakfield):
    import_pupils(DATA / "pupils_good.csv", oakfield)
    # A narrower export: no ethnicity or contact columns beyond contact 1's name.
    rows = [
        {
            "upn": "L801200015001",
            "legal_first_name": "Amelia",
            "legal_last_name": "Hart",
            "date_of_birth": "2017-03-14",
            "gender": "F",
            "year_group": "Year 5",
            "contact1_name": "",
        }
    ]

    result = pupils_import(school=oakfield, rows_or_file=rows, source_name="summer.csv")

    assert (result.updated, result.rejected) == (1, [])
    amelia = Pupil.objects.get(upn="L801200015001")
    assert amelia.year_group == "Year 5"
    assert (amelia.ethnicity, amelia.class_name, amelia.preferred_first_name) == (
        "White - British",
        "4B",
        "Millie",
    )
    assert [c.name for c in HouseholdContact.objects.filter(pupil=amelia)] == [
        "Sarah Hart",
        "David Hart",
    ]
    assert Pupil.history.filter(id=amelia.pk).latest("history_id").history_change_reason == (
        "Imported from summer.csv"
    )
