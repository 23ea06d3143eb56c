"""E-mails to people invited to a school, queued once the change has committed, retried
while the mail server refuses, and shown to the school if they never go."""

from django.conf import settings
from django.core.mail import send_mail
from django.shortcuts import resolve_url
from django.urls import reverse

from schools.invitations import invitation_days, invitation_link
from schools.models import Membership, User
from schools.notifications import Notice, notification


def _membership(user_id: int, school_id: int) -> Membership:
    return Membership.objects.select_related("user", "school").get(
        user_id=user_id, school_id=school_id
    )


# The person is named as the school may see them (Membership.name): as its administrator
# typed them until they join, never as another school knows them.


def _about_invitation(user_id: int, school_id: int, *_) -> Notice:
    membership = _membership(user_id, school_id)
    return Notice(
        school_id=school_id,
        what=f"Invitation to {membership.name}",
        recipients=[membership.user.email],
        link=reverse("people"),
    )


def _about_membership_notice(user_id: int, school_id: int) -> Notice:
    membership = _membership(user_id, school_id)
    return Notice(
        school_id=school_id,
        what=f"Notice to {membership.name} that they were added to the school",
        recipients=[membership.user.email],
        link=reverse("people"),
    )


@notification(describe=_about_invitation)
def send_invitation(user_id: int, school_id: int, invited_by_id: int) -> int:
    """Send someone new the link to accept their invitation and choose a password."""
    membership = _membership(user_id, school_id)
    user, school = membership.user, membership.school
    if not user.is_active or user.has_usable_password():
        return 0  # sign-in turned off, or accepted, since the invitation was queued
    invited_by = User.objects.get(pk=invited_by_id)
    days = invitation_days()
    return send_mail(
        subject=f"You have been invited to Safeguard at {school.name}",
        message="\n".join(
            [
                f"Dear {user.full_name},",
                "",
                f"{invited_by.full_name} has invited you to Safeguard, {school.name}'s "
                f"safeguarding concern log, as {membership.get_role_display().lower()}.",
                "",
                "Accept the invitation and choose your password here:",
                invitation_link(user),
                "",
                f"The link works once and expires in {days} day{'' if days == 1 else 's'}. "
                "If it has expired, ask your school administrator to send a new invitation.",
                "",
                "If you were not expecting this e-mail, tell your school administrator.",
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@notification(describe=_about_membership_notice)
def send_membership_notice(user_id: int, school_id: int) -> int:
    """Tell someone who already has an account that they have been added to another school,
    and, if their sign-in is turned off, that it is (the school that added them was not told,
    so this is where they learn why they cannot sign in)."""
    membership = _membership(user_id, school_id)
    user, school = membership.user, membership.school
    sign_in = settings.SITE_URL + resolve_url(settings.LOGIN_URL)
    how = (
        [f"Sign in as usual, with your existing password: {sign_in}"]
        if user.is_active
        else [
            "Your sign-in to Safeguard is turned off at the moment, so you cannot sign in yet. "
            "Ask the administrator of the school that turned it off to turn it back on.",
        ]
    )
    return send_mail(
        subject=f"You have been added to {school.name} on Safeguard",
        message="\n".join(
            [
                f"Dear {user.full_name},",
                "",
                f"You have been added to {school.name} on Safeguard, as "
                f"{membership.get_role_display().lower()}.",
                "",
                *how,
                "",
                "If you were not expecting this e-mail, tell your school administrator.",
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
