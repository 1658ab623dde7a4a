"""Village risk ratings (DESIGN.md §15): the monthly rating from the village's cases against the
county's thresholds, a town officer's audited override, the visits and missed ones, the
dashboard panel and the `?risk=` filter agreeing with the computed table."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEntry
from assessment import risk
from assessment.periods import month_of, parse_period
from assessment.risk_models import RiskSetting, VillageRisk, VillageVisit
from assessment.tasks import rate_villages
from cases.models import Case
from tests import builders

ONLY = {f"{name}_{level}": 0 for name, _ in risk.INPUTS for level in ("yellow", "red")}
INTERVALS = {k: v for k, v in risk.DEFAULTS.items() if k not in ONLY}


def _only(cast, name):
    """County thresholds that rate by `name` alone: yellow at 1 case, red at 2."""
    values = {**ONLY, **INTERVALS, f"{name}_yellow": 1, f"{name}_red": 2}
    risk.settings_set(actor=cast.county_admin, county=cast.areas.county, values=values)


def _red_risk(cast, serial):
    builders.report(
        cast.grid_worker_a, cast.areas.grid_a1, risk="red", parties=builders.two_parties(serial)
    )


def _repeat(cast, serial):
    """A case whose parties are in another open case of the county (the first one is not)."""
    parties = builders.two_parties(900)
    if not Case.objects.filter(title="重复基础").exists():
        builders.report(cast.grid_worker_a, cast.areas.grid_a1, title="重复基础", parties=parties)
    builders.report(cast.grid_worker_a, cast.areas.grid_a1, parties=parties)


def _group(cast, serial):
    builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        people_involved=8,
        parties=builders.two_parties(serial),
    )


def _criminal(cast, serial):
    case = builders.report(
        cast.grid_worker_a, cast.areas.grid_a1, parties=builders.two_parties(serial)
    )
    builders.drive(case, to="closed", outcome="referred", note="涉嫌故意伤害，移送派出所")


def _overdue(cast, serial):
    now = timezone.now()
    case = builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=builders.two_parties(serial),
        at=now - timedelta(days=42),
    )
    builders.drive(case, to="pending", level="town", at=now - timedelta(days=40))


BUILD = {
    "red_risk": _red_risk,
    "repeat": _repeat,
    "group": _group,
    "criminal": _criminal,
    "overdue": _overdue,
}


@pytest.mark.parametrize("name", list(BUILD))
def test_each_input_pushes_the_village_to_yellow_then_red(cast, name):
    _only(cast, name)
    period = month_of(timezone.now())
    a = cast.areas

    risk.compute_month(period)
    assert VillageRisk.objects.get(village=a.village_a1, month=period.start_date).rating == "green"

    BUILD[name](cast, 11)
    risk.compute_month(period)
    row = VillageRisk.objects.get(village=a.village_a1, month=period.start_date)
    assert row.inputs[name] == 1
    assert (row.computed, row.rating) == ("yellow", "yellow")

    BUILD[name](cast, 21)
    risk.compute_month(period)
    row.refresh_from_db()
    assert row.inputs[name] == 2
    assert row.rating == "red"
    # The neighbours have nothing: green, one row per village and month.
    assert VillageRisk.objects.get(village=a.village_b1, month=period.start_date).rating == "green"
    assert VillageRisk.objects.filter(month=period.start_date).count() == 3


def test_the_computation_is_set_based(cast, django_assert_max_num_queries):
    """The same number of queries for one village as for all: one GROUP BY per kind of input."""
    period = month_of(timezone.now())
    _red_risk(cast, 11)
    with django_assert_max_num_queries(12):
        tally = risk.compute_month(period)
    assert sum(tally.values()) == 3


def test_default_thresholds_and_a_month_with_no_cases(cast):
    period = (
        parse_period("2026-01")
        if month_of(timezone.now()).key != "2026-01"
        else month_of(timezone.now(), offset=-1)
    )
    assert RiskSetting.objects.filter(county__isnull=True).count() == len(risk.DEFAULTS)
    assert risk.compute_month(period) == {"green": 3, "yellow": 0, "red": 0}


def test_the_monthly_task_and_the_command_rate_every_village(cast):
    result = rate_villages()
    now = month_of(timezone.now())
    assert set(result) == {month_of(timezone.now(), offset=-1).key, now.key}
    assert VillageRisk.objects.filter(month=now.start_date).count() == 3
    call_command("rate_villages", "--month", now.key)
    assert VillageRisk.objects.filter(month=now.start_date).count() == 3


def _override_url(village):
    return f"/api/v1/village-risks/{village.pk}/override/"


def test_a_town_officer_overrides_with_a_reason_audited_and_shown(cast, api, client):
    a = cast.areas
    period = month_of(timezone.now())
    risk.compute_month(period)
    response = api(cast.town_officer_a).post(
        _override_url(a.village_a1),
        {"rating": "red", "reason": "山林权属纠纷持续升温"},
        format="json",
    )
    assert response.status_code == 200, response.content
    row = VillageRisk.objects.get(village=a.village_a1, month=period.start_date)
    assert (row.computed, row.override, row.rating) == ("green", "red", "red")
    assert row.overridden_by == cast.town_officer_a
    entry = AuditEntry.objects.get(target=f"assessment.villagerisk:{row.pk}")
    assert entry.actor == cast.town_officer_a
    assert entry.params["after"] == {"rating": "red", "reason": "山林权属纠纷持续升温"}
    assert entry.params["before"]["rating"] == "green"

    # The override survives the next computation, and the list and page show it.
    risk.compute_month(period)
    row.refresh_from_db()
    assert row.rating == "red"
    listed = api(cast.town_officer_a).get("/api/v1/village-risks/?risk=red").json()["results"]
    assert [(r["village_code"], r["computed"], r["reason"]) for r in listed] == [
        (a.village_a1.code, "green", "山林权属纠纷持续升温")
    ]
    client.force_login(cast.town_officer_a)
    page = client.get(f"/risk/villages/{a.village_a1.pk}/").content.decode()
    assert "山林权属纠纷持续升温" in page and 'data-testid="override-form"' in page

    # Through the page form as well.
    response = client.post(
        f"/risk/villages/{a.village_a1.pk}/",
        {"form": "override", "o-rating": "yellow", "o-reason": "已化解"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.rating, row.reason) == ("yellow", "已化解")
    assert AuditEntry.objects.filter(what__startswith="调整村风险等级").count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rating": "red"}, "reason"),
        ({"rating": "red", "reason": "   "}, "reason"),
        ({"rating": "purple", "reason": "理由"}, "rating"),
        ({"reason": "理由"}, "rating"),
        ({"rating": "red", "reason": "理由", "month": "2026-13"}, "month"),
    ],
)
def test_bad_overrides_are_400_naming_the_field_and_change_nothing(cast, api, body, field):
    response = api(cast.town_officer_a).post(
        _override_url(cast.areas.village_a1), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not VillageRisk.objects.exclude(override="").exists()
    assert not AuditEntry.objects.exists()


def test_overrides_out_of_scope_are_404_and_other_roles_403(cast, api):
    a = cast.areas
    body = {"rating": "red", "reason": "理由"}
    assert (
        api(cast.town_officer_b).post(_override_url(a.village_a1), body, format="json").status_code
        == 404
    )
    assert (
        api(cast.town_officer_a).post(_override_url(a.village_b1), body, format="json").status_code
        == 404
    )
    assert (
        api(cast.town_officer_a)
        .post("/api/v1/village-risks/999999/override/", body, format="json")
        .status_code
        == 404
    )
    # The village's own officer and mediator see it but may not override it.
    assert (
        api(cast.village_officer_a)
        .post(_override_url(a.village_a1), body, format="json")
        .status_code
        == 403
    )
    assert (
        api(cast.village_mediator_a)
        .post(_override_url(a.village_a1), body, format="json")
        .status_code
        == 403
    )
    assert not VillageRisk.objects.exclude(override="").exists()


def test_visits_are_recorded_and_missed_ones_counted(cast, api):
    a = cast.areas
    url = "/api/v1/village-visits/" if False else f"/api/v1/village-risks/{a.village_a1.pk}/visits/"
    officer = api(cast.town_officer_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = officer.post(url, {"visited_on": tomorrow.isoformat()}, format="json")
    assert response.status_code == 400 and "visited_on" in response.json()
    response = officer.post(url, {"visited_on": "昨天"}, format="json")
    assert response.status_code == 400 and "visited_on" in response.json()
    assert (
        api(cast.town_officer_b)
        .post(url, {"visited_on": timezone.localdate().isoformat()}, format="json")
        .status_code
        == 404
    )
    assert not VillageVisit.objects.exists()

    response = officer.post(
        url, {"visited_on": timezone.localdate().isoformat(), "note": "走访调解"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["visitor"] == cast.town_officer_a.pk
    assert [v["note"] for v in officer.get(url).json()] == ["走访调解"]

    # A red village must be visited weekly: a closed month of 31 days with one visit misses 4.
    period = parse_period("2026-10")
    assert risk.expected_visits(period, 7, today=date(2026, 11, 5)) == 5
    assert risk.expected_visits(period, 30, today=date(2026, 11, 5)) == 2
    assert risk.expected_visits(parse_period("2026-02"), 30, today=date(2026, 3, 5)) == 1
    assert risk.expected_visits(period, 7, today=date(2026, 10, 15)) == 2
    assert risk.expected_visits(period, 7, today=date(2026, 9, 15)) == 0


def test_the_schedule_follows_the_rating(cast, api):
    a = cast.areas
    period = month_of(timezone.now())
    risk.compute_month(period)
    api(cast.town_officer_a).post(
        _override_url(a.village_a1), {"rating": "red", "reason": "理由"}, format="json"
    )
    rows = {
        r["village_code"]: r
        for r in api(cast.county_officer).get("/api/v1/village-risks/").json()["results"]
    }
    assert (rows[a.village_a1.code]["report_days"], rows[a.village_a1.code]["visit_days"]) == (7, 7)
    assert (rows[a.village_b1.code]["report_days"], rows[a.village_b1.code]["visit_days"]) == (
        30,
        30,
    )
    expected = risk.expected_visits(period, 7)
    assert rows[a.village_a1.code]["missed"] == expected


def _rate(cast):
    """village_a1 red (override), village_a2 yellow (a red-risk case), village_b1 green."""
    a = cast.areas
    builders.report(cast.town_officer_a, a.grid_a2, risk="red")
    period = month_of(timezone.now())
    risk.compute_month(period)
    risk.risk_override(
        actor=cast.town_officer_a, village_id=a.village_a1.pk, rating="red", reason="理由"
    )
    return period


def test_the_panel_and_the_filter_agree_with_the_computed_table(
    cast, client, api, django_assert_max_num_queries
):
    a = cast.areas
    period = _rate(cast)
    table = {
        level: set(
            VillageRisk.objects.filter(month=period.start_date, rating=level).values_list(
                "village__code", flat=True
            )
        )
        for level in ("red", "yellow", "green")
    }
    assert table == {
        "red": {a.village_a1.code},
        "yellow": {a.village_a2.code},
        "green": {a.village_b1.code},
    }

    client.force_login(cast.county_officer)
    page = client.get(f"/dashboard/?area={a.county.pk}").content.decode()
    for level, codes in table.items():
        label = {"red": "红", "yellow": "黄", "green": "绿"}[level]
        assert f'<span class="badge {level}">{label} {len(codes)}</span>' in page
    assert 'data-testid="risk-red-villages"' in page and "彭村" in page

    for level, codes in table.items():
        with django_assert_max_num_queries(12):
            listed = client.get(f"/risk/villages/?area={a.county.pk}&risk={level}")
        shown = {
            code
            for code in (a.village_a1.code, a.village_a2.code, a.village_b1.code)
            if f'data-village="{code}"' in listed.content.decode()
        }
        assert shown == codes
        with django_assert_max_num_queries(10):
            results = (
                api(cast.county_officer)
                .get(f"/api/v1/village-risks/?risk={level}")
                .json()["results"]
            )
        assert {r["village_code"] for r in results} == codes

    # The town's panel counts its own villages only.
    client.force_login(cast.town_officer_a)
    page = client.get(f"/dashboard/?area={a.town_a.pk}").content.decode()
    assert (
        '<span class="badge red">红 1</span>' in page
        and '<span class="badge green">绿 0</span>' in page
    )


def test_lists_are_scoped_and_bounded(cast, api, client, django_assert_max_num_queries):
    a = cast.areas
    _rate(cast)
    codes = {
        r["village_code"]
        for r in api(cast.town_officer_b).get("/api/v1/village-risks/").json()["results"]
    }
    assert codes == {a.village_b1.code}
    assert (
        api(cast.town_officer_b).get(f"/api/v1/village-risks/?area={a.town_a.pk}").status_code
        == 404
    )
    assert api(cast.town_officer_b).get("/api/v1/village-risks/?risk=purple").status_code == 400
    assert api(cast.town_officer_b).get("/api/v1/village-risks/?month=2026-Q1").status_code == 400
    client.force_login(cast.town_officer_b)
    assert client.get(f"/risk/villages/{a.village_a1.pk}/").status_code == 404
    assert "彭村" not in client.get("/risk/villages/").content.decode()
    # The panel is two queries whatever the villages (the dashboard around it is measured
    # elsewhere).
    with django_assert_max_num_queries(2):
        panel = risk.panel(a.county)
        assert [r.village.name for r in panel["red"]] == ["彭村"]


def test_county_admin_sets_thresholds_audited_bad_ones_400(cast, api, client):
    url = f"/api/v1/settings/{cast.areas.county.pk}/risk-settings/"
    admin = api(cast.county_admin)
    values = dict(risk.DEFAULTS)
    bad = admin.put(url, {"values": {**values, "red_risk_yellow": 5}}, format="json")
    assert bad.status_code == 400 and "red_risk_yellow" in bad.json()
    bad = admin.put(url, {"values": {**values, "visit_days_red": 0}}, format="json")
    assert bad.status_code == 400 and "visit_days_red" in bad.json()
    missing = dict(values)
    missing.pop("group_size")
    assert "group_size" in admin.put(url, {"values": missing}, format="json").json()
    assert not AuditEntry.objects.exists()
    good = admin.put(url, {"values": {**values, "visit_days_red": 3}}, format="json")
    assert good.status_code == 200 and good.json()["own"] is True
    assert AuditEntry.objects.get().params["changes"] == {
        "visit_days_red": {"before": 7, "after": 3}
    }
    assert api(cast.town_admin_a).put(url, {"values": values}, format="json").status_code == 403
    client.force_login(cast.county_admin)
    page = client.get(f"/settings/{cast.areas.county.pk}/risk/")
    assert page.status_code == 200 and "村风险评定标准" in page.content.decode()
    response = client.post(
        f"/settings/{cast.areas.county.pk}/risk/", {**values, "visit_days_red": 4}
    )
    assert response.status_code == 302
    assert risk.settings_of(cast.areas.county)["values"]["visit_days_red"] == 4


def test_the_schema_describes_the_rating_routes(cast, api):
    paths = api(cast.county_officer).get("/api/schema/?format=json").json()["paths"]
    listing = paths["/api/v1/village-risks/"]["get"]
    assert {"month", "risk", "area"} <= {p["name"] for p in listing["parameters"]}
    assert "requestBody" in paths["/api/v1/village-risks/{id}/override/"]["post"]
    assert "requestBody" in paths["/api/v1/village-risks/{id}/visits/"]["post"]
    assert "put" in paths["/api/v1/settings/{county_id}/risk-settings/"]
