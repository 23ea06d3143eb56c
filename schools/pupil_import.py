"""Import pupils and their household contacts from a school MIS export (SIMS, Arbor, ...).

`read_pupil_file` turns a CSV into rows, or refuses a file it cannot read;
`pupils_import` validates each row and creates or updates the school's pupils.

Leavers come the same way: a leaving date and a destination, as the MIS records them. A
destination that names another school in this deployment (by its name or URN) is linked to
it, so that the child's file can be sent there.
"""

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from safeguard import files
from schools.models import Boarding, Gender, HouseholdContact, Pupil, School, User

# A path, an open file (text or bytes), or rows already read, e.g. by csv.DictReader.
ImportSource = str | os.PathLike | IO[str] | IO[bytes] | Iterable[Mapping[str, str]]

# --- Unique Pupil Number ------------------------------------------------------------------

# The DfE UPN (UK Government Data Standards Catalogue, "Unique Pupil Number" v2.0; DfE
# "Unique pupil numbers" guidance): a check letter, then 12 characters: LA number (3),
# establishment number (4), year of issue (2), serial (3). A temporary UPN ends in a
# letter instead of the last serial digit. The check letter is the sum of each of
# characters 2 to 13 times its position, modulo 23, read off this alphabet (no I, O or S);
# a temporary UPN's final letter counts as its index in the same alphabet. Worked
# examples from the DfE guidance: H801200001001 and, temporary, G80120000101A.
# We don't check the LA number against the DfE list: it changes, and the MIS has already.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_FORMAT = re.compile(rf"[{UPN_LETTERS}]\d{{11}}[\d{UPN_LETTERS}]")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters of a UPN that follow it."""
    if not _UPN_FORMAT.fullmatch("A" + body):
        raise ValueError(f"{body!r} is not 11 digits followed by a digit or a UPN letter")
    total = sum(
        position * (int(char) if char.isdigit() else UPN_LETTERS.index(char))
        for position, char in enumerate(body, start=2)
    )
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why `upn` (already upper-cased) is not a valid UPN, or None if it is."""
    if len(upn) != 13:
        return f"UPN '{upn}' has {len(upn)} characters; a UPN has 13"
    if not _UPN_FORMAT.fullmatch(upn):
        return (
            f"UPN '{upn}' is not a check letter, 11 digits and a final digit "
            "(or a letter, for a temporary UPN)"
        )
    if upn[0] != upn_check_letter(upn[1:]):
        return f"UPN '{upn}' fails the DfE check-letter test; check it against the MIS"
    return None


# --- Columns ------------------------------------------------------------------------------

# Canonical column name -> other headings MIS exports use for it. Headings are compared
# ignoring case, spaces and punctuation, so "Legal Surname", "legal_surname" and
# " LEGAL-SURNAME " are the same.
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("Unique Pupil Number", "Pupil UPN"),
    "legal_first_name": (
        "Legal Forename",
        "Legal Forenames",
        "Forename",
        "Forenames",
        "First Name",
    ),
    "legal_last_name": ("Legal Surname", "Surname", "Last Name", "Family Name"),
    "preferred_first_name": ("Preferred Forename", "Chosen Forename", "Known As"),
    "preferred_last_name": ("Preferred Surname", "Chosen Surname"),
    "date_of_birth": ("DOB", "Birth Date"),
    "gender": ("Sex",),
    "year_group": ("Year", "NC Year", "Year Group Name"),
    "class": ("Class Name", "Reg Group", "Registration Group", "Form", "Tutor Group"),
    "boarding": ("Boarder", "Boarder Status", "Boarding Status"),
    "first_language": ("Language", "Home Language"),
    "ethnicity": ("Ethnic Group", "Ethnicity Description"),
    "sen": ("SEN Status", "SEN or Disability", "SEND"),
    "sen_details": ("SEN Need", "SEND Details", "SEN or Disability Details"),
    "address": ("Home Address", "Pupil Address"),
    "leaving_date": ("Leaving Date", "Date of Leaving", "Leave Date", "Date Left", "Leaving"),
    "destination": ("Destination", "Destination School", "Next School", "New School"),
}
CONTACT_PRIORITIES = (1, 2)
for _n in CONTACT_PRIORITIES:
    COLUMNS |= {
        f"contact{_n}_name": (f"Contact {_n}",),
        f"contact{_n}_relationship": (f"Contact {_n} Relation",),
        f"contact{_n}_phone": (f"Contact {_n} Telephone", f"Contact {_n} Mobile"),
        f"contact{_n}_email": (f"Contact {_n} Email Address",),
        f"contact{_n}_address": (),
        f"contact{_n}_parental_responsibility": (f"Contact {_n} PR",),
        f"contact{_n}_lives_with": (f"Contact {_n} Lives With Pupil",),
    }

REQUIRED_COLUMNS = (
    "upn",
    "legal_first_name",
    "legal_last_name",
    "date_of_birth",
    "gender",
    "year_group",
)

# Columns copied as text: column -> Pupil field.
_PUPIL_TEXT_FIELDS = {
    "legal_first_name": "legal_first_name",
    "legal_last_name": "legal_last_name",
    "preferred_first_name": "preferred_first_name",
    "preferred_last_name": "preferred_last_name",
    "year_group": "year_group",
    "class": "class_name",
    "first_language": "first_language",
    "ethnicity": "ethnicity",
    "sen_details": "sen_details",
    "address": "address",
}
_CONTACT_FIELDS = {
    "name": "name",
    "relationship": "relationship",
    "phone": "phone",
    "email": "email",
    "address": "address",
    "parental_responsibility": "parental_responsibility",
    "lives_with": "lives_with_child",
}


def _heading_key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.lower())


_COLUMN_BY_KEY = {
    _heading_key(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)
}


# --- Reading the file ---------------------------------------------------------------------


class PupilFileError(Exception):
    """The file cannot be read as a pupil export, so nothing was imported."""


@dataclass(frozen=True)
class SourceRow:
    line: int  # the file's line number where the row starts; the header is line 1
    values: dict[str, str]  # canonical column -> cell, stripped
    extra_cells: int = 0  # non-blank cells beyond the header's width


@dataclass(frozen=True)
class PupilFile:
    name: str
    columns: frozenset[str]
    ignored_columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]


def read_pupil_file(source: ImportSource, *, name: str | None = None) -> PupilFile:
    """Read an MIS export; raise PupilFileError if it can't be read as one."""
    if isinstance(source, str | os.PathLike):
        name = name or Path(source).name
        text = _decode(_read_path(Path(source)), name)
    elif hasattr(source, "read"):
        name = name or Path(getattr(source, "name", "") or "upload").name
        content = source.read()
        text = (
            content.removeprefix("\ufeff") if isinstance(content, str) else _decode(content, name)
        )
    else:
        return _file_from_mappings(list(source), name or "rows")

    if "\x00" in text:
        raise PupilFileError(f"{name} is not a CSV file: it contains binary data")
    if not text.strip():
        raise PupilFileError(f"{name} is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        positions, ignored = _map_header(header, name)
        rows = []
        end_of_previous = reader.line_num
        for cells in reader:
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(
                SourceRow(
                    line=line,
                    values={
                        column: cells[index].strip() if index < len(cells) else ""
                        for column, index in positions.items()
                    },
                    extra_cells=sum(1 for cell in cells[len(header) :] if cell.strip()),
                )
            )
    except csv.Error as error:
        raise PupilFileError(f"{name} line {reader.line_num} is not valid CSV: {error}") from error
    return PupilFile(name, frozenset(positions), ignored, tuple(rows))


def _read_path(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PupilFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise PupilFileError(f"{path} is a folder, not a CSV file") from None
    except OSError as error:
        raise PupilFileError(f"cannot read {path}: {error.strerror}") from error


def _decode(content: bytes, name: str) -> str:
    if files.is_zip(content):
        raise PupilFileError(
            f"{name} looks like an Excel workbook, not a CSV file; "
            "export it from the MIS as 'CSV UTF-8'"
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise PupilFileError(
            f"{name} is not UTF-8 text (first seen on line {line}); "
            "export it from the MIS as 'CSV UTF-8'"
        ) from error


def _map_header(header: list[str], name: str) -> tuple[dict[str, int], tuple[str, ...]]:
    """Canonical column -> position in the row, and the headings we don't use."""
    positions: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(header):
        column = _COLUMN_BY_KEY.get(_heading_key(heading))
        if column is None:
            if heading.strip():
                ignored.append(heading.strip())
        elif column in positions:
            raise PupilFileError(
                f"{name} has two columns for {column}: "
                f"'{header[positions[column]].strip()}' and '{heading.strip()}'"
            )
        else:
            positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "none"
        raise PupilFileError(
            f"{name} is missing required column(s) {', '.join(missing)} in its header row "
            f"(line 1). Columns found: {found}"
        )
    return positions, tuple(ignored)


def _file_from_mappings(rows: list[Mapping[str, str]], name: str) -> PupilFile:
    if not rows:
        raise PupilFileError(f"{name} is empty")
    header = list(rows[0])
    positions, ignored = _map_header(header, name)
    return PupilFile(
        name,
        frozenset(positions),
        ignored,
        tuple(
            # Line numbers as in the CSV the rows came from, assuming one line a row.
            SourceRow(
                line=number,
                values={c: (row.get(header[i]) or "").strip() for c, i in positions.items()},
            )
            for number, row in enumerate(rows, start=2)
        ),
    )


# --- Checking a row -----------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
YOUNGEST, OLDEST = 2, 20

_GENDERS = {
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "x": Gender.OTHER,
    "other": Gender.OTHER,
    "notstated": Gender.OTHER,
    "otherornotstated": Gender.OTHER,
}
# Our own words and the school census boarder indicator (N, W, B) as MIS exports spell it.
_BOARDING = {
    "": Boarding.DAY,
    "day": Boarding.DAY,
    "daypupil": Boarding.DAY,
    "n": Boarding.DAY,
    "notaboarder": Boarding.DAY,
    "weekly": Boarding.WEEKLY,
    "weeklyboarder": Boarding.WEEKLY,
    "w": Boarding.WEEKLY,
    "boardersixnightsorless": Boarding.WEEKLY,
    "full": Boarding.FULL,
    "fullboarder": Boarding.FULL,
    "b": Boarding.FULL,
    "boardersevennights": Boarding.FULL,
}
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
# SEN provision codes in SIMS/Arbor exports: K SEN support, E EHC plan, S statement (legacy).
_SEN_YES = _YES | {"k", "e", "s"}


@dataclass(frozen=True)
class ContactData:
    priority: int
    values: dict[str, Any]  # HouseholdContact field -> value, for the columns in the file


@dataclass(frozen=True)
class PupilData:
    line: int
    upn: str
    values: dict[str, Any]  # Pupil field -> value, for the columns in the file
    contacts: tuple[ContactData, ...]


def _parse_date(text: str, label: str) -> date:
    """The date in `text`, DD/MM/YYYY or YYYY-MM-DD; ValueError with a user-facing message."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = map(int, match.groups())
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = map(int, match.groups())
    else:
        raise ValueError(f"{label} '{text}' is not in the form DD/MM/YYYY or YYYY-MM-DD")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{label} '{text}' is not a real date") from None


def parse_date_of_birth(text: str, *, today: date) -> date:
    """The date in `text`; ValueError with a user-facing message if it isn't a child's."""
    born = _parse_date(text, "date of birth")
    if born > today:
        raise ValueError(f"date of birth '{text}' is in the future")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not YOUNGEST <= age <= OLDEST:
        raise ValueError(
            f"date of birth '{text}' gives an age of {age}; "
            f"expected a pupil aged {YOUNGEST} to {OLDEST}"
        )
    return born


# An MIS records a leaver when the move is known, a term or so ahead; a leaving date further
# off than this is a slip of the keyboard (2062 for 2026), not a plan.
LEAVING_DATE_AHEAD = relativedelta(years=1)


def parse_leaving_date(text: str, *, born: date | None, today: date) -> date:
    """The leaving date in `text`; ValueError with a user-facing message if it can't be."""
    left = _parse_date(text, "leaving date")
    if born is not None and left < born:
        raise ValueError(f"leaving date '{text}' is before the date of birth")
    if left > today + LEAVING_DATE_AHEAD:
        raise ValueError(f"leaving date '{text}' is more than a year from today")
    return left


def _school_key(text: str) -> str:
    return text.strip().casefold()


@dataclass(frozen=True)
class Destinations:
    """The schools of this deployment that a destination cell can name, by name or URN,
    read once for an import."""

    school_pk: int  # the importing school's own
    by_key: dict[str, frozenset[int]]  # _school_key(name or URN) -> the schools it names

    @classmethod
    def for_school(cls, school: School) -> "Destinations":
        by_key: dict[str, frozenset[int]] = {}
        for pk, name, urn in School.objects.values_list("pk", "name", "urn"):
            for key in {_school_key(name), _school_key(urn)} - {""}:
                by_key[key] = by_key.get(key, frozenset()) | {pk}
        return cls(school.pk, by_key)

    def school_for(self, text: str, problems: list[str]) -> int | None:
        """The pk of the other school `text` names, if exactly one; a problem if it names
        the importing school."""
        named = self.by_key.get(_school_key(text), frozenset())
        if self.school_pk in named:
            if len(named) == 1:
                problems.append(
                    f"destination '{text}' is this school; give the school the pupil is moving to"
                )
            else:
                problems.append(
                    f"destination '{text}' is the name of this school and another; "
                    "give the other school's URN"
                )
            return None
        # Two other schools of one name: keep the text and link neither.
        return next(iter(named)) if len(named) == 1 else None


def _text(cell: str) -> str:
    # Line endings inside a quoted cell vary by exporter; store one kind so that
    # re-importing the same address from another export is not seen as a change.
    return cell.replace("\r\n", "\n").replace("\r", "\n")


def _yes_no(text: str, label: str, problems: list[str], *, default: bool, yes=_YES) -> bool:
    key = text.lower()
    if not key:
        return default
    if key in yes:
        return True
    if key in _NO:
        return False
    problems.append(f"{label} '{text}' is not Y or N")
    return default


def _too_long(model: type[models.Model], values: dict[str, Any], prefix: str = "") -> list[str]:
    problems = []
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        limit = getattr(model_field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(f"{prefix}{model_field.verbose_name} is longer than {limit} characters")
    return problems


def clean_pupil_row(
    row: SourceRow,
    *,
    columns: frozenset[str],
    today: date,
    destinations: Destinations | None = None,
) -> PupilData | list[str]:
    """The row's pupil and contacts, or the reasons it can't be imported. A destination is
    linked to a school among `destinations` when it names one."""
    raw = row.values
    problems: list[str] = []
    if row.extra_cells:
        problems.append(
            f"has {row.extra_cells} more value(s) than there are columns "
            "(an unquoted comma in an address?)"
        )

    upn = raw["upn"].upper()
    if not upn:
        problems.append("UPN is missing")
    elif problem := upn_problem(upn):
        problems.append(problem)

    values: dict[str, Any] = {}
    for column, field_name in _PUPIL_TEXT_FIELDS.items():
        if column in columns:
            values[field_name] = _text(raw[column])
    for column, label in (
        ("legal_first_name", "legal first name"),
        ("legal_last_name", "legal last name"),
        ("year_group", "year group"),
    ):
        if not raw[column]:
            problems.append(f"{label} is missing")

    if not raw["date_of_birth"]:
        problems.append("date of birth is missing")
    else:
        try:
            values["date_of_birth"] = parse_date_of_birth(raw["date_of_birth"], today=today)
        except ValueError as error:
            problems.append(str(error))

    if not raw["gender"]:
        problems.append("gender is missing")
    elif (gender := _GENDERS.get(_heading_key(raw["gender"]))) is None:
        problems.append(f"gender '{raw['gender']}' is not F, M or X (Female, Male or Other)")
    else:
        values["gender"] = gender

    if "boarding" in columns:
        boarding = _BOARDING.get(_heading_key(raw["boarding"]))
        if boarding is None:
            problems.append(f"boarding '{raw['boarding']}' is not day, weekly or full")
        values["boarding"] = boarding or Boarding.DAY
    if "sen" in columns:
        values["sen_disability"] = _yes_no(raw["sen"], "SEN", problems, default=False, yes=_SEN_YES)

    # A blank leaving date or destination leaves the one recorded alone, as a blank contact
    # does: an import never clears what someone entered.
    if raw.get("leaving_date"):
        try:
            values["leaving_date"] = parse_leaving_date(
                raw["leaving_date"], born=values.get("date_of_birth"), today=today
            )
        except ValueError as error:
            problems.append(str(error))
    if raw.get("destination"):
        values["destination"] = _text(raw["destination"])
        if destinations is not None:
            values["destination_school_id"] = destinations.school_for(raw["destination"], problems)
    problems += _too_long(Pupil, values)

    contacts = []
    for priority in CONTACT_PRIORITIES:
        contact = _clean_contact(priority, raw, columns, problems)
        if contact is not None:
            contacts.append(contact)

    if problems:
        return problems
    return PupilData(row.line, upn, values, tuple(contacts))


def _clean_contact(
    priority: int, raw: dict[str, str], columns: frozenset[str], problems: list[str]
) -> ContactData | None:
    """The contact at `priority`, or None when the row leaves it blank."""
    given = {
        key: raw[f"contact{priority}_{key}"]
        for key in _CONTACT_FIELDS
        if f"contact{priority}_{key}" in columns
    }
    if not any(given.values()):
        # A blank contact leaves any existing one alone: nothing is ever deleted.
        return None
    label = f"contact {priority}"
    if not given.get("name"):
        problems.append(f"{label} has details but no name")
    if not given.get("relationship"):
        problems.append(f"{label} relationship is missing")
    if email := given.get("email"):
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{label} email '{email}' is not a valid email address")
    values: dict[str, Any] = {}
    for key, text in given.items():
        field_name = _CONTACT_FIELDS[key]
        if key == "parental_responsibility":
            values[field_name] = _yes_no(
                text, f"{label} parental responsibility", problems, default=False
            )
        elif key == "lives_with":
            values[field_name] = _yes_no(text, f"{label} lives with", problems, default=True)
        else:
            values[field_name] = _text(text)
    problems += _too_long(HouseholdContact, values, prefix=f"{label} ")
    return ContactData(priority, values)


# --- Importing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: {'; '.join(self.reasons)}"


@dataclass
class PupilImportResult:
    source_name: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()

    def summary(self) -> str:
        return (
            f"Created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )


@transaction.atomic
def pupils_import(
    *,
    school: School,
    rows_or_file: ImportSource,
    by: User | None = None,
    source_name: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> PupilImportResult:
    """Create or update `school`'s pupils and household contacts from an MIS export.

    Pupils are matched on UPN within the school, contacts on (pupil, priority). Only the
    columns present in the file are written. Rows that fail validation are skipped and
    listed in `rejected`; the rest are imported. Nothing is deleted: pupils missing from
    the file, blank contacts and blank leaving dates and destinations are left as they are.
    A destination naming another school here (by name or URN) is linked to it. Every
    changed pupil or contact gets a history row by `by`, "Imported from <file name>". Raises
    PupilFileError, having changed nothing, if the file can't be read. `dry_run` does
    everything, then rolls back.
    """
    today = today or timezone.localdate()
    pupil_file = read_pupil_file(rows_or_file, name=source_name)
    result = PupilImportResult(
        source_name=pupil_file.name, dry_run=dry_run, ignored_columns=pupil_file.ignored_columns
    )

    destinations = Destinations.for_school(school) if "destination" in pupil_file.columns else None
    first_line_of: dict[str, int] = {}
    accepted: list[PupilData] = []
    for row in pupil_file.rows:
        cleaned = clean_pupil_row(
            row, columns=pupil_file.columns, today=today, destinations=destinations
        )
        upn = row.values["upn"].upper()
        if upn and upn_problem(upn) is None:
            if upn in first_line_of:
                duplicate = f"UPN {upn} is already on line {first_line_of[upn]}"
                cleaned = [duplicate, *cleaned] if isinstance(cleaned, list) else [duplicate]
            else:
                first_line_of[upn] = row.line
        if isinstance(cleaned, list):
            result.rejected.append(RejectedRow(row.line, tuple(cleaned)))
        else:
            accepted.append(cleaned)

    # Lock the rows we may change so a concurrent import or edit can't interleave.
    existing = {
        pupil.upn: pupil
        for pupil in Pupil.objects.select_for_update().filter(
            school=school, upn__in=[data.upn for data in accepted]
        )
    }
    contacts = {
        (contact.pupil_id, contact.priority): contact
        for contact in HouseholdContact.objects.select_for_update().filter(
            pupil__in=list(existing.values()), priority__in=CONTACT_PRIORITIES
        )
    }

    reason = f"Imported from {pupil_file.name}"
    for data in accepted:
        pupil = existing.get(data.upn)
        is_new = pupil is None
        if pupil is None:
            pupil = Pupil(school=school, upn=data.upn, **data.values)
            _save(pupil, by=by, reason=reason)
            changed = True
        else:
            changed = _update(
                pupil, _same_destination_kept(pupil, data.values), by=by, reason=reason
            )
        for contact_data in data.contacts:
            contact = contacts.get((pupil.pk, contact_data.priority))
            if contact is None:
                contact = HouseholdContact(
                    pupil=pupil, priority=contact_data.priority, **contact_data.values
                )
                _save(contact, by=by, reason=reason)
                changed = True
            else:
                changed = _update(contact, contact_data.values, by=by, reason=reason) or changed
        if is_new:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1

    if dry_run:
        transaction.set_rollback(True)
    return result


def _same_destination_kept(pupil: Pupil, values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the destination when it is the pupil's own (but for case and
    spaces), nor then a change to the school it is linked to: a link made by hand, to a
    school the MIS spells its own way, is not undone by the next import."""
    if "destination" not in values or (
        _school_key(values["destination"]) != _school_key(pupil.destination)
    ):
        return values
    kept = {"destination"}
    if pupil.destination_school_id is not None:
        kept.add("destination_school_id")
    return {name: value for name, value in values.items() if name not in kept}


def _update(
    instance: models.Model, values: dict[str, Any], *, by: User | None, reason: str
) -> bool:
    """Save the fields of `values` that differ; True if any did."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        _save(instance, by=by, reason=reason, update_fields=changed)
    return bool(changed)


def _save(
    instance: models.Model, *, by: User | None, reason: str, update_fields: list[str] | None = None
) -> None:
    # simple-history reads these when it writes the history row in post_save.
    if by is not None:
        instance._history_user = by
    instance._change_reason = reason
    instance.save(update_fields=update_fields)
