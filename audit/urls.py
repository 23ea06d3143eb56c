from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("pupils/<uuid:uuid>/", views.pupil_access, name="pupil"),
]
