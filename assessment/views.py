"""The dashboard pages: an area's KPIs for a period, the safety index over 12 months, its
child areas ranked (table and bar chart), a heat table of child areas × categories, the overdue
and supervised cases, and the Excel exports. Drill-down: county → town → village → cases."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import scope_for
from cases import selectors
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
RANK_COLUMNS = [
    ("resolution_rate", "化解率"),
    ("village_retention", "不出村"),
    ("town_retention", "不出镇"),
    ("closure_on_time_rate", "按期办结"),
    ("intake", "受理"),
]


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


def _heat(request, area, period, children):
    """Cases reported in the period, by child area and category: rows, columns, max."""
    child_level = CHILD_LEVEL.get(area.level)
    if child_level is None or not children:
        return None
    column = f"{child_level}_id"
    counts = (
        Case.objects.visible_to(request.user)
        .filter(**{f"{area.level}_id": area.id})
        .filter(reported_at__gte=period.start, reported_at__lt=period.end)
        .values(column, "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = {}
    used = set()
    for row in counts:
        table.setdefault(row[column], {})[row["category"]] = row["n"]
        used.add(row["category"])
    categories = [(value, label) for value, label in Category.choices if value in used]
    peak = max((n for row in table.values() for n in row.values()), default=0)
    rows = []
    for child in children:
        cells = []
        for value, _ in categories:
            n = table.get(child.id, {}).get(value, 0)
            level = 0 if not n or not peak else min(5, 1 + int(4 * n / peak))
            cells.append({"n": n, "level": level})
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
    return selectors.attach_late(sorted(cases, key=lambda case: ids.index(case.pk)), timezone.now())


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


@login_required
def dashboard(request):
    """An area's dashboard (county by default for county leaders; town for town officers)."""
    from assessment.choices import KPI_LABELS
    from assessment.selectors import area_snapshot, children_snapshots

    area = dashboard_area(request)
    period = _period(request)
    snapshot = area_snapshot(area, period)
    metrics = dict(snapshot.metrics)
    metrics["safety_index"] = snapshot.safety_index
    tiles = []
    for name, label, is_rate in TILES:
        value = metrics.get(name)
        if is_rate:
            value = _pct(value)
        elif isinstance(value, float):
            value = round(value, 1)
        tiles.append({"name": name, "label": label, "value": value, "rate": is_rate})

    children = children_snapshots(area, period) if area.level in CHILD_LEVEL else []
    ranked = [
        {
            "area": s.area,
            "rank": s.rank,
            "safety_index": None if s.safety_index is None else round(s.safety_index, 1),
            "grade": s.get_grade_display() if s.grade else "",
            "cells": [
                _pct(s.metrics.get(name)) if name != "intake" else s.metrics.get(name)
                for name, _ in RANK_COLUMNS
            ],
        }
        for s in children
    ]
    heat = _heat(request, area, period, [s.area for s in children])
    trend = _trend(area, period)
    crumbs = [a for a in area.ancestors() if scope_for(request.user).covers(a)] + [area]
    chart_data = {
        "trend": trend,
        "ranking": [{"name": r["area"].name, "value": r["safety_index"]} for r in reversed(ranked)],
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
    return render(
        request,
        "assessment/dashboard.html",
        {
            "area": area,
            "period": period,
            "periods": periods,
            "snapshot": snapshot,
            "tiles": tiles,
            "ranked": ranked,
            "rank_columns": [label for _, label in RANK_COLUMNS],
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
            "nav_active": "dashboard",
        },
    )
