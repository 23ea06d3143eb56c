from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report_download, name="report"),
    path("reports/<uuid:uuid>/", views.report_status, name="report_status"),
    path("reports/<uuid:uuid>/pdf/", views.report_file, name="report_file"),
    path("registers/", views.registers, name="registers"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/<uuid:uuid>/edit/", views.training_edit, name="training_edit"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<uuid:uuid>/edit/", views.policy_edit, name="policy_edit"),
    path("roles/new/", views.role_new, name="role_new"),
    path("roles/<uuid:uuid>/edit/", views.role_edit, name="role_edit"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<uuid:uuid>/", views.checklist_item, name="checklist_item"),
]
