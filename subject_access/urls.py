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
]
