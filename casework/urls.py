"""The casework URLs: the safeguarding team's pages, mounted with the concerns app's own
pages under `concerns/` and the `concerns:` names, and the access log under `audit:`. Names
and addresses are those the pages had before they moved here, so links and bookmarks hold."""

from django.urls import include, path

from casework import views
from concerns import urls as concerns_urls

concern_pages = [
    *concerns_urls.urlpatterns,
    path("queue/", views.concern_queue, name="queue"),
    path("pupils/<uuid:uuid>/chronology/", views.pupil_chronology, name="chronology"),
    path(
        "pupils/<uuid:uuid>/chronology/pdf/",
        views.chronology_pdf,
        name="chronology_pdf",
    ),
    path("<uuid:uuid>/", views.concern_detail, name="detail"),
    path("<uuid:uuid>/notes/", views.concern_add_note, name="add_note"),
    path("<uuid:uuid>/acknowledge/", views.concern_acknowledge, name="acknowledge"),
    path("<uuid:uuid>/assign/", views.concern_assign, name="assign"),
    path("<uuid:uuid>/correct/", views.concern_correct, name="correct"),
    path("<uuid:uuid>/safety/", views.concern_safety, name="safety"),
    path("<uuid:uuid>/evidence/", views.concern_evidence, name="evidence"),
    path("<uuid:uuid>/referral-decision/", views.concern_referral, name="referral"),
    path("<uuid:uuid>/support/", views.concern_support, name="support"),
    path(
        "<uuid:uuid>/support/<uuid:action_uuid>/review/",
        views.support_review,
        name="support_review",
    ),
    path("<uuid:uuid>/close/", views.concern_close, name="close"),
    path(
        "<uuid:uuid>/unnamed-children/<uuid:unnamed_uuid>/",
        views.unnamed_child,
        name="unnamed_child",
    ),
    path("<uuid:uuid>/flags/<uuid:flag_uuid>/review/", views.flag_review, name="flag_review"),
    path(
        "<uuid:uuid>/follow-ups/<uuid:follow_up_uuid>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path("<uuid:uuid>/history/", views.concern_history_view, name="history"),
]

access_log_pages = [
    path("pupils/<uuid:uuid>/", views.pupil_access, name="pupil"),
]

urlpatterns = [
    # The front door: each person starts where their role does.
    path("", views.home, name="home"),
    path("concerns/", include((concern_pages, "concerns"))),
    path("audit/", include((access_log_pages, "audit"))),
]
