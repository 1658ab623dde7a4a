"""Reading every figure a county office sees for an area and a period, the way it sees them (the
county and town dashboards as rendered, the KPI API, the KPI workbook and the case workbook the
dashboard links to), and counting the same things with bare SQL; then asserting they agree."""

import re
from collections import Counter
from datetime import datetime
from html import unescape
from io import BytesIO

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from openpyxl import load_workbook

from assessment.choices import INDEX_METRICS, KPI_FIELDS
from cases.choices import Category

LABEL_OF = {name: label for name, label, _ in KPI_FIELDS}
CATEGORY_OF = dict(Category.choices)
RATE_TILES = [
    "resolution_rate",
    "village_retention",
    "town_retention",
    "assignment_on_time_rate",
    "response_on_time_rate",
    "closure_on_time_rate",
    "flow_through_on_time_rate",
    "follow_up_rate",
    "satisfaction_rate",
]


def figures(html: str) -> dict:
    """{data-fig key: the number (or word) shown}."""
    found = {}
    for key, text in re.findall(
        r'data-fig="([^"]+)"[^>]*>(.*?)</(?:td|strong|div|span)>', html, re.S
    ):
        text = re.sub(r"<[^>]+>|%", "", text).strip()
        try:
            found[key] = None if text in ("—", "") else float(text)
        except ValueError:
            found[key] = text
    return found


def deltas(html: str) -> dict:
    """{data-delta key: the change shown, as a number (None: no comparison)}."""
    return {
        key: (float(value) if value else None)
        for key, value in re.findall(r'data-delta="([^"]+)" data-value="([^"]*)"', html)
    }


def pct(rate):
    return None if rate is None else round(100 * rate, 1)


class Board:
    """One dashboard page as figures."""

    def __init__(self, client, area, period_key):
        response = client.get(f"/dashboard/?area={area.pk}&period={period_key}")
        assert response.status_code == 200, response.status_code
        self.html = response.content.decode()
        self.figures = figures(self.html)
        self.deltas = deltas(self.html)
        self.as_of = parse_datetime(
            re.search(r'data-testid="as-of" data-as-of="([^"]+)"', self.html).group(1)
        )
        self.stated = re.search(r"数据截至 <strong>([^<]+)</strong>", self.html).group(1)
        link = re.search(
            r'href="(/api/v1/cases/export\.xlsx\?[^"]+)" data-testid="export-cases"', self.html
        )
        self.case_export_url = unescape(link.group(1))
        self.rows = re.findall(r'<tr data-area="(\d+)"', self.html)

    def tile(self, name):
        return self.figures[f"tile:{name}"]

    def row(self, code, name):
        return self.figures[f"rank:{code}:{name}"]

    def heat_total(self, code):
        return self.figures.get(f"heat:{code}:total")

    def heat(self, code):
        """{category: n} of the child's heat-table row (blank cells are 0)."""
        found = {}
        for key, value in self.figures.items():
            parts = key.split(":")
            if parts[0] == "heat" and parts[1] == code and parts[2] != "total":
                found[parts[2]] = int(value or 0)
        return found


def kpi_workbook(content: bytes) -> dict:
    book = load_workbook(BytesIO(content))
    summary, ranked = book["区域指标"], book["下级排名"]
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2) if row[0].value}
    header = [c.value for c in ranked[2]]
    children = {}
    for row in ranked.iter_rows(min_row=3, values_only=True):
        children[row[1]] = dict(zip(header, row, strict=True))
    return {
        "book": book,
        "title": summary["A1"].value,
        "values": values,
        "children": children,
        "ranked_title": ranked["A1"].value,
    }


def case_workbook(content: bytes) -> dict:
    book = load_workbook(BytesIO(content))
    sheet = book["案件"]
    header = [c.value for c in sheet[2]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)
    ]
    return {
        "book": book,
        "sheet": sheet,
        "title": sheet["A1"].value,
        "header": header,
        "rows": rows,
    }


def sql_counts(column: str, area_column: str, area_id: int, start, end, as_of) -> dict:
    """Bare SQL: {child code: (intake, concluded)} of cases under the area, by `column`
    (town_id / village_id), reported / concluded in [start, end) up to `as_of`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.code,
                   count(*) FILTER (WHERE c.reported_at >= %s AND c.reported_at < %s
                                    AND c.reported_at <= %s),
                   count(*) FILTER (WHERE c.concluded_at >= %s AND c.concluded_at < %s
                                    AND (c.status = 'resolved'
                                         OR c.outcome IN ('agreement', 'failed', 'referred')))
            FROM cases_case c JOIN grids_area a ON a.id = c.{column}
            WHERE c.{area_column} = %s
            GROUP BY a.code
            """,
            [start, end, as_of, start, end, area_id],
        )
        return {code: (intake, concluded) for code, intake, concluded in cursor.fetchall()}


