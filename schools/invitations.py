"""Invitation links: the only way into Safeguard for someone new (there is no sign-up).

A link carries the user's UUID and a token from Django's password-reset machinery under its
own salt, so an invitation link can't be used as a password-reset link or the reverse. The
token hashes the user's password, so it stops working once a password has been set, and it
expires after settings.PASSWORD_RESET_TIMEOUT.
"""

import uuid

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from schools.models import User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "schools.invitations.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()


def invitation_link(user: User) -> str:
    """The absolute link for the invitation e-mail."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.uuid.hex))
    path = reverse("invitation_accept", args=[uidb64, invitation_token.make_token(user)])
    return settings.SITE_URL + path


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))


def invited_user(uidb64: str, token: str) -> User | None:
    """The person the link invites, or None if it is not (or no longer) a valid invitation."""
    try:
        user_uuid = uuid.UUID(force_str(urlsafe_base64_decode(uidb64)))
    except ValueError:
        return None
    user = User.objects.filter(uuid=user_uuid).first()
    if user is None or not user.is_active or user.has_usable_password():
        return None
    if not invitation_token.check_token(user, token):
        return None
    return user
