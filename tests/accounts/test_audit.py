"""Admins query who revealed and who exported, within their own subtree only."""

from accounts.services import audit_export
from cases import services
from tests.builders import report


def _reveal_in(cast, grid, officer):
    case = report(officer, grid)
    party = case.parties.first()
    services.case_reveal(actor=officer, case_id=case.id, party_id=party.id, field="id_number")
    return case


def test_town_admin_sees_reveals_and_exports_of_their_town_only(cast, api):
    case_a = _reveal_in(cast, cast.areas.grid_a1, cast.village_officer_a)
    case_b = _reveal_in(cast, cast.areas.grid_b1, cast.village_officer_b)
    audit_export(actor=cast.town_officer_a, what="案件清单", area=cast.areas.town_a, rows=3)
    audit_export(actor=cast.town_officer_b, what="案件清单", area=cast.areas.town_b, rows=4)

    response = api(cast.town_admin_a).get("/api/v1/audit/")
    assert response.status_code == 200
    rows = response.json()["results"]
    reveals = [r for r in rows if r["kind"] == "reveal"]
    exports = [r for r in rows if r["kind"] == "export"]
    assert [r["case_number"] for r in reveals] == [case_a.number]
    assert reveals[0]["actor"] == "village_officer_a"
    assert reveals[0]["data"]["field"] == "id_number"
    assert [(r["actor"], r["data"]["rows"]) for r in exports] == [("town_officer_a", 3)]
    assert case_b.number not in response.content.decode()


def test_county_admin_sees_both_towns(cast, api):
    _reveal_in(cast, cast.areas.grid_a1, cast.village_officer_a)
    _reveal_in(cast, cast.areas.grid_b1, cast.village_officer_b)
    rows = api(cast.county_admin).get("/api/v1/audit/?kind=reveal").json()["results"]
    assert len(rows) == 2


def test_non_admins_may_not_read_the_audit(cast, api):
    assert api(cast.county_viewer).get("/api/v1/audit/").status_code == 403
    assert api(cast.town_officer_a).get("/api/v1/audit/").status_code == 403


def test_bad_filters_are_400(cast, api):
    response = api(cast.county_admin).get("/api/v1/audit/?kind=everything&after=yesterday")
    assert response.status_code == 400
    assert set(response.json()) >= {"kind", "after"}


def test_exports_are_recorded_and_visible_to_the_admin(cast, api):
    report(cast.village_officer_a, cast.areas.grid_a1)
    town = cast.areas.town_a.id
    response = api(cast.town_officer_a).get(f"/api/v1/cases/export.xlsx?area={town}")
    assert response.status_code == 200
    response = api(cast.town_officer_a).get(f"/api/v1/kpis/export.xlsx?area={town}&period=2026-10")
    assert response.status_code == 200
    rows = api(cast.town_admin_a).get("/api/v1/audit/?kind=export").json()["results"]
    assert {r["what"] for r in rows} == {"案件清单", "考核指标 2026-10"}
    case_rows = [r for r in rows if r["what"] == "案件清单"]
    assert case_rows[0]["actor"] == "town_officer_a"
    assert case_rows[0]["data"]["rows"] == 1
    assert api(cast.town_admin_b).get("/api/v1/audit/?kind=export").json()["results"] == []
