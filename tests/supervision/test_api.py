"""督办 over the API: open → 反馈 → closed, returned and answered again; who may open and
answer (404 out of scope, 403 in scope but not allowed, 409 a repeated step); bad input is a
400 naming the field and changes nothing; the counts per unit."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case, CaseEvent
from notifications.models import Notification
from supervision.models import Feedback, Supervision

from .conftest import open_on_case, open_on_unit, village_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/supervisions/"


def _due(days=3):
    return (timezone.now() + timedelta(days=days)).isoformat()


def test_a_town_officer_supervises_a_village_case_and_the_village_feedback_closes_it(cast, api):
    case = village_case(cast)
    response = api(cast.town_officer_a).post(
        URL,
        {"case": case.pk, "reason": "群众反映强烈，请三日内调处", "due_at": _due()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["unit"]["id"] == cast.areas.village_a1.pk
    assert body["case"]["number"] == case.number and body["overdue"] is False
    case.refresh_from_db()
    assert case.supervised is True
    assert CaseEvent.objects.filter(case=case, kind="supervise", actor=cast.town_officer_a).exists()
    told = set(Notification.objects.filter(kind="supervise").values_list("user_id", flat=True))
    assert {cast.village_mediator_a.pk, cast.village_officer_a.pk} <= told
    assert cast.village_mediator_b.pk not in told

    pk = body["id"]
    scan = SimpleUploadedFile("情况说明.pdf", b"%PDF-1.4 feedback", "application/pdf")
    answered = api(cast.village_mediator_a).post(
        f"{URL}{pk}/feedback/",
        {"text": "已组织双方调解，达成一致", "file": scan},
        format="multipart",
    )
    assert answered.status_code == 200, answered.json()
    result = answered.json()
    assert result["status"] == "closed" and result["on_time"] is True
    assert result["feedbacks"][0]["file_url"].endswith(
        f"/feedbacks/{result['feedbacks'][0]['id']}/file/"
    )
    case.refresh_from_db()
    assert case.supervised is False
    assert Notification.objects.filter(
        user=cast.town_officer_a, title__startswith="督办已反馈"
    ).exists()
    download = api(cast.town_officer_a).get(result["feedbacks"][0]["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 feedback"
    # Answered once: a second answer is a 409 and changes nothing.
    again = api(cast.village_officer_a).post(
        f"{URL}{pk}/feedback/", {"text": "再次反馈"}, format="json"
    )
    assert again.status_code == 409
    assert Feedback.objects.filter(supervision_id=pk).count() == 1


def test_the_opener_returns_a_weak_answer_with_a_new_deadline_and_the_village_answers_again(
    cast, api
):
    case = village_case(cast)
    supervision = open_on_case(cast, case)
    api(cast.village_mediator_a).post(f"{URL}{supervision.pk}/feedback/", {"text": "已处理"})
    returned = api(cast.town_officer_a).post(
        f"{URL}{supervision.pk}/return/",
        {"reason": "未说明调解结果", "due_at": _due(2)},
        format="json",
    )
    assert returned.status_code == 200, returned.json()
    assert returned.json()["status"] == "open"
    assert returned.json()["feedbacks"][0]["return_reason"] == "未说明调解结果"
    case.refresh_from_db()
    assert case.supervised is True
    # The village may not return its own answer; the unit answers again and it closes.
    assert (
        api(cast.village_officer_a)
        .post(f"{URL}{supervision.pk}/feedback/", {"text": "双方已签订书面协议"})
        .json()["status"]
        == "closed"
    )
    assert (
        api(cast.village_officer_a)
        .post(f"{URL}{supervision.pk}/return/", {"reason": "x", "due_at": _due()}, format="json")
        .status_code
        == 403
    )
    assert Feedback.objects.filter(supervision=supervision).count() == 2


def test_who_may_open_a_supervision_on_a_case(cast, api):
    case = village_case(cast)
    payload = {"case": case.pk, "reason": "请加快办理", "due_at": _due()}
    # A village mediator sees the case but may not supervise it (same level).
    mediator = api(cast.village_mediator_a).post(URL, payload, format="json")
    assert mediator.status_code == 403
    # Another town's officer: the case does not exist for them.
    assert api(cast.town_officer_b).post(URL, payload, format="json").status_code == 404
    assert api(cast.county_viewer).post(URL, payload, format="json").status_code == 403
    assert api(cast.county_officer).post(URL, payload, format="json").status_code == 201
    assert Supervision.objects.count() == 1


def test_who_may_open_a_supervision_on_a_unit_and_who_answers_it(cast, api):
    a = cast.areas
    assert (
        api(cast.town_officer_a)
        .post(URL, {"unit": a.village_a1.pk, "reason": "排查滞后", "due_at": _due()}, format="json")
        .status_code
        == 201
    )
    # The same level, or a unit out of scope.
    assert (
        api(cast.town_officer_a)
        .post(URL, {"unit": a.town_a.pk, "reason": "x", "due_at": _due()}, format="json")
        .status_code
        == 403
    )
    assert (
        api(cast.town_officer_a)
        .post(URL, {"unit": a.village_b1.pk, "reason": "x", "due_at": _due()}, format="json")
        .status_code
        == 404
    )
    on_town = (
        api(cast.county_officer)
        .post(
            URL, {"unit": a.town_a.pk, "reason": "月度排查未完成", "due_at": _due()}, format="json"
        )
        .json()
    )
    # The town's people answer; a village of the town sees nothing of it; the other town 404.
    assert (
        api(cast.village_officer_a)
        .post(f"{URL}{on_town['id']}/feedback/", {"text": "x"})
        .status_code
        == 404
    )
    assert api(cast.town_officer_b).get(f"{URL}{on_town['id']}/").status_code == 404
    assert (
        api(cast.county_viewer).post(f"{URL}{on_town['id']}/feedback/", {"text": "x"}).status_code
        == 403
    )
    assert (
        api(cast.town_mediator_a)
        .post(f"{URL}{on_town['id']}/feedback/", {"text": "已完成补报"})
        .json()["status"]
        == "closed"
    )


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"reason": "x", "due_at": "past"}, "due_at"),
        ({"reason": "x", "due_at": "far"}, "due_at"),
        ({"reason": "x", "due_at": "not-a-date"}, "due_at"),
        ({"reason": "  ", "due_at": "soon"}, "reason"),
        ({"due_at": "soon"}, "reason"),
        ({"reason": "x" * 2001, "due_at": "soon"}, "reason"),
        ({"reason": "x", "due_at": "soon", "both": True}, "unit"),
        ({"reason": "x", "due_at": "soon", "neither": True}, "unit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(cast, api, payload, field):
    case = village_case(cast)
    moments = {
        "past": (timezone.now() - timedelta(hours=1)).isoformat(),
        "far": (timezone.now() + timedelta(days=400)).isoformat(),
        "soon": _due(),
        "not-a-date": "明天",
    }
    data = {k: v for k, v in payload.items() if k not in ("both", "neither")}
    data["due_at"] = moments.get(data["due_at"], data["due_at"])
    if not payload.get("neither"):
        data["case"] = case.pk
    if payload.get("both"):
        data["unit"] = cast.areas.village_a1.pk
    response = api(cast.town_officer_a).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Supervision.objects.count() == 0
    assert Case.objects.get(pk=case.pk).supervised is False


def test_feedback_without_text_or_with_a_wrong_file_is_a_400(cast, api):
    supervision = open_on_case(cast, village_case(cast))
    url = f"{URL}{supervision.pk}/feedback/"
    assert "text" in api(cast.village_mediator_a).post(url, {"text": ""}).json()
    exe = SimpleUploadedFile("a.exe", b"MZ", "application/x-msdownload")
    response = api(cast.village_mediator_a).post(
        url, {"text": "好", "file": exe}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()
    assert Supervision.objects.get(pk=supervision.pk).status == "open"


def test_lists_filter_and_count_the_units_supervisions(cast, api, django_assert_max_num_queries):
    a = cast.areas
    for serial in range(3):
        open_on_case(cast, village_case(cast, serial=serial + 1))
    late = open_on_unit(cast, a.village_a1, days_ago=5, due_in_days=2)
    answered = open_on_unit(cast, a.town_a)
    api(cast.town_officer_a).post(f"{URL}{answered.pk}/feedback/", {"text": "已整改"})
    client = api(cast.county_officer)
    with django_assert_max_num_queries(12):
        listed = client.get(URL, {"area": a.town_a.pk}).json()
    assert len(listed["results"]) == 5
    overdue = client.get(URL, {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    assert client.get(URL, {"status": "bogus"}).status_code == 400
    assert client.get(URL, {"area": "x"}).status_code == 400
    counts = client.get(f"{URL}counts/", {"area": a.town_a.pk}).json()
    assert counts["totals"] == {"open": 3, "overdue": 1, "on_time": 1, "late": 0, "total": 5}
    by_unit = {row["unit"]["name"]: row for row in counts["units"]}
    assert by_unit["彭村"]["overdue"] == 1 and by_unit["彭村"]["open"] == 3
    assert by_unit["彭镇"]["on_time"] == 1
    # Town B's officer sees none of it.
    assert api(cast.town_officer_b).get(URL).json()["results"] == []
    assert api(cast.town_officer_b).get(f"{URL}counts/", {"area": a.town_a.pk}).status_code == 404
