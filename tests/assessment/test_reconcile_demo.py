"""The demo year's figures reconcile: the county and town dashboards, the KPI API, the KPI
workbook and the case workbook show the same numbers, of one moment (数据截至), equal to a bare
SQL count; a case reported after that moment is in none of them until the next snapshot."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from assessment.periods import month_of, year_of
from grids.models import Area
from tests.builders import report, two_parties

from .reconcile import Board, api_payload, built_once, case_workbook, check_everything, figures

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def demo_year(django_db_setup, django_db_blocker):
    """`seed_demo` (three months of cases and their snapshots), built once for the module."""
    yield from built_once(django_db_blocker, ("seed_demo", "--months", "3"))


@pytest.mark.parametrize("which", ["month", "year"])
def test_every_figure_of_the_demo_year_agrees_with_the_others_and_with_sql(
    demo_year, client, api, which
):
    key = (month_of() if which == "month" else year_of()).key
    read = check_everything(client, api, key)
    assert read["payload"]["kpis"]["intake"] > 20


def test_a_case_reported_after_the_snapshot_is_in_none_of_its_figures(demo_year, client, api):
    """宜阳街道's 受理 was 10 in the ranking and 11 in the heat table; the 受理数 tile said 100
    and the export had 101 rows: the heat table and the export counted live, the rest did not."""
    town_officer = User.objects.get(username="town_officer")
    town = town_officer.roles.get().area
    county = Area.objects.get(code="610222000000")
    officer = User.objects.get(username="county_officer")
    client.force_login(officer)
    key = month_of().key
    before = Board(client, county, key)
    grid_worker = User.objects.get(username="grid_worker")
    grid = grid_worker.roles.get().area
    report(grid_worker, grid, title="快照之后登记的纠纷", parties=two_parties(9001))
    board = Board(client, county, key)
    assert board.as_of == before.as_of and "数据截至" in board.html
    assert board.tile("intake") == before.tile("intake")
    assert board.heat_total(town.code) == board.row(town.code, "intake")
    assert board.heat_total(town.code) == before.heat_total(town.code)
    export = case_workbook(client.get(board.case_export_url).content)
    assert len(export["rows"]) == board.tile("intake")
    assert "快照之后登记的纠纷" not in {row["案件名称"] for row in export["rows"]}
    # The next snapshot counts it, everywhere at once.
    call_command("assess", "--period", key, stdout=io.StringIO())
    after = Board(client, county, key)
    assert after.as_of > board.as_of
    assert after.tile("intake") == board.tile("intake") + 1
    assert (
        after.heat_total(town.code)
        == after.row(town.code, "intake")
        == (board.row(town.code, "intake") + 1)
    )
    assert api_payload(api(officer), county, key)["kpis"]["intake"] == after.tile("intake")
    export = case_workbook(client.get(after.case_export_url).content)
    assert len(export["rows"]) == after.tile("intake")


def test_rankings_explain_themselves_on_the_demo_year(demo_year, client, api):
    """Villages without cases are not ranked 1st–8th at 100.0; each index stands beside its
    components (排查覆盖率 among them); the year's grade shows; changes against the previous
    month and a year before show on the tiles and in the ranking."""
    town_officer = User.objects.get(username="town_officer")
    town = town_officer.roles.get().area
    client.force_login(town_officer)
    key = month_of().key
    board = Board(client, town, key)
    payload = api_payload(api(town_officer), town, key)
    ranks = [board.row(code, "rank") for code in board.rows]
    numbered = [r for r in ranks if isinstance(r, float)]
    apart = [r for r in ranks if not isinstance(r, float)]
    assert numbered and set(apart) <= {"无案件", "无数据"}
    assert ranks == numbered + apart
    for row in payload["children"]:
        if row["rank"] is None:
            assert row["kpis"]["intake"] == row["kpis"]["concluded"] == 0, row["area"]["name"]
            assert row["standing"] in ("no_cases", "no_data")
        else:
            assert row["standing"] == "ranked"
    assert (
        "排查" in board.html
        and f'data-fig="rank:{board.rows[0]}:inspection_coverage"' in board.html
    )

    # The year's grade: shown for the units with work (a grade or 未达等级), not all "—".
    year = Board(client, town, key)
    grades = {year.row(code, "grade") for code in year.rows}
    assert grades - {None}, grades
    assert grades - {None} <= {"金鼎", "银鼎", "铜鼎", "未达等级"}

    # Month on month: this month's figure less last month's, as the API gives them.
    previous = api_payload(api(town_officer), town, month_of(offset=-1).key)
    assert board.deltas["tile:intake:mom"] == payload["kpis"]["intake"] - previous["kpis"]["intake"]
    if (
        payload["kpis"]["resolution_rate"] is not None
        and previous["kpis"]["resolution_rate"] is not None
    ):
        assert board.deltas["tile:resolution_rate:mom"] == round(
            100 * (payload["kpis"]["resolution_rate"] - previous["kpis"]["resolution_rate"]), 1
        )
    # A year before there were no cases: no comparison, said as "—".
    assert board.deltas["tile:resolution_rate:yoy"] is None
    first = board.rows[0]
    assert f"rank:{first}:mom" in board.deltas and f"rank:{first}:yoy" in board.deltas
    assert figures(board.html)
