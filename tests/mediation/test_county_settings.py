"""A county's admin sets its 以奖代补 schedule; claims in that county are paid by it, other
counties keep the default schedule."""

import pytest

from accounts.models import AuditEntry
from mediation.models import RewardRate
from mediation.services import reward_rate_for
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

LINES = [
    {"difficulty": "ordinary", "amount": "150"},
    {"difficulty": "difficult", "amount": "250"},
    {"difficulty": "major", "amount": "400"},
    {"difficulty": "major", "category": "land_forest", "level": "county", "amount": "600"},
]


def _url(county):
    return f"/api/v1/settings/{county.id}/reward-schedule/"


def test_county_schedule_pays_its_claims_and_leaves_other_counties_alone(cast, api):
    county = cast.areas.county
    response = api(cast.county_admin).put(_url(county), {"lines": LINES}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["own"] is True
    rate = reward_rate_for(
        difficulty="difficult", category="housing_homestead", level="village", county_id=county.id
    )
    assert str(rate.amount) == "250.00"
    other = AreaFactory(code="610221000000", name="耀州区", level="county", parent=cast.areas.city)
    rate = reward_rate_for(
        difficulty="difficult", category="housing_homestead", level="village", county_id=other.id
    )
    assert str(rate.amount) == "200.00"
    (row,) = AuditEntry.objects.filter(kind="settings")
    assert row.params["changes"]["difficult/*/*"]["amount"] == {
        "before": "200.00",
        "after": "250.00",
    }


def test_a_line_left_out_is_switched_off_not_deleted(cast, api):
    county = cast.areas.county
    client = api(cast.county_admin)
    client.put(_url(county), {"lines": LINES}, format="json")
    response = client.put(_url(county), {"lines": LINES[:3]}, format="json")
    assert response.status_code == 200
    special = RewardRate.objects.get(county=county, category="land_forest")
    assert special.active is False
    assert AuditEntry.objects.filter(kind="settings").count() == 2


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"difficulty": "ordinary", "amount": "-1"}], "lines.0.amount"),
        ([{"difficulty": "ordinary", "amount": "0"}], "lines.0.amount"),
        (
            [{"difficulty": "ordinary", "amount": "1"}, {"difficulty": "ordinary", "amount": "2"}],
            "lines.1.difficulty",
        ),
    ],
)
def test_bad_lines_are_400_with_field_messages(cast, api, lines, field):
    response = api(cast.county_admin).put(_url(cast.areas.county), {"lines": lines}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not RewardRate.objects.filter(county__isnull=False).exists()


def test_unknown_choices_are_400(cast, api):
    response = api(cast.county_admin).put(
        _url(cast.areas.county),
        {"lines": [{"difficulty": "epic", "level": "province", "amount": "1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "lines" in response.json()


def test_town_admin_may_not_set_the_county_schedule(cast, api):
    response = api(cast.town_admin_a).put(_url(cast.areas.county), {"lines": LINES}, format="json")
    assert response.status_code == 403
    assert not RewardRate.objects.filter(county__isnull=False).exists()
