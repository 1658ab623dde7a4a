"""Village risk ratings that scale (DESIGN.md §15): thresholds per 100 cases of the village's
volume with the counts as floors, so a busy village is not red for being busy; and the grids'
missed reports counted beside the officer's missed visits."""

from datetime import date

import pytest
from django.utils import timezone

from assessment import risk
from assessment.periods import month_of, parse_period
from assessment.risk_models import RiskSetting, VillageRisk
from grids.models import Area
from tests import builders

pytestmark = pytest.mark.django_db


def test_a_threshold_is_the_higher_of_its_count_and_its_rate_of_the_volume():
    values = dict(risk.DEFAULTS)
    # Red-risk cases: yellow at 1 and red at 2 cases, or 10% and 20% of the month's cases.
    assert risk.threshold(values, "red_risk", "red", 3) == 2
    assert risk.threshold(values, "red_risk", "red", 14) == 3
    assert risk.threshold(values, "red_risk", "yellow", 200) == 20
    assert risk.rate({"red_risk": 2, "cases": 14}, values) == "yellow"
    assert risk.rate({"red_risk": 3, "cases": 14}, values) == "red"
    assert risk.rate({"red_risk": 2, "cases": 2}, values) == "red"
    # Overdue cases are counted over twelve months, against the cases of those months.
    assert risk.rate({"overdue": 12, "cases": 15, "cases_year": 180}, values) == "green"
    assert risk.rate({"overdue": 18, "cases": 15, "cases_year": 180}, values) == "yellow"
    assert risk.rate({"overdue": 27, "cases": 15, "cases_year": 180}, values) == "red"
    # A rate of 0 rates by counts alone (the rule before rates); a count of 0 leaves it unused.
    counts_only = {**values, "red_risk_red_rate": 0, "red_risk_yellow_rate": 0}
    assert risk.rate({"red_risk": 2, "cases": 14}, counts_only) == "red"
    unused = {**values, "red_risk_red": 0, "red_risk_yellow": 0}
    assert risk.rate({"red_risk": 9, "cases": 9}, unused) == "green"
    assert RiskSetting.objects.filter(county__isnull=True).count() == len(risk.DEFAULTS)


def test_a_busy_village_with_a_few_red_risk_cases_is_yellow_a_quiet_one_red(cast):
    a = cast.areas
    for serial in range(18):
        builders.report(
            cast.grid_worker_a, a.grid_a1, parties=builders.two_parties(100 + 2 * serial)
        )
    for serial in (300, 310):  # each party in one case only
        builders.report(
            cast.grid_worker_a, a.grid_a1, risk="red", parties=builders.two_parties(serial)
        )
        builders.report(
            cast.town_officer_b, a.grid_b1, risk="red", parties=builders.two_parties(serial + 2)
        )
    period = month_of(timezone.now())
    risk.compute_month(period)
    busy = VillageRisk.objects.get(village=a.village_a1, month=period.start_date)
    quiet = VillageRisk.objects.get(village=a.village_b1, month=period.start_date)
    assert (busy.inputs["cases"], busy.inputs["red_risk"]) == (20, 2)
    assert busy.rating == "yellow"  # red at 4 of 20 (20%), not at 2
    assert (quiet.inputs["cases"], quiet.inputs["red_risk"]) == (2, 2)
    assert quiet.rating == "red"


def test_a_county_sets_its_rates_audited_and_bad_ones_are_400(cast, api):
    url = f"/api/v1/settings/{cast.areas.county.pk}/risk-settings/"
    admin = api(cast.county_admin)
    values = dict(risk.DEFAULTS)
    bad = admin.put(url, {"values": {**values, "overdue_red_rate": 101}}, format="json")
    assert bad.status_code == 400 and "overdue_red_rate" in bad.json()
    bad = admin.put(url, {"values": {**values, "group_yellow_rate": 30}}, format="json")
    assert bad.status_code == 400 and "group_yellow_rate" in bad.json()
    good = admin.put(url, {"values": {**values, "overdue_red_rate": 20}}, format="json")
    assert good.status_code == 200
    assert risk.settings_of(cast.areas.county)["values"]["overdue_red_rate"] == 20


def test_the_grids_reporting_windows_and_the_missed_ones():
    october = parse_period("2026-10")
    # A red village's grids report weekly: by 10-15 two windows have passed; after the month
    # four, the days left over joining the last one.
    assert risk.report_windows(october, 7, today=date(2026, 10, 15)) == [
        (date(2026, 10, 1), date(2026, 10, 8)),
        (date(2026, 10, 8), date(2026, 10, 15)),
    ]
    windows = risk.report_windows(october, 7, today=date(2026, 11, 5))
    assert len(windows) == 4 and windows[-1] == (date(2026, 10, 22), date(2026, 11, 1))
    grids = {1: {date(2026, 10, 3), date(2026, 10, 30)}, 2: set()}
    assert risk.missed_reports(windows, grids) == 2 + 4
    monthly = risk.report_windows(october, 30, today=date(2026, 11, 5))
    assert monthly == [(date(2026, 10, 1), date(2026, 11, 1))]
    assert risk.missed_reports(monthly, grids) == 1
    february = parse_period("2026-02")
    assert len(risk.report_windows(february, 30, today=date(2026, 3, 2))) == 1
    assert risk.report_windows(october, 30, today=date(2026, 10, 20)) == []


def test_missed_grid_reports_are_counted_on_the_list_and_the_page(cast, api, client):
    a = cast.areas
    period = month_of(timezone.now())
    builders.report(cast.grid_worker_a, a.grid_a1)  # grid a1 reported today
    risk.compute_month(period)
    risk.risk_override(
        actor=cast.town_officer_a, village_id=a.village_a1.pk, rating="red", reason="理由"
    )
    rows = {
        r["village_code"]: r
        for r in api(cast.town_officer_a).get("/api/v1/village-risks/").json()["results"]
    }
    windows = risk.report_windows(period, 7)
    today = timezone.localdate()
    grids = list(Area.objects.filter(parent=a.village_a1, level="grid", retired=False))
    expected = sum(
        1
        for grid in grids
        for start, end in windows
        if not (grid.pk == a.grid_a1.pk and start <= today < end)
    )
    assert rows[a.village_a1.code]["missed_reports"] == expected
    client.force_login(cast.town_officer_a)
    page = client.get(f"/risk/villages/{a.village_a1.pk}/").content.decode()
    assert f"网格缺报{expected}次" in page
