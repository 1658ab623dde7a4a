"""Reads for village self-governance: the scoped querysets (out of scope is absent), who may
manage a village's records, coverage of consultation days and campaigns, missed duties."""

from datetime import date

from django.db.models import Count, Q

from accounts.choices import RoleKind
from accounts.selectors import scope_for
from grids.choices import AreaLevel
from grids.models import Area

from .models import (
    Campaign,
    CampaignReport,
    ConsultationDay,
    DutyLogEntry,
    DutyShift,
    DutyTeam,
    Volunteer,
)

# Who keeps a village's records (DESIGN.md §17): its mediators and officers and those above,
# admins of the subtree, and the grid workers of its grids.
MANAGER_KINDS = (RoleKind.OFFICER, RoleKind.MEDIATOR, RoleKind.ADMIN)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def rows_q(user, prefix: str = "") -> Q:
    """A filter for rows carrying `village`, `town` and `county` columns: the subtrees of the
    user's roles; a grid worker sees their grid's village. A volunteer's light account grants
    nothing here (see `shifts_visible_to`)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for role in scope.roles_of():
        area = role.area
        if area.level in (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE):
            condition |= Q(**{f"{prefix}{area.level}_id": area.id})
        elif area.level == AreaLevel.GRID:
            condition |= Q(**{f"{prefix}village_id": area.parent_id})
        else:  # province, city: every county under it
            condition |= Q(**{f"{prefix}county__code__startswith": area.prefix})
    return condition


def manages(user, area: Area) -> bool:
    """May this user keep the records of this village (or grid, or town)?"""
    scope = scope_for(user)
    if scope.is_superuser or scope.covers(area, *MANAGER_KINDS):
        return True
    village_id = area.parent_id if area.level == AreaLevel.GRID else area.id
    return any(r.area.parent_id == village_id for r in scope.roles_of(RoleKind.GRID_WORKER))


def may_report_for(user, grid: Area) -> bool:
    """A grid's campaign report is filed by its own grid worker, or the village's mediators
    and officers and those above (not by the grid worker next door)."""
    scope = scope_for(user)
    return scope.is_superuser or scope.covers(grid, RoleKind.GRID_WORKER, *MANAGER_KINDS)


def may_open_campaign(user, area: Area) -> bool:
    """Officers and admins of the county or a town open campaigns over their subtree."""
    scope = scope_for(user)
    if area.level not in (AreaLevel.COUNTY, AreaLevel.TOWN):
        return False
    return scope.is_superuser or any(
        area.is_under(r.area) and r.area.level in (AreaLevel.COUNTY, AreaLevel.TOWN)
        for r in scope.roles_of(RoleKind.OFFICER, RoleKind.ADMIN)
    )


def areas_in_scope(user):
    """Areas the user's records may name (villages and grids under their roles)."""
    scope = scope_for(user)
    queryset = scope.areas_queryset()
    grid_villages = [r.area.parent_id for r in scope.roles_of(RoleKind.GRID_WORKER)]
    if grid_villages and not scope.is_superuser:
        queryset = queryset | Area.objects.filter(
            Q(pk__in=grid_villages) | Q(parent_id__in=grid_villages)
        )
    return queryset


# ---------------------------------------------------------------- scoped querysets


def consultation_days_visible_to(user):
    return ConsultationDay.objects.filter(rows_q(user))


def volunteers_visible_to(user):
    return Volunteer.objects.filter(rows_q(user))


def teams_visible_to(user):
    return DutyTeam.objects.filter(rows_q(user))


def shifts_visible_to(user):
    """The rota rows a user may see: their area's, and a volunteer's own duties."""
    condition = rows_q(user)
    if scope_for(user).roles_of(RoleKind.VOLUNTEER):
        condition |= Q(volunteer__user=user)
    return DutyShift.objects.filter(condition)


def log_visible_to(user):
    condition = rows_q(user)
    if scope_for(user).roles_of(RoleKind.VOLUNTEER):
        condition |= Q(shift__volunteer__user=user)
    return DutyLogEntry.objects.filter(condition)


def campaigns_visible_to(user):
    """Campaigns over, or under, one of the user's areas."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Campaign.objects.all()
    condition = Q(pk__in=[])
    for role in scope.roles_of():
        area = role.area
        codes = [*area.ancestor_codes(), area.code]
        condition |= Q(area__code__startswith=area.prefix) | Q(area__code__in=codes)
    return Campaign.objects.filter(condition)


# ---------------------------------------------------------------- today's duty


def todays_shift(user, today: date):
    """The user's own duty today (a volunteer with a light account), or None."""
    if not scope_for(user).roles_of(RoleKind.VOLUNTEER):
        return None
    return (
        DutyShift.objects.filter(volunteer__user=user, on_date=today)
        .select_related("volunteer", "village")
        .first()
    )


