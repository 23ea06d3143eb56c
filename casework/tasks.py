"""The daily digest of overdue items for each school's DSL team, queued by the
send_overdue_digest command and sent by the task worker.

Like every notification (concerns.tasks), it carries references, kinds, dates and links,
never a child's name or any detail of a concern.
"""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.urls import reverse
from django.utils import formats, timezone

from casework import queue
from casework.queue import OverdueKind
from concerns.tasks import dsl_team_addresses
from schools.models import School
from schools.notifications import Notice, notification


def _about_digest(school_id: int) -> Notice:
    return Notice(
        school_id=school_id,
        what="Daily list of overdue items for the DSL team",
        recipients=dsl_team_addresses(school_id),
        link=reverse("concerns:queue"),
        dsl_team_only=True,
    )


@notification(describe=_about_digest)
def send_digest(school_id: int) -> int:
    """E-mail each active member of the school's DSL team the list of what is overdue there,
    one message each; returns how many were sent. Nothing is sent when nothing is overdue
    by the time the task runs.

    Each item is a reference, a kind and a date, with a link: never a name or a detail.
    """
    now = timezone.now()
    school = School.objects.get(pk=school_id)
    items = queue.overdue_items(school, now=now)
    team = queue.dsl_team(school)
    if not items or not team:
        return 0
    lines = [
        f"These safeguarding items at {school.name} are overdue "
        f"({formats.date_format(timezone.localtime(now), 'j M Y, H:i')}):",
        "",
    ]
    for item in items:
        lines += [f"- {item.summary()}", f"  {settings.SITE_URL}{digest_link(item)}", ""]
    lines += [
        "See everything waiting for the safeguarding team (you will be asked to sign in): "
        f"{settings.SITE_URL}{reverse('concerns:queue')}",
        "",
        "This e-mail deliberately contains no names or details.",
    ]
    count = len(items)
    subject = f"Safeguarding: {count} overdue item{'' if count == 1 else 's'} at {school.name}"
    messages = [
        EmailMessage(
            subject=subject,
            body="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[member.email],
        )
        for member in team
    ]
    # One message each, so no one's address is shown to the rest of the team.
    return mailers.default.send_messages(messages)


def digest_link(item) -> str:
    """Where an overdue item is dealt with: support reviews on the support page, the rest
    from the concern."""
    name = "concerns:support" if item.kind == OverdueKind.SUPPORT_REVIEW else "concerns:detail"
    return reverse(name, args=[item.concern.uuid])
