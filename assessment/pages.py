"""Routes of the assessment web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
