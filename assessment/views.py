"""The dashboard pages: an area's KPIs for a period, the safety index over 12 months, its
child areas ranked (table and bar chart), a heat table of child areas × categories, the overdue
and supervised cases, and the Excel exports. Drill-down: county → town → village → cases."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import scope_for
from cases import list_rows, selectors
from cases.choices import Category
from cases.models import Case
from grids.choices import LEVEL_RANK
from grids.models import Area

CHILD_LEVEL = {"province": "city", "city": "county", "county": "town", "town": "village"}

TILES = [
    ("safety_index", "平安指数", False),
    ("resolution_rate", "化解率", True),
    ("village_retention", "小事不出村", True),
    ("town_retention", "大事不出镇", True),
    ("assignment_on_time_rate", "按期分派率", True),
    ("response_on_time_rate", "按期响应率", True),
    ("closure_on_time_rate", "按期办结率", True),
    ("flow_through_on_time_rate", "流转按期承接率", True),
    ("follow_up_rate", "回访率", True),
    ("satisfaction_rate", "满意率", True),
    ("intake", "受理数", False),
    ("concluded", "化解结案数", False),
]
# Heat-table headers short enough for 16 columns at 1366 px (the full name is the title).
SHORT_CATEGORY = {
    "marriage_family": "婚姻",
    "neighbour": "邻里",
    "housing_homestead": "宅基地",
    "contract": "合同",
    "business": "经营",
    "damages": "损害",
    "land_forest": "山林",
    "land_acquisition": "征拆",
    "environment": "环境",
    "labour": "劳动",
    "medical": "医疗",
    "property_management": "物业",
    "traffic": "交通",
    "consumer": "消费",
    "village_affairs": "村务",
    "other": "其他",
}


def _pct(value):
    return None if value is None else round(float(value) * 100, 1)


def dashboard_area(request):
    """The area asked for (in scope, else 404), or the user's highest area."""
    scope = scope_for(request.user)
    value = request.GET.get("area", "")
    if value:
        if not value.isdigit():
            raise Http404
        area = Area.objects.filter(pk=int(value)).first()
        if area is None or area.level == "grid":
            raise Http404
        if not request.user.is_superuser and not scope.covers(area):
            raise Http404
        return area
    areas = sorted(
        [a for a in scope.areas() if a.level != "grid"],
        key=lambda a: (LEVEL_RANK[a.level], a.code),
    )
    if areas:
        return areas[0]
    if request.user.is_superuser:
        area = Area.objects.filter(level="county").order_by("code").first()
        if area is not None:
            return area
    raise Http404


def _period(request):
    from assessment.periods import month_of, parse_period

    try:
        return parse_period(request.GET["period"])
    except (KeyError, ValueError):
        return month_of(timezone.now())


def _trend(area, period):
    """The safety index and resolution rate of the 12 months ending with `period`."""
    from assessment.models import KpiSnapshot
    from assessment.periods import month_of, parse_period
    from assessment.selectors import area_snapshot

    end = period if period.kind == "month" else month_of(timezone.now())
    months = [
        parse_period(f"{m.start_date.year}-{m.start_date.month:02d}")
        for m in (month_of(end.start, offset=-i) for i in range(11, -1, -1))
    ]
    found = {
        s.period_key: s
        for s in KpiSnapshot.objects.filter(area=area, period_key__in=[m.key for m in months])
    }
    rows = []
    for month in months:
        snapshot = found.get(month.key) or area_snapshot(area, month)
        rows.append(
            {
                "key": month.key,
                "safety_index": None
                if snapshot.safety_index is None
                else round(snapshot.safety_index, 1),
                "resolution_rate": _pct(snapshot.metrics.get("resolution_rate")),
            }
        )
    return rows


