import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.models import School, User
from schools.pupil_import import REQUIRED_COLUMNS, PupilFileError, pupils_import


class Command(BaseCommand):
    help = (
        "Create or update one school's pupils and their household contacts (contact 1 and 2) "
        "from a CSV export of its MIS (SIMS, Arbor, ...). Pupils are matched on UPN within "
        "that school, contacts on their priority; only the columns present in the file are "
        "changed, and every pupil or contact that changes gets a history row 'Imported from "
        "<file name>' by the --by user. Nothing is deleted: pupils missing from the file and "
        "blank contacts, leaving dates and destinations are left as they are, and other "
        "schools are never touched. A leaver's destination that is the name or URN of "
        "another school in this deployment is linked to it. Rows that "
        "fail validation are skipped and listed with their line numbers, and the command "
        "still succeeds. It fails, importing nothing, only when the file cannot be read "
        "(missing, not UTF-8 CSV, no header row, a required column missing) or --school or "
        "--by match no one. Required "
        f"columns: {', '.join(REQUIRED_COLUMNS)}; common MIS names such as Legal Surname, "
        "Forename and DOB are understood. Optional leaver columns: leaving_date (Leaving "
        "Date, DD/MM/YYYY or YYYY-MM-DD) and destination (Destination, Next School)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, UTF-8, with a header row.")
        parser.add_argument("--school", required=True, help="The school's UUID or its exact name.")
        parser.add_argument(
            "--by", metavar="EMAIL", help="The user recorded in history as making the import."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )

    def handle(self, *args, file, school, by, dry_run, **options):
        school = self._school(school)
        user = self._user(by) if by else None
        try:
            result = pupils_import(school=school, rows_or_file=file, by=user, dry_run=dry_run)
        except PupilFileError as error:
            raise CommandError(f"Nothing imported: {error}") from error

        if result.dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        self.stdout.write(result.summary())
        for rejected in result.rejected:
            self.stdout.write(self.style.WARNING(str(rejected)))
        if result.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(result.ignored_columns)}")

    def _school(self, value: str) -> School:
        try:
            schools = list(School.objects.filter(uuid=uuid.UUID(value)))
        except ValueError:
            schools = list(School.objects.filter(name=value))
        if not schools:
            raise CommandError(f"No school has the UUID or name '{value}'.")
        if len(schools) > 1:
            uuids = ", ".join(str(school.uuid) for school in schools)
            raise CommandError(
                f"{len(schools)} schools are called '{value}'; give the UUID: {uuids}"
            )
        return schools[0]

    def _user(self, email: str) -> User:
        try:
            return User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No user has the email address '{email}'.") from None
