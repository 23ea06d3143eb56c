"""Notifications, queued with Django's tasks framework once the change has committed.

E-mail leaves the school's systems, so a notification carries the concern's reference and a
link, never a child's name or any detail of the concern. Each is retried while the mail
server refuses, and shown to the school in the app if it never goes (schools.notifications).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from schools.models import Membership
from schools.notifications import Notice, notification
from schools.policy import HANDLE_CASES

SUBJECTS = {
    "new": "New safeguarding concern {reference}",
    "danger": "IMMEDIATE DANGER: safeguarding concern {reference} needs action now",
}


def dsl_team_addresses(school_id: int) -> list[str]:
    return sorted(
        Membership.objects.filter(
            school_id=school_id, role__in=HANDLE_CASES.roles, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _about_alert(concern_id: int, event: str) -> Notice:
    from concerns.models import Concern

    concern = Concern.objects.get(pk=concern_id)
    kind = "urgent concern" if event == "danger" or concern.immediate_danger else "new concern"
    return Notice(
        school_id=concern.school_id,
        what=f"Alert of {kind} {concern.reference} to the DSL team",
        recipients=dsl_team_addresses(concern.school_id),
        link=reverse("concerns:detail", args=[concern.uuid]),
        dsl_team_only=True,
    )


@notification(describe=_about_alert)
def notify_dsl_team(concern_id: int, event: str) -> int:
    """E-mail the DSL team of the concern's school; returns how many were sent."""
    from concerns.models import Concern

    concern = Concern.objects.select_related("school").get(pk=concern_id)
    if event == "new" and concern.immediate_danger:
        event = "danger"
    recipients = dsl_team_addresses(concern.school_id)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("concerns:detail", args=[concern.uuid])
    lines = [
        f"A member of staff at {concern.school.name} has recorded a safeguarding concern.",
        "",
        f"Reference: {concern.reference}",
    ]
    if event == "danger":
        lines += [
            "",
            "They reported that someone may be in immediate danger. Read it now.",
        ]
    lines += [
        "",
        f"Read it here (you will be asked to sign in): {link}",
        "",
        "This e-mail deliberately contains no names or details.",
    ]
    return send_mail(
        subject=SUBJECTS[event].format(reference=concern.reference),
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _about_assignment(concern_id: int) -> Notice:
    from concerns.models import Concern

    concern = Concern.objects.select_related("assignee").get(pk=concern_id)
    return Notice(
        school_id=concern.school_id,
        what=f"Notice to the DSL team member given concern {concern.reference}",
        recipients=[concern.assignee.email] if concern.assignee else [],
        link=reverse("concerns:detail", args=[concern.uuid]),
        dsl_team_only=True,
    )


@notification(describe=_about_assignment)
def notify_assignee(concern_id: int) -> int:
    """Tell the member of the DSL team a concern has been given to."""
    from concerns.models import Concern

    concern = Concern.objects.select_related("school", "assignee").get(pk=concern_id)
    if concern.assignee is None or not concern.assignee.is_active:
        return 0
    link = settings.SITE_URL + reverse("concerns:detail", args=[concern.uuid])
    return send_mail(
        subject=f"Safeguarding concern {concern.reference} has been assigned to you",
        message="\n".join(
            [
                f"Concern {concern.reference} at {concern.school.name} has been assigned to you.",
                "",
                f"Read it here (you will be asked to sign in): {link}",
                "",
                "This e-mail deliberately contains no names or details.",
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[concern.assignee.email],
    )
