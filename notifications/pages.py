"""Routes of the notifications web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notifications-badge"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
