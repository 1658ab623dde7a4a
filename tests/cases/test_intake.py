"""Intake (登记受理): numbering, screening, the intake level rules, repeat disputes, personal
data at rest, and malformed bodies."""

import pytest
from django.db import connection
from django.utils import timezone

from cases.crypto import mask_id_number
from cases.models import Case, CaseEvent, HandlingPeriod, Party
from tests.builders import id_number, party, report

pytestmark = pytest.mark.django_db


def test_report_from_a_grid_lands_pending_at_its_village_with_clocks(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    year = timezone.localdate().year
    assert case.number == f"610222-{year}-000001"
    assert (case.status, case.level, case.peak_level) == ("pending", "village", "village")
    assert case.holder == cast.areas.village_a1
    assert (case.county, case.town, case.village, case.grid) == (
        cast.areas.county,
        cast.areas.town_a,
        cast.areas.village_a1,
        cast.areas.grid_a1,
    )
    period = HandlingPeriod.objects.get(case=case)
    assert period.area == cast.areas.village_a1 and period.entered_by == "report"
    assert period.next_deadline == period.assign_due and period.next_deadline_kind == "assign"
    assert period.assign_due < period.respond_due < period.resolve_due
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.to_status, event.to_level) == (
        "report",
        cast.grid_worker_a,
        "pending",
        "village",
    )
    second = report(cast.village_mediator_b, cast.areas.village_b1)
    assert second.number == f"610222-{year}-000002"


@pytest.mark.parametrize(
    "shape,expected",
    [
        ("same_village", "village"),
        ("different_villages", "town"),
        ("five_people", "town"),
        ("red", "town"),
        ("different_towns", "county"),
    ],
)
def test_intake_level_rules(cast, shape, expected):
    areas = cast.areas
    parties = [
        party("张三", "applicant", 1, area=areas.village_a1),
        party("李四", "respondent", 2, area=areas.grid_a1_2),
    ]
    extra = {}
    if shape == "different_villages":
        parties[1]["area"] = areas.village_a2
    elif shape == "different_towns":
        parties[1]["area"] = areas.village_b1
    elif shape == "five_people":
        extra["people_involved"] = 5
    elif shape == "red":
        extra["risk"] = "red"
    case = report(cast.village_officer_a, areas.village_a1, parties=parties, **extra)
    assert case.level == expected
    assert case.peak_level == expected
    holder = {"village": areas.village_a1, "town": areas.town_a, "county": areas.county}
    assert case.holder == holder[expected]
    assert case.periods.get().level == expected


def test_four_people_in_one_village_stay_in_the_village(cast):
    case = report(cast.village_officer_a, cast.areas.village_a1, people_involved=4)
    assert case.level == "village"


@pytest.mark.parametrize("reason", ["court", "police", "agency", "criminal"])
def test_screened_out_matter_is_closed_rejected_with_the_reason(cast, reason):
    case = report(cast.grid_worker_a, cast.areas.grid_a1, screening=reason, screening_note="案号X")
    assert (case.status, case.outcome) == ("closed", "rejected")
    assert "不予受理" in case.outcome_note and "案号X" in case.outcome_note
    assert not HandlingPeriod.objects.filter(case=case).exists()
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "report" and event.to_status == "closed"
    assert event.data["screening"] == reason


def test_party_in_another_open_case_raises_risk_one_step(cast):
    first = report(cast.grid_worker_a, cast.areas.grid_a1)
    assert first.risk == "green" and not first.repeat_dispute
    again = report(
        cast.village_mediator_b,
        cast.areas.village_b1,
        parties=[party("张三", "applicant", 1), party("赵六", "respondent", 30)],
    )
    assert again.risk == "yellow" and again.repeat_dispute
    raised = CaseEvent.objects.get(case=again, kind="risk_raised")
    assert "重复纠纷" in raised.note and "张三" in raised.note
    assert raised.data == {"reason": "repeat_dispute", "from": "green", "to": "yellow"}
    # A yellow report with a repeat party becomes red, and red goes to the town.
    third = report(
        cast.village_officer_a,
        cast.areas.village_a1,
        risk="yellow",
        parties=[party("李四", "applicant", 2), party("孙七", "respondent", 31)],
    )
    assert (third.risk, third.level) == ("red", "town")


def test_party_of_a_closed_case_is_not_a_repeat(cast):
    from cases import services

    first = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_close(
        actor=cast.village_officer_a, case_id=first.id, outcome="withdrawn", note="撤回"
    )
    again = report(cast.grid_worker_a, cast.areas.grid_a1)
    assert again.risk == "green" and not again.repeat_dispute


def test_id_numbers_and_phones_are_not_readable_in_the_table(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    plain_id, plain_phone = id_number(1), "13800000001"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_encrypted, phone_encrypted, id_number_hash, id_number_masked, "
            "phone_masked, name FROM cases_party WHERE case_id = %s ORDER BY id",
            [case.id],
        )
        rows = cursor.fetchall()
    dump = repr(rows)
    assert plain_id not in dump and plain_phone not in dump
    assert plain_id[6:14] not in dump  # not even the birth date
    blob = bytes(rows[0][0])
    assert plain_id.encode() not in blob and len(blob) > 18
    assert rows[0][3] == mask_id_number(plain_id) == plain_id[:6] + "********" + plain_id[-4:]
    assert rows[0][4] == "138****0001"


