"""What every page's header shows: the user's role, the unread count and the menu."""

from django.urls import reverse

from accounts.selectors import scope_for
from grids.choices import LEVEL_RANK

KIND_ORDER = ["officer", "viewer", "mediator", "grid_worker", "admin", "volunteer"]


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
    if "admin" in kinds or user.is_staff:
        items.append(("admin", "管理", reverse("admin:index")))
    return [{"key": key, "label": label, "url": url} for key, label, url in items]


def web(request):
    """Header data for signed-in pages; nothing for anonymous ones (login, 404)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        from notifications.selectors import unread_count

        role = primary_role(user)
        roles = scope_for(user).roles
        if role is None:
            label = "系统管理员" if user.is_superuser else "未分配岗位"
        else:
            label = f"{role.area.name}·{role.get_kind_display()}"
            if len(roles) > 1:
                label += f" 等{len(roles)}个岗位"
        return {"role_label": label, "unread": unread_count(user), "nav": nav_for(user)}

    return {"web": _Lazy(build)}


class _Lazy:
    """Computed on first use, so pages that never render the header pay nothing."""

    def __init__(self, build):
        self._build = build
        self._value = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._build()
        return self._value[name]
