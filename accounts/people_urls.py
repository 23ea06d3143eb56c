"""The school's people pages (accounts/views.py), at the addresses they have always had.
(accounts/urls.py is django-allauth's pages, under accounts/.)"""

from django.urls import path

from accounts import views

urlpatterns = [
    path("school/people/", views.people, name="people"),
    path("school/people/invite/", views.person_invite, name="person_invite"),
    path("school/people/<uuid:person_uuid>/role/", views.person_role, name="person_role"),
    path("school/people/<uuid:person_uuid>/sign-in/", views.person_sign_in, name="person_sign_in"),
    path(
        "school/people/<uuid:person_uuid>/second-factor/reset/",
        views.person_second_factor_reset,
        name="person_second_factor_reset",
    ),
    path(
        "school/people/<uuid:person_uuid>/lockout/lift/",
        views.person_lockout_lift,
        name="person_lockout_lift",
    ),
    path(
        "school/people/<uuid:person_uuid>/resend-invitation/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
]
