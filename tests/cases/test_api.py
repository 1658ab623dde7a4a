"""The cases API: the scope sweep, constant queries per list page, filters, reveal,
attachments, the export and malformed action bodies."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from cases import services
from cases.models import CaseEvent
from tests.builders import ORAL, drive, id_number, party, report

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NEIGHBOURS = [
    "town_officer_b",
    "town_mediator_b",
    "village_mediator_b",
    "grid_worker_b",
    "village_officer_b",
    "town_admin_b",
    "village_mediator_a2",
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def town_a_case(cast, media):
    case = report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        title="彭村张家李家地界纠纷",
        parties=[party("张秘密", "applicant", 41), party("李四", "respondent", 42)],
        at=timezone.now() - timedelta(days=40),
    )
    services.case_attach(
        actor=cast.grid_worker_a,
        case_id=case.id,
        file=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
    )
    return case


ACTIONS = {
    "assign": lambda cast: {"assignee": cast.village_mediator_a.id},
    "respond": lambda cast: {"note": "x"},
    "escalate": lambda cast: {"reason": "x"},
    "delegate": lambda cast: {"area": cast.areas.village_a1.id},
    "extend": lambda cast: {
        "until": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "consent_note": "x",
    },
    "resolve": lambda cast: {"agreement": ORAL},
    "reopen": lambda cast: {"reason": "x"},
    "close": lambda cast: {"outcome": "withdrawn", "note": "x"},
    "reveal": lambda cast: {"party": 1, "field": "id_number"},
}


@pytest.mark.parametrize("who", NEIGHBOURS)
def test_scope_sweep_neighbours_never_see_the_case(cast, api, town_a_case, who):
    case = town_a_case
    client = api(getattr(cast, who))
    base = f"/api/v1/cases/{case.id}"
    queries = [
        "",
        "?status=pending",
        "?level=village",
        "?category=housing_homestead",
        "?risk=green",
        "?source=grid_inspection",
        f"?area={cast.areas.town_a.id}",
        f"?area={cast.areas.village_a1.id}",
        f"?area={cast.areas.county.id}",
        f"?q={case.number}",
        "?q=张秘密",
        "?q=地界",
        "?overdue=true",
        "?assignee=me",
        "?reported_after=2000-01-01",
        "?ordering=-risk",
    ]
    for query in queries:
        response = client.get(f"/api/v1/cases/{query}")
        assert response.status_code == 200, (query, response.content)
        assert response.json()["results"] == [], query
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/events/").status_code == 404
    assert client.get(f"{base}/attachments/").status_code == 404
    attachment = case.attachments.get()
    assert client.get(f"{base}/attachments/{attachment.id}/").status_code == 404
    upload = client.post(
        f"{base}/attachments/", {"file": SimpleUploadedFile("a.png", PNG)}, format="multipart"
    )
    assert upload.status_code == 404
    for action, body in ACTIONS.items():
        response = client.post(f"{base}/{action}/", body(cast), format="json")
        assert response.status_code == 404, (action, response.content)
    export = client.get(f"/api/v1/cases/export.xlsx?q={case.number}")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.max_row == 2  # the title and the headers only
    assert case.number not in export.content.decode("latin-1")
    assert CaseEvent.objects.filter(case=case).count() == 2  # report + attach, nothing else


@pytest.mark.parametrize(
    "who", ["grid_worker_a", "village_mediator_a", "town_officer_a", "county_viewer"]
)
def test_people_in_scope_find_the_case_every_way(cast, api, town_a_case, who):
    client = api(getattr(cast, who))
    for query in [
        "",
        f"?area={cast.areas.town_a.id}",
        "?q=张秘密",
        f"?q={town_a_case.number}",
        "?overdue=true",
        "?level=village",
    ]:
        ids = [row["id"] for row in client.get(f"/api/v1/cases/{query}").json()["results"]]
        assert ids == [town_a_case.id], query
    assert client.get(f"/api/v1/cases/{town_a_case.id}/").status_code == 200


@pytest.mark.slow
def test_list_page_query_count_does_not_grow_with_page_size(
    cast, api, django_assert_max_num_queries
):
    for i in range(30):
        case = report(
            cast.village_officer_a,
            cast.areas.village_a1,
            title=f"案件{i}",
            parties=[party("甲", "applicant", 300 + i), party("乙", "respondent", 400 + i)],
        )
        if i % 2:
            services.case_assign(
                actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
            )
    counts = {}
    for size in (1, 5, 30):
        # A fresh user object each time, so the role lookup is counted every time.
        client = api(User.objects.get(pk=cast.town_officer_a.pk))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/cases/?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts[size] = len(captured)
    assert counts[1] == counts[5] == counts[30], counts
    from cases import overdue

    client = api(User.objects.get(pk=cast.town_officer_a.pk))
    # The page, the user's roles, the rows; then what is late on the page, one query per kind
    # of deadline (cases.overdue): constant in the page size.
    with django_assert_max_num_queries(3 + len(overdue.sources())):
        client.get("/api/v1/cases/?page_size=30&ordering=-risk")
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_list_row_is_exactly_what_the_declared_fields_give(cast, api):
    """The list builds its rows by hand for speed; each must equal DRF's generic rendering
    of the same declared fields, in every state (open, escalated, resolved, closed)."""
    from rest_framework import serializers as drf

    from cases.api import CaseListSerializer
    from cases.models import Case
    from cases.selectors import cases_for_list

    for target in ("pending", "assigned", "in_progress", "resolved", "closed"):
        drive(report(cast.grid_worker_a, cast.areas.grid_a1, title=target), to=target)
    escalated = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="assigned")
    services.case_escalate(
        actor=cast.village_mediator_a, case_id=escalated.id, reason="村级调解不成"
    )
    services.case_assign(
        actor=cast.town_officer_a, case_id=escalated.id, assignee=cast.town_mediator_a
    )
    Case.objects.filter(pk=escalated.pk).update(supervised=True, repeat_dispute=True)

    rows = api(cast.town_officer_a).get("/api/v1/cases/?page_size=50").json()["results"]
    assert len(rows) == 6
    cases = {c.id: c for c in cases_for_list(cast.town_officer_a)}
    serializer = CaseListSerializer(context={})
    for row in rows:
        generic = drf.ModelSerializer.to_representation(serializer, cases[row["id"]])
        assert row == dict(generic), row["title"]
        assert list(row) == list(generic)
    by_title = {row["title"]: row for row in rows}
    assert by_title["closed"]["concluded_at"] is not None
    assert by_title["closed"]["next_deadline"] is None
    assert by_title["pending"]["next_deadline_kind"] == "assign"
    assert any(row["assignee"] and row["supervised"] for row in rows)


def test_detail_shows_masked_parties_and_clocks(cast, api, town_a_case):
    data = api(cast.village_officer_a).get(f"/api/v1/cases/{town_a_case.id}/").json()
    assert data["parties"][0]["id_number"] == id_number(41)[:6] + "********" + id_number(41)[-4:]
    assert data["parties"][0]["phone"] == "138****0041"
    assert id_number(41) not in str(data)
    assert data["periods"][0]["next_deadline_kind"] == "assign"
    assert data["overdue"] is True
    assert data["attachments"][0]["name"] == "photo.png"


def test_filters(cast, api, media):
    old = report(cast.grid_worker_a, cast.areas.grid_a1, at=timezone.now() - timedelta(days=60))
    mine = report(
        cast.village_officer_a,
        cast.areas.village_a1,
        risk="yellow",
        parties=[party("王五", "applicant", 51)],
    )
    services.case_assign(
        actor=cast.village_officer_a, case_id=mine.id, assignee=cast.village_mediator_a
    )
    other_town = report(
        cast.village_mediator_b,
        cast.areas.village_b1,
        category="labour",
        parties=[party("赵六", "applicant", 52)],
    )
    client = api(cast.county_officer)

    def ids(query):
        response = client.get(f"/api/v1/cases/{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {old.id, mine.id, other_town.id}
    assert ids(f"?area={cast.areas.town_b.id}") == {other_town.id}
    assert ids(f"?area={cast.areas.grid_a1.id}") == {old.id}
    assert ids(f"?area={cast.areas.county.id}") == {old.id, mine.id, other_town.id}
    assert ids("?area=999999") == set()
    assert ids("?status=assigned") == {mine.id}
    assert ids("?risk=yellow") == {mine.id}
    assert ids("?category=labour") == {other_town.id}
    assert ids("?overdue=true") == {old.id}
    assert ids("?q=赵六") == {other_town.id}
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert ids(f"?reported_after={since}") == {mine.id, other_town.id}
    assert ids(f"?reported_before={since}") == {old.id}
    assert ids("?assignee=me") == set()
    mediator = api(cast.village_mediator_a).get("/api/v1/cases/?assignee=me").json()
    assert [row["id"] for row in mediator["results"]] == [mine.id]
    ordered = client.get("/api/v1/cases/?ordering=number").json()["results"]
    assert [row["id"] for row in ordered] == sorted(r["id"] for r in ordered)
    for bad in [
        "?status=lost",
        "?level=planet",
        "?reported_after=yesterday",
        "?risk=1",
        "?overdue=perhaps",
        "?area=1e400",
        "?area=-3",
        "?assignee=someone",
        "?area=abc",
    ]:
        assert client.get(f"/api/v1/cases/{bad}").status_code == 400, bad


def test_reveal_for_assignee_and_officer_with_audit(cast, api, village_case):
    drive(village_case, to="assigned")
    applicant = village_case.parties.get(name="张三")
    url = f"/api/v1/cases/{village_case.id}/reveal/"
    response = api(cast.village_mediator_a).post(
        url, {"party": applicant.id, "field": "id_number"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["value"] == id_number(1)
    assert response["Cache-Control"] == "no-store"
    event = CaseEvent.objects.filter(case=village_case, kind="reveal").get()
    assert event.actor == cast.village_mediator_a
    assert event.data == {"party": applicant.id, "field": "id_number"}
    assert id_number(1) not in event.note
    phone = api(cast.village_officer_a).post(
        url, {"party": applicant.id, "field": "phone"}, format="json"
    )
    assert phone.json()["value"] == "13800000001"
    for who, code in [
        ("county_viewer", 403),
        ("town_officer_a", 403),
        ("county_officer", 403),
        ("grid_worker_a", 403),
        ("village_mediator_b", 404),
    ]:
        refused = api(getattr(cast, who)).post(
            url, {"party": applicant.id, "field": "id_number"}, format="json"
        )
        assert refused.status_code == code, who
    assert CaseEvent.objects.filter(case=village_case, kind="reveal").count() == 2
    bad = api(cast.village_officer_a).post(
        url, {"party": applicant.id, "field": "address"}, format="json"
    )
    assert bad.status_code == 400 and "field" in bad.json()
    other = report(
        cast.village_officer_a, cast.areas.village_a1, parties=[party("外人", "applicant", 77)]
    )
    stranger = other.parties.get()
    wrong = api(cast.village_officer_a).post(
        url, {"party": stranger.id, "field": "id_number"}, format="json"
    )
    assert wrong.status_code == 400 and "party" in wrong.json()


def test_attachments_upload_list_download(cast, api, village_case, media, settings):
    client = api(cast.grid_worker_a)
    url = f"/api/v1/cases/{village_case.id}/attachments/"
    ok = client.post(url, {"file": SimpleUploadedFile("现场.png", PNG)}, format="multipart")
    assert ok.status_code == 201, ok.content
    assert ok.json()["content_type"] == "image/png"
    text = client.post(
        url, {"file": SimpleUploadedFile("x.png", b"hello world, not a png")}, format="multipart"
    )
    assert text.status_code == 400 and "file" in text.json()
    html = client.post(
        url, {"file": SimpleUploadedFile("x.pdf", b"<html><script>")}, format="multipart"
    )
    assert html.status_code == 400
    settings.ATTACHMENT_MAX_BYTES = 32
    big = client.post(url, {"file": SimpleUploadedFile("big.png", PNG)}, format="multipart")
    assert big.status_code == 400 and "file" in big.json()
    missing = client.post(url, {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    listed = api(cast.county_viewer).get(url).json()["results"]
    assert [row["name"] for row in listed] == ["现场.png"]
    download = api(cast.county_viewer).get(listed[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert CaseEvent.objects.filter(case=village_case, kind="attach").count() == 1
    # Someone in scope but not handling the case may not add evidence.
    refused = api(cast.county_viewer).post(
        url, {"file": SimpleUploadedFile("v.png", PNG)}, format="multipart"
    )
    assert refused.status_code == 403


def test_export_has_chinese_headers_masked_data_and_a_cap(cast, api, village_case, settings):
    client = api(cast.town_officer_a)
    response = client.get("/api/v1/cases/export.xlsx?status=pending")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "案件清单" in rows[0][0]
    assert rows[1][:3] == ("案件编号", "案件名称", "纠纷类型")
    assert rows[2][0] == village_case.number
    assert id_number(1)[:6] + "********" in rows[2][rows[1].index("申请人身份证号")]
    assert id_number(1) not in str(rows)
    assert len(rows) == 3
    empty = client.get("/api/v1/cases/export.xlsx?status=closed")
    assert len(list(load_workbook(BytesIO(empty.content)).active.iter_rows())) == 2
    settings.CASE_EXPORT_MAX_ROWS = 1
    report(cast.village_officer_a, cast.areas.village_a1, parties=[party("丙", "applicant", 61)])
    capped = client.get("/api/v1/cases/export.xlsx")
    assert capped.status_code == 400
    assert "导出上限" in capped.json()["detail"] and capped.json()["limit"] == 1
    assert client.get("/api/v1/cases/export.xlsx?status=nope").status_code == 400


def test_events_endpoint_lists_the_log_in_order(cast, api, village_case):
    drive(village_case, to="in_progress")
    events = api(cast.village_mediator_a).get(f"/api/v1/cases/{village_case.id}/events/").json()
    kinds = [row["kind"] for row in events["results"]]
    # Each party's consent and rights notice is recorded between assignment and response.
    assert kinds == ["report", "assign", "record", "record", "respond"]
    assert events["results"][1]["actor"]["username"] == "village_officer_a"


@pytest.mark.parametrize(
    "action,state,body,field",
    [
        ("assign", "pending", {}, "assignee"),
        ("assign", "pending", {"assignee": "someone"}, "assignee"),
        ("assign", "pending", {"assignee": 99999}, "assignee"),
        ("assign", "pending", {"assignee": "TOWN_MEDIATOR"}, "assignee"),
        ("respond", "assigned", {"note": "长" * 2001}, "note"),
        ("escalate", "pending", {}, "reason"),
        ("escalate", "pending", {"reason": ["a", "b"]}, "reason"),
        ("extend", "assigned", {"until": "2026-13-01", "consent_note": "x"}, "until"),
        ("extend", "assigned", {"until": "2020-01-01", "consent_note": "x"}, "until"),
        ("extend", "assigned", {"until": "NEXT_WEEK", "consent_note": "x"}, "until"),
        ("extend", "assigned", {"until": "FAR"}, "until"),  # past the 30 days allowed
        ("resolve", "in_progress", {"agreement": "yes"}, "agreement"),
        (
            "resolve",
            "in_progress",
            {"agreement": {"form": "telepathic", "terms": "x"}},
            "agreement",
        ),
        ("resolve", "in_progress", {"agreement": {"form": "written", "terms": "赔偿"}}, "facts"),
        (
            "resolve",
            "in_progress",
            {"agreement": {"form": "oral", "terms": "x", "perform_by": "soon"}},
            "agreement",
        ),
        ("reopen", "resolved", {"reason": ""}, "reason"),
        ("close", "pending", {"outcome": "vanished"}, "outcome"),
        ("close", "pending", {"outcome": "failed"}, "note"),
        ("delegate", "pending", {"area": 99999}, "area"),
        ("reveal", "pending", {"party": "first", "field": "id_number"}, "party"),
        ("reveal", "pending", {"party": 1, "field": "address"}, "field"),
    ],
)
def test_malformed_action_bodies_are_400(cast, api, village_case, action, state, body, field):
    drive(village_case, to=state)
    if body.get("assignee") == "TOWN_MEDIATOR":
        body = {"assignee": cast.town_mediator_a.id}  # not a mediator of village A1
    if body.get("until") == "FAR":
        body = {"until": (timezone.localdate() + timedelta(days=200)).isoformat()}
    if body.get("until") == "NEXT_WEEK":
        # A real date, but before the current resolve deadline.
        body = {
            "until": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "parties": list(village_case.parties.values_list("pk", flat=True)),
            "agreed_on": timezone.localdate().isoformat(),
            "consent_note": "x",
        }
    actor = cast.village_officer_a
    events = CaseEvent.objects.filter(case=village_case).count()
    response = api(actor).post(f"/api/v1/cases/{village_case.id}/{action}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() or field in str(response.json()), response.json()
    assert CaseEvent.objects.filter(case=village_case).count() == events
