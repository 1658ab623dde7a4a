"""The case list filtered by its village's rating (DESIGN.md §15): over the API, the export and
the page, scoped like every list, and agreeing with the rating table and panel."""

import pytest
from django.utils import timezone

from assessment import risk
from assessment.periods import month_of
from assessment.risk_models import VillageRisk
from cases.models import Case
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(cast):
    """village_a1 red (override), village_a2 yellow (a red-risk case), village_b1 green; a case
    or two in each."""
    a = cast.areas
    builders.report(
        cast.grid_worker_a, a.grid_a1, title="甲村案件", parties=builders.two_parties(10)
    )
    builders.report(
        cast.town_officer_a,
        a.grid_a2,
        risk="red",
        title="乙村案件",
        parties=builders.two_parties(20),
    )
    builders.report(
        cast.grid_worker_b, a.grid_b1, title="丙村案件", parties=builders.two_parties(30)
    )
    period = month_of(timezone.now())
    risk.compute_month(period)
    risk.risk_override(
        actor=cast.town_officer_a, village_id=a.village_a1.pk, rating="red", reason="多次群访"
    )
    table = {
        level: set(
            VillageRisk.objects.filter(month=period.start_date, rating=level).values_list(
                "village_id", flat=True
            )
        )
        for level in ("red", "yellow", "green")
    }
    assert table == {
        "red": {a.village_a1.pk},
        "yellow": {a.village_a2.pk},
        "green": {a.village_b1.pk},
    }
    return table


def _expected(table, level, scope_filter=None):
    cases = Case.objects.filter(village_id__in=table[level])
    if scope_filter:
        cases = cases.filter(**scope_filter)
    return set(cases.values_list("number", flat=True))


def test_the_api_filters_cases_by_their_villages_rating(cast, api, rated):
    county = api(cast.county_officer)
    for level in ("red", "yellow", "green"):
        response = county.get(f"/api/v1/cases/?village_rating={level}&page_size=200")
        assert response.status_code == 200
        assert {c["number"] for c in response.json()["results"]} == _expected(rated, level)
    assert county.get("/api/v1/cases/?village_rating=purple").status_code == 400
    # Scoped: the neighbouring town's officer sees none of town A's red village's cases.
    town_b = api(cast.town_officer_b)
    assert town_b.get("/api/v1/cases/?village_rating=red").json()["results"] == []
    listed = town_b.get("/api/v1/cases/?village_rating=green").json()["results"]
    assert {c["number"] for c in listed} == _expected(rated, "green")


def test_the_export_and_the_page_filter_the_same_way(cast, client, rated):
    client.force_login(cast.county_officer)
    titles = {"red": "甲村案件", "yellow": "乙村案件", "green": "丙村案件"}
    for level, title in titles.items():
        page = client.get(f"/cases/?village_rating={level}").content.decode()
        assert [t for t in titles.values() if t in page] == [title]
        assert f'<option value="{level}" selected>' in page
    export = client.get("/api/v1/cases/export.xlsx?village_rating=yellow")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(export.content))
    cells = " ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row)
    assert [t for t in titles.values() if t in cells] == ["乙村案件"]
    client.force_login(cast.town_officer_b)
    assert "甲村案件" not in client.get("/cases/?village_rating=red").content.decode()
