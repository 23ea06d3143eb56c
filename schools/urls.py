from django.urls import path

from schools import views

urlpatterns = [
    path("school/choose/", views.school_choose, name="school_choose"),
    path("school/settings/", views.school_settings, name="school_settings"),
    path("school/term-dates/", views.school_terms, name="school_terms"),
    path("school/term-dates/<int:year>/", views.school_terms_edit, name="school_terms_edit"),
    path("school/pupils/import/", views.pupil_import, name="pupil_import"),
    path(
        "school/notifications/<uuid:failure_uuid>/",
        views.failed_notification_close,
        name="failed_notification_close",
    ),
]
