"""The case pages through Django's test client: scope (404 outside it), the queue and inbox
ordering, the actions offered, inline intake errors, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case
from tests.builders import drive, party, report


def _report(cast, **overrides):
    return report(cast.grid_worker_a, cast.areas.grid_a1, **overrides)


def test_another_villages_case_is_the_404_page(client, cast):
    case = _report(cast)
    client.force_login(cast.village_mediator_b)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 404
    assert "页面不存在或您无权查看" in response.content.decode()
    assert client.post(f"/cases/{case.pk}/do/claim/").status_code == 404
    assert case.number not in client.get("/cases/").content.decode()


def test_case_page_shows_masked_parties_and_the_claim_button_to_the_village_mediator(client, cast):
    case = _report(cast)
    client.force_login(cast.village_mediator_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="do-claim"' in html
    assert "610222********0011" not in html  # masked form is shown, never the full one
    assert case.parties.first().id_number_masked in html
    assert 'data-testid="do-escalate"' not in html  # not theirs until claimed


def test_claim_respond_and_escalate_through_the_page(client, cast):
    case = _report(cast)
    client.force_login(cast.village_mediator_a)
    assert client.post(f"/cases/{case.pk}/do/claim/").status_code == 302
    response = client.post(f"/cases/{case.pk}/do/respond/", {"note": "已联系"})
    assert response.status_code == 302
    response = client.post(f"/cases/{case.pk}/do/escalate/", {"reason": ""})
    assert response.status_code == 400  # the reason is required, shown beside the field
    assert "该字段是必填项" in response.content.decode()
    client.post(f"/cases/{case.pk}/do/escalate/", {"reason": "分歧大"})
    case.refresh_from_db()
    assert (case.level, case.status) == ("town", "pending")
    assert list(case.events.values_list("kind", flat=True)) == [
        "report",
        "assign",
        "respond",
        "escalate",
    ]


def test_an_action_that_lost_the_race_says_so_and_changes_nothing(client, cast):
    case = _report(cast)
    client.force_login(cast.village_mediator_a)
    client.post(f"/cases/{case.pk}/do/claim/")
    # Someone else moved it meanwhile: the page's button is now stale.
    services.case_escalate(actor=cast.village_officer_a, case_id=case.pk, reason="上报")
    response = client.post(f"/cases/{case.pk}/do/respond/", {"note": "迟了"}, follow=True)
    assert "不能进行此操作" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "pending"


def test_queue_lists_my_cases_soonest_due_first(client, cast):
    first = _report(cast, title="先到")
    second = _report(cast, title="后到")
    other = report(cast.grid_worker_b, cast.areas.grid_b1, title="别村")
    client.force_login(cast.village_mediator_a)
    html = client.get("/queue/").content.decode()
    assert html.index(first.number) < html.index(second.number)
    assert other.number not in html


def test_town_inbox_puts_new_escalations_first(client, cast):
    older = _report(cast, title="早")
    newer = _report(cast, title="晚")
    for case in (older, newer):
        drive(case, to="in_progress")
        services.case_escalate(actor=cast.village_mediator_a, case_id=case.pk, reason="上报")
    direct = _report(cast, title="红色", risk="red")  # starts at town, not an escalation
    client.force_login(cast.town_officer_a)
    html = client.get("/inbox/").content.decode()
    assert html.index(newer.number) < html.index(older.number) < html.index(direct.number)
    client.force_login(cast.town_officer_b)
    assert newer.number not in client.get("/inbox/").content.decode()


def test_intake_shows_bad_id_and_phone_beside_the_party(client, cast):
    client.force_login(cast.grid_worker_a)
    data = {
        "title": "邻里纠纷",
        "category": "neighbour",
        "source": "walk_in",
        "risk": "green",
        "origin": str(cast.areas.grid_a1.pk),
        "people_involved": "2",
        "facts": "争吵",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "张三",
        "parties-0-role": "applicant",
        "parties-0-id_number": "610222198001010012",
        "parties-0-phone": "12345",
        "parties-1-name": "",
        "parties-1-role": "respondent",
    }
    response = client.post("/cases/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "身份证号校验位错误" in html and "电话号码格式无效" in html
    assert not Case.objects.exists()
    good = dict(data, **{"parties-0-id_number": party()["id_number"], "parties-0-phone": ""})
    response = client.post("/cases/new/", good)
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.reported_by == cast.grid_worker_a and case.level == "village"


def test_intake_refuses_an_origin_outside_the_users_grid(client, cast):
    client.force_login(cast.grid_worker_a)
    response = client.post(
        "/cases/new/",
        {
            "title": "x",
            "category": "neighbour",
            "source": "walk_in",
            "risk": "green",
            "origin": str(cast.areas.grid_b1.pk),
            "people_involved": "2",
            "facts": "x",
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-0-name": "张三",
            "parties-0-role": "applicant",
        },
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.slow
def test_list_pages_run_a_constant_number_of_queries(client, cast, django_assert_max_num_queries):
    for index in range(3):
        drive(_report(cast, title=f"案{index}"), to="assigned")
    client.force_login(cast.village_mediator_a)
    with django_assert_max_num_queries(12) as few:
        client.get("/queue/")
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    for index in range(20):
        drive(_report(cast, title=f"多{index}"), to="assigned")
    with django_assert_max_num_queries(baseline):
        response = client.get("/queue/")
    assert response.content.decode().count('data-testid="case-item"') == 20
    client.force_login(cast.county_officer)
    with django_assert_max_num_queries(baseline + 2):
        client.get("/cases/")


def test_revealing_a_phone_shows_it_once_and_writes_the_audit_event(client, cast):
    case = _report(cast)
    drive(case, to="assigned")
    party_row = case.parties.order_by("id").first()
    client.force_login(cast.village_mediator_a)
    response = client.post(
        f"/cases/{case.pk}/do/reveal/", {"party": party_row.pk, "field": "phone"}
    )
    assert response.status_code == 200
    assert 'data-testid="revealed">13800000001<' in response.content.decode()
    assert 'href="tel:13800000001"' in response.content.decode()  # tap to call
    assert case.events.filter(kind="reveal").count() == 1
    assert "13800000001" not in client.get(f"/cases/{case.pk}/").content.decode()
    client.force_login(cast.county_viewer)  # in scope, not allowed: no button, and refused
    assert "查看</button>" not in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/do/reveal/", {"party": party_row.pk, "field": "phone"})
    assert case.events.filter(kind="reveal").count() == 1


def test_consultation_is_asked_and_answered_from_the_case_page(client, cast):
    case = drive(_report(cast), to="in_progress")
    client.force_login(cast.village_mediator_a)
    response = client.post(
        f"/cases/{case.pk}/do/consultation/",
        {
            "consultant_kind": "lawyer",
            "consultant_name": "赵律师",
            "question": "宅基地界址如何认定？",
            # within the 30 days an answer may be given (a later deadline is a 400)
            "due_at": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    consultation = case.consultations.get()
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "赵律师" in html and 'data-testid="do-answer"' in html
    client.post(
        f"/cases/{case.pk}/do/answer/",
        {"consultation": consultation.pk, "answer": "以确权登记为准。"},
    )
    consultation.refresh_from_db()
    assert consultation.answer == "以确权登记为准。"
    assert "以确权登记为准。" in client.get(f"/cases/{case.pk}/").content.decode()


def test_header_badge_fragment_for_htmx(client, cast):
    from notifications.services import notify

    notify(users=[cast.village_mediator_a], kind="reminder", title="提醒")
    client.force_login(cast.village_mediator_a)
    html = client.get("/notifications/badge/").content.decode()
    assert html.startswith('<a class="bell"') and ">1<" in html and "hx-trigger" in html


def test_a_photo_that_is_not_an_image_leaves_no_case_behind(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.grid_worker_a)
    response = client.post(
        "/cases/new/",
        {
            "title": "邻里纠纷",
            "category": "neighbour",
            "source": "walk_in",
            "risk": "green",
            "origin": str(cast.areas.grid_a1.pk),
            "people_involved": "2",
            "facts": "争吵",
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-0-name": "张三",
            "parties-0-role": "applicant",
            "photos": SimpleUploadedFile("scene.heic", b"not a jpeg at all", "image/heic"),
        },
    )
    assert response.status_code == 200
    assert "只能上传 JPEG、PNG 或 WebP 照片" in response.content.decode()
    assert not Case.objects.exists()


def test_inbox_and_overdue_pages_run_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    def escalated(title):
        case = drive(_report(cast, title=title), to="in_progress")
        services.case_escalate(actor=cast.village_mediator_a, case_id=case.pk, reason="上报")

    escalated("一")
    client.force_login(cast.town_officer_a)
    with django_assert_max_num_queries(12) as few:
        client.get("/inbox/")
    baseline = len(few.captured_queries)
    for index in range(8):
        escalated(f"多{index}")
    with django_assert_max_num_queries(baseline):
        response = client.get("/inbox/")
    assert response.content.decode().count('data-testid="case-item"') == 9
    with django_assert_max_num_queries(baseline):
        client.get("/overdue/")


def test_county_officer_delegates_a_pending_case_down_to_its_town(client, cast):
    case = _report(cast)
    services.case_escalate(actor=cast.village_officer_a, case_id=case.pk, reason="上报")
    services.case_escalate(actor=cast.town_officer_a, case_id=case.pk, reason="上报县级")
    client.force_login(cast.county_officer)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="delegate"' in html and 'data-action="assign"' in html
    response = client.post(
        f"/cases/{case.pk}/do/delegate/", {"area": cast.areas.town_a.pk, "note": "请镇里办理"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.level, case.holder_id, case.status) == ("town", cast.areas.town_a.pk, "pending")
    # The neighbouring town is not a choice: refused beside the field, nothing moves.
    services.case_escalate(actor=cast.town_officer_a, case_id=case.pk, reason="再上报")
    response = client.post(
        f"/cases/{case.pk}/do/delegate/", {"area": cast.areas.town_b.pk, "note": "x"}
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.level == "county"


def test_grid_worker_files_a_zero_report_with_one_tap(client, cast):
    client.force_login(cast.grid_worker_a)
    html = client.get("/inspections/").content.decode()
    assert 'data-testid="zero-report"' in html
    response = client.post("/inspections/submit/", {"grid": cast.areas.grid_a1.pk, "zero": "1"})
    assert response.status_code == 302
    html = client.get("/inspections/").content.decode()
    assert 'data-testid="inspection-filed"' in html and "零上报" in html
    assert 'data-testid="zero-report"' not in html
    # Someone else's grid is refused.
    client.post("/inspections/submit/", {"grid": cast.areas.grid_b1.pk, "zero": "1"})
    from mediation.models import InspectionReport

    assert list(InspectionReport.objects.values_list("grid_id", flat=True)) == [
        cast.areas.grid_a1.pk
    ]
