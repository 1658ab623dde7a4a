"""Template helpers of the case pages: deadlines in words."""

from django import template

from cases.selectors import deadline_passed

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
    """'分派 剩余5小时' or '办结 已超期3天'."""
    if not due_at:
        return ""
    label = KIND_LABEL.get(kind or "", "期限")
    seconds = (due_at - now).total_seconds()
    if deadline_passed(due_at, now):
        return f"{label}已超期{_span(-seconds)}"
    return f"{label}剩余{_span(seconds)}"


@register.filter
def overdue_at(due_at, now) -> bool:
    """`{% if c.due_at|overdue_at:now %}`: the case row's open period is overdue
    (`cases.selectors`, the one rule)."""
    return deadline_passed(due_at, now)
