"""Pages: the user's notifications, the header's unread badge, opening and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.pages import page_of

from . import selectors as notification_selectors
from . import services as notification_services
from .models import Notification


@login_required
def notification_list(request):
    """The user's notifications, newest first, unread marked."""
    queryset = notification_selectors.notifications_for(request.user).select_related("case")
    page = page_of(request, queryset)
    return render(
        request,
        "notifications/notifications.html",
        {"page": page, "nav_active": "notifications"},
    )


@login_required
def notification_badge(request):
    """The header's unread badge alone, refreshed by htmx every minute."""
    return render(request, "_bell.html")


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notification read and go to its case (or back to the list)."""
    try:
        notification = notification_services.notification_read(
            user=request.user, notification_id=pk
        )
    except Notification.DoesNotExist:
        raise Http404
    if notification.case_id:
        return redirect("web:case-detail", pk=notification.case_id)
    return redirect("web:notifications")


@login_required
@require_POST
def notification_read_all(request):
    """Mark every notification read."""
    count = notification_services.notifications_read_all(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect(reverse("web:notifications"))
