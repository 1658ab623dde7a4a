"""Routes of the accounts web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import me_views, settings_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/", settings_views.settings_home, name="settings"),
    path("me/", me_views.me, name="me"),
    path("me/devices/<int:pk>/revoke/", me_views.device_revoke, name="device-revoke"),
]