# ---------------------------------------------------------------- coverage and counts


def _villages_under(area: Area):
    if area.level == AreaLevel.VILLAGE:
        return Area.objects.filter(pk=area.pk)
    return Area.objects.subtree(area).filter(level=AreaLevel.VILLAGE)


def consultation_coverage(area: Area, month: date) -> dict:
    """Villages under `area` that held a consultation day in the month, out of all."""
    month = month_start(month)
    villages = _villages_under(area)
    total = villages.count()
    held = (
        ConsultationDay.objects.filter(month=month, village__in=villages)
        .values("village_id")
        .distinct()
        .count()
    )
    return {"held": held, "total": total, "coverage": round(held / total, 4) if total else None}


def consultation_coverage_by_child(area: Area, month: date) -> list[dict]:
    """The same per child area (towns of a county, villages of a town), in two queries."""
    month = month_start(month)
    children = list(Area.objects.filter(parent=area).exclude(level=AreaLevel.GRID))
    if not children:
        return []
    level = children[0].level
    if level not in (AreaLevel.TOWN, AreaLevel.VILLAGE):
        return []
    villages = Area.objects.subtree(area).filter(level=AreaLevel.VILLAGE)
    totals = {}
    for village in villages.only("id", "code", "parent_id"):
        key = village.id if level == AreaLevel.VILLAGE else village.parent_id
        totals[key] = totals.get(key, 0) + 1
    held_rows = (
        ConsultationDay.objects.filter(month=month, village__in=villages)
        .values(f"{level}_id")
        .annotate(n=Count("village_id", distinct=True))
    )
    held = {row[f"{level}_id"]: row["n"] for row in held_rows}
    rows = []
    for child in children:
        total = totals.get(child.id, 0)
        n = held.get(child.id, 0)
        rows.append(
            {
                "area": child,
                "held": n,
                "total": total,
                "coverage": round(n / total, 4) if total else None,
            }
        )
    return rows


def missed_duties(area: Area, start: date, end: date, today: date) -> list[dict]:
    """Per village under `area`: rota days in [start, end) before today with no check-in."""
    end = min(end, today)
    column = f"{area.level}_id" if area.level in ("county", "town", "village") else None
    shifts = DutyShift.objects.filter(on_date__gte=start, on_date__lt=end)
    if column:
        shifts = shifts.filter(**{column: area.id})
    else:
        shifts = shifts.filter(county__code__startswith=area.prefix)
    rows = (
        shifts.values("village_id", "village__name")
        .annotate(
            duties=Count("id"),
            missed=Count("id", filter=Q(checked_in_at__isnull=True)),
        )
        .order_by("village__name")
    )
    return [
        {
            "village": {"id": r["village_id"], "name": r["village__name"]},
            "duties": r["duties"],
            "missed": r["missed"],
        }
        for r in rows
    ]


def campaign_coverage(campaign: Campaign, within=None) -> dict:
    """Every grid in the campaign's scope, reported or not, grouped by town and village;
    `within` a user: only the grids under that user's areas."""
    grids = Area.objects.subtree(campaign.area).filter(level=AreaLevel.GRID)
    if within is not None and not scope_for(within).is_superuser:
        grids = grids.filter(pk__in=areas_in_scope(within).values("pk"))
    grids = list(grids.select_related("parent", "parent__parent").order_by("code"))
    reports = {
        r.grid_id: r
        for r in CampaignReport.objects.filter(campaign=campaign).only(
            "id", "grid_id", "zero", "found", "submitted_at"
        )
    }
    towns, villages = {}, {}
    for grid in grids:
        village = grid.parent
        town = village.parent
        reported = grid.id in reports
        for bucket, unit in ((towns, town), (villages, village)):
            row = bucket.setdefault(
                unit.id, {"area": unit, "total": 0, "reported": 0, "missing": []}
            )
            row["total"] += 1
            row["reported"] += reported
            if not reported:
                row["missing"].append(grid)
    for bucket in (towns, villages):
        for row in bucket.values():
            row["coverage"] = round(row["reported"] / row["total"], 4) if row["total"] else None
    total = len(grids)
    reported = sum(1 for g in grids if g.id in reports)
    return {
        "total": total,
        "reported": reported,
        "zero": sum(1 for r in reports.values() if r.zero),
        "coverage": round(reported / total, 4) if total else None,
        "towns": list(towns.values()),
        "villages": list(villages.values()),
        "grids": [{"grid": g, "report": reports.get(g.id)} for g in grids],
    }


def missing_grids(campaign: Campaign):
    """Grids in the campaign's scope with no report yet."""
    reported = CampaignReport.objects.filter(campaign=campaign).values("grid_id")
    return (
        Area.objects.subtree(campaign.area)
        .filter(level=AreaLevel.GRID)
        .exclude(pk__in=reported)
        .order_by("code")
    )
