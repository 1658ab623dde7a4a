"""Referrals in the demo data and the bulk generator: a few percent of the cases come from 110,
the court and the petition office with their referral, a few are referred out; each county has
its agencies with a liaison who sees them."""

import pytest
from django.core.management import call_command

from accounts.agencies import Agency, PoliceBeat
from accounts.models import User
from cases.models import Case, Referral

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_demo_county_gets_its_agencies_and_its_year_its_referrals(api):
    call_command("seed_demo", "--months", "2")
    county = "610222000000"
    kinds = sorted(Agency.objects.filter(county__code=county).values_list("kind", flat=True))
    towns = Case.objects.values("town_id").distinct().count()
    assert kinds.count("police") >= towns and {"court", "tribunal", "procuratorate"} <= set(kinds)
    assert set(
        Agency.objects.filter(kind="administrative").values_list("department", flat=True)
    ) == {"人社", "市场监管", "住建", "自然资源"}
    assert PoliceBeat.objects.count() == 119  # 一村一警: every village and community
    cases = Case.objects.count()
    inbound = Referral.objects.filter(direction="in").count()
    assert 0.03 * cases <= inbound <= 0.2 * cases
    assert Referral.objects.filter(direction="out").exists()
    assert Referral.objects.filter(status="closed").exists()
    # Every referred-in case came from its agency's kind of source.
    sources = set(Referral.objects.filter(direction="in").values_list("case__source", flat=True))
    assert sources <= {"police_referral", "court_referral", "petition"}
    police = User.objects.get(username="police_liaison")
    listed = api(police).get("/api/v1/referrals/?tab=all").json()["results"]
    assert all(row["agency"]["kind"] == "police" for row in listed)
    # Loading again changes nothing.
    before = Referral.objects.count()
    call_command("seed_demo", "--months", "2")
    assert Referral.objects.count() == before


@pytest.mark.slow
def test_the_bulk_generator_refers_a_few_percent_of_its_cases(on_postgres):
    call_command("seed_demo", "--no-cases")
    call_command("seed_demo", "--cases", "2000", "--counties", "3")
    assert Agency.objects.values("county_id").distinct().count() == 3
    inbound = Referral.objects.filter(direction="in")
    assert 0.03 * 2000 <= inbound.count() <= 0.2 * 2000
    assert Referral.objects.filter(direction="out").exists()
    for referral in inbound.select_related("case", "agency")[:200]:
        assert referral.agency.county_id == referral.case.county_id
        assert referral.sent_at <= referral.received_at <= referral.case.reported_at
        if referral.answered_at:
            assert referral.case.concluded_at < referral.answered_at
