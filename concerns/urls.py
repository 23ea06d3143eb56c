from django.urls import path

from concerns import views
from referrals import views as referral_views

app_name = "concerns"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_new, name="new"),
    path("categories/", views.category_list, name="categories"),
    path("queue/", views.concern_queue, name="queue"),
    path("guidance/", views.guidance_list, name="guidance"),
    path("guidance/new/", views.guidance_edit, name="guidance_new"),
    path("guidance/<uuid:card_uuid>/edit/", views.guidance_edit, name="guidance_edit"),
    path("pupils/<uuid:uuid>/chronology/", views.pupil_chronology, name="chronology"),
    path(
        "pupils/<uuid:uuid>/chronology/pdf/",
        referral_views.chronology_pdf,
        name="chronology_pdf",
    ),
    path("<uuid:uuid>/", views.concern_detail, name="detail"),
    path("<uuid:uuid>/recorded/", views.concern_recorded, name="recorded"),
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
    path(
        "<uuid:uuid>/attachments/<uuid:attachment_uuid>/",
        views.attachment_download,
        name="attachment",
    ),
]
