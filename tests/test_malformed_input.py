"""No input is a 500 (DESIGN.md §10), over HTTP, on every route of the URL configuration: the
drill's malformed JSON bodies posted to every JSON endpoint, extreme month, period and date
parameters and NUL in every list's and page's parameters, OPTIONS on every route; plus the
drill's four 500s one by one. A route added later is covered without editing this file."""

import json

import pytest

from tests.test_scope_leak import (
    LIST_ROUTES,
    OBJECT_ROUTES,
    PAGE_LISTS,
    _is_api,
    _methods,
    _object_urls,
    _routes,
    _url,
    world,  # noqa: F401  (town B's records, as `town_b` below)
)


@pytest.fixture
def town_b(world):  # noqa: F811
    return world


DEEP = "[" * 100_000 + "]" * 100_000
BODIES = {
    "deep nesting (RecursionError)": DEEP,
    "nested past the limit": "[" * 40 + "]" * 40,
    "larger than the limit": json.dumps({"note": "x" * 3_000_000}),
    "NUL in strings": json.dumps({"title": "\x00", "note": "a\x00b", "reason": "\x00"}),
    "control characters in keys": json.dumps({"\x01": 1}),
    "not JSON": "{",
    "NaN": '{"amount": NaN}',
    "a number past a float (inf)": '{"amount": 1e400, "area": 1e400, "assignee": -1e400}',
}
# Values for every month, period and date parameter (and a few others) of every list.
EXTREME = [
    "0000-01",
    "99999-01",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
]
PARAMETERS = ["month", "period", "reported_after", "reported_before", "after", "before"]


def _api_write_urls(town_b, cast):
    """(method, url) for every API route that takes a body, its objects those of town B."""
    for name, route, pattern in _routes():
        if not _is_api(route):
            continue
        methods = [m for m in _methods(pattern) if m in {"POST", "PUT", "PATCH"}]
        if not methods:
            continue
        if name in OBJECT_ROUTES:
            urls = list(_object_urls(route, pattern, OBJECT_ROUTES[name], town_b))
        else:
            urls = [_url(route, _other_kwargs(pattern, cast))]
        for url in urls:
            for method in methods:
                yield method, url


def test_malformed_json_bodies_are_a_400_on_every_json_endpoint(cast, town_b, api):
    failures, refused = [], 0
    # The county admin reaches the county settings, which refuse town roles before reading.
    clients = [api(cast.town_admin_b), api(cast.village_mediator_b), api(cast.county_admin)]
    targets = list(_api_write_urls(town_b, cast))
    assert len(targets) > 30
    for label, body in BODIES.items():
        for method, url in targets:
            for client in clients:
                response = getattr(client, method.lower())(
                    url, body, content_type="application/json"
                )
                if response.status_code >= 500:
                    failures.append(f"{method} {url} [{label}] -> {response.status_code}")
                elif response.status_code == 400:
                    refused += 1
    assert not failures, "\n".join(failures)
    # Every route that reads its body refused every one of them (the rest ignore bodies).
    assert refused >= len(BODIES) * len(targets)


def test_the_parser_names_its_limits(cast, api):
    client = api(cast.town_officer_a)
    deep = client.post("/api/v1/cases/", DEEP, content_type="application/json")
    assert deep.status_code == 400
    assert "嵌套" in deep.json()["detail"]
    large = client.post(
        "/api/v1/cases/", BODIES["larger than the limit"], content_type="application/json"
    )
    assert large.status_code == 400
    nul = client.post("/api/v1/cases/", BODIES["NUL in strings"], content_type="application/json")
    assert nul.status_code == 400


def test_a_number_too_large_for_a_float_is_a_400_not_an_overflow(cast, api):
    # JSON allows 1e400; Python reads it as inf, which an id field turned into an OverflowError.
    body = '{"title": "水渠纠纷", "category": "neighbour", "source": "walk_in", "area": 1e400}'
    intake = api(cast.grid_worker_a).post("/api/v1/cases/", body, content_type="application/json")
    assert intake.status_code == 400, intake.content
    assert "JSON" in intake.json()["detail"]


