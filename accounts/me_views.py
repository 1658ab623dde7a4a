"""我的: the signed-in user's own page: who they are, their roles, the devices they stay signed
in on (each removable), and signing out behind a confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import devices
from .selectors import scope_for


@login_required
def me(request):
    """The user's own page (the phone's 我的 tab)."""
    roles = sorted(scope_for(request.user).roles, key=lambda r: (r.area.code, r.kind))
    return render(
        request,
        "accounts/me.html",
        {
            "roles": roles,
            "devices": list(devices.devices_of(request.user)),
            "this_device": getattr(request, "trusted_device_id", None),
            "nav_active": "me",
        },
    )


@login_required
@require_POST
def device_revoke(request, pk):
    """Remove one of the user's remembered devices (signs it out)."""
    try:
        device = devices.device_revoke(actor=request.user, device_id=pk)
    except devices.TrustedDevice.DoesNotExist:
        raise Http404
    if device.pk == getattr(request, "trusted_device_id", None):
        return redirect("web:login")  # the middleware ends this session at its next request
    messages.success(request, f"已移除设备「{device.name}」，该设备需重新登录。")
    return redirect("web:me")
