"""Routes of the village self-governance web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/check-in/", views.duty_check_in, name="duty-check-in"),
    path("duty/<int:pk>/log/", views.duty_log, name="duty-log"),
    path("duty-log/<int:pk>/case/", views.duty_log_case, name="duty-log-case"),
    path("rota/<int:village_id>/", views.rota, name="rota"),
    path("rota/<int:village_id>/generate/", views.rota_generate, name="rota-generate"),
    path("consultation-days/", views.consultation_days, name="consultation-days"),
    path("consultation-days/new/", views.consultation_day_new, name="consultation-day-new"),
    path("consultation-days/<int:pk>/", views.consultation_day, name="consultation-day"),
    path(
        "consultation-days/<int:pk>/items/",
        views.consultation_item_add,
        name="consultation-item-add",
    ),
    path(
        "consultation-items/<int:pk>/case/",
        views.consultation_item_case,
        name="consultation-item-case",
    ),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign-report"),
    path("grids/<int:grid_id>/team/", views.grid_team, name="grid-team"),
]
