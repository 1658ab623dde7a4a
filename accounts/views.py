"""Pages: sign in and out, and the home page that sends each role to its workbench (the
notifications list is in notifications/views.py)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.decorators import method_decorator

from accounts import devices
from accounts.context_processors import primary_role
from config.throttling import login_throttled


@method_decorator(login_throttled, name="dispatch")
class LoginView(auth_views.LoginView):
    """Session sign-in (Chinese form), under the same per-address limit as the API's."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.POST.get("remember"):
            token = devices.device_remember(request=self.request, user=form.get_user())
            devices.set_device_cookie(response, token)
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and back to the sign-in page; on a remembered
    device, the device is forgotten too."""

    next_page = "web:login"

    def post(self, request, *args, **kwargs):
        device_id = request.session.get(devices.DEVICE_SESSION_KEY)
        if device_id and request.user.is_authenticated:
            try:
                devices.device_revoke(actor=request.user, device_id=device_id)
            except devices.TrustedDevice.DoesNotExist:
                pass
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(devices.DEVICE_COOKIE)
        return response


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
    if role.kind == "liaison":
        return redirect("web:referrals")
    if level in {"province", "city", "county"} and role.kind in {"officer", "viewer", "admin"}:
        return redirect("web:dashboard")
    if level == "town" and role.kind in {"officer", "admin", "viewer"}:
        return redirect("web:inbox")
    return redirect("web:queue")
