"""The dashboard pages through Django's test client: the KPIs of a ledger built here, scope,
drill-down, the ranking table."""

import json
import re

from tests.builders import drive, report, two_parties


def _chart_data(html):
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


# This month's ledger: (town, where the case ends): a village case resolved there, one closed
# as failed, one still pending; and in town B one resolved after escalation to the town.
LEDGER = [
    ("a", "resolved", "village"),
    ("a", "failed", "village"),
    ("a", "pending", "village"),
    ("b", "resolved", "town"),
    ("b", "pending", "village"),
]


def _build_ledger(cast):
    for index, (side, fate, level) in enumerate(LEDGER):
        grid = getattr(cast.areas, f"grid_{side}1")
        reporter = getattr(cast, f"grid_worker_{side}")
        case = report(reporter, grid, title=f"看板案{index}", parties=two_parties(10 * index))
        if fate == "failed":
            drive(case, to="closed", outcome="failed")
        else:
            drive(case, to=fate, level=level)


def _expected(sides):
    """The KPIs of the ledger's cases of `sides`, worked out from the ledger."""
    rows = [row for row in LEDGER if row[0] in sides]
    concluded = [row for row in rows if row[1] in ("resolved", "failed")]
    resolved = [row for row in concluded if row[1] == "resolved"]

    def pct(part, whole):
        return None if not whole else round(100 * len(part) / len(whole), 1)

    return {
        "intake": len(rows),
        "concluded": len(concluded),
        "resolution_rate": pct(resolved, concluded),
        "village_retention": pct([r for r in concluded if r[2] == "village"], concluded),
        "town_retention": pct(concluded, concluded),
        # Every case concluded today, long before its resolve deadline.
        "closure_on_time_rate": pct(concluded, concluded),
    }


def _number(text):
    text = re.sub(r"<[^>]+>|%", "", text).strip()
    return None if text in ("—", "") else float(text)


def _tiles(html):
    """{KPI name: the number its tile shows}."""
    return {k[len("tile:") :]: v for k, v in figures(html).items() if k.startswith("tile:")}


def figures(html):
    """{data-fig key: the number (or word) the page shows there}: every figure of the page."""
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


def _ranking_rows(html, columns):
    """{area code: [the figures of its ranking-table row, in `columns` order]}."""
    figs = figures(html)
    codes = re.findall(r'<tr data-area="(\d+)"', html)
    return {code: [figs[f"rank:{code}:{name}"] for name in columns] for code in codes}


def test_county_dashboard_shows_the_ledgers_kpis_ranks_its_towns_and_draws_a_trend(client, cast):
    _build_ledger(cast)
    client.force_login(cast.county_officer)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "宜君县" in html
    assert 'data-testid="ranking-table"' in html
    expected = _expected("ab")
    tiles = _tiles(html)
    assert {name: tiles[name] for name in expected} == expected
    # The ranking table: the index's components beside it (rates in %), intake a count.
    columns = [
        "resolution_rate",
        "village_retention",
        "town_retention",
        "closure_on_time_rate",
        "intake",
    ]
    rows = _ranking_rows(html, columns)
    a, b = cast.areas.town_a.code, cast.areas.town_b.code
    assert set(rows) == {a, b}
    for code, sides in [(a, "a"), (b, "b")]:
        town = _expected(sides)
        assert rows[code] == [town[column] for column in columns], code
    data = _chart_data(html)
    assert len(data["trend"]) == 12
    assert {row["name"] for row in data["ranking"]} == {"彭镇", "五里镇"}
    assert data["trend"][-1]["resolution_rate"] == expected["resolution_rate"]
    assert f"/api/v1/kpis/export.xlsx?area={cast.areas.county.pk}" in html


def test_drilling_down_from_town_lists_its_villages(client, cast):
    client.force_login(cast.county_officer)
    html = client.get(f"/dashboard/?area={cast.areas.town_a.pk}").content.decode()
    assert "彭村" in html and "后村" in html and "五里村" not in html


def test_a_town_officer_sees_their_town_and_not_the_neighbours(client, cast):
    client.force_login(cast.town_officer_a)
    assert "彭镇" in client.get("/dashboard/").content.decode()
    response = client.get(f"/dashboard/?area={cast.areas.town_b.pk}")
    assert response.status_code == 404
    assert client.get(f"/dashboard/?area={cast.areas.county.pk}").status_code == 404


def test_dashboard_rejects_junk_parameters_without_error(client, cast):
    client.force_login(cast.county_officer)
    assert client.get("/dashboard/?area=abc").status_code == 404
    assert client.get("/dashboard/?area=999999999").status_code == 404
    assert client.get("/dashboard/?period=2026-13").status_code == 200


def test_dashboard_query_count_does_not_grow_with_cases(
    client, cast, django_assert_max_num_queries
):
    from cases import services

    client.force_login(cast.county_officer)
    report(cast.grid_worker_a, cast.areas.grid_a1)
    client.get("/dashboard/")  # snapshots computed once, then read
    from cases import overdue

    # The overdue panel asks each kind of deadline (cases.overdue: periods, consultations,
    # follow-ups, 督办, referrals, police reports) once for the area's oldest late items and once
    # for the rows' late items; the 督查督办, referral and village-risk panels read their own.
    with django_assert_max_num_queries(20 + 2 * len(overdue.sources())) as few:
        client.get("/dashboard/")
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    for index in range(6):
        case = report(cast.grid_worker_b, cast.areas.grid_b1, title=f"案{index}")
        services.case_escalate(actor=cast.town_officer_b, case_id=case.pk, reason="提级")
    from assessment.models import KpiSnapshot

    KpiSnapshot.objects.all().delete()
    client.get("/dashboard/")
    with django_assert_max_num_queries(baseline):
        response = client.get("/dashboard/")
    assert "五里镇" in response.content.decode()


def test_overdue_panel_lists_the_most_overdue_first_then_supervised_cases(client, cast):
    """Overdue cases of the area (cases.overdue: a stage deadline passed without its event),
    the oldest missed deadline first; a supervised case whose deadline was extended still shows
    (after them); on-time cases and other towns' cases do not."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case

    now = timezone.now()

    def case_reported(area, reporter, title, ago, serial):
        return report(reporter, area, title=title, parties=two_parties(2 * serial), at=now - ago)

    a, b = cast.areas.grid_a1, cast.areas.grid_b1
    case_reported(a, cast.grid_worker_a, "逾期一天", timedelta(days=4), 1)
    case_reported(a, cast.grid_worker_a, "逾期五天", timedelta(days=9), 2)
    case_reported(a, cast.grid_worker_a, "未到期", timedelta(minutes=5), 3)
    case_reported(b, cast.grid_worker_b, "五里镇逾期", timedelta(days=12), 4)
    extended = case_reported(a, cast.grid_worker_a, "督办已延期", timedelta(minutes=1), 5)
    Case.objects.filter(pk=extended.pk).update(supervised=True)

    client.force_login(cast.county_officer)
    html = client.get(f"/dashboard/?area={cast.areas.town_a.pk}").content.decode()
    panel = html[html.index('data-testid="dashboard-overdue"') :]
    panel = panel[: panel.index("</ul>")]
    titles = re.findall(r'<span class="title">(.*?)</span>', panel)
    assert titles == ["逾期五天", "逾期一天", "督办已延期"]
