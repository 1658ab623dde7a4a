"""What the header says of the user: the role that decides the home page and the menu of
their roles (config/context_processors.py puts the header together)."""

from django.urls import reverse

from accounts.selectors import scope_for
from accounts.settings_views import may_edit_settings
from grids.choices import LEVEL_RANK

KIND_ORDER = ["officer", "viewer", "mediator", "grid_worker", "admin", "volunteer", "liaison"]


def primary_role(user):
    """The role that decides the home page: the highest area first, then officer before
    viewer, mediator, grid worker and admin."""
    roles = scope_for(user).roles
    if not roles:
        return None
    return min(roles, key=lambda r: (LEVEL_RANK[r.area.level], KIND_ORDER.index(r.kind)))


def nav_for(user):
    """Menu entries for the user's roles, each (key, label, url)."""
    scope = scope_for(user)
    kinds_levels = {(r.kind, r.area.level) for r in scope.roles}
    kinds = {kind for kind, _ in kinds_levels}
    levels = {level for _, level in kinds_levels}
    items = []
    if user.is_superuser or (
        {"officer", "viewer"} & kinds and {"county", "city", "province"} & levels
    ):
        items.append(("dashboard", "看板", reverse("web:dashboard")))
    if (
        user.is_superuser
        or ("officer", "town") in kinds_levels
        or ("officer", "county") in kinds_levels
    ):
        items.append(("inbox", "收件箱", reverse("web:inbox")))
    if {"mediator", "grid_worker"} & kinds or ("officer", "village") in kinds_levels:
        items.append(("queue", "待办", reverse("web:queue")))
    if {"mediator", "grid_worker", "officer"} & kinds or user.is_superuser:
        items.append(("intake", "登记", reverse("web:intake")))
    if "officer" in kinds or "viewer" in kinds or user.is_superuser:
        items.append(("overdue", "超期督办", reverse("web:overdue")))
    if ("officer", "town") in kinds_levels and "dashboard" not in {i[0] for i in items}:
        items.append(("dashboard", "考核", reverse("web:dashboard")))
    if "liaison" in kinds or "officer" in kinds or user.is_superuser:
        items.append(("referrals", "移交委派", reverse("web:referrals")))
    items.append(("cases", "案件", reverse("web:case-list")))
    if "grid_worker" in kinds:
        items.append(("inspection", "排查上报", reverse("web:inspections")))
    # Village self-governance (community app): the volunteer's duty, and the records kept by
    # the village's people and those above them.
    if "volunteer" in kinds or {"mediator", "grid_worker", "officer"} & kinds:
        items.append(("duty", "值班", reverse("web:duty")))
    if {"mediator", "grid_worker", "officer", "viewer"} & kinds or user.is_superuser:
        items.append(("consultation", "说事日", reverse("web:consultation-days")))
        items.append(("campaigns", "专项排查", reverse("web:campaigns")))
    if may_edit_settings(user):
        items.append(("settings", "设置", reverse("web:settings")))
    if user.is_staff:
        # Django admin is for superusers and staff; county admins use the settings pages.
        items.append(("admin", "管理", reverse("admin:index")))
    return [{"key": key, "label": label, "url": url} for key, label, url in items]


def tabs_for(user, nav):
    """The phone's bottom tab bar (待办 / 登记 / 消息 / 我的): the role's workbench, intake (or
    the case list for those who do not report), messages and the user's own page; the rest of
    the menu is on 我的. A liaison's workbench is their 移交委派 inbox; a volunteer, who sees
    no case, gets 值班 / 消息 / 我的."""
    keys = {item["key"]: item for item in nav}
    first = keys.get("queue") or keys.get("inbox") or keys.get("referrals")
    tabs = []
    if first:
        tabs.append({"key": first["key"], "label": "待办", "url": first["url"], "icon": "todo"})
    elif "dashboard" in keys:
        tabs.append(
            {"key": "dashboard", "label": "看板", "url": keys["dashboard"]["url"], "icon": "chart"}
        )
    elif "duty" in keys:
        tabs.append({"key": "duty", "label": "值班", "url": keys["duty"]["url"], "icon": "todo"})
    second = keys.get("intake")
    if second:
        tabs.append({"key": "intake", "label": "登记", "url": second["url"], "icon": "plus"})
    elif not tabs or tabs[0]["key"] != "duty":
        tabs.append({"key": "cases", "label": "案件", "url": keys["cases"]["url"], "icon": "list"})
    tabs.append(
        {
            "key": "notifications",
            "label": "消息",
            "url": reverse("web:notifications"),
            "icon": "bell",
        }
    )
    tabs.append({"key": "me", "label": "我的", "url": reverse("web:me"), "icon": "me"})
    return tabs
