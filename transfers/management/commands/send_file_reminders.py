from django.core.management.base import BaseCommand
from django.utils import timezone

from schools.models import School
from schools.terms import calendar_for
from transfers.selectors import outstanding
from transfers.tasks import send_file_reminder


class Command(BaseCommand):
    help = (
        "E-mail each school's DSL team the leavers' child protection files that are due today "
        "or overdue and not yet received by the new school: on the fifth school day after a "
        "child leaves, and each school day after (the school's own term dates; nothing is sent "
        "in the holidays). Each item is a file reference, the receiving school and dates; no "
        "child's name. Changes no records. Meant to run once a day from a scheduler (for "
        "example cron at 07:00), beside send_overdue_digest."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        schools = queued = files = holiday = 0
        for school in School.objects.order_by("name", "pk"):
            schools += 1
            if not calendar_for(school).is_school_day(today):
                holiday += 1
                continue
            rows = [row for row in outstanding(school, today=today) if row.due.day <= today]
            if not rows:
                continue
            send_file_reminder.enqueue(school.pk)
            queued += 1
            files += len(rows)
            self.stdout.write(f"{school.name}: {len(rows)} file(s) due or overdue.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued reminders for {queued} of {schools} schools: {files} files due or "
                f"overdue. {holiday} not a school day today."
            )
        )
