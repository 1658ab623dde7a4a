"""Routes of the supervision web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("supervision/", views.supervision_list, name="supervision-list"),
    path("supervision/new/", views.supervision_new, name="supervision-new"),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision-detail"),
    path("supervision/<int:pk>/feedback/", views.supervision_feedback, name="supervision-feedback"),
    path("supervision/<int:pk>/return/", views.supervision_return, name="supervision-return"),
    path("supervision/units/<int:area_id>/", views.unit, name="supervision-unit"),
    path(
        "supervision/units/<int:area_id>/reminder/",
        views.reminder_issue,
        name="supervision-reminder",
    ),
    path(
        "supervision/units/<int:area_id>/bulletin/",
        views.bulletin_issue,
        name="supervision-bulletin",
    ),
]
