"""What the schools app does when someone signs in, however they sign in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from schools.services import memberships_joined


@receiver(user_logged_in, dispatch_uid="schools.memberships_joined")
def signed_in(sender, request, user, **kwargs):
    memberships_joined(user)
