"""Reads of supervision: the scoped querysets (out of scope is absent, as for cases), who may
open, answer or return a 督办 and issue letters, what is overdue, and the counts per unit."""

from datetime import datetime

from django.db.models import Count, Q

from accounts.choices import RoleKind
from accounts.selectors import scope_for
from grids.choices import LEVEL_RANK, AreaLevel
from grids.models import Area

from .choices import SupervisionStatus
from .models import Letter, Supervision

# The units a 督办 or a 提醒函 may be addressed to.
UNIT_LEVELS = (AreaLevel.TOWN, AreaLevel.VILLAGE)
# Who answers for a unit (DESIGN.md §4): the officers and mediators of that very area.
ANSWER_KINDS = (RoleKind.OFFICER, RoleKind.MEDIATOR)


def rows_q(user, prefix: str = "") -> Q:
    """Rows carrying `county`, `town` and `village` columns that lie under one of the user's
    roles (a role at a province or city: every county under it). A grid worker's role grants
    nothing here: units are villages and above."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for role in scope.roles_of():
        area = role.area
        if area.level in (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE):
            condition |= Q(**{f"{prefix}{area.level}_id": area.id})
        elif area.level in (AreaLevel.PROVINCE, AreaLevel.CITY):
            condition |= Q(**{f"{prefix}county__code__startswith": area.prefix})
    return condition


def under_q(area: Area, prefix: str = "") -> Q:
    """Rows whose unit is `area` or lies under it."""
    if area.level in (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE):
        return Q(**{f"{prefix}{area.level}_id": area.id})
    if area.level == AreaLevel.GRID:
        return Q(pk__in=[])
    return Q(**{f"{prefix}county__code__startswith": area.prefix})


def home_area(user) -> Area | None:
    """The user's highest area of county, town or village level (a superuser: the first
    county)."""
    scope = scope_for(user)
    areas = sorted(
        [a for a in scope.areas() if a.level in (AreaLevel.COUNTY, *UNIT_LEVELS)],
        key=lambda a: (LEVEL_RANK[a.level], a.code),
    )
    if areas:
        return areas[0]
    if scope.is_superuser:
        return Area.objects.filter(level=AreaLevel.COUNTY).order_by("code").first()
    return None


def supervisions_visible_to(user):
    """Every 督办 whose unit lies under one of the user's roles."""
    return Supervision.objects.filter(rows_q(user))


def letters_visible_to(user):
    """Every issued letter whose unit (or reported area) lies under one of the user's roles: a
    county's bulletin is the county office's, a town's people see their town's letters."""
    return Letter.objects.filter(rows_q(user))


def units_in_scope(user):
    """The towns and villages under the user's roles."""
    return scope_for(user).areas_queryset().filter(level__in=UNIT_LEVELS)


def officer_rank_over(user, area: Area) -> int | None:
    """The rank of the highest officer role the user holds over `area` strictly above it."""
    ranks = [
        LEVEL_RANK[role.area.level]
        for role in scope_for(user).roles_of(RoleKind.OFFICER)
        if LEVEL_RANK[role.area.level] < LEVEL_RANK[area.level] and area.is_under(role.area)
    ]
    return min(ranks) if ranks else None


def may_supervise(user, unit: Area) -> bool:
    """An officer of a higher level over the unit (or a superuser) may open a 督办 on it, return
    its feedback and issue it a 提醒函."""
    if unit.level not in UNIT_LEVELS:
        return False
    return bool(user.is_superuser) or officer_rank_over(user, unit) is not None


def may_return(user, supervision: Supervision) -> bool:
    """The opener, any officer above the unit over it, or a superuser may return an answer."""
    return (
        bool(user.is_superuser)
        or supervision.opened_by_id == user.pk
        or officer_rank_over(user, supervision.unit) is not None
    )


def may_answer(user, supervision: Supervision) -> bool:
    """The unit's officers and mediators (or a superuser) answer its 督办."""
    if user.is_superuser:
        return True
    return any(
        role.area_id == supervision.unit_id for role in scope_for(user).roles_of(*ANSWER_KINDS)
    )


def may_issue_bulletin(user, area: Area) -> bool:
    """The county office issues the county's bulletin: its officers (or a superuser)."""
    if user.is_superuser:
        return True
    return area.level == AreaLevel.COUNTY and any(
        role.area_id == area.id for role in scope_for(user).roles_of(RoleKind.OFFICER)
    )


def is_overdue(supervision: Supervision, now: datetime) -> bool:
    return supervision.status == SupervisionStatus.OPEN and supervision.due_at <= now


def overdue_q(now: datetime, prefix: str = "") -> Q:
    """Open 督办 past their deadline: the one rule for the lists, the counts and the sweep."""
    return Q(**{f"{prefix}status": SupervisionStatus.OPEN, f"{prefix}due_at__lte": now})


def awaiting(user):
    """Open 督办 the user's units must answer, earliest deadline first."""
    scope = scope_for(user)
    units = [role.area_id for role in scope.roles_of(*ANSWER_KINDS)]
    return (
        Supervision.objects.filter(unit_id__in=units, status=SupervisionStatus.OPEN)
        .select_related("unit", "case")
        .order_by("due_at", "id")
    )


COUNT_KEYS = ("open", "overdue", "on_time", "late", "total")
COUNT_LABELS = {
    "open": "办理中",
    "overdue": "超期未反馈",
    "on_time": "按期反馈",
    "late": "逾期反馈",
    "total": "合计",
}


def _counts(now: datetime) -> dict:
    from django.db.models import F

    closed = Q(status=SupervisionStatus.CLOSED)
    return {
        "open": Count("pk", filter=Q(status=SupervisionStatus.OPEN, due_at__gt=now)),
        "overdue": Count("pk", filter=overdue_q(now)),
        "on_time": Count("pk", filter=closed & Q(answered_at__lte=F("due_at"))),
        "late": Count("pk", filter=closed & Q(answered_at__gt=F("due_at"))),
        "total": Count("pk"),
    }


def counts_under(area: Area, now: datetime) -> dict:
    """The 督办 of the units under `area` (itself included): open, overdue, answered on time
    and late, in one query."""
    return Supervision.objects.filter(under_q(area)).aggregate(**_counts(now))


def counts_by_unit(area: Area, now: datetime) -> list[dict]:
    """The same counts per unit under `area` (units with at least one 督办), most overdue
    first: one GROUP BY."""
    rows = (
        Supervision.objects.filter(under_q(area))
        .values("unit_id", "unit__name", "unit__code", "unit__level")
        .annotate(**_counts(now))
        .order_by("-overdue", "unit__code")
    )
    return [
        {
            "unit": {
                "id": row["unit_id"],
                "name": row["unit__name"],
                "code": row["unit__code"],
                "level": row["unit__level"],
            },
            **{key: row[key] for key in COUNT_KEYS},
        }
        for row in rows
    ]


def unit_ancestors(unit: Area) -> dict:
    """{county, town, village} ids of a unit (None below its level), to copy onto rows."""
    chain = unit.ancestor_ids_by_level()
    return {
        "county_id": chain.get(AreaLevel.COUNTY),
        "town_id": chain.get(AreaLevel.TOWN),
        "village_id": chain.get(AreaLevel.VILLAGE),
    }
