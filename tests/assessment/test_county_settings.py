"""A county's admin sets the weights and grade thresholds that assess its towns and villages;
the county itself is assessed by the defaults, so the counties of a city are ranked alike."""

import pytest

from accounts.models import AuditEntry
from assessment.choices import INDEX_METRICS
from assessment.models import IndexWeight, KpiSnapshot
from assessment.periods import parse_period
from assessment.services import snapshot_period

from .builders import t

NOW = t(11, 15)
DEFAULT = {metric: str(weight) for metric, weight in INDEX_METRICS}


def _weights_url(county):
    return f"/api/v1/settings/{county.id}/index-weights/"


def _grades_url(county):
    return f"/api/v1/settings/{county.id}/grade-thresholds/"


def test_county_weights_index_its_villages_and_the_county_keeps_the_default(october, api):
    a = october.areas
    period = parse_period("2026-10")
    snapshot_period(period, now=NOW)
    county_before = KpiSnapshot.objects.get(area=a.county, period_key="2026-10").safety_index

    weights = {metric: "0" for metric in DEFAULT} | {"resolution_rate": "100"}
    response = api(october.county_admin).put(
        _weights_url(a.county), {"weights": weights}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["own"] is True
    snapshot_period(period, now=NOW)
    village_a1 = KpiSnapshot.objects.get(area=a.village_a1, period_key="2026-10")
    assert village_a1.safety_index == pytest.approx(50.0)  # resolution rate ½, alone
    county = KpiSnapshot.objects.get(area=a.county, period_key="2026-10")
    assert county.safety_index == county_before
    (row,) = AuditEntry.objects.filter(kind="settings")
    assert row.area == a.county
    assert row.params["changes"]["resolution_rate"] == {"before": "30.00", "after": "100.00"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weights", "field"),
    [
        (DEFAULT | {"resolution_rate": "31"}, "weights"),  # 101 in all
        (DEFAULT | {"resolution_rate": "-5", "village_retention": "45"}, "resolution_rate"),
        (DEFAULT | {"happiness": "1"}, "happiness"),
        ({"resolution_rate": "100"}, "village_retention"),
        (DEFAULT | {"resolution_rate": "abc"}, "weights"),
    ],
)
def test_bad_weights_are_400_with_field_messages(cast, api, weights, field):
    response = api(cast.county_admin).put(
        _weights_url(cast.areas.county), {"weights": weights}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not IndexWeight.objects.filter(county__isnull=False).exists()


@pytest.mark.django_db
def test_grade_thresholds_are_ordered_and_audited(cast, api):
    client = api(cast.county_admin)
    url = _grades_url(cast.areas.county)
    bad = client.put(url, {"thresholds": {"gold": 80, "silver": 90, "bronze": 70}}, format="json")
    assert bad.status_code == 400 and "thresholds" in bad.json()
    bad = client.put(url, {"thresholds": {"gold": 120, "silver": 90, "bronze": 70}}, format="json")
    assert bad.status_code == 400 and "gold" in bad.json()
    bad = client.put(url, {"thresholds": {"gold": 95, "silver": 90}}, format="json")
    assert bad.status_code == 400 and "bronze" in bad.json()
    ok = client.put(url, {"thresholds": {"gold": 92, "silver": 88, "bronze": 80}}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["thresholds"] == {"gold": "92.00", "silver": "88.00", "bronze": "80.00"}
    assert client.get(url).json()["own"] is True
    (row,) = AuditEntry.objects.filter(kind="settings")
    assert set(row.params["changes"]) == {"gold", "silver", "bronze"}


@pytest.mark.django_db
def test_town_admin_gets_403_and_viewer_403_on_the_county_assessment(cast, api):
    for user in [cast.town_admin_a, cast.county_viewer]:
        client = api(user)
        assert client.get(_weights_url(cast.areas.county)).status_code == 403
        body = {"thresholds": {"gold": 92, "silver": 88, "bronze": 80}}
        assert client.put(_grades_url(cast.areas.county), body, format="json").status_code == 403
    assert not AuditEntry.objects.exists()


def test_county_thresholds_grade_its_villages_and_the_county_keeps_the_default(october, api):
    a = october.areas
    body = {"thresholds": {"gold": "1", "silver": "0.50", "bronze": "0.10"}}
    response = api(october.county_admin).put(_grades_url(a.county), body, format="json")
    assert response.status_code == 200, response.content
    snapshot_period(parse_period("2026"), now=NOW)
    village = KpiSnapshot.objects.get(area=a.village_a1, period_key="2026")
    assert village.safety_index >= 1 and village.grade == "gold"
    county = KpiSnapshot.objects.get(area=a.county, period_key="2026")
    default = "gold" if county.safety_index >= 95 else "silver" if county.safety_index >= 90 else ""
    default = default or ("bronze" if county.safety_index >= 85 else "")
    assert county.grade == default
