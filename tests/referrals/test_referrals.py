"""Referrals over the API (DESIGN.md §15): a police 110 dispute referred in and mediated, a
case referred out to 人社, bad input naming its field, and a liaison's reach."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, Referral
from tests import builders
from tests.builders import ORAL

pytestmark = pytest.mark.django_db


def _dispute(agencies, cast, **extra):
    return {
        "agency": agencies.station_a.id,
        "kind": "police_110",
        "note": "110接警：邻里因排水沟争执，非警务纠纷",
        "title": "排水沟纠纷（110移交）",
        "facts": "双方因排水沟走向发生争执，民警到场后移交调解。",
        "category": "neighbour",
        "area": cast.areas.grid_a1.id,
        "parties": [
            builders.party("赵甲", "applicant", 11),
            builders.party("钱乙", "respondent", 12),
        ],
        **extra,
    }


def test_a_police_110_dispute_is_accepted_mediated_and_its_result_seen_by_the_station(
    agencies, cast, api
):
    station = api(agencies.police_a)
    response = station.post("/api/v1/referrals/", _dispute(agencies, cast), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    case = referral.case
    assert case.source == "police_referral" and case.level == "village"
    assert referral.direction == "in" and referral.status == "sent"
    assert referral.receive_due - referral.sent_at == timedelta(hours=24)
    assert body["allowed_actions"] == []  # the committee receives, not the station

    committee = api(cast.village_officer_a)
    response = committee.post(f"/api/v1/referrals/{referral.id}/receive/")
    assert response.status_code == 200, response.content
    referral.refresh_from_db()
    assert referral.status == "received" and referral.received_at <= referral.receive_due
    # The answer is due by the 15-working-day period of a police referral.
    assert referral.answer_due > referral.received_at + timedelta(days=15)

    builders.drive(case, to="in_progress")
    builders.record_session(
        case,
        cast.village_mediator_a,
        held_at=max(
            case.reported_at, timezone.now() - timedelta(minutes=30)
        ),  # never before the day it was reported
        place="彭村委会",
        minutes="双方陈述，达成一致。",
    )
    from cases import services

    services.case_resolve(actor=cast.village_mediator_a, case_id=case.id, agreement=ORAL)
    response = api(cast.village_mediator_a).post(
        f"/api/v1/referrals/{referral.id}/answer/",
        {"result": "mediated", "note": "双方达成口头协议，排水沟改道。"},
        format="json",
    )
    assert response.status_code == 200, response.content

    seen = station.get(f"/api/v1/referrals/{referral.id}/").json()
    assert seen["status"] == "answered" and seen["result"] == "mediated"
    assert seen["allowed_actions"] == ["close"]
    detail = station.get(f"/api/v1/cases/{case.id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "resolved"
    assert "610222" not in str(detail.json()["parties"]).replace("610222********", "")
    assert station.post(f"/api/v1/referrals/{referral.id}/close/").status_code == 200
    steps = list(
        CaseEvent.objects.filter(case=case, kind="referral").values_list("data__step", flat=True)
    )
    assert steps == ["sent", "received", "answered", "closed"]


def test_a_case_referred_out_to_hr_is_received_and_answered(agencies, cast, api):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1, category="labour")
    officer = api(cast.village_officer_a)
    response = officer.post(
        f"/api/v1/cases/{case.id}/refer/",
        {"agency": agencies.hr.id, "note": "拖欠工资，移交人社部门处理"},
        format="json",
    )
    assert response.status_code == 201, response.content
    referral_id = response.json()["id"]
    case.refresh_from_db()
    assert case.status == "pending"  # stays open at its level

    hr = api(agencies.hr_liaison)
    assert [r["id"] for r in hr.get("/api/v1/referrals/").json()["results"]] == [referral_id]
    assert hr.post(f"/api/v1/referrals/{referral_id}/receive/").status_code == 200
    response = hr.post(
        f"/api/v1/referrals/{referral_id}/answer/",
        {"result": "handled", "note": "已责令用工单位支付工资。"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert officer.get(f"/api/v1/referrals/{referral_id}/").json()["result"] == "handled"
    assert officer.post(f"/api/v1/referrals/{referral_id}/close/").status_code == 200
    assert hr.post(f"/api/v1/referrals/{referral_id}/close/").status_code == 409


def test_referring_out_may_close_the_case_as_referred(agencies, cast, api):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    response = api(cast.village_officer_a).post(
        f"/api/v1/cases/{case.id}/refer/",
        {"agency": agencies.hr.id, "note": "属劳动争议", "close_case": True},
        format="json",
    )
    assert response.status_code == 201
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "referred")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"agency": "far"}, "agency"),
        ({"agency": 999999}, "agency"),
        ({"agency": "abc"}, "agency"),
        ({"answer_due": "past"}, "answer_due"),
        ({"answer_due": "much later"}, "answer_due"),
        ({"note": ""}, "note"),
    ],
)
def test_bad_referrals_out_are_400_naming_the_field_and_change_nothing(
    agencies, cast, api, change, field
):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    body = {"agency": agencies.hr.id, "note": "移交"}
    body.update(change)
    if body["agency"] == "far":
        body["agency"] = agencies.far.id
    now = timezone.now()
    if body.get("answer_due") == "past":
        body["answer_due"] = (now - timedelta(hours=1)).isoformat()
    elif body.get("answer_due") == "much later":
        body["answer_due"] = (now + timedelta(days=90)).isoformat()
    events = CaseEvent.objects.count()
    response = api(cast.village_officer_a).post(
        f"/api/v1/cases/{case.id}/refer/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Referral.objects.exists() and CaseEvent.objects.count() == events


def test_a_second_referral_to_the_same_agency_while_one_is_open_is_400(agencies, cast, api):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    officer = api(cast.village_officer_a)
    body = {"agency": agencies.hr.id, "note": "移交"}
    assert officer.post(f"/api/v1/cases/{case.id}/refer/", body, format="json").status_code == 201
    response = officer.post(f"/api/v1/cases/{case.id}/refer/", body, format="json")
    assert response.status_code == 400 and "agency" in response.json()
    assert Referral.objects.count() == 1
    # Another agency is fine.
    body["agency"] = agencies.court.id
    assert officer.post(f"/api/v1/cases/{case.id}/refer/", body, format="json").status_code == 201


def test_bad_disputes_referred_in_are_400_naming_the_field(agencies, cast, api):
    station = api(agencies.police_a)
    outside = _dispute(agencies, cast, agency=agencies.far.id)
    assert "agency" in station.post("/api/v1/referrals/", outside, format="json").json()
    missing = _dispute(agencies, cast, agency=987654)
    response = station.post("/api/v1/referrals/", missing, format="json")
    assert response.status_code == 400 and "agency" in response.json()
    past = _dispute(agencies, cast, answer_due=(timezone.now() - timedelta(days=1)).isoformat())
    response = station.post("/api/v1/referrals/", past, format="json")
    assert response.status_code == 400 and "answer_due" in response.json()
    wrong_kind = _dispute(agencies, cast, kind="court_pre_suit")
    response = station.post("/api/v1/referrals/", wrong_kind, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    # The far county's station cannot refer a dispute of this county.
    far = _dispute(agencies, cast, agency=agencies.far.id)
    response = api(agencies.far_liaison).post("/api/v1/referrals/", far, format="json")
    assert response.status_code == 400 and "area" in response.json()
    assert not Case.objects.exists() and not Referral.objects.exists()


def test_a_liaison_acting_on_another_agencys_referral_gets_404(agencies, cast, api):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    response = api(cast.village_officer_a).post(
        f"/api/v1/cases/{case.id}/refer/", {"agency": agencies.hr.id, "note": "移交"}, format="json"
    )
    referral_id = response.json()["id"]
    court = api(agencies.court_liaison)
    for step in ("receive", "answer", "close"):
        assert court.post(f"/api/v1/referrals/{referral_id}/{step}/").status_code == 404
    assert court.get(f"/api/v1/referrals/{referral_id}/").status_code == 404
    assert court.get(f"/api/v1/cases/{case.id}/").status_code == 404
    assert Referral.objects.get().status == "sent"


def test_a_liaison_sees_only_the_referred_cases_and_their_beat_villages(agencies, cast, api):
    referred = builders.report(cast.grid_worker_a, cast.areas.grid_a1, title="移交的纠纷")
    other = builders.report(cast.town_officer_a, cast.areas.grid_a2, title="别的纠纷")
    beat = builders.report(cast.grid_worker_a, cast.areas.grid_a1, title="包联村的纠纷")
    api(cast.village_officer_a).post(
        f"/api/v1/cases/{referred.id}/refer/",
        {"agency": agencies.hr.id, "note": "移交"},
        format="json",
    )
    hr = api(agencies.hr_liaison)
    assert [c["id"] for c in hr.get("/api/v1/cases/").json()["results"]] == [referred.id]
    assert hr.get(f"/api/v1/cases/{other.id}/").status_code == 404
    police = api(agencies.police_a)
    seen = {c["id"] for c in police.get("/api/v1/cases/").json()["results"]}
    assert seen == {beat.id, referred.id}
    assert police.get(f"/api/v1/cases/{other.id}/").status_code == 404
    # Read-only: the police officer of the village may not act on its cases.
    assert (
        police.post(
            f"/api/v1/cases/{beat.id}/assign/", {"assignee": agencies.police_a.id}, format="json"
        ).status_code
        == 403
    )
    assert police.get("/api/v1/referrals/").json()["results"] == []


def test_the_village_police_officer_hears_of_a_red_risk_case(agencies, cast):
    from notifications.models import Notification

    builders.report(cast.grid_worker_a, cast.areas.grid_a1, risk="red")
    builders.report(cast.town_officer_a, cast.areas.grid_a2, risk="red")  # no officer there
    assert Notification.objects.filter(user=agencies.police_a).count() == 1
    assert not Notification.objects.filter(user=agencies.police_b).exists()


def test_a_consultation_picks_its_consultant_from_the_agencies_people(agencies, cast, api):
    from accounts.agencies import AgencyMember

    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    builders.drive(case, to="in_progress")
    mediator = api(cast.village_mediator_a)
    url = f"/api/v1/cases/{case.id}/consultations/"
    due = (timezone.now() + timedelta(days=3)).isoformat()
    # A police consultation goes to the village's police officer by default.
    body = {"consultant_kind": "police", "question": "是否涉嫌治安案件？", "due_at": due}
    response = mediator.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["consultant"] == agencies.police_a.id
    assert response.json()["consultant_org"] == "彭镇派出所"
    # A judge is picked from the court's people.
    court_member = AgencyMember.objects.get(user=agencies.court_liaison)
    body = {"consultant_kind": "judge", "member": court_member.id, "question": "?", "due_at": due}
    response = mediator.post(url, body, format="json")
    assert response.status_code == 201 and response.json()["consultant_org"] == "宜君县人民法院"
    # A person of the wrong kind of agency, or of another county: 400 on `member`.
    for member in (court_member, AgencyMember.objects.get(user=agencies.far_liaison)):
        body = {"consultant_kind": "lawyer", "member": member.id, "question": "?", "due_at": due}
        response = mediator.post(url, body, format="json")
        assert response.status_code == 400 and "member" in response.json()
    # No one picked and no name: 400; a free-text name (as older rows have) is still read.
    body = {"consultant_kind": "lawyer", "question": "?", "due_at": due}
    assert "member" in mediator.post(url, body, format="json").json()
    body["consultant_name"] = "王律师"
    assert mediator.post(url, body, format="json").status_code == 201
    # The police officer answers their consultation (they see the village's cases).
    first = mediator.get(url).json()[0]
    response = api(agencies.police_a).post(
        f"{url}{first['id']}/answer/", {"answer": "属民间纠纷，可调解。"}, format="json"
    )
    assert response.status_code == 200, response.content
