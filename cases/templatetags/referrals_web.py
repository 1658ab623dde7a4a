"""The referrals' pieces of other pages: `{% case_referrals %}` on the case page and
`{% referrals_panel area period %}` on the dashboard (one line each in those templates)."""

from django import template
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.agencies import Agency
from accounts.choices import AgencyKind

from ..policy import CasePolicy, ReferralPolicy
from ..referral_models import Direction, Referral, ReferralResult

register = template.Library()


@register.inclusion_tag("cases/_case_referrals.html", takes_context=True)
def case_referrals(context):
    """The case's referrals the user sees, the steps they may take, and the form to refer."""
    user, case = context["request"].user, context["case"]
    now = timezone.now()
    rows = list(
        Referral.objects.visible_to(user)
        .filter(case=case)
        .select_related("agency", "case__holder")
        .order_by("sent_at", "id")
    )
    for referral in rows:
        referral.steps = ReferralPolicy(user, referral).allowed_actions()
        referral.overdue = referral.next_due is not None and referral.next_due <= now
    may_refer = CasePolicy(user, case).allows("refer")
    agencies = (
        Agency.objects.filter(county_id=case.county_id, active=True).order_by("kind", "code")
        if may_refer
        else []
    )
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "referrals": rows,
        "may_refer": may_refer,
        "agencies": agencies,
        "results": ReferralResult.choices,
    }


def referral_counts(queryset, now):
    """Referrals in and out by agency kind, answered and answered on time, open and overdue:
    one aggregate query."""
    rows = queryset.values("agency__kind", "direction").annotate(
        total=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        on_time=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due"))),
        open=Count("id", filter=Q(status__in=["sent", "received"])),
        overdue=Count("id", filter=Q(next_due__lte=now)),
    )
    table = {}
    for row in rows:
        entry = table.setdefault(
            row["agency__kind"],
            {"label": AgencyKind(row["agency__kind"]).label, "in": 0, "out": 0},
        )
        entry["in" if row["direction"] == Direction.IN else "out"] += row["total"]
        for key in ("answered", "on_time", "open", "overdue"):
            entry[key] = entry.get(key, 0) + row[key]
    return [table[kind] for kind in AgencyKind.values if kind in table]


@register.inclusion_tag("cases/_referrals_panel.html", takes_context=True)
def referrals_panel(context, area, period=None):
    """The dashboard's referrals panel for an area (its subtree) and period: by the
    referral's own county or town (`referral_county_sent`), so a county reads its own referrals
    of the period, not every county's."""
    user = context["request"].user
    queryset = Referral.objects.visible_to(user)
    own = {"county": "county_id", "town": "town_id"}.get(area.level)
    if own:
        queryset = queryset.filter(**{own: area.id})
    else:
        queryset = queryset.filter(**{f"case__{area.level}_id": area.id})
        county_id = area.ancestor_ids_by_level().get("county")
        if county_id is not None:
            queryset = queryset.filter(county_id=county_id)
    if period is not None:
        queryset = queryset.filter(sent_at__gte=period.start, sent_at__lt=period.end)
    rows = referral_counts(queryset, timezone.now())
    return {"rows": rows, "area": area}
