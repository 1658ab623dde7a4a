"""Pages: sign in and out, the home page that sends each role to its workbench, and the
notifications list."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts.context_processors import primary_role
from config.pages import page_of
from config.throttling import login_throttled
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Notification


@method_decorator(login_throttled, name="dispatch")
class LoginView(auth_views.LoginView):
    """Session sign-in (Chinese form), under the same per-address limit as the API's."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and back to the sign-in page."""

    next_page = "web:login"


@login_required
def home(request):
    """Each role lands on its own workbench: county leaders on the dashboard, town officers
    on the inbox, village mediators and grid workers on their queue."""
    role = primary_role(request.user)
    if role is None:
        if request.user.is_superuser:
            return redirect("web:dashboard")
        return redirect("web:case-list")
    level = role.area.level
    if level in {"province", "city", "county"} and role.kind in {"officer", "viewer", "admin"}:
        return redirect("web:dashboard")
    if level == "town" and role.kind in {"officer", "admin", "viewer"}:
        return redirect("web:inbox")
    return redirect("web:queue")


@login_required
def notification_list(request):
    """The user's notifications, newest first, unread marked."""
    queryset = notification_selectors.notifications_for(request.user).select_related("case")
    page = page_of(request, queryset)
    return render(
        request,
        "accounts/notifications.html",
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