def test_extreme_months_periods_and_dates_are_never_a_500(cast, town_b, api, client):
    rest = api(cast.town_admin_b)
    client.force_login(cast.town_officer_b)
    failures = []
    for name, route, _pattern in _routes():
        if name not in LIST_ROUTES | PAGE_LISTS:
            continue
        http = rest if _is_api(route) else client
        base = _url(route, {})
        for value in EXTREME:
            # All at once (a filterset checks each), then the ones views parse themselves.
            for query in [dict.fromkeys(PARAMETERS, value), {"month": value}, {"period": value}]:
                response = http.get(base, query)
                if response.status_code >= 500:
                    failures.append(f"GET {base} {query} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_nul_and_control_characters_are_a_400_on_every_list_and_page(cast, town_b, api, client):
    rest = api(cast.town_admin_b)
    client.force_login(cast.town_officer_b)
    failures = []
    for name, route, _pattern in _routes():
        if name not in LIST_ROUTES | PAGE_LISTS:
            continue
        http = rest if _is_api(route) else client
        base = _url(route, {})
        for query in ("?q=%00", "?area=%00", "?q=a%1Bb", "?%00=1"):
            response = http.get(base + query)
            if response.status_code != 400:
                failures.append(f"GET {base + query} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_form_post_with_nul_is_a_400_and_changes_nothing(cast, town_b, client):
    from cases.models import Case

    client.force_login(cast.village_mediator_b)
    before = Case.objects.get(pk=town_b.case).events.count()
    response = client.post(f"/cases/{town_b.case}/action/reopen/", {"reason": "再次\x00调解"})
    assert response.status_code == 400
    assert Case.objects.get(pk=town_b.case).events.count() == before


def _other_kwargs(pattern, cast):
    """Values for the ids of a route that is not an object route (a county's settings): the
    county's own id, which the callers' roles may not act on."""
    return {key: cast.areas.county.id for key in pattern.pattern.regex.groupindex}


def test_options_is_answered_on_every_route(cast, town_b, api, client):
    rest = api(cast.town_admin_b)
    client.force_login(cast.town_admin_b)
    failures = []
    for name, route, pattern in _routes():
        if name in OBJECT_ROUTES:
            urls = list(_object_urls(route, pattern, OBJECT_ROUTES[name], town_b))
        else:
            urls = [_url(route, _other_kwargs(pattern, cast))]
        http = rest if _is_api(route) else client
        for url in urls:
            response = http.options(url)
            if name == "healthz":  # 503 is its answer while no beat has ticked
                assert response.status_code in (200, 503)
            elif response.status_code >= 500 or (_is_api(route) and response.status_code != 200):
                failures.append(f"OPTIONS {url} ({name}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the drill's four 500s


def test_drill_deep_brackets_to_a_json_endpoint_is_a_400(cast, api):
    response = api(cast.town_officer_a).post(
        "/api/v1/cases/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400


def test_drill_reward_sheet_of_year_zero_is_a_400(cast, api):
    response = api(cast.county_admin).get("/api/v1/rewards/sheet/?month=0000-01")
    assert response.status_code == 400
    assert "month" in response.json()


def test_drill_nul_in_the_case_list_page_search_is_a_400(cast, client):
    client.force_login(cast.town_officer_a)
    assert client.get("/cases/?q=%00").status_code == 400
    assert client.get("/cases/?q=%E5%BD%AD").status_code == 200


def test_drill_options_on_a_case_agreement_is_a_200(cast, town_b, api):
    response = api(cast.town_officer_b).options(f"/api/v1/cases/{town_b.case}/agreement/")
    assert response.status_code == 200
    assert response.json()["renders"][0] == "application/json"


def test_page_and_page_size_out_of_their_documented_range_are_a_400(cast, api):
    client = api(cast.town_officer_a)
    for query in ("page_size=201", "page_size=0", "page_size=abc", "page=0", "page=10001"):
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()
    assert client.get("/api/v1/cases/?page_size=200").status_code == 200
    schema = client.get("/api/schema/?format=json").json()
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    }
    assert parameters["page_size"]["maximum"] == 200
    assert parameters["page"]["maximum"] == 10_000
