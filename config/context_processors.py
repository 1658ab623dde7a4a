"""What every page's header shows: the user's role, the unread count and the menu. The site
puts it together from the apps (accounts: role and menu; notifications: the unread count)."""

from accounts.context_processors import nav_for, primary_role, tabs_for
from accounts.selectors import scope_for
from notifications.selectors import unread_count


def web(request):
    """Header data for signed-in pages; nothing for anonymous ones (login, 404)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        role = primary_role(user)
        roles = scope_for(user).roles
        if role is None:
            label = "系统管理员" if user.is_superuser else "未分配岗位"
        else:
            label = f"{role.area.name}·{role.get_kind_display()}"
            if len(roles) > 1:
                label += f" 等{len(roles)}个岗位"
        nav = nav_for(user)
        return {
            "role_label": label,
            "unread": unread_count(user),
            "nav": nav,
            "tabs": tabs_for(user, nav),
        }

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
