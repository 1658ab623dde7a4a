from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Case
from mediation.models import Agreement, Committee, InspectionReport, MediatorProfile
from tests.builders import reward

from .helpers import make_case

pytestmark = pytest.mark.django_db

WRITTEN = {
    "form": "written",
    "facts": "张三与李四因宅基地东侧界址发生争执。",
    "responsibilities": "李四越界砌墙，负主要责任。",
    "terms": "李四于十日内拆除越界围墙，并赔偿张三损失人民币贰仟元。",
    "performance_method": "当面拆除，赔偿款现金一次付清。",
}


def _url(case, tail):
    return f"/api/v1/cases/{case.id}/{tail}"


def _effective_agreement(client, case, *, perform_in=10):
    today = timezone.localdate()
    body = {**WRITTEN, "perform_by": str(today + timedelta(days=perform_in))}
    assert client.put(_url(case, "agreement/"), body, format="json").status_code == 200
    parties = [{"party": p.id, "signed_on": str(today)} for p in case.parties.all()]
    response = client.post(
        _url(case, "agreement/sign/"),
        {"parties": parties, "mediator_signed_on": str(today), "sealed_on": str(today)},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_records_of_a_case_out_of_scope_do_not_exist(cast, api):
    case = make_case(cast)
    outsider = api(cast.town_officer_b)
    for tail in [
        "sessions/",
        "consultations/",
        "agreement/",
        "follow-ups/",
        "file/",
        "confirmation/",
        "agreement.pdf",
    ]:
        assert outsider.get(_url(case, tail)).status_code == 404, tail
    response = outsider.post(_url(case, "sessions/"), {}, format="json")
    assert response.status_code == 404


def test_only_the_assignee_and_officers_of_the_current_level_write_records(cast, api):
    case = make_case(cast)
    body = {"held_at": timezone.now().isoformat(), "place": "彭村调解室", "minutes": "双方陈述。"}
    # In scope but not allowed: the county viewer, the town officer (case is at village level),
    # another village mediator of the same village.
    for user in [cast.county_viewer, cast.town_officer_a, cast.county_officer]:
        assert api(user).get(_url(case, "sessions/")).status_code == 200
        assert api(user).post(_url(case, "sessions/"), body, format="json").status_code == 403
    assert (
        api(cast.village_officer_a).post(_url(case, "sessions/"), body, format="json").status_code
        == 201
    )
    response = api(cast.village_mediator_a).post(_url(case, "sessions/"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["mediators"][0]["username"] == "village_mediator_a"
    assert len(api(cast.county_viewer).get(_url(case, "sessions/")).json()) == 2
    # Co-mediators come from the holder's mediators, not from the town next door.
    stranger = {**body, "mediators": [cast.village_mediator_a.id, cast.village_mediator_b.id]}
    response = api(cast.village_mediator_a).post(_url(case, "sessions/"), stranger, format="json")
    assert response.status_code == 400 and "mediators" in response.json()
    assert case.events.filter(kind="record").exclude(data__record="consent").count() == 2


def test_agreement_missing_its_performance_terms_is_a_400_naming_them(cast, api):
    case = make_case(cast)
    client = api(cast.village_mediator_a)
    body = {k: v for k, v in WRITTEN.items() if k != "performance_method"}
    response = client.put(_url(case, "agreement/"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"performance_method", "perform_by", "detail"}
    assert not Agreement.objects.filter(case=case).exists()
    assert client.put(_url(case, "agreement/"), {"form": "bad"}, format="json").status_code == 400


def test_agreement_takes_effect_when_signed_and_prints_as_pdf(cast, api):
    case = make_case(cast)
    client = api(cast.village_mediator_a)
    data = _effective_agreement(client, case)
    assert data["effective_on"] == str(timezone.localdate())
    assert all(s["signed_on"] for s in data["signatures"])
    assert data["follow_up_due"] == str(timezone.localdate() + timedelta(days=10))
    response = api(cast.county_viewer).get(_url(case, "agreement.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text().replace(" ", "")
    assert "张三" in text and WRITTEN["terms"] in text.replace("\n", "")


def test_confirmation_window_and_application(cast, api):
    case = make_case(cast)
    client = api(cast.village_mediator_a)
    assert client.get(_url(case, "confirmation/")).status_code == 404
    assert client.post(_url(case, "confirmation/apply/"), {}, format="json").status_code == 400
    body = {
        "court": "宜君县人民法院",
        "applied_on": str(timezone.localdate()),
        "applicants": [p.id for p in case.parties.all()],
    }
    assert client.post(_url(case, "confirmation/apply/"), body, format="json").status_code == 409
    _effective_agreement(client, case)
    clock = client.get(_url(case, "confirmation/")).json()
    assert clock["status"] == "open"
    assert clock["last_day"] == str(timezone.localdate() + timedelta(days=30))
    late = {**body, "applied_on": str(timezone.localdate() + timedelta(days=31))}
    assert client.post(_url(case, "confirmation/apply/"), late, format="json").status_code == 400
    response = client.post(_url(case, "confirmation/apply/"), body, format="json")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    result = {
        "result": "confirmed",
        "result_on": str(timezone.localdate()),
        "ruling_number": "（2026）陕0222民特1号",
    }
    response = client.post(_url(case, "confirmation/result/"), result, format="json")
    assert response.json()["status"] == "confirmed"
    assert client.post(_url(case, "confirmation/decline/"), {}, format="json").status_code == 409


def test_follow_up_not_performed_offers_reopen(cast, api):
    case = make_case(cast, status="resolved")
    client = api(cast.village_mediator_a)
    body = {
        "method": "phone",
        "performed": False,
        "satisfaction": "dissatisfied",
        "remaining_risk": "medium",
        "note": "李四未拆除围墙。",
        "performed_on": str(timezone.localdate()),
    }
    without_agreement = make_case(cast)
    response = client.post(_url(without_agreement, "follow-ups/"), body, format="json")
    assert response.status_code == 409
    response = client.post(_url(case, "follow-ups/"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reopen_offered"] is True
    assert response.json()["next_actions"][0]["action"] == "reopen"
    response = client.post(
        _url(case, "follow-ups/"),
        {**body, "performed": True, "satisfaction": "satisfied"},
        format="json",
    )
    assert response.json()["reopen_offered"] is False
    assert response.json()["next_actions"][0]["action"] == "close"
    assert (
        client.post(
            _url(case, "follow-ups/"), {**body, "satisfaction": "meh"}, format="json"
        ).status_code
        == 400
    )
    assert len(client.get(_url(case, "follow-ups/")).json()) == 2
    # The offered action works: the case goes back to mediation.
    response = client.post(f"/api/v1/cases/{case.id}/reopen/", {"reason": "未履行"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"


def _concluded_case(cast):
    """A case resolved with an agreement (concluded, in the KPIs' sense)."""
    return make_case(cast, status="resolved")


def test_reward_is_refused_for_an_incomplete_file_and_granted_once_complete(cast, api):
    case = _concluded_case(cast)
    client = api(cast.village_mediator_a)
    _effective_agreement(client, case, perform_in=0)
    client.post(
        _url(case, "sessions/"),
        {
            "held_at": timezone.now().isoformat(),
            "place": "彭村调解室",
            "minutes": "双方陈述，达成协议。",
        },
        format="json",
    )
    client.post(
        _url(case, "file/documents/"), {"kind": "identity", "note": "身份证复印件"}, format="json"
    )

    checklist = client.get(_url(case, "file/")).json()
    assert checklist["complete"] is False
    assert checklist["missing"] == ["follow_up"]

    response = client.post(
        "/api/v1/rewards/", {"case": case.id, "difficulty": "difficult"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["missing"] == ["follow_up"]
    assert "回访记录" in response.json()["file"][0]

    response = client.post(
        _url(case, "follow-ups/"),
        {
            "method": "visit",
            "performed": True,
            "satisfaction": "satisfied",
            "performed_on": str(timezone.localdate()),
        },
        format="json",
    )
    assert response.status_code == 201
    assert client.get(_url(case, "file/")).json()["complete"] is True

    response = client.post(
        "/api/v1/rewards/", {"case": case.id, "difficulty": "difficult"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "200.00"
    again = client.post(
        "/api/v1/rewards/", {"case": case.id, "difficulty": "difficult"}, format="json"
    )
    assert again.status_code == 409


def test_reward_needs_a_concluded_case_in_scope(cast, api):
    case = make_case(cast)
    body = {"case": case.id, "difficulty": "ordinary"}
    assert (
        api(cast.village_mediator_b).post("/api/v1/rewards/", body, format="json").status_code
        == 404
    )
    assert api(cast.county_viewer).post("/api/v1/rewards/", body, format="json").status_code == 403
    response = api(cast.village_mediator_a).post("/api/v1/rewards/", body, format="json")
    assert response.status_code == 400 and "case" in response.json()


def test_monthly_reward_sheet_per_mediator_and_committee(cast, api):
    committee = Committee.objects.create(
        name="彭村人民调解委员会", kind="peoples", area=cast.areas.village_a1
    )
    MediatorProfile.objects.create(user=cast.village_mediator_a, committee=committee)
    client = api(cast.village_mediator_a)
    for difficulty in ["ordinary", "major"]:
        case = _concluded_case(cast)
        _effective_agreement(client, case, perform_in=0)
        client.post(
            _url(case, "sessions/"),
            {"held_at": timezone.now().isoformat(), "place": "调解室", "minutes": "笔录"},
            format="json",
        )
        client.post(
            _url(case, "follow-ups/"),
            {
                "method": "visit",
                "performed": True,
                "satisfaction": "satisfied",
                "performed_on": str(timezone.localdate()),
            },
            format="json",
        )
        for kind in ["identity", "rights_notice"]:
            client.post(_url(case, "file/documents/"), {"kind": kind}, format="json")
        response = client.post(
            "/api/v1/rewards/", {"case": case.id, "difficulty": difficulty}, format="json"
        )
        assert response.status_code == 201, response.content
    month = f"{timezone.localdate():%Y-%m}"
    sheet = api(cast.town_officer_a).get(f"/api/v1/rewards/sheet/?month={month}").json()
    assert sheet["total"] == "400.00" or float(sheet["total"]) == 400
    assert sheet["mediators"][0]["name"] == "village_mediator_a"
    assert sheet["mediators"][0]["cases"] == 2
    assert sheet["committees"][0]["name"] == "彭村人民调解委员会"
    assert (
        api(cast.town_officer_b).get(f"/api/v1/rewards/sheet/?month={month}").json()["cases"] == 0
    )
    assert api(cast.town_officer_a).get("/api/v1/rewards/sheet/?month=2026-13").status_code == 400
    # A title typed as a formula is written as text in the workbook, never run.
    Case.objects.filter(pk=case.id).update(title='=HYPERLINK("http://x")')
    response = api(cast.town_officer_a).get(f"/api/v1/rewards/sheet.xlsx?month={month}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book["按调解员"].values)
    assert rows[2][1] == "village_mediator_a" and rows[-1][-1] == 400
    detail = list(book["明细"].values)
    assert len(detail) == 3
    assert '\'=HYPERLINK("http://x")' in [row[1] for row in detail]


def test_inspection_reports_one_per_grid_per_month_and_coverage(cast, api):
    grid_worker = api(cast.grid_worker_a)
    month = f"{timezone.localdate():%Y-%m}"
    response = grid_worker.post(
        "/api/v1/inspections/",
        {"grid": cast.areas.grid_a1.id, "period": month, "zero": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    again = grid_worker.post(
        "/api/v1/inspections/",
        {"grid": cast.areas.grid_a1.id, "period": month, "zero": True},
        format="json",
    )
    assert again.status_code == 409
    # Not their grid: another grid of the same village is out of the grid worker's scope.
    other = grid_worker.post(
        "/api/v1/inspections/",
        {"grid": cast.areas.grid_a1_2.id, "period": month, "zero": True},
        format="json",
    )
    assert other.status_code == 404
    case = make_case(cast, origin=cast.areas.grid_a1_2)
    response = api(cast.village_officer_a).post(
        "/api/v1/inspections/",
        {"grid": cast.areas.grid_a1_2.id, "period": month, "zero": False, "cases": [case.id]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["cases"][0]["number"] == case.number
    bad = api(cast.village_officer_b).post(
        "/api/v1/inspections/",
        {"grid": cast.areas.grid_b1.id, "period": month, "zero": False},
        format="json",
    )
    assert bad.status_code == 400 and "cases" in bad.json()
    coverage = (
        api(cast.town_officer_a)
        .get(f"/api/v1/inspections/coverage/?area={cast.areas.town_a.id}&period={month}")
        .json()
    )
    assert coverage == {"grids_with_report": 2, "grids_total": 3, "coverage": round(2 / 3, 4)}
    assert len(api(cast.town_officer_b).get("/api/v1/inspections/").json()["results"]) == 0
    assert (
        len(api(cast.county_viewer).get(f"/api/v1/inspections/?period={month}").json()["results"])
        == 2
    )
    assert InspectionReport.objects.count() == 2


def test_committees_and_their_mediators(cast, api):
    admin = api(cast.town_admin_a)
    response = admin.post(
        "/api/v1/committees/",
        {"name": "彭镇人民调解委员会", "kind": "peoples", "area": cast.areas.town_a.id},
        format="json",
    )
    assert response.status_code == 201, response.content
    committee_id = response.json()["id"]
    response = admin.post(
        f"/api/v1/committees/{committee_id}/members/",
        {
            "user": cast.town_mediator_a.id,
            "employment": "full_time",
            "specialty": "婚姻家庭",
            "certified": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["employment_label"] == "专职"
    assert (
        api(cast.town_admin_b)
        .post(
            "/api/v1/committees/",
            {"name": "x", "kind": "peoples", "area": cast.areas.town_a.id},
            format="json",
        )
        .status_code
        == 400
    )
    assert api(cast.town_admin_b).get(f"/api/v1/committees/{committee_id}/").status_code == 404
    assert (
        api(cast.village_mediator_a)
        .post(
            "/api/v1/committees/",
            {"name": "彭村调委会", "kind": "peoples", "area": cast.areas.village_a1.id},
            format="json",
        )
        .status_code
        == 403
    )
    listed = api(cast.county_viewer).get("/api/v1/committees/").json()["results"]
    assert [c["member_count"] for c in listed] == [1]
    mediators = admin.get(f"/api/v1/committees/mediators/?area={cast.areas.town_a.id}").json()
    assert [m["username"] for m in mediators] == ["town_mediator_a"]


def test_record_lists_take_a_constant_number_of_queries(cast, api, django_assert_max_num_queries):
    case = make_case(cast)
    client = api(cast.village_mediator_a)
    body = {"held_at": timezone.now().isoformat(), "place": "调解室", "minutes": "笔录"}
    client.post(_url(case, "sessions/"), body, format="json")
    viewer = api(cast.county_viewer)
    with django_assert_max_num_queries(6):
        assert len(viewer.get(_url(case, "sessions/")).json()) == 1
    for _ in range(5):
        client.post(_url(case, "sessions/"), body, format="json")
    with django_assert_max_num_queries(6):
        assert len(viewer.get(_url(case, "sessions/")).json()) == 6


def test_consultation_is_asked_with_a_deadline_and_answered_once(cast, api):
    case = make_case(cast)
    client = api(cast.village_mediator_a)
    due = timezone.now() + timedelta(days=3)
    body = {
        "consultant_kind": "judge",
        "consultant_name": "赵法官",
        "consultant_org": "宜君县人民法院彭镇法庭",
        "question": "越界围墙的拆除责任如何认定？",
        "due_at": due.isoformat(),
    }
    past = {**body, "due_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    assert client.post(_url(case, "consultations/"), past, format="json").status_code == 400
    response = client.post(_url(case, "consultations/"), body, format="json")
    assert response.status_code == 201, response.content
    consultation = response.json()
    assert consultation["consultant_kind_label"] == "法官" and consultation["overdue"] is False
    answer_url = _url(case, f"consultations/{consultation['id']}/answer/")
    assert (
        api(cast.county_viewer).post(answer_url, {"answer": "x"}, format="json").status_code == 403
    )
    response = client.post(answer_url, {"answer": "依宅基地使用证界址认定。"}, format="json")
    assert response.status_code == 200 and response.json()["answered_at"]
    assert client.post(answer_url, {"answer": "again"}, format="json").status_code == 409
    closed = make_case(cast, status="closed", outcome="failed")
    assert client.post(_url(closed, "consultations/"), body, format="json").status_code == 409


def test_register_lists_take_a_constant_number_of_queries(cast, api, django_assert_max_num_queries):
    month = f"{timezone.localdate():%Y-%m}"
    officer = api(cast.village_officer_a)
    for grid in [cast.areas.grid_a1, cast.areas.grid_a1_2]:
        case = make_case(cast, origin=grid)
        body = {"grid": grid.id, "period": month, "zero": False, "cases": [case.id]}
        assert officer.post("/api/v1/inspections/", body, format="json").status_code == 201
    committees = [
        Committee.objects.create(name=f"调委会{index}", kind="peoples", area=cast.areas.village_a1)
        for index in range(3)
    ]
    for committee in committees:
        reward(
            make_case(cast, status="resolved"),
            mediator=cast.village_mediator_a,
            committee=committee,
            claimed_by=cast.village_officer_a,
        )
    viewer = api(cast.county_viewer)
    with django_assert_max_num_queries(6):
        assert len(viewer.get("/api/v1/inspections/").json()["results"]) == 2
    with django_assert_max_num_queries(6):
        assert len(viewer.get("/api/v1/committees/").json()["results"]) == 3
    with django_assert_max_num_queries(6):
        rewards = viewer.get("/api/v1/rewards/").json()["results"]
    assert sorted(row["committee_name"] for row in rewards) == ["调委会0", "调委会1", "调委会2"]
