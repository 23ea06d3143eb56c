from django.contrib.auth import views as auth_views
from django.urls import path

from schools import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("school/settings/", views.school_settings, name="school_settings"),
]
