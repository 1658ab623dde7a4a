"""Demo data of the village risk ratings: every village rated for each month that has cases
(and the month under way), and each village visited by its town's officer a few times this
month (through the services), so the dashboards' panel and the rating list carry real numbers."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from assessment.periods import month_of
from assessment.risk import compute_month, visit_record
from assessment.risk_models import VillageVisit
from cases.models import Case
from grids.models import Area


def rate_demo_villages(now=None) -> str:
    """Rate every village for every month since the first case; record this month's visits."""
    now = now or timezone.now()
    first = Case.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    months = [month_of(now)]
    while first is not None and months[-1].start > first and len(months) < 36:
        months.append(month_of(months[-1].start, offset=-1))
    tally = {}
    for period in reversed(months):
        tally = compute_month(period, now=now)
    visits = _visits(now)
    return (
        f"village risk ratings: {len(months)} months; this month 红 {tally.get('red', 0)}, "
        f"黄 {tally.get('yellow', 0)}, 绿 {tally.get('green', 0)}; visits {visits}"
    )


def _visits(now) -> int:
    """One to three visits per village this month by an officer of its town (none in the
    future), so the villages rated red are short of visits and counted."""
    rng = random.Random(15)
    officers = {}
    for role in Role.objects.filter(kind=RoleKind.OFFICER, area__level="town").select_related(
        "user"
    ):
        officers.setdefault(role.area_id, role.user)
    today = timezone.localtime(now).date()
    days = (today - today.replace(day=1)).days + 1
    # A second run adds none: villages visited this month already are left as they are.
    visited = set(
        VillageVisit.objects.filter(visited_on__gte=today.replace(day=1)).values_list(
            "village_id", flat=True
        )
    )
    made = 0
    for village in Area.objects.filter(level="village", retired=False).order_by("code"):
        officer = officers.get(village.parent_id)
        if officer is None or village.pk in visited:
            continue
        for _ in range(rng.randint(1, 3)):
            day = today - timedelta(days=rng.randrange(days))
            visit_record(actor=officer, village_id=village.pk, visited_on=day, note="入村走访。")
            made += 1
    return made