def _body(cast, **overrides):
    body = {
        "title": "土地承包纠纷",
        "facts": "承包地边界争议。",
        "category": "land_forest",
        "source": "walk_in",
        "risk": "green",
        "area": cast.areas.village_a1.id,
        "occurred_on": "2026-10-02",
        "amount": "1200.50",
        "people_involved": 2,
        "parties": [
            {
                "name": "张三",
                "role": "applicant",
                "id_number": id_number(5),
                "phone": "0919-1234567",
                "address": "彭村",
                "area": cast.areas.village_a1.id,
            },
            {"name": "李四", "role": "respondent"},
        ],
    }
    body.update(overrides)
    return body


def test_create_over_the_api_returns_the_masked_case(cast, api):
    response = api(cast.village_mediator_a).post("/api/v1/cases/", _body(cast), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["level"] == "village"
    applicant = data["parties"][0]
    assert applicant["id_number"] == mask_id_number(id_number(5))
    assert applicant["phone"] == "0919-***4567"
    assert id_number(5) not in response.content.decode()
    assert Party.objects.filter(case_id=data["id"]).count() == 2


def test_status_and_level_in_the_body_are_ignored(cast, api):
    body = _body(cast, status="closed", level="county", peak_level="county")
    response = api(cast.village_mediator_a).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["level"]) == ("pending", "village")


def _bad_party(cast, **fields):
    parties = _body(cast)["parties"]
    parties[0] = {**parties[0], **fields}
    return {"parties": parties}


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": 123456 * [1]}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"facts": "x" * 10001}, "facts"),
        ({"category": "witchcraft"}, "category"),
        ({"source": "rumour"}, "source"),
        ({"risk": "purple"}, "risk"),
        ({"area": 999999}, "area"),
        ({"area": "abc"}, "area"),
        ({"occurred_on": "2026-02-30"}, "occurred_on"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"people_involved": "many"}, "people_involved"),
        ({"people_involved": 0}, "people_involved"),
        ({"parties": []}, "parties"),
        ({"parties": "张三"}, "parties"),
        ({"parties": None}, "parties"),
        ({"parties": [{"name": "张三"}]}, "parties"),
    ],
)
def test_malformed_create_bodies_are_400_with_field_messages(cast, api, overrides, field):
    response = api(cast.village_mediator_a).post(
        "/api/v1/cases/", _body(cast, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "fields,name",
    [
        ({"id_number": "610222198001010010"}, "id_number"),  # wrong check digit
        ({"id_number": "61022219801301001X"}, "id_number"),  # month 13
        ({"id_number": "6102221980"}, "id_number"),
        ({"id_number": "9" * 5000}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "abc"}, "phone"),
        ({"role": "witness"}, "role"),
        ({"name": ""}, "name"),
        ({"area": "town_a"}, "area"),
        ({"area": 999999}, "area"),
    ],
)
def test_invalid_party_values_name_the_field(cast, api, fields, name):
    if fields.get("area") == "town_a":
        fields = {"area": cast.areas.town_a.id}
    response = api(cast.village_mediator_a).post(
        "/api/v1/cases/", _body(cast, **_bad_party(cast, **fields)), format="json"
    )
    assert response.status_code == 400, response.content
    assert name in response.json()["parties"]["0"]


def test_area_outside_the_reporters_scope_is_400(cast, api):
    response = api(cast.village_mediator_a).post(
        "/api/v1/cases/", _body(cast, area=cast.areas.village_b1.id), format="json"
    )
    assert response.status_code == 400
    assert "area" in response.json()


def test_town_area_is_not_an_origin(cast, api):
    response = api(cast.town_officer_a).post(
        "/api/v1/cases/", _body(cast, area=cast.areas.town_a.id), format="json"
    )
    assert response.status_code == 400
    assert "area" in response.json()


def test_grid_worker_reports_only_in_their_grid(cast, api):
    ok = api(cast.grid_worker_a).post(
        "/api/v1/cases/", _body(cast, area=cast.areas.grid_a1.id), format="json"
    )
    assert ok.status_code == 201
    other_grid = api(cast.grid_worker_a).post(
        "/api/v1/cases/", _body(cast, area=cast.areas.grid_a1_2.id), format="json"
    )
    assert other_grid.status_code == 400


def test_viewer_may_not_report(cast, api):
    response = api(cast.county_viewer).post("/api/v1/cases/", _body(cast), format="json")
    assert response.status_code == 403


def test_non_json_body_is_400(cast, api):
    client = api(cast.village_mediator_a)
    response = client.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_intake_uses_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    report(cast.grid_worker_a, cast.areas.grid_a1)  # warm the role and calendar caches
    # 14, and 3 to tell the village's people (their roles, the notices, the outbox rows).
    with django_assert_max_num_queries(17):
        report(
            cast.grid_worker_a,
            cast.areas.grid_a1,
            parties=[party("甲", "applicant", 501, area=cast.areas.grid_a1) for _ in range(1)]
            + [party("乙", "respondent", 502, area=cast.areas.village_a1)],
        )
