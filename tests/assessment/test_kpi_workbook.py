"""The KPI/ranking workbook an office hands upward: a title row with the area, the period and
数据截至 on each sheet, real date cells, a frozen header with an autofilter and column widths on
the ranking, units without cases ranked apart, the year's grade."""

from datetime import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessment.periods import parse_period
from assessment.services import snapshot_period

from .builders import t

NOW = t(11, 15)


@pytest.fixture
def snapshots(october):
    snapshot_period(parse_period("2026-10"), now=NOW)
    return october


def test_kpi_workbook_title_dates_frozen_header_filter_and_widths(snapshots, api):
    a = snapshots.areas
    response = api(snapshots.county_officer).get(
        "/api/v1/kpis/export.xlsx", {"area": a.county.id, "period": "2026-10"}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    summary, ranked = book["区域指标"], book["下级排名"]
    stamp = timezone.localtime(NOW).strftime("%Y-%m-%d %H:%M")
    title = f"宜君县 2026年10月 矛盾纠纷化解考核指标（数据截至 {stamp}）"
    assert summary["A1"].value == title and ranked["A1"].value == title
    values = {row[0].value: row[1] for row in summary.iter_rows(min_row=2) if row[0].value}
    assert values["区划"].value == "宜君县"
    assert values["起始日期"].value == datetime(2026, 10, 1)
    assert values["起始日期"].number_format == "yyyy-mm-dd"
    assert values["数据截至"].value == timezone.localtime(NOW).replace(tzinfo=None)
    assert values["数据截至"].number_format == "yyyy-mm-dd hh:mm"
    header = [c.value for c in ranked[2]]
    assert header[:5] == ["排名", "区划代码", "名称", "排名说明", "年度等级"]
    assert ranked.freeze_panes == "D3"
    assert ranked.auto_filter.ref.startswith("A2:") and ranked.auto_filter.ref.endswith(
        str(ranked.max_row)
    )
    assert all(ranked.column_dimensions[c].width >= 6 for c in "ABCDE")
    assert ranked.column_dimensions["C"].width >= 12


def test_kpi_workbook_ranks_units_without_cases_apart(snapshots, api):
    """A village with no case in the month is 无案件/无数据, unnumbered, after the ranked."""
    a = snapshots.areas
    response = api(snapshots.town_officer_a).get(
        "/api/v1/rankings/", {"area": a.county.id, "level": "village", "period": "2025-06"}
    )
    assert response.status_code == 404  # not their county
    body = (
        api(snapshots.county_officer)
        .get("/api/v1/rankings/", {"area": a.county.id, "level": "village", "period": "2025-06"})
        .json()
    )
    # June 2025 had no cases: nobody is ranked, each says why.
    assert [r["rank"] for r in body["results"]] == [None] * len(body["results"])
    assert {r["standing"] for r in body["results"]} <= {"no_cases", "no_data"}
    response = api(snapshots.county_officer).get(
        "/api/v1/kpis/export.xlsx", {"area": a.town_a.id, "period": "2025-06"}
    )
    ranked = load_workbook(BytesIO(response.content))["下级排名"]
    rows = list(ranked.iter_rows(min_row=3, values_only=True))
    assert rows and all(row[0] is None and row[3] in ("无案件", "无数据") for row in rows)