def sql_categories(column: str, area_column: str, area_id: int, start, end, as_of) -> Counter:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.code, c.category, count(*)
            FROM cases_case c JOIN grids_area a ON a.id = c.{column}
            WHERE c.{area_column} = %s AND c.reported_at >= %s AND c.reported_at < %s
              AND c.reported_at <= %s
            GROUP BY a.code, c.category
            """,
            [area_id, start, end, as_of],
        )
        return Counter({(code, category): n for code, category, n in cursor.fetchall()})


def _index_from_components(shown: dict, weights: dict):
    total = weight_sum = 0.0
    for metric, weight in weights.items():
        value = shown.get(metric)
        if value is None or weight <= 0:
            continue
        total += weight * value
        weight_sum += weight
    return None if not weight_sum else total / weight_sum


def api_payload(api_client, area, period_key) -> dict:
    response = api_client.get(
        "/api/v1/kpis/", {"area": area.pk, "period": period_key, "breakdown": "children"}
    )
    assert response.status_code == 200, response.content
    payload = response.json()
    payload["as_of"] = parse_datetime(payload["as_of"])
    for row in payload["children"]:
        assert parse_datetime(row["computed_at"]) == payload["as_of"], "one moment"
    return payload


def same_moment(a: datetime, b: datetime) -> bool:
    """Equal to the millisecond (the API's JSON keeps milliseconds)."""
    return abs((a - b).total_seconds()) < 0.001


def assert_board(board: Board, payload: dict, sql: dict, sql_cats: Counter, weights: dict):
    """One dashboard against the API payload (breakdown=children) and the SQL counts."""
    assert same_moment(board.as_of, payload["as_of"])
    assert board.stated == timezone.localtime(board.as_of).strftime("%Y-%m-%d %H:%M")
    kpis = payload["kpis"]
    total_intake = sum(i for i, _ in sql.values())
    total_concluded = sum(c for _, c in sql.values())
    assert board.tile("intake") == kpis["intake"] == total_intake
    assert board.tile("concluded") == kpis["concluded"] == total_concluded
    for name in RATE_TILES:
        assert board.tile(name) == pct(kpis[name]), name
    index = payload["safety_index"]
    assert board.tile("safety_index") == (None if index is None else round(index, 1))

    by_code = {row["area"]["code"]: row for row in payload["children"]}
    assert set(board.rows) == set(by_code), "the ranking shows every child, once"
    assert board.rows == [row["area"]["code"] for row in payload["children"]], "API order"
    heat_sum = 0
    has_heat = 'data-testid="heat-table"' in board.html
    for code, row in by_code.items():
        intake, concluded = sql.get(code, (0, 0))
        assert board.row(code, "intake") == row["kpis"]["intake"] == intake, code
        assert row["kpis"]["concluded"] == concluded, code
        if has_heat:
            assert board.heat_total(code) == intake, code
            heat_sum += intake
            for category, n in board.heat(code).items():
                assert n == sql_cats.get((code, category), 0), (code, category)
        shown = {}
        for metric, _ in INDEX_METRICS:
            assert board.row(code, metric) == pct(row["kpis"][metric]), (code, metric)
            shown[metric] = row["kpis"][metric]
        if row["rank"] is None:
            # Ranked apart: no case work in the period, no index shown.
            assert row["kpis"]["intake"] == 0 and row["kpis"]["concluded"] == 0, code
            assert board.row(code, "rank") in ("无案件", "无数据"), code
            assert board.row(code, "safety_index") is None, code
        else:
            assert board.row(code, "rank") == row["rank"], code
            assert board.row(code, "safety_index") == round(row["safety_index"], 1), code
            # The index is explained by the components beside it (default weights here).
            derived = _index_from_components(shown, weights)
            assert derived is not None and abs(100 * derived - row["safety_index"]) < 0.01, code
    if has_heat:
        assert heat_sum == total_intake
    ranks = [by_code[code]["rank"] for code in board.rows]
    numbered = [r for r in ranks if r is not None]
    assert numbered == list(range(1, len(numbered) + 1))
    assert ranks[: len(numbered)] == numbered, "units ranked apart come after the ranked ones"
    return by_code


def assert_kpi_workbook(book: dict, payload: dict, sql: dict):
    values = book["values"]
    stamp = timezone.localtime(payload["as_of"]).strftime("%Y-%m-%d %H:%M")
    assert f"数据截至 {stamp}" in book["title"] and payload["area"]["name"] in book["title"]
    assert payload["period_label"] in book["title"]
    assert book["ranked_title"] == book["title"]
    as_of_cell = values["数据截至"]
    assert isinstance(as_of_cell, datetime)
    assert as_of_cell.strftime("%Y-%m-%d %H:%M") == stamp
    assert values[LABEL_OF["intake"]] == payload["kpis"]["intake"]
    assert values[LABEL_OF["concluded"]] == payload["kpis"]["concluded"]
    for row in payload["children"]:
        code = row["area"]["code"]
        sheet_row = book["children"][code]
        assert sheet_row["排名"] == row["rank"], code
        assert sheet_row[LABEL_OF["intake"]] == row["kpis"]["intake"] == sql.get(code, (0, 0))[0]
        for name, label, _ in KPI_FIELDS:
            assert sheet_row[label] == pytest.approx(row["kpis"][name], rel=1e-12), (code, name)


def assert_case_workbook(book: dict, payload: dict, sql: dict, sql_cats: Counter):
    stamp = timezone.localtime(payload["as_of"]).strftime("%Y-%m-%d %H:%M")
    assert f"数据截至 {stamp}" in book["title"], book["title"]
    assert payload["area"]["name"] in book["title"]
    rows = book["rows"]
    assert len(rows) == payload["kpis"]["intake"] == sum(i for i, _ in sql.values())
    names = {row["area"]["name"]: row["area"]["code"] for row in payload["children"]}
    by_town = Counter(names[row["乡镇"]] for row in rows)
    assert by_town == Counter({code: i for code, (i, _) in sql.items() if i})
    by_category = Counter((names[row["乡镇"]], row["纠纷类型"]) for row in rows)
    assert by_category == Counter(
        {(code, CATEGORY_OF[cat]): n for (code, cat), n in sql_cats.items()}
    )
    for row in rows:
        assert isinstance(row["登记时间"], datetime)


def check_everything(client, api, period_key: str) -> dict:
    """Every figure of the county dashboard, the first town's dashboard, the KPI API, the KPI
    workbook and the case workbook for the demo county and `period_key`, against each other
    and bare SQL. Returns what was read, for further checks."""
    from accounts.models import User
    from assessment.periods import parse_period
    from assessment.services import index_weights
    from grids.models import Area

    period = parse_period(period_key)
    county = Area.objects.get(code="610222000000")
    officer = User.objects.get(username="county_officer")
    town_officer = User.objects.get(username="town_officer")
    town = town_officer.roles.get().area
    weights = index_weights(county.pk)

    client.force_login(officer)
    board = Board(client, county, period_key)
    payload = api_payload(api(officer), county, period_key)
    as_of = payload["as_of"]
    sql = sql_counts("town_id", "county_id", county.pk, period.start, period.end, as_of)
    cats = sql_categories("town_id", "county_id", county.pk, period.start, period.end, as_of)
    assert_board(board, payload, sql, cats, weights)

    response = api(officer).get(
        "/api/v1/kpis/export.xlsx", {"area": county.pk, "period": period_key}
    )
    assert response.status_code == 200
    kpi_book = kpi_workbook(response.content)
    assert_kpi_workbook(kpi_book, payload, sql)

    response = client.get(board.case_export_url)
    assert response.status_code == 200, response.content[:300]
    case_book = case_workbook(response.content)
    assert_case_workbook(case_book, payload, sql, cats)

    client.force_login(town_officer)
    town_board = Board(client, town, period_key)
    town_payload = api_payload(api(town_officer), town, period_key)
    town_sql = sql_counts("village_id", "town_id", town.pk, period.start, period.end, as_of)
    town_cats = sql_categories("village_id", "town_id", town.pk, period.start, period.end, as_of)
    assert_board(town_board, town_payload, town_sql, town_cats, weights)
    # The town's own figures on its page equal its row on the county's.
    assert same_moment(town_payload["as_of"], as_of)
    assert town_board.tile("intake") == board.row(town.code, "intake") == sql[town.code][0]
    assert town_board.tile("safety_index") == board.row(town.code, "safety_index") or (
        board.row(town.code, "rank") in ("无案件", "无数据")
    )
    return {
        "county": county,
        "town": town,
        "board": board,
        "payload": payload,
        "town_board": town_board,
        "town_payload": town_payload,
        "kpi_book": kpi_book,
        "case_book": case_book,
        "sql": sql,
    }


def built_once(django_db_blocker, *commands):
    """Run `call_command(*args)` for each of `commands` outside any test's transaction (data a
    module reads many times, built once); afterwards empty the database and put back what was
    there before (the rows the migrations wrote), as a serialized rollback would."""
    import io

    from django.core.management import call_command

    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        for args in commands:
            call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    yield
    with django_db_blocker.unblock():
        # As a serialized rollback does: no post_migrate rows, the saved ones come back instead.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(before)
        # The rows came back with their ids: the sequences follow them, or the next insert of
        # a default row's table would take id 1 again.
        from django.apps import apps
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
