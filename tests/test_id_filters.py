"""Every id filter is the one bounded `IdFilter` (config/filters.py): a sign, an exponent, a
fraction or a number past the largest row id is a 400 naming the field, never a 500; a good
id still filters."""

import pytest

pytestmark = pytest.mark.django_db

ID_FILTERS = [
    ("/api/v1/areas/", "parent"),
    ("/api/v1/cases/", "area"),
    ("/api/v1/committees/", "area"),
    ("/api/v1/rewards/", "mediator"),
    ("/api/v1/rewards/", "committee"),
    ("/api/v1/inspections/", "grid"),
]
BAD_IDS = ["-3.7e55", "1e3", "1.5", "-1", "0", str(2**63), "9" * 40, "abc", "0x10"]


@pytest.mark.parametrize(("url", "field"), ID_FILTERS)
def test_a_bad_id_filter_is_a_400_with_a_field_message(cast, api, url, field):
    client = api(cast.county_officer)
    for value in BAD_IDS:
        response = client.get(url, {field: value})
        assert response.status_code == 400, (url, field, value, response.status_code)
        body = response.json()
        assert field in body.get("fields", body), (url, field, value, body)


@pytest.mark.parametrize(("url", "field"), ID_FILTERS)
def test_the_largest_row_id_is_accepted_and_finds_nothing(cast, api, url, field):
    response = api(cast.county_officer).get(url, {field: str(2**63 - 1)})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_good_parent_id_still_filters(cast, api):
    response = api(cast.county_officer).get("/api/v1/areas/", {"parent": cast.areas.town_a.id})
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"彭村", "后村"}


@pytest.mark.parametrize("url", ["/api/v1/committees/mediators/", "/api/v1/inspections/coverage/"])
def test_the_area_parameter_of_the_lookups_is_bounded_too(cast, api, url):
    client = api(cast.county_officer)
    for value in ("-3.7e55", str(2**63), ""):
        response = client.get(url, {"area": value, "period": "2026-01"})
        assert response.status_code == 400, (url, value)
