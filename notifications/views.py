"""Pages: the user's notifications, the header's unread badge, opening and marking them read."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.pages import page_of

from . import selectors as notification_selectors
from . import services as notification_services
from .filters import NotificationFilter
from .models import Notification


@login_required
def notification_list(request):
    """The user's notifications, newest first, unread marked; filtered by state, kind and
    date, and marked read one by one, by choice or all that the filter shows."""
    form = NotificationFilter(request.GET)
    queryset = notification_selectors.notifications_for(request.user).select_related("case")
    if form.is_valid():
        queryset = form.apply(queryset)
    else:
        queryset = queryset.none()
    page = page_of(request, queryset)
    return render(
        request,
        "notifications/notifications.html",
        {"page": page, "form": form, "nav_active": "notifications"},
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
    """Mark read the chosen notifications (`ids`), or all that the posted filter shows (all
    unread when there is none); back to the same filtered list."""
    ids = request.POST.getlist("ids")
    form = NotificationFilter(request.POST, ids=ids or None)
    back = reverse("web:notifications")
    query = {
        k: request.POST[k] for k in ("state", "kind", "after", "before") if request.POST.get(k)
    }
    if query:
        back += "?" + urlencode(query)
    if request.POST.get("chosen") and not ids:
        messages.error(request, "请先勾选要标为已读的消息。")
        return redirect(back)
    if not form.is_valid():
        messages.error(request, "；".join(m for ms in form.error_dict().values() for m in ms))
        return redirect(back)
    among = None
    if ids or form.active:
        among = form.apply(notification_selectors.notifications_for(request.user))
    count = notification_services.notifications_read_all(user=request.user, among=among)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect(back)
