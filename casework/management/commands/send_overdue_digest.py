from django.core.management.base import BaseCommand
from django.utils import timezone

from casework import queue
from casework.tasks import send_digest
from schools.models import School


class Command(BaseCommand):
    help = (
        "E-mail each active DSL and deputy DSL a list of their school's overdue safeguarding "
        "items: safety checks, written confirmations of urgent referrals, social care "
        "feedback and support reviews. Each item is a concern reference, the kind and the "
        "date it fell due, with a link; no child's name or any detail of a concern. Schools "
        "with nothing overdue get no e-mail. Changes no records. Meant to run once a day "
        "from a scheduler (for example cron at 07:00); the e-mails are queued with the "
        "tasks framework, like the other notifications."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        schools = queued = items = emails = untold = 0
        for school in School.objects.order_by("name", "pk"):
            schools += 1
            overdue = queue.overdue_items(school, now=now)
            if not overdue:
                continue
            team = queue.dsl_team(school)
            if not team:
                untold += 1
                self.stderr.write(
                    f"{school.name}: {len(overdue)} overdue, but no active DSL or deputy to tell."
                )
                continue
            send_digest.enqueue(school.pk)
            queued += 1
            items += len(overdue)
            emails += len(team)
            self.stdout.write(f"{school.name}: {len(overdue)} overdue, {len(team)} e-mails.")
        quiet = schools - queued - untold
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued overdue digests for {queued} of {schools} schools: {items} overdue "
                f"items, {emails} e-mails. {quiet} {'school' if quiet == 1 else 'schools'} had "
                "nothing overdue."
            )
        )
