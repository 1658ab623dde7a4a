"""The settings pages' common parts (在应用内设置): which county a page is for, the tabs, and the
settings home that lists the counties an admin looks after. Each app's own settings page lives
in that app (cases: deadlines and calendar; assessment: weights and grades; mediation:
rewards)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from config.errors import InvalidInput, NotAllowed
from grids.choices import LEVEL_RANK, AreaLevel

from .selectors import scope_for, settings_counties, settings_county


def may_edit_settings(user) -> bool:
    """True for a superuser and for an admin at a county or above (from the cached roles; no
    query, so the header can ask on every page)."""
    if user.is_superuser:
        return True
    county = LEVEL_RANK[AreaLevel.COUNTY]
    return any(
        r.kind == "admin" and LEVEL_RANK[r.area.level] <= county for r in scope_for(user).roles
    )


def page_county(request, county_id):
    """The county of a settings page: 404 out of scope, 403 for a user who may not change it."""
    try:
        return settings_county(request.user, county_id)
    except NotAllowed as error:
        raise PermissionDenied(error.message)


def tabs(county, active: str):
    """The settings tabs of a county page, each (key, label, url, active)."""
    items = [
        ("deadlines", "办理时限", reverse("web:settings-deadlines", args=[county.pk])),
        ("assessment", "考核权重与等级", reverse("web:settings-assessment", args=[county.pk])),
        ("rewards", "以奖代补标准", reverse("web:settings-rewards", args=[county.pk])),
        ("risk", "村风险评定标准", reverse("web:settings-risk", args=[county.pk])),
        ("calendar", "工作日历", reverse("web:settings-calendar")),
    ]
    return [
        {"key": key, "label": label, "url": url, "active": key == active}
        for key, label, url in items
    ]


def renamed(error: InvalidInput, rename) -> InvalidInput:
    """The service's field messages under the page form's field names."""
    return InvalidInput(error.message, fields={rename(k): v for k, v in error.fields.items()})


@login_required
def settings_home(request):
    """The counties whose settings the user changes; one county goes straight to its page."""
    if not may_edit_settings(request.user):
        raise PermissionDenied("只有县级及以上的管理员可以修改设置。")
    counties = list(settings_counties(request.user).order_by("code")[:200])
    if len(counties) == 1:
        return redirect("web:settings-deadlines", county_id=counties[0].pk)
    return render(
        request,
        "accounts/settings_home.html",
        {"counties": counties, "nav_active": "settings"},
    )
