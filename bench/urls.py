from django.urls import path

from bench import views

urlpatterns = [
    path("floor/", views.floor, name="bench_floor"),
    path("signed-in/", views.signed_in_floor, name="bench_signed_in_floor"),
]
