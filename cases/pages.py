"""Routes of the cases web pages (the API's routes are in urls.py; the case page itself is in
mediation/pages.py, beside the records it shows)."""

from django.urls import path

from . import referral_views, settings_views, views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.intake, name="intake"),
    path("cases/<int:pk>/refer/", referral_views.case_refer, name="case-refer"),
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/<int:pk>/<str:action>/", referral_views.referral_step, name="referral-step"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_file,
        name="case-attachment",
    ),
    path(
        "settings/<int:county_id>/deadlines/",
        settings_views.deadlines,
        name="settings-deadlines",
    ),
    path("settings/calendar/", settings_views.calendar, name="settings-calendar"),
    path(
        "settings/calendar/<int:pk>/delete/",
        settings_views.calendar_delete,
        name="settings-calendar-delete",
    ),
]