def _heat(request, area, period, children, moment):
    """Cases reported in the period up to the snapshot's moment (so each row's total is the
    child's 受理 of the ranking), by child area and category: rows, columns, max."""
    child_level = CHILD_LEVEL.get(area.level)
    if child_level is None or not children:
        return None
    column = f"{child_level}_id"
    counts = (
        Case.objects.visible_to(request.user)
        .filter(**{f"{area.level}_id": area.id})
        .filter(reported_at__gte=period.start, reported_at__lt=period.end)
        .filter(reported_at__lte=moment)
        .values(column, "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = {}
    used = set()
    for row in counts:
        table.setdefault(row[column], {})[row["category"]] = row["n"]
        used.add(row["category"])
    categories = [
        (value, label, SHORT_CATEGORY.get(value, label))
        for value, label in Category.choices
        if value in used
    ]
    peak = max((n for row in table.values() for n in row.values()), default=0)
    rows = []
    for child in children:
        cells = []
        for value, _, _ in categories:
            n = table.get(child.id, {}).get(value, 0)
            level = 0 if not n or not peak else min(5, 1 + int(4 * n / peak))
            cells.append({"n": n, "level": level, "category": value})
        rows.append({"area": child, "cells": cells, "total": sum(c["n"] for c in cells)})
    return {"categories": categories, "rows": rows}


def _overdue_panel(area, limit=10):
    """The dashboard's overdue panel: the area's most overdue open cases, then supervised ones
    (`cases.selectors.overdue_under`). `dashboard_area` let the user see this area, so every
    case under it is in their scope."""
    ids = selectors.overdue_under(area, now=timezone.now(), limit=limit)
    cases = selectors.with_clock(Case.objects.filter(pk__in=ids)).select_related(
        "village", "town", "assignee"
    )
    return list_rows.present(sorted(cases, key=lambda case: ids.index(case.pk)), timezone.now())


def _self_governance(area, period):
    """Village self-governance for the dashboard (DESIGN.md §17): the month's consultation-day
    coverage for the area and each child, and the rota days missed so far in the month."""
    from community import selectors as community

    if area.level not in ("county", "town", "village"):
        return None
    today = timezone.localdate()
    month = period.start_date if period.kind == "month" else today.replace(day=1)
    end = community.next_month(month)
    missed = community.missed_duties(area, month, end, today)
    return {
        "month": month,
        "coverage": community.consultation_coverage(area, month),
        "children": [
            {**row, "pct": _pct(row["coverage"])}
            for row in community.consultation_coverage_by_child(area, month)
        ],
        "missed": sum(row["missed"] for row in missed),
        "duties": sum(row["duties"] for row in missed),
    }


def _tile_rows(snapshot, before, last_year):
    """The tiles: value, and the change against the previous period and a year before."""
    rows = []
    for name, label, is_rate in TILES:
        value = _metric(snapshot, name)
        shown = _pct(value) if is_rate else (round(value, 1) if isinstance(value, float) else value)
        rows.append(
            {
                "name": name,
                "label": label,
                "value": shown,
                "raw": value,
                "rate": is_rate,
                "mom": _change(value, before, name, is_rate),
                "yoy": _change(value, last_year, name, is_rate),
            }
        )
    return rows


def _metric(snapshot, name):
    if snapshot is None:
        return None
    if name == "safety_index":
        return snapshot.safety_index
    return snapshot.metrics.get(name)


def _change(value, other, name, is_rate):
    """{"dir": up|down|flat, "abs": size} of the change against `other`, or None."""
    from assessment.figures import RANKED, change, standing

    if name == "safety_index" and other is not None and standing(other) != RANKED:
        # An index without case work measures inspection reports alone: no comparison.
        return None
    diff = change(value, _metric(other, name), rate=is_rate)
    if diff is None:
        return None
    return {
        "dir": "up" if diff > 0 else "down" if diff < 0 else "flat",
        "abs": abs(diff),
        "value": diff,
    }


def _year_grade(snapshot):
    """The grade of the year so far (金鼎/银鼎/铜鼎), 未达等级 below bronze; blank for a unit
    without case work in the year (its index measures inspection reports alone)."""
    from assessment.figures import RANKED, standing

    if snapshot is None or snapshot.safety_index is None or standing(snapshot) != RANKED:
        return ""
    return snapshot.get_grade_display() if snapshot.grade else "未达等级"


def _ranking_rows(children, components, before, last_year, year):
    from assessment.figures import RANKED, STANDING_LABELS

    rows = []
    for s in children:
        ranked = s.standing == RANKED
        index = s.safety_index if ranked else None
        rows.append(
            {
                "area": s.area,
                "rank": s.rank,
                "standing": STANDING_LABELS[s.standing],
                "safety_index": None if index is None else round(index, 1),
                "raw_index": index,
                "mom": _change(index, before.get(s.area_id), "safety_index", False),
                "yoy": _change(index, last_year.get(s.area_id), "safety_index", False),
                "grade": _year_grade(year.get(s.area_id)),
                "components": [
                    {"name": c["name"], "value": _pct(s.metrics.get(c["name"]))} for c in components
                ],
                "intake": s.metrics.get("intake"),
                "concluded": s.metrics.get("concluded"),
            }
        )
    return rows


@login_required
def dashboard(request):
    """An area's dashboard (county by default for county leaders; town for town officers).
    Every figure of the tiles, the ranking and the heat table is of one moment (数据截至); the
    overdue and self-governance panels are live and say so."""
    from assessment import figures
    from assessment.choices import KPI_LABELS
    from assessment.selectors import area_and_children

    area = dashboard_area(request)
    period = _period(request)
    snapshot, children = area_and_children(area, period)
    moment = snapshot.computed_at
    ids = [area.pk] + [s.area_id for s in children]
    before_period = figures.previous_period(period)
    last_year_period = figures.same_period_last_year(period)
    year_period = figures.year_of_period(period)
    wanted = [before_period, last_year_period]
    if year_period.key != period.key:
        wanted.append(year_period)
    others = figures.snapshots_of(wanted, ids, area)
    before = others[before_period.key]
    last_year = others[last_year_period.key]
    year = (
        others[year_period.key]
        if year_period.key != period.key
        else {s.area_id: s for s in [snapshot, *children]}
    )
    tiles = _tile_rows(snapshot, before.get(area.pk), last_year.get(area.pk))
    components = figures.component_columns(area)
    ranked = _ranking_rows(children, components, before, last_year, year)
    heat = _heat(request, area, period, [s.area for s in children], moment)
    trend = _trend(area, period)
    crumbs = [a for a in area.ancestors() if scope_for(request.user).covers(a)] + [area]
    chart_data = {
        "trend": trend,
        "ranking": [
            {"name": r["area"].name, "value": r["safety_index"]}
            for r in reversed(ranked)
            if r["rank"] is not None
        ],
    }
    today = timezone.localdate()
    periods = []
    for offset in range(0, 12):
        from assessment.periods import month_of

        m = month_of(timezone.now(), offset=-offset)
        periods.append((m.key, m.label))
    periods += [
        (f"{today.year}-Q{(today.month - 1) // 3 + 1}", "本季度"),
        (str(today.year), "本年度"),
    ]
    export_cases = urlencode(
        {
            "area": area.pk,
            "reported_after": period.start.isoformat(),
            "reported_before": period.end.isoformat(),
            "as_of": moment.isoformat(),
        }
    )
    return render(
        request,
        "assessment/dashboard.html",
        {
            "area": area,
            "period": period,
            "periods": periods,
            "snapshot": snapshot,
            "as_of": figures.stamp(moment),
            "as_of_iso": moment.isoformat(),
            "year_period": year_period,
            "year_grade": _year_grade(year.get(area.pk)),
            "before_label": before_period.label,
            "last_year_label": last_year_period.label,
            "tiles": tiles,
            "ranked": ranked,
            "components": components,
            "child_level_label": {
                "city": "市",
                "county": "县（区）",
                "town": "乡镇",
                "village": "村（社区）",
            }.get(CHILD_LEVEL.get(area.level, ""), ""),
            "heat": heat,
            "overdue": _overdue_panel(area),
            "self_governance": _self_governance(area, period),
            "chart_data": chart_data,
            "crumbs": crumbs,
            "kpi_labels": KPI_LABELS,
            "now": timezone.now(),
            "live_as_of": figures.stamp(timezone.now()),
            "export_cases_query": export_cases,
            "nav_active": "dashboard",
        },
    )
