from django.urls import path

from bench import views

urlpatterns = [path("floor/", views.floor, name="bench_floor")]
