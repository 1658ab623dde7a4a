from django.urls import path

from . import views

urlpatterns = [
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/submit/", views.inspection_submit, name="inspection-submit"),
]
