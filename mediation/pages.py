"""Routes of the mediation web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import agreement_views, law_views, settings_views, views

urlpatterns = [
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/do/<slug:action>/", views.case_action, name="case-action"),
    path("cases/<int:pk>/agreement/sign/", agreement_views.sign_on_screen, name="agreement-sign"),
    path("cases/<int:pk>/agreement/seal/", agreement_views.seal, name="agreement-seal"),
    path("cases/<int:pk>/agreement/sheet/", agreement_views.signed_sheet, name="agreement-sheet"),
    *[
        path(
            f"cases/<int:pk>/confirmation/{step}/",
            agreement_views.confirmation,
            {"step": step},
            name=f"confirmation-{step}",
        )
        for step in agreement_views.CONFIRMATION_STEPS
    ],
    path("cases/<int:pk>/follow-ups/route/", agreement_views.performance_route, name="case-route"),
    path("cases/<int:pk>/law/<slug:action>/", law_views.law_action, name="case-law"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/submit/", views.inspection_submit, name="inspection-submit"),
    path(
        "settings/<int:county_id>/rewards/", settings_views.reward_settings, name="settings-rewards"
    ),
]
