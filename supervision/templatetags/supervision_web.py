"""Template tags for the pages of other apps: a case's 督办 (the case page) and an area's 督办
and letters (the dashboard), each one include line there."""

from django import template
from django.utils import timezone

from cases.policy import CasePolicy

from .. import selectors
from ..choices import LetterKind

register = template.Library()


@register.simple_tag(takes_context=True)
def case_supervisions(context, case):
    """The case's 督办 the user may see, and whether the policy lets them open one."""
    user = context["request"].user
    rows = list(
        selectors.supervisions_visible_to(user)
        .filter(case_id=case.pk)
        .select_related("unit", "case")
        .order_by("-opened_at", "-id")
    )
    return {
        "rows": rows,
        "may_open": CasePolicy(user, case).allows("supervise"),
        "now": timezone.now(),
    }


@register.simple_tag(takes_context=True)
def area_supervision(context, area):
    """An area's 督办 counts, and for a county its bulletins and whether the user issues them."""
    user = context["request"].user
    now = timezone.now()
    bulletins = []
    may_bulletin = selectors.may_issue_bulletin(user, area)
    if area.level == "county":
        bulletins = list(
            selectors.letters_visible_to(user)
            .filter(kind=LetterKind.BULLETIN, area=area)
            .select_related("issued_by")
            .order_by("-issued_at", "-id")[:6]
        )
    months = []
    if may_bulletin:
        from assessment.periods import month_of

        months = [(m.key, m.label) for m in (month_of(now, offset=-i) for i in range(12))]
    return {
        "totals": selectors.counts_under(area, now),
        "bulletins": bulletins,
        "may_bulletin": may_bulletin,
        "months": months,
        "default_month": months[1][0] if len(months) > 1 else "",
    }


@register.filter
def overdue_now(supervision, now):
    return selectors.is_overdue(supervision, now)
