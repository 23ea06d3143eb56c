"""The parts of django-allauth Safeguard uses, and no more: no sign-up, no self-service email
changes, no "connected accounts" page. Each is in tests/test_url_access_matrix.py."""

from importlib import import_module

from allauth.account import views as account
from allauth.socialaccount import views as social
from django.conf import settings
from django.urls import include, path, re_path

urlpatterns = [
    path("login/", account.login, name="account_login"),
    path("logout/", account.logout, name="account_logout"),
    path("inactive/", account.account_inactive, name="account_inactive"),
    path("reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    path("password/change/", account.password_change, name="account_change_password"),
    path("password/reset/", account.password_reset, name="account_reset_password"),
    path("password/reset/done/", account.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        account.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Second factors: the overview, TOTP, recovery codes, and the sign-in/confirm steps.
    path("2fa/", include("allauth.mfa.urls")),
    path("sso/login/cancelled/", social.login_cancelled, name="socialaccount_login_cancelled"),
    path("sso/login/error/", social.login_error, name="socialaccount_login_error"),
]

# Microsoft and Google school accounts: only those configured in the environment
# (settings.SOCIALACCOUNT_PROVIDERS) have addresses. Google One Tap's token sign-in is left
# out: people sign in through the redirect, like Microsoft's.
for provider in settings.SOCIALACCOUNT_PROVIDERS:
    urlpatterns += [
        pattern
        for pattern in import_module(f"allauth.socialaccount.providers.{provider}.urls").urlpatterns
        if getattr(pattern, "name", None) != "google_login_by_token"
    ]
