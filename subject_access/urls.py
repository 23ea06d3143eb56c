from django.urls import path

from subject_access import views

app_name = "subject_access"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.new, name="new"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/identity/", views.identity, name="identity"),
    path("<uuid:uuid>/extend/", views.extend, name="extend"),
    path("<uuid:uuid>/disclose/", views.disclose, name="disclose"),
    path("<uuid:uuid>/refuse/", views.refuse, name="refuse"),
    path("<uuid:uuid>/file/", views.file, name="file"),
    path("<uuid:uuid>/file/assemble/", views.assemble, name="assemble"),
    path("<uuid:uuid>/file/redact/", views.redact, name="redact"),
    path("<uuid:uuid>/file/unredact/", views.unredact, name="unredact"),
    path("<uuid:uuid>/file/pdf/", views.redacted_pdf, name="pdf"),
]
