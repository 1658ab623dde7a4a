"""A county's admin sets the county's handling deadlines and enters the calendar years the
official package does not know, through the API; each change is audited; a town's admin and
the neighbouring county's are refused."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from cases.calendar import add_working_days, is_workday
from cases.models import CalendarOverride, HandlingPeriod, SlaPolicy
from tests.factories import AreaFactory, RoleFactory, UserFactory

from .conftest import report

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


def _row(level="village", red=False, **values):
    row = {
        "level": level,
        "red": red,
        "assign_value": 1,
        "assign_unit": "working_days",
        "respond_value": 2,
        "respond_unit": "working_days",
        "resolve_value": 15,
        "resolve_unit": "working_days",
    }
    row.update(values)
    return row


def _url(county):
    return f"/api/v1/settings/{county.id}/sla-policy/"


def test_county_admin_shortens_the_village_resolve_limit_for_new_cases_only(cast, api):
    before = report(cast.grid_worker_a, cast.areas.grid_a1, at=local(2026, 11, 2, 10, 0))
    response = api(cast.county_admin).put(
        _url(cast.areas.county), {"rows": [_row(resolve_value=10)]}, format="json"
    )
    assert response.status_code == 200, response.content
    village = next(r for r in response.json()["rows"] if (r["level"], r["red"]) == ("village", 0))
    assert (village["resolve_value"], village["own"]) == (10, True)

    after = report(cast.grid_worker_a, cast.areas.grid_a1, at=local(2026, 11, 2, 10, 0))
    start = local(2026, 11, 2, 10, 0)
    assert HandlingPeriod.objects.get(case=after).resolve_due == add_working_days(start, 10)
    assert HandlingPeriod.objects.get(case=before).resolve_due == add_working_days(start, 15)
    # The default row every other county uses is unchanged.
    assert SlaPolicy.objects.get(county=None, level="village", red=False).resolve_value == 15

    (row,) = AuditEntry.objects.filter(kind="settings")
    assert row.actor == cast.county_admin
    assert row.area == cast.areas.county
    assert row.params["changes"] == {"village": {"resolve_value": {"before": 15, "after": 10}}}
    listed = api(cast.county_admin).get("/api/v1/audit/?kind=settings").json()["results"]
    assert [r["what"] for r in listed] == ["修改办理时限 宜君县"]


def test_a_second_county_keeps_the_default(cast, api):
    other = AreaFactory(code="610221000000", name="耀州区", level="county", parent=cast.areas.city)
    api(cast.county_admin).put(
        _url(cast.areas.county), {"rows": [_row(resolve_value=10)]}, format="json"
    )
    rows = api(UserFactory(is_superuser=True)).get(_url(other)).json()["rows"]
    village = next(r for r in rows if (r["level"], r["red"]) == ("village", False))
    assert (village["resolve_value"], village["own"]) == (15, False)


def test_saving_the_same_values_writes_nothing(cast, api):
    response = api(cast.county_admin).put(
        _url(cast.areas.county), {"rows": [_row()]}, format="json"
    )
    assert response.status_code == 200
    assert not SlaPolicy.objects.filter(county=cast.areas.county).exists()
    assert not AuditEntry.objects.filter(kind="settings").exists()


def test_town_admin_may_not_change_the_county_deadlines(cast, api):
    client = api(cast.town_admin_a)
    assert client.get(_url(cast.areas.county)).status_code == 403
    response = client.put(_url(cast.areas.county), {"rows": [_row(resolve_value=1)]}, format="json")
    assert response.status_code == 403
    assert not SlaPolicy.objects.filter(county__isnull=False).exists()
    assert not AuditEntry.objects.filter(kind="settings").exists()


@pytest.mark.parametrize("who", ["county_viewer", "county_officer", "village_mediator_a"])
def test_other_roles_of_the_county_are_refused(cast, api, who):
    response = api(getattr(cast, who)).put(
        _url(cast.areas.county), {"rows": [_row(resolve_value=1)]}, format="json"
    )
    assert response.status_code == 403


def test_another_countys_admin_gets_404(cast, api):
    other = AreaFactory(code="610221000000", name="耀州区", level="county", parent=cast.areas.city)
    stranger = UserFactory(username="other_admin")
    RoleFactory(user=stranger, kind="admin", area=other)
    assert api(stranger).get(_url(cast.areas.county)).status_code == 404
    assert (
        api(stranger).put(_url(cast.areas.county), {"rows": [_row()]}, format="json").status_code
        == 404
    )
    # A town is not a county; a missing id and a huge one are the same 404.
    for url in [
        f"/api/v1/settings/{cast.areas.town_a.id}/sla-policy/",
        "/api/v1/settings/987654/sla-policy/",
        "/api/v1/settings/99999999999999999999/sla-policy/",
    ]:
        assert api(cast.county_admin).get(url).status_code == 404, url


def test_a_city_admin_sets_a_county_of_the_city(cast, api):
    city_admin = UserFactory(username="city_admin")
    RoleFactory(user=city_admin, kind="admin", area=cast.areas.city)
    response = api(city_admin).put(
        _url(cast.areas.county), {"rows": [_row(level="town", resolve_value=25)]}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (_row(resolve_value=-3), "village.resolve_value"),
        (_row(resolve_value=0), "village.resolve_value"),
        (_row(red=True, assign_value=10000, assign_unit="hours"), "village-red.assign_value"),
    ],
)
def test_bad_deadlines_are_400_with_the_field_named(cast, api, row, field):
    response = api(cast.county_admin).put(_url(cast.areas.county), {"rows": [row]}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SlaPolicy.objects.filter(county__isnull=False).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"rows": [_row(level="province")]},
        {"rows": [_row(resolve_unit="weeks")]},
        {"rows": [_row(resolve_value="ten")]},
        {"rows": []},
        {"rows": "all"},
        {},
    ],
)
def test_malformed_deadlines_are_400(cast, api, body):
    response = api(cast.county_admin).put(_url(cast.areas.county), body, format="json")
    assert response.status_code == 400
    assert response.json()


def test_a_duplicated_row_is_400(cast, api):
    response = api(cast.county_admin).put(
        _url(cast.areas.county), {"rows": [_row(), _row(resolve_value=9)]}, format="json"
    )
    assert response.status_code == 400
    assert "village" in response.json()


# ---------------------------------------------------------------- the calendar


def test_county_admin_enters_a_2027_holiday(cast, api):
    client = api(cast.county_admin)
    response = client.post(
        "/api/v1/calendar-overrides/",
        {"date": "2027-01-01", "is_workday": False, "note": "元旦"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert not is_workday(date(2027, 1, 1))
    listed = client.get("/api/v1/calendar-overrides/?year=2027").json()
    assert [(r["date"], r["is_workday"]) for r in listed] == [("2027-01-01", False)]
    (row,) = AuditEntry.objects.filter(kind="settings")
    assert row.area == cast.areas.county
    assert row.params["after"]["date"] == "2027-01-01"

    assert client.delete(f"/api/v1/calendar-overrides/{response.json()['id']}/").status_code == 204
    assert is_workday(date(2027, 1, 1))  # a Friday, once the override is gone
    assert AuditEntry.objects.filter(kind="settings").count() == 2
    assert client.delete("/api/v1/calendar-overrides/424242/").status_code == 404


def test_a_year_the_official_calendar_knows_is_not_changed_in_the_app(cast, api):
    response = api(cast.county_admin).post(
        "/api/v1/calendar-overrides/",
        {"date": "2026-10-12", "is_workday": False},
        format="json",
    )
    assert response.status_code == 400
    assert "date" in response.json()
    assert not CalendarOverride.objects.exists()


def test_town_admin_and_officers_may_not_edit_the_calendar(cast, api):
    for user in [cast.town_admin_a, cast.county_officer]:
        client = api(user)
        body = {"date": "2027-01-01", "is_workday": False}
        assert client.post("/api/v1/calendar-overrides/", body, format="json").status_code == 403
        assert client.get("/api/v1/calendar-overrides/").status_code == 403
    assert not CalendarOverride.objects.exists()


def test_bad_calendar_input_is_400(cast, api):
    client = api(cast.county_admin)
    for body in [
        {"date": "2027-02-30", "is_workday": False},
        {"date": "2027-01-01"},
        {"date": "2027-01-01", "is_workday": False, "note": "长" * 101},
    ]:
        assert client.post("/api/v1/calendar-overrides/", body, format="json").status_code == 400
    assert client.get("/api/v1/calendar-overrides/?year=abc").status_code == 400
    assert not CalendarOverride.objects.exists()
