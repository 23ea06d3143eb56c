"""E-mails about files moving between schools, queued once the change has committed and
retried like every notification (schools.notifications).

Like every e-mail of the app they carry a reference, a school's name and a link, never a
child's name or anything from the file. The one e-mail that leaves the deployment, the
package link, carries the links and nothing else: the password goes by another route.
"""

from django.conf import settings
from django.core.mail import EmailMessage, mailers, send_mail
from django.urls import reverse
from django.utils import timezone

from casework.queue import dsl_team
from concerns.tasks import dsl_team_addresses
from schools.models import School
from schools.notifications import Notice, notification
from transfers.models import IncomingFile, Package, Transfer
from transfers.selectors import outstanding

NO_DETAILS = "This e-mail deliberately contains no names or details."


def _about_incoming(incoming_id: int) -> Notice:
    incoming = IncomingFile.objects.get(pk=incoming_id)
    return Notice(
        school_id=incoming.school_id,
        what=f"Alert of the incoming child protection file {incoming.reference}",
        recipients=dsl_team_addresses(incoming.school_id),
        link=reverse("transfers:incoming", args=[incoming.uuid]),
        dsl_team_only=True,
    )


@notification(describe=_about_incoming)
def notify_incoming(incoming_id: int) -> int:
    """Tell the receiving school's DSL team a file has come: reference and link only."""
    incoming = IncomingFile.objects.select_related("school").get(pk=incoming_id)
    recipients = dsl_team_addresses(incoming.school_id)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("transfers:incoming", args=[incoming.uuid])
    return send_mail(
        subject=f"Child protection file {incoming.reference} has come to {incoming.school.name}",
        message="\n".join(
            [
                f"{incoming.from_school_name} has sent {incoming.school.name} a child "
                "protection file for a child who is joining you.",
                "",
                f"Reference: {incoming.reference}",
                "",
                "Accept it (which confirms receipt to the sending school) or decline it, here "
                f"(you will be asked to sign in): {link}",
                "",
                NO_DETAILS,
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


SENDER_SUBJECTS = {
    "received": "Child protection file {reference} was received",
    "declined": "Child protection file {reference} was declined",
}


def _about_sender(transfer_id: int, event: str) -> Notice:
    transfer = Transfer.objects.get(pk=transfer_id)
    return Notice(
        school_id=transfer.school_id,
        what=f"{SENDER_SUBJECTS[event].format(reference=transfer.reference)} (to the DSL team)",
        recipients=dsl_team_addresses(transfer.school_id),
        link=reverse("transfers:transfer", args=[transfer.uuid]),
        dsl_team_only=True,
    )


@notification(describe=_about_sender)
def notify_sender(transfer_id: int, event: str) -> int:
    """Tell the sending school's DSL team their file was received, or declined."""
    transfer = Transfer.objects.get(pk=transfer_id)
    recipients = dsl_team_addresses(transfer.school_id)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("transfers:transfer", args=[transfer.uuid])
    if event == "received":
        first = f"{transfer.to_school_name} has confirmed receipt of the file."
    else:
        first = f"{transfer.to_school_name} has declined the file, and said why. Send it again."
    return send_mail(
        subject=SENDER_SUBJECTS[event].format(reference=transfer.reference),
        message="\n".join(
            [
                first,
                "",
                f"Reference: {transfer.reference}",
                "",
                f"See it here: {link}",
                "",
                NO_DETAILS,
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _about_package(package_id: int, token: str) -> Notice:
    package = Package.objects.select_related("transfer").get(pk=package_id)
    return Notice(
        school_id=package.transfer.school_id,
        what=f"Link to the package of child protection file {package.transfer.reference}",
        recipients=[package.emailed_to],
        link=reverse("transfers:transfer", args=[package.transfer.uuid]),
        dsl_team_only=True,
    )


@notification(describe=_about_package)
def send_package_link(package_id: int, token: str) -> int:
    """E-mail the receiving school the package's download link and the receipt link."""
    package = Package.objects.select_related("transfer", "transfer__school").get(pk=package_id)
    transfer = package.transfer
    download = settings.SITE_URL + reverse("transfers:package", args=[package.uuid])
    receipt = settings.SITE_URL + reverse("transfers:receipt", args=[token])
    return send_mail(
        subject=f"Child protection file {transfer.reference} from {transfer.school.name}",
        message="\n".join(
            [
                f"{transfer.school.name} is sending {transfer.to_school_name} the child "
                "protection file of a child who is joining you. It is for your designated "
                "safeguarding lead.",
                "",
                f"Reference: {transfer.reference}",
                "",
                f"Download the encrypted file (once, by {package.expires_at:%d %B %Y}): {download}",
                "",
                "The password comes separately, by phone, from the sending school's DSL.",
                "",
                f"Then confirm receipt here, giving your name and school: {receipt}",
                "",
                NO_DETAILS,
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[package.emailed_to],
    )


def _about_reminder(school_id: int) -> Notice:
    return Notice(
        school_id=school_id,
        what="Reminder of leavers' child protection files due or overdue",
        recipients=dsl_team_addresses(school_id),
        link=reverse("transfers:leavers"),
        dsl_team_only=True,
    )


def reminder_lines(rows) -> list[str]:
    """One line per leaver's file due today or overdue: a reference, a school and dates, never
    the child's name."""
    lines = []
    for row in rows:
        due = f"due {row.due.day:%d %b %Y}"
        if row.transfer is None:
            lines.append(f"- A leaver's file, not yet sent, {due}")
        else:
            lines.append(
                f"- File {row.transfer.reference} to {row.transfer.to_school_name}: "
                f"{row.status_label.lower()}, {due}"
            )
    return lines


@notification(describe=_about_reminder)
def send_file_reminder(school_id: int) -> int:
    """E-mail each of the school's DSL team the leavers' files due today or overdue (not yet
    received by the new school); returns how many e-mails went. Nothing if none is left by
    the time the task runs."""
    school = School.objects.get(pk=school_id)
    today = timezone.localdate()
    rows = [row for row in outstanding(school, today=today) if row.due.day <= today]
    team = dsl_team(school)
    if not rows or not team:
        return 0
    count = len(rows)
    body = "\n".join(
        [
            f"These child protection files of leavers from {school.name} are due today or "
            "overdue: KCSIE asks for each to reach the new school within 5 school days, "
            "with its receipt confirmed.",
            "",
            *reminder_lines(rows),
            "",
            "Send them, or chase the new school for receipt (you will be asked to sign in): "
            f"{settings.SITE_URL}{reverse('transfers:leavers')}",
            "",
            NO_DETAILS,
        ]
    )
    subject = f"Safeguarding: {count} leaver's file{'' if count == 1 else 's'} due at {school.name}"
    messages = [
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[member.email]
        )
        for member in team
    ]
    return mailers.default.send_messages(messages)
