"""Routes of the accounts web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/", settings_views.settings_home, name="settings"),
]
