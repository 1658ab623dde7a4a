"""Search that finds people: a full phone number or ID number finds the cases of that person
through the keyed hash (the query compares hashes; nothing is decrypted), scoped like every
list: the neighbour's cases stay out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import crypto
from cases.models import Party
from tests.builders import id_number, party, report


@pytest.fixture
def people(cast):
    """One person (phone 13912345678) in a case of town A and in one of town B."""
    mine = report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        title="排水沟纠纷",
        parties=[
            party("王五", "applicant", 31, phone="139 1234 5678"),
            party("赵六", "respondent", 32),
        ],
    )
    theirs = report(
        cast.grid_worker_b,
        cast.areas.grid_b1,
        title="邻村纠纷",
        parties=[
            party("王五", "applicant", 31, phone="13912345678"),
            party("钱七", "respondent", 33),
        ],
    )
    other = report(cast.grid_worker_a, cast.areas.grid_a1, title="别的纠纷")
    return mine, theirs, other


def _numbers(response):
    return {row["number"] for row in response.json()["results"]}


def test_a_full_phone_number_finds_the_case(api, cast, people):
    """Finding: search by phone number found nothing."""
    mine, theirs, other = people
    client = api(cast.town_officer_a)
    assert _numbers(client.get("/api/v1/cases/", {"q": "13912345678"})) == {mine.number}
    assert _numbers(client.get("/api/v1/cases/", {"q": "139-1234-5678"})) == set()  # not a phone
    assert _numbers(client.get("/api/v1/cases/", {"q": "1391234"})) == set()  # only full numbers


def test_a_full_id_number_finds_the_case(api, cast, people):
    mine, theirs, other = people
    found = api(cast.county_officer).get("/api/v1/cases/", {"q": id_number(31).lower()})
    assert _numbers(found) == {mine.number, theirs.number}
    assert _numbers(api(cast.town_officer_b).get("/api/v1/cases/", {"q": id_number(31)})) == {
        theirs.number
    }


def test_the_search_compares_hashes_never_plain_numbers(api, cast, people):
    with CaptureQueriesContext(connection) as queries:
        api(cast.town_officer_a).get("/api/v1/cases/", {"q": "13912345678"})
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert crypto.phone_hash("13912345678") in sql
    assert "13912345678" not in sql.replace(crypto.phone_hash("13912345678"), "")


def test_the_case_list_page_finds_by_phone(client, cast, people):
    mine, theirs, other = people
    client.force_login(cast.grid_worker_a)
    html = client.get("/cases/", {"q": "13912345678"}).content.decode()
    assert mine.number in html and theirs.number not in html and other.number not in html


def test_landline_and_mobile_hashes_are_stored(cast, people):
    row = Party.objects.filter(name="王五").first()
    assert row.phone_hash == crypto.phone_hash("13912345678")
    assert crypto.phone_hash("0919-1234567") == crypto.phone_hash("09191234567")
    assert crypto.phone_hash("13912345678") != crypto.id_number_hash("13912345678")
