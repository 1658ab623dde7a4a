"""The 提醒函 and the 工作通报 are PDFs (Chinese, the font embedded) whose text says what the
dashboard says: the same snapshot's figures, formatted as its tiles and ranking show them; each
is recorded when issued with its number (〔year〕第N号, per county, kind and year), kept, listed
where its unit's people look, and downloaded again as the same bytes."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from assessment.periods import month_of
from notifications.models import Notification
from supervision.models import Letter
from tests import builders

from .conftest import open_on_unit, village_case

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _download(client, letter_id) -> bytes:
    response = client.get(f"/api/v1/letters/{letter_id}/file.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _tiles(html: str) -> dict:
    """The dashboard's KPI tiles: {name: shown value}."""
    found = {}
    for name, value in re.findall(
        r'data-kpi="(\w+)">\s*<div class="label">[^<]*</div>\s*<div class="value"[^>]*>(.*?)</div>',
        html,
        re.S,
    ):
        found[name] = re.sub(r"<[^>]+>", "", value).strip()
    return found


def _year_of_work(cast):
    """A month of work in town A (resolved, closed without agreement, one long overdue) and a
    resolved case in town B, so the towns rank apart."""
    a = cast.areas
    for serial in range(3):
        builders.drive(village_case(cast, serial=serial + 1), to="resolved")
    builders.drive(village_case(cast, serial=5), to="closed", outcome="failed")
    late = builders.report(
        cast.grid_worker_a,
        a.grid_a1,
        title="久拖未决的宅基地纠纷",
        parties=builders.two_parties(20),
        at=timezone.now() - timedelta(days=40),
    )
    b_case = village_case(cast, serial=7, area=a.grid_b1, reporter=cast.grid_worker_b)
    builders.drive(b_case, to="resolved")
    return late


def test_a_reminder_letter_lists_the_units_overdue_items_and_its_kpis_as_the_dashboard_shows(
    cast, api, client
):
    a = cast.areas
    late = _year_of_work(cast)
    open_on_unit(cast, a.village_a1, actor=cast.town_officer_a, days_ago=5, due_in_days=1)
    officer = api(cast.town_officer_a)
    period = month_of(timezone.now())
    response = officer.post(
        "/api/v1/letters/reminders/", {"area": a.village_a1.pk, "period": period.key}, format="json"
    )
    assert response.status_code == 201, response.json()
    letter = response.json()
    year = timezone.localdate().year
    assert letter["number"] == f"〔{year}〕第1号" and letter["kind"] == "reminder"
    content = _download(officer, letter["id"])
    assert content.startswith(b"%PDF") and b"/FontFile2" in content  # the font is embedded
    text = _text(content)
    assert "提醒函" in text and f"〔{year}〕第1号" in text and "彭村" in text
    assert late.number in text and "分派" in text  # the overdue case and its late stage
    assert "超期未反馈的督办事项1件" in text
    # The KPIs as the dashboard of the village shows them.
    client.force_login(cast.town_officer_a)
    html = client.get("/dashboard/", {"area": a.village_a1.pk, "period": period.key}).content
    tiles = _tiles(html.decode())
    assert tiles["resolution_rate"] == "75.0%"
    for name, label in (
        ("resolution_rate", "化解率"),
        ("intake", "受理数"),
        ("concluded", "化解结案数"),
    ):
        assert f"{label}{tiles[name].replace('%', '')}" in text.replace("%", ""), (
            name,
            tiles[name],
        )
    # Kept: downloaded again, the same bytes; listed on the unit's page; the village told.
    assert _download(officer, letter["id"]) == content
    assert _download(api(cast.village_mediator_a), letter["id"]) == content
    page = client.get(f"/supervision/units/{a.village_a1.pk}/").content.decode()
    assert f"{letter['number']}" in page and f"/api/v1/letters/{letter['id']}/file.pdf" in page
    assert Notification.objects.filter(
        user=cast.village_mediator_a, title__startswith=f"提醒函{letter['number']}"
    ).exists()
    # The next one is number 2; the other town's people never see either.
    again = officer.post("/api/v1/letters/reminders/", {"area": a.village_a1.pk}, format="json")
    assert again.json()["number"] == f"〔{year}〕第2号"
    assert (
        api(cast.town_officer_b).get(f"/api/v1/letters/{letter['id']}/file.pdf").status_code == 404
    )
    assert api(cast.town_officer_b).get("/api/v1/letters/").json()["results"] == []


