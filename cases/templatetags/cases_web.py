"""Template helpers of the case pages: deadlines in words."""

from django import template

register = template.Library()

KIND_LABEL = {"assign": "分派", "respond": "响应", "resolve": "办结", "follow_up": "回访"}


def _span(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours < 1:
        return f"{max(1, int(seconds // 60))}分钟"
    if hours < 48:
        return f"{hours}小时"
    return f"{hours // 24}天"


@register.simple_tag
def due_label(due_at, kind, now):
    """'分派剩余5小时': the next deadline still ahead ('' once it has passed: what is late is
    `late_label`'s, from the one overdue rule)."""
    if not due_at or due_at <= now:
        return ""
    label = KIND_LABEL.get(kind or "", "期限")
    return f"{label}剩余{_span((due_at - now).total_seconds())}"


@register.simple_tag
def late_label(item, now):
    """'分派超期11天': a late item of `cases.overdue` (which stage, by how long)."""
    return f"{item.label}超期{_span(item.late_by(now).total_seconds())}"


@register.filter
def lists_area(user, area) -> bool:
    """True when the case list may be filtered to `area` for this user (the breadcrumbs link
    only there: a liaison or a grid worker sees a case without the town's list)."""
    from accounts.selectors import scope_for

    return area is not None and scope_for(user).covers(area)
