"""`POST /api/v1/cases/{id}/risk/` as an outsider tries it: other roles and other counties'
case ids (404 where scope hides the case, 403 where it shows it), malformed bodies, the same
raise twice and two raises at once (409 for the one that finds the risk already raised, never
a 500 or a second clock); and the repeat-party clocks of intake in a fixed number of queries
however many earlier cases a party has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseEvent, PoliceReport
from tests import builders
from tests.concurrency import at_once
from tests.factories import AreaFactory, RoleFactory, UserFactory

RAISE = {"risk": "red", "reason": "当事人扬言报复"}


def _url(case):
    return f"/api/v1/cases/{case.pk}/risk/"


@pytest.fixture
def outsider(areas):
    """An officer of another county of the same city."""
    county = AreaFactory(code="610204000000", name="耀州区", level="county", parent=areas.city)
    user = UserFactory(username="county_officer_other")
    RoleFactory(user=user, kind="officer", area=county)
    return user


def test_scope_hides_the_case_from_other_towns_and_counties_as_404(cast, api, outsider):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    for user in (outsider, cast.grid_worker_b, cast.village_officer_b, cast.town_officer_b):
        response = api(user).post(_url(case), RAISE, format="json")
        assert response.status_code == 404, (user.username, response.content)
    assert api(cast.village_officer_a).post("/api/v1/cases/999999/risk/", RAISE).status_code == 404
    assert api().post(_url(case), RAISE, format="json").status_code in (401, 403)
    # In scope but not theirs to raise: 403.
    for user in (cast.grid_worker_a, cast.county_viewer):
        assert api(user).post(_url(case), RAISE, format="json").status_code == 403, user
    case.refresh_from_db()
    assert case.risk == "green" and not PoliceReport.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "risk"),
        ({"risk": "red"}, "reason"),
        ({"reason": "扬言报复"}, "risk"),
        ({"risk": "purple", "reason": "x"}, "risk"),
        ({"risk": None, "reason": "x"}, "risk"),
        ({"risk": ["red"], "reason": "x"}, "risk"),
        ({"risk": "red", "reason": "   "}, "reason"),
        ({"risk": "red", "reason": "长" * 501}, "reason"),
        ({"risk": "red", "reason": {"a": 1}}, "reason"),
    ],
)
def test_a_malformed_body_is_a_400_with_the_field_named(cast, api, body, field):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    response = api(cast.village_officer_a).post(_url(case), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"red"', b"null"])
def test_a_body_that_is_not_an_object_is_a_400(cast, api, raw):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    response = api(cast.village_officer_a).post(_url(case), raw, content_type="application/json")
    assert response.status_code == 400, response.content


def test_raising_to_the_same_level_twice_is_a_409_and_one_clock(cast, api):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    officer = api(cast.village_officer_a)
    assert officer.post(_url(case), RAISE, format="json").status_code == 200
    due = PoliceReport.objects.get(case=case).due_at
    again = officer.post(_url(case), {**RAISE, "reason": "再次"}, format="json")
    assert again.status_code == 409, again.content
    assert again.json()["risk"] == "red"
    assert officer.post(_url(case), {**RAISE, "risk": "yellow"}, format="json").status_code == 409
    assert CaseEvent.objects.filter(case=case, kind="risk_raised").count() == 1
    assert PoliceReport.objects.get(case=case).due_at == due


@pytest.mark.django_db(transaction=True)
def test_two_raises_at_once_one_wins_the_other_409_one_clock(cast, on_postgres):
    from rest_framework.test import APIClient

    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)

    def raise_red():
        client = APIClient()
        client.force_authenticate(cast.village_officer_a)
        return client.post(_url(case), RAISE, format="json").status_code

    assert sorted(at_once(raise_red)) == [200, 409]
    assert CaseEvent.objects.filter(case=case, kind="risk_raised").count() == 1
    assert PoliceReport.objects.filter(case=case).count() == 1


def _intake_with(cast, serial, when=None):
    extra = {"at": when} if when else {}
    return builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=[
            builders.party("张三", "applicant", 2),
            builders.party("王五", "respondent", serial),
        ],
        **extra,
    )


def test_repeat_party_clocks_take_the_same_queries_for_many_earlier_cases(
    cast, django_assert_max_num_queries
):
    """A party named in earlier open cases: each gets its clock and event at the next intake,
    in as many queries for ten earlier cases as for two."""
    for serial in (100, 101):
        _intake_with(cast, serial)
    with CaptureQueriesContext(connection) as two:
        _intake_with(cast, 200)
    assert PoliceReport.objects.filter(trigger="repeat_party").count() == 3
    for serial in range(300, 308):
        _intake_with(cast, serial)
    earlier = PoliceReport.objects.count()
    with django_assert_max_num_queries(len(two)):
        _intake_with(cast, 400)
    assert PoliceReport.objects.count() == earlier + 1
    # The k-th intake tells each of the k - 1 earlier cases (the system's events).
    told = CaseEvent.objects.filter(kind="risk_raised", actor=None)
    assert told.count() == sum(range(1, 12))