def test_only_an_officer_above_a_unit_issues_it_a_reminder(cast, api):
    a = cast.areas
    url = "/api/v1/letters/reminders/"
    assert api(cast.village_officer_a).post(url, {"area": a.village_a1.pk}).status_code == 403
    assert api(cast.town_officer_a).post(url, {"area": a.village_b1.pk}).status_code == 404
    assert api(cast.town_officer_a).post(url, {"area": a.town_a.pk}).status_code == 403
    assert api(cast.town_officer_a).post(url, {"area": "x"}).status_code == 400
    bad_period = api(cast.town_officer_a).post(url, {"area": a.village_a1.pk, "period": "2026-13"})
    assert bad_period.status_code == 400 and "period" in bad_period.json()
    assert not Letter.objects.exists()


def test_the_monthly_bulletin_says_what_the_county_dashboard_says(cast, api, client):
    a = cast.areas
    late = _year_of_work(cast)
    open_on_unit(cast, a.town_a, days_ago=5, due_in_days=1)
    period = month_of(timezone.now())
    county = api(cast.county_officer)
    response = county.post(
        "/api/v1/letters/bulletins/", {"area": a.county.pk, "period": period.key}, format="json"
    )
    assert response.status_code == 201, response.json()
    bulletin = response.json()
    year = timezone.localdate().year
    assert bulletin["number"] == f"〔{year}〕第1号" and bulletin["kind"] == "bulletin"
    text = _text(_download(county, bulletin["id"]))
    assert "工作通报" in text and period.label in text and f"〔{year}〕第1号" in text
    client.force_login(cast.county_officer)
    html = client.get("/dashboard/", {"area": a.county.pk, "period": period.key}).content.decode()
    tiles = _tiles(html)
    flat = text.replace("%", "")
    for name, label in (
        ("safety_index", "平安指数"),
        ("resolution_rate", "化解率"),
        ("intake", "受理数"),
        ("closure_on_time_rate", "按期办结率"),
    ):
        assert f"{label}{tiles[name].replace('%', '')}" in flat, (name, tiles[name])
    # The towns ranked, with the indices the dashboard's ranking shows.
    ranking = re.findall(
        r'data-testid="drill">([^<]+)</a></td>\s*<td class="num"><strong[^>]*>([^<]+)</strong>',
        html,
    )
    assert {name for name, _ in ranking} == {"彭镇", "五里镇"}
    for name, index in ranking:
        assert re.search(rf"\d{name}{re.escape(index)}", text), (name, index)
    assert late.number in text  # overdue and supervised cases
    assert "超期未反馈" in text and "彭镇" in text  # the 督办 per unit
    # Listed on the county dashboard; a town's officer may neither issue nor read it.
    assert f"/api/v1/letters/{bulletin['id']}/file.pdf" in html
    assert (
        api(cast.town_officer_a)
        .post("/api/v1/letters/bulletins/", {"area": a.county.pk})
        .status_code
        == 404
    )
    assert (
        api(cast.county_viewer)
        .post("/api/v1/letters/bulletins/", {"area": a.county.pk})
        .status_code
        == 403
    )
    assert api(cast.town_officer_a).get(f"/api/v1/letters/{bulletin['id']}/").status_code == 404
    assert (
        county.post(
            "/api/v1/letters/bulletins/", {"area": a.county.pk, "period": str(year)}
        ).status_code
        == 400
    )


def test_the_letter_list_reads_a_constant_number_of_queries(
    cast, api, django_assert_max_num_queries
):
    a = cast.areas
    officer = api(cast.town_officer_a)
    for village in (a.village_a1, a.village_a2, a.village_a1):
        assert officer.post("/api/v1/letters/reminders/", {"area": village.pk}).status_code == 201
    with django_assert_max_num_queries(6):
        rows = officer.get("/api/v1/letters/", {"kind": "reminder"}).json()["results"]
    assert [row["number"][-3:] for row in rows] == ["第3号", "第2号", "第1号"]
    assert {row["area"]["name"] for row in rows} == {"彭村", "后村"}
    village_rows = api(cast.village_mediator_a2).get("/api/v1/letters/").json()["results"]
    assert [row["area"]["name"] for row in village_rows] == ["后村"]
