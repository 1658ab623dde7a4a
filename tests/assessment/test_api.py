from io import BytesIO

import pytest
from openpyxl import load_workbook

from assessment.choices import KPI_FIELDS
from assessment.models import KpiSnapshot
from assessment.periods import parse_period
from assessment.selectors import rank
from assessment.services import snapshot_period

from .builders import t

NOW = t(11, 15)


@pytest.fixture
def snapshots(october):
    snapshot_period(parse_period("2026-10"), now=NOW)
    return october


def test_town_officer_reads_their_town_and_villages_but_not_the_neighbour(snapshots, api):
    a = snapshots.areas
    client = api(snapshots.town_officer_a)
    town = client.get("/api/v1/kpis/", {"area": a.town_a.id, "period": "2026-10"})
    assert town.status_code == 200
    body = town.json()
    assert body["kpis"]["intake"] == 4
    assert body["kpis"]["resolution_rate"] == pytest.approx(2 / 3)
    assert body["counts"]["concluded"] == 3
    assert body["period_kind"] == "month" and body["period_label"] == "2026年10月"
    village = client.get("/api/v1/kpis/", {"area": a.village_a1.id, "period": "2026-10"})
    assert village.status_code == 200
    for other in (a.town_b, a.village_b1, a.county):
        response = client.get("/api/v1/kpis/", {"area": other.id, "period": "2026-10"})
        assert response.status_code == 404, other
    ranking = client.get(
        "/api/v1/rankings/", {"area": a.town_b.id, "level": "village", "period": "2026-10"}
    )
    assert ranking.status_code == 404
    export = client.get("/api/v1/kpis/export.xlsx", {"area": a.town_b.id, "period": "2026-10"})
    assert export.status_code == 404


def test_breakdown_adds_one_ranked_row_per_child(snapshots, api):
    a = snapshots.areas
    body = (
        api(snapshots.county_viewer)
        .get("/api/v1/kpis/", {"area": a.county.id, "period": "2026-10", "breakdown": "children"})
        .json()
    )
    children = body["children"]
    assert {row["area"]["id"] for row in children} == {a.town_a.id, a.town_b.id}
    indexes = [row["safety_index"] for row in children]
    assert indexes == sorted(indexes, reverse=True)
    assert [row["rank"] for row in children] == [1, 2]


def test_bad_input_is_400_with_field_messages(snapshots, api):
    client = api(snapshots.county_officer)
    for params, field in [
        ({"period": "2026-13"}, "period"),
        ({"period": "last month"}, "period"),
        ({"area": "abc"}, "area"),
        ({"area": snapshots.areas.grid_a1.id}, "area"),
        ({"breakdown": "grandchildren"}, "breakdown"),
    ]:
        response = client.get("/api/v1/kpis/", params)
        assert response.status_code == 400, params
        assert field in response.json()
    missing_level = client.get("/api/v1/rankings/", {"period": "2026-10"})
    assert missing_level.status_code == 400 and "level" in missing_level.json()
    upward = client.get(
        "/api/v1/rankings/",
        {"area": snapshots.areas.village_a1.id, "level": "town", "period": "2026-10"},
    )
    assert upward.status_code == 400 and "level" in upward.json()
    assert client.get("/api/v1/kpis/", {"area": 999999}).status_code == 404


def test_missing_snapshots_are_computed_on_demand(october, api):
    a = october.areas
    assert not KpiSnapshot.objects.exists()
    response = api(october.town_officer_a).get(
        "/api/v1/kpis/", {"area": a.town_a.id, "period": "2026-10"}
    )
    assert response.status_code == 200
    assert response.json()["kpis"]["intake"] == 4
    # Only the requested subtree was computed.
    assert set(KpiSnapshot.objects.values_list("area_id", flat=True)) == {
        a.town_a.id,
        a.village_a1.id,
        a.village_a2.id,
    }


def test_rankings_order_villages_by_safety_index_within_county_and_town(snapshots, api):
    a = snapshots.areas
    body = (
        api(snapshots.county_officer)
        .get("/api/v1/rankings/", {"area": a.county.id, "level": "village", "period": "2026-10"})
        .json()
    )
    rows = body["results"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    indexes = [r["safety_index"] for r in rows]
    assert indexes == sorted(indexes, reverse=True)
    by_id = {r["area"]["id"]: r for r in rows}
    # Within town A, A1 and A2 rank 1 and 2 in index order; B1 is alone in town B.
    a_rows = sorted([by_id[a.village_a1.id], by_id[a.village_a2.id]], key=lambda r: r["rank"])
    assert [r["rank_in_parent"] for r in a_rows] == [1, 2]
    assert by_id[a.village_b1.id]["rank_in_parent"] == 1


def _snap(area, index, resolution):
    snapshot = KpiSnapshot(
        area=area,
        period_kind="month",
        period_key="2026-10",
        metrics={"intake": 1, "resolution_rate": resolution, "safety_index": index},
        safety_index=index,
    )
    return snapshot


def test_ties_break_by_resolution_rate_then_code_and_unmeasured_come_last(cast):
    a = cast.areas
    ranked = rank(
        [
            _snap(a.village_b1, 90.0, 0.9),
            _snap(a.village_a2, 90.0, 0.95),
            _snap(a.village_a1, 90.0, 0.9),
            _snap(a.town_a, None, None),
            _snap(a.town_b, 92.5, 0.5),
        ]
    )
    assert [s.area for s in ranked] == [
        a.town_b,
        a.village_a2,
        a.village_a1,
        a.village_b1,
        a.town_a,
    ]
    assert [s.rank for s in ranked] == [1, 2, 3, 4, 5]


def test_export_opens_and_its_numbers_equal_the_api(snapshots, api):
    a = snapshots.areas
    client = api(snapshots.county_officer)
    params = {"area": a.county.id, "period": "2026-10"}
    data = client.get("/api/v1/kpis/", {**params, "breakdown": "children"}).json()
    response = client.get("/api/v1/kpis/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["区域指标", "下级排名"]
    summary = book["区域指标"]
    values = {row[0].value: row[1] for row in summary.iter_rows(min_row=2) if row[0].value}
    for name, label, is_rate in KPI_FIELDS:
        cell = values[label]
        assert cell.value == data["kpis"][name], name
        if is_rate:
            assert cell.number_format == "0.00%"
    ranked = book["下级排名"]
    header = [c.value for c in ranked[2]]
    assert header[:3] == ["排名", "区划代码", "名称"]
    first = header.index(KPI_FIELDS[0][1])
    rows = list(ranked.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(data["children"]) == 2
    for row, child in zip(rows, data["children"], strict=True):
        assert row[0] == child["rank"] and row[1] == child["area"]["code"]
        for offset, (name, label, _) in enumerate(KPI_FIELDS):
            assert header[first + offset] == label
            assert row[first + offset] == child["kpis"][name], (child["area"]["code"], name)
    assert ranked.cell(row=3, column=header.index("化解率") + 1).number_format == "0.00%"


def test_assess_command_recomputes_a_period(october, capsys):
    from django.core.management import call_command

    call_command("assess", "--period", "2026-Q4")
    assert "2026-Q4: 8 snapshots written." in capsys.readouterr().out
    assert KpiSnapshot.objects.filter(period_key="2026-Q4", period_kind="quarter").count() == 8
