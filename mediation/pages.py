"""Routes of the mediation web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import law_views, settings_views, views

urlpatterns = [
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/do/<slug:action>/", views.case_action, name="case-action"),
    path("cases/<int:pk>/law/<slug:action>/", law_views.law_action, name="case-law"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/submit/", views.inspection_submit, name="inspection-submit"),
    path(
        "settings/<int:county_id>/rewards/", settings_views.reward_settings, name="settings-rewards"
    ),
]
