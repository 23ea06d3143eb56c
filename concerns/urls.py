"""The concern pages every member of staff uses. casework/urls.py mounts them, beside the
safeguarding team's pages, under the `concerns:` names."""

from django.urls import path

from concerns import views

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_new, name="new"),
    path("pupils/search/", views.pupil_search, name="pupil_search"),
    path("categories/", views.category_list, name="categories"),
    path("guidance/", views.guidance_list, name="guidance"),
    path("guidance/new/", views.guidance_edit, name="guidance_new"),
    path("guidance/<uuid:card_uuid>/edit/", views.guidance_edit, name="guidance_edit"),
    path("<uuid:uuid>/recorded/", views.concern_recorded, name="recorded"),
    path(
        "<uuid:uuid>/attachments/<uuid:attachment_uuid>/",
        views.attachment_download,
        name="attachment",
    ),
]
