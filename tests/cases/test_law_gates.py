"""The law as gates (人民调解法, DESIGN.md §16), one test per row over the API: the gate
refuses (400/409 with a Chinese reason naming what is missing), nothing changes, and it passes
once the record exists. Also the findings about dates ("tried as a new user would")."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, PoliceReport
from mediation.models import FollowUp, MediationSession, PartyConsent
from tests.builders import ORAL, drive, follow_up, party, record_session, report, two_parties

pytestmark = pytest.mark.django_db

SESSION = {"place": "彭村调解室", "minutes": "双方陈述，调解员释法说理。"}


def _url(case, tail):
    return f"/api/v1/cases/{case.id}/{tail}"


def _working_case(cast, **overrides):
    """A village case assigned to the village mediator, nothing recorded yet."""
    case = report(cast.grid_worker_a, cast.areas.grid_a1, **overrides)
    from cases import services

    services.case_assign(
        actor=cast.village_officer_a, case_id=case.pk, assignee=cast.village_mediator_a
    )
    return Case.objects.get(pk=case.pk)


def _consent(client, case, party, **extra):
    today = timezone.localdate().isoformat()
    body = {
        "party": party.pk,
        "decision": "consent",
        "decided_on": today,
        "notified_on": today,
        "notice_method": "written",
        **extra,
    }
    return client.post(_url(case, "consents/"), body, format="json")


def _session(client, case, held_at=None):
    body = {**SESSION, "held_at": (held_at or timezone.now()).isoformat()}
    return client.post(_url(case, "sessions/"), body, format="json")


# ---------------------------------------------------------------- art. 17 and 23


def test_art_17_and_23_a_session_waits_for_every_partys_consent_and_rights_notice(cast, api):
    case = _working_case(cast)
    zhang, li = case.parties.order_by("id")
    client = api(cast.village_mediator_a)

    response = _session(client, case)
    assert response.status_code == 409
    assert response.json()["code"] == "consent_required"
    assert "张三是否同意调解" in response.json()["detail"]
    assert "已告知李四权利义务" in response.json()["detail"]
    assert not MediationSession.objects.filter(case=case).exists()

    # Consent without the rights notice is refused (art. 23): the notice comes first.
    response = client.post(
        _url(case, "consents/"),
        {"party": zhang.pk, "decision": "consent", "decided_on": timezone.localdate()},
        format="json",
    )
    assert response.status_code == 400 and "notified_on" in response.json()
    assert _consent(client, case, zhang).status_code == 201
    response = _session(client, case)
    assert response.status_code == 409
    assert "李四" in response.json()["detail"] and "张三" not in response.json()["detail"]

    rows = _consent(client, case, li).json()
    assert [(r["name"], r["decision"], r["notice_method"]) for r in rows] == [
        ("张三", "consent", "written"),
        ("李四", "consent", "written"),
    ]
    assert _session(client, case).status_code == 201
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    listed = client.get(_url(case, "consents/")).json()
    assert {r["decision_label"] for r in listed} == {"同意调解"}


def test_art_17_a_refusal_ends_mediation_closed_rejected_with_the_routes_explained(cast, api):
    case = _working_case(cast)
    zhang, li = case.parties.order_by("id")
    client = api(cast.village_mediator_a)
    assert _consent(client, case, zhang).status_code == 201
    refusal = {
        "party": li.pk,
        "decision": "refuse",
        "decided_on": timezone.localdate().isoformat(),
        "note": "李四表示直接起诉",
    }
    response = client.post(_url(case, "consents/"), refusal, format="json")
    assert response.status_code == 400 and "routes" in response.json()
    assert Case.objects.get(pk=case.pk).status == "assigned"
    assert not PartyConsent.objects.filter(party=li).exists()

    response = client.post(
        _url(case, "consents/"), {**refusal, "routes": ["litigation", "arbitration"]}, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.outcome) == ("closed", "rejected")
    assert "李四拒绝调解" in case.outcome_note
    close = CaseEvent.objects.get(case=case, kind="close")
    assert close.data["routes"] == ["arbitration", "litigation"]
    assert "仲裁、诉讼" in close.note
    checklist = client.get(_url(case, "file/")).json()
    assert checklist["complete"] is True
    assert _session(client, case).status_code == 409


# ---------------------------------------------------------------- art. 25


def test_art_25_a_red_case_owes_a_police_report_within_24_hours_with_its_receipt(cast, api):
    case = report(cast.village_officer_a, cast.areas.village_a1, risk="red")
    due = PoliceReport.objects.get(case=case)
    assert due.trigger == "red_risk" and due.due_at == case.reported_at + timedelta(hours=24)
    officer = api(cast.town_officer_a)  # a red case starts at the town
    assert officer.get(_url(case, "police-report/")).json()["reported_at"] is None

    # Closing is refused while the report is owed: the case file names it.
    response = officer.post(
        _url(case, "close/"), {"outcome": "withdrawn", "note": "申请人撤回"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["missing"] == ["police_report"]
    assert "报告公安机关记录" in response.json()["detail"]

    def receipt():
        return {
            "receipt_number": "JQ2026-001",
            "receipt_at": timezone.now().isoformat(),
            "receipt_person": "王警官",
        }

    response = officer.post(_url(case, "police-report/receipt/"), receipt(), format="json")
    assert response.status_code == 409, "no receipt before the report"
    response = officer.post(_url(case, "police-report/"), {"station": ""}, format="json")
    assert response.status_code == 400 and "station" in response.json()
    response = officer.post(
        _url(case, "police-report/"),
        {"station": "城关派出所", "reported_at": timezone.now().isoformat(), "note": "恐激化"},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = officer.post(_url(case, "police-report/receipt/"), receipt(), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["receipt_number"] == "JQ2026-001"
    response = officer.post(
        _url(case, "close/"), {"outcome": "withdrawn", "note": "申请人撤回"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_art_25_a_repeat_party_match_owes_a_report_too(cast):
    first = report(cast.grid_worker_a, cast.areas.grid_a1)
    assert not PoliceReport.objects.filter(case=first).exists()
    again = report(cast.grid_worker_a, cast.areas.grid_a1)
    owed = PoliceReport.objects.get(case=again)
    assert owed.trigger == "repeat_party" and "张三" in owed.trigger_note


def test_art_25_the_report_is_refused_to_those_who_may_not_handle_the_case(cast, api):
    case = report(cast.village_officer_a, cast.areas.village_a1, risk="red")
    body = {"station": "城关派出所", "reported_at": timezone.now().isoformat()}
    assert api(cast.county_viewer).post(_url(case, "police-report/"), body).status_code == 403
    assert api(cast.village_mediator_b).post(_url(case, "police-report/"), body).status_code == 404
    assert PoliceReport.objects.get(case=case).reported_at is None


# ---------------------------------------------------------------- art. 26


def test_art_26_closing_as_failed_records_the_routes_explained(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    record_session(case, cast.village_mediator_a)
    client = api(cast.village_mediator_a)
    body = {"outcome": "failed", "note": "双方分歧过大"}
    response = client.post(_url(case, "close/"), body, format="json")
    assert response.status_code == 400
    assert "routes" in response.json() and "仲裁" in response.json()["routes"][0]
    response = client.post(_url(case, "close/"), {**body, "routes": ["mail"]}, format="json")
    assert response.status_code == 400 and "routes" in response.json()
    assert Case.objects.get(pk=case.pk).status == "in_progress"

    response = client.post(
        _url(case, "close/"), {**body, "routes": ["administrative", "litigation"]}, format="json"
    )
    assert response.status_code == 200, response.content
    close = CaseEvent.objects.get(case=case, kind="close")
    assert close.data["routes"] == ["administrative", "litigation"]
    file = client.get(_url(case, "file/")).json()
    routes = next(item for item in file["items"] if item["key"] == "routes")
    assert routes["present"] and "行政处理、诉讼" in routes["detail"]


# ---------------------------------------------------------------- art. 27


def test_art_27_resolve_needs_a_session_record(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    client = api(cast.village_mediator_a)
    response = client.post(_url(case, "resolve/"), {"agreement": ORAL}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "session_required"
    assert "调解笔录" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    from mediation.models import Agreement

    assert not Agreement.objects.filter(case=case).exists(), "the refused resolve left nothing"
    assert _session(client, case).status_code == 201
    response = client.post(_url(case, "resolve/"), {"agreement": ORAL}, format="json")
    assert response.status_code == 200, response.content


def test_art_27_close_needs_a_complete_case_file_shown_in_the_api(cast, api):
    case = report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=[
            party("张三", "applicant", 71, id_number=""),
            party("李四", "respondent", 72),
        ],
    )
    case = drive(case, to="resolved")
    follow_up(case, cast.village_mediator_a)
    # drive filed an identity paper for the party without an ID number: take it out again.
    case.file_documents.filter(kind="identity").delete()
    client = api(cast.village_mediator_a)
    response = client.post(_url(case, "close/"), {"outcome": "agreement"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "file_incomplete"
    assert response.json()["missing"] == ["identity"]
    assert "当事人身份证明" in response.json()["detail"] and "张三" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == "resolved"
    file = client.get(_url(case, "file/")).json()
    assert file["complete"] is False and file["missing"] == ["identity"]

    response = client.post(
        _url(case, "file/documents/"), {"kind": "identity", "note": "身份证复印件"}, format="json"
    )
    assert response.status_code == 201 and response.json()["complete"] is True
    response = client.post(_url(case, "close/"), {"outcome": "agreement"}, format="json")
    assert response.status_code == 200, response.content


# ---------------------------------------------------------------- 规定: one month, extended once


def _extend(client, case, **body):
    defaults = {
        "parties": list(case.parties.values_list("pk", flat=True)),
        "agreed_on": timezone.localdate().isoformat(),
        "consent_note": "双方签字同意",
    }
    return client.post(_url(case, "extend/"), {**defaults, **body}, format="json")


def test_rule_an_extension_records_who_agreed_when_until_when_at_most_30_days_once(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    due = timezone.localdate(case.periods.get(ended_at__isnull=True).resolve_due)
    client = api(cast.village_mediator_a)
    zhang, li = case.parties.order_by("id")

    # The finding: a deadline moved to the year 9999.
    response = client.post(
        _url(case, "extend/"), {"until": "9999-12-31", "consent_note": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "until" in response.json()
    response = _extend(client, case, until="9999-12-31")
    assert response.status_code == 400 and "30" in response.json()["until"][0]
    response = _extend(client, case, until=(due + timedelta(days=31)).isoformat())
    assert response.status_code == 400 and "until" in response.json()
    response = _extend(
        client, case, until=(due + timedelta(days=10)).isoformat(), parties=[zhang.pk]
    )
    assert response.status_code == 400 and "李四" in response.json()["parties"][0]
    yesterday_of_report = timezone.localdate(case.reported_at) - timedelta(days=1)
    response = _extend(
        client,
        case,
        until=(due + timedelta(days=10)).isoformat(),
        agreed_on=yesterday_of_report.isoformat(),
    )
    assert response.status_code == 400 and "agreed_on" in response.json()
    assert not CaseEvent.objects.filter(case=case, kind="extend").exists()

    until = due + timedelta(days=30)
    response = _extend(client, case, until=until.isoformat())
    assert response.status_code == 200, response.content
    event = CaseEvent.objects.get(case=case, kind="extend")
    assert event.data["parties"] == sorted([zhang.pk, li.pk])
    assert event.data["agreed_on"] == timezone.localdate().isoformat()
    assert event.data["until"].startswith(until.isoformat())
    assert "张三、李四" in event.note

    response = _extend(client, case, until=(until + timedelta(days=5)).isoformat())
    assert response.status_code == 400 and "一次" in response.json()["until"][0]


# ---------------------------------------------------------------- dates a user types


def test_a_session_dated_in_the_year_430_is_refused_naming_held_at(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    client = api(cast.village_mediator_a)
    body = {**SESSION, "held_at": "0430-09-30T10:00:00+08:00"}
    response = client.post(_url(case, "sessions/"), body, format="json")
    assert response.status_code == 400 and "held_at" in response.json()
    yesterday = timezone.localtime(case.reported_at) - timedelta(days=1)
    response = _session(client, case, held_at=yesterday)
    assert response.status_code == 400 and "登记" in response.json()["held_at"][0]
    response = _session(client, case, held_at=timezone.now() + timedelta(hours=2))
    assert response.status_code == 400 and "held_at" in response.json()
    assert not MediationSession.objects.filter(case=case).exists()

    response = _session(client, case)
    assert response.status_code == 201
    held_at = response.json()["held_at"]
    assert held_at.endswith("+08:00"), "RFC 3339 in Asia/Shanghai, no LMT seconds"


def test_a_follow_up_dated_in_the_year_259_is_refused_naming_performed_on(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="resolved")
    client = api(cast.village_mediator_a)
    body = {"method": "visit", "performed": True, "satisfaction": "satisfied"}
    response = client.post(
        _url(case, "follow-ups/"), {**body, "performed_on": "0259-10-08"}, format="json"
    )
    assert response.status_code == 400 and "performed_on" in response.json()
    assert not FollowUp.objects.filter(case=case).exists()
    response = client.post(
        _url(case, "follow-ups/"),
        {**body, "performed_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_an_occurred_date_is_at_most_20_years_back_and_not_in_the_future(cast, api):
    client = api(cast.grid_worker_a)
    today = timezone.localdate()
    body = {
        "title": "宅基地边界纠纷",
        "facts": "两户争执。",
        "category": "neighbour",
        "source": "grid_inspection",
        "area": cast.areas.grid_a1.id,
        "parties": [{"name": "张三", "role": "applicant"}],
    }
    for bad in (date(1900, 1, 1), today.replace(year=today.year - 21), today + timedelta(days=1)):
        response = client.post("/api/v1/cases/", {**body, "occurred_on": bad}, format="json")
        assert response.status_code == 400 and "occurred_on" in response.json(), bad
    assert not Case.objects.exists()
    ok = today.replace(year=today.year - 19)
    response = client.post("/api/v1/cases/", {**body, "occurred_on": ok}, format="json")
    assert response.status_code == 201, response.content


def test_consent_and_receipt_dates_are_checked_against_the_case(cast, api):
    case = report(
        cast.village_officer_a, cast.areas.village_a1, risk="red", parties=two_parties(81)
    )
    zhang = case.parties.order_by("id").first()
    client = api(cast.town_officer_a)
    response = _consent(client, case, zhang, decided_on="0430-09-30")
    assert response.status_code == 400 and "decided_on" in response.json()
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _consent(client, case, zhang, notified_on=future)
    assert response.status_code == 400 and "notified_on" in response.json()
    response = client.post(
        _url(case, "police-report/"),
        {"station": "城关派出所", "reported_at": "0430-09-30T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "reported_at" in response.json()


def test_a_consultation_deadline_is_at_most_30_days_ahead(cast, api):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    client = api(cast.village_mediator_a)
    body = {
        "consultant_kind": "lawyer",
        "consultant_name": "王律师",
        "question": "如何认定？",
        "due_at": "9999-12-31T10:00:00+08:00",
    }
    response = client.post(_url(case, "consultations/"), body, format="json")
    assert response.status_code == 400 and "due_at" in response.json()
    soon = (timezone.now() + timedelta(days=3)).isoformat()
    response = client.post(_url(case, "consultations/"), {**body, "due_at": soon}, format="json")
    assert response.status_code == 201, response.content
