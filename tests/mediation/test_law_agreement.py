"""DESIGN.md §16, the rows of the agreement (人民调解法 art. 28–30, 31, 33), over the API: each
gate refuses with a Chinese reason naming what is missing, and passes once the record exists."""

import base64
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case, CaseEvent
from mediation.models import Agreement, AgreementSignature, FollowUp, JudicialConfirmation
from tests.builders import (
    WRITTEN,
    id_number,
    resolve_written,
    sign_and_seal,
    signature_data_url,
    signature_png,
)

from .helpers import make_case

pytestmark = pytest.mark.django_db


def _url(case, tail):
    return f"/api/v1/cases/{case.id}/{tail}"


def _resolved_written(cast, *, perform_by=None, with_ids=False):
    case = make_case(cast, with_ids=with_ids)
    resolve_written(case, cast.village_mediator_a, perform_by=perform_by)
    return Case.objects.get(pk=case.pk)


def _follow_up(day, **extra):
    return {
        "method": "visit",
        "performed": True,
        "satisfaction": "satisfied",
        "performed_on": str(day),
        **extra,
    }


# ---------------------------------------------------------------- art. 28–30


def test_close_with_agreement_waits_for_every_signature_and_the_seal(cast, api):
    case = _resolved_written(cast)
    client = api(cast.village_mediator_a)
    close = {"outcome": "agreement"}
    zhang, li = case.parties.order_by("role", "id")

    response = client.post(_url(case, "close/"), close, format="json")
    assert response.status_code == 409
    assert "尚未生效" in response.json()["detail"]
    assert "张三签字" in response.json()["detail"] and "调委会盖章" in response.json()["detail"]
    assert response.json()["code"] == "agreement_not_effective"

    # The two parties sign on the phone's screen.
    rows = [{"party": p.id, "image": signature_data_url()} for p in (zhang, li)]
    response = client.post(_url(case, "agreement/sign/"), {"parties": rows}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert all(s["on_screen"] and s["signed_on"] for s in body["signatures"])
    assert body["missing"] == ["调解员签字", "调委会盖章"] and body["effective_on"] is None
    response = client.post(_url(case, "close/"), close, format="json")
    assert response.status_code == 409 and "调解员签字" in response.json()["detail"]

    body = {"mediator_image": signature_data_url()}
    response = client.post(_url(case, "agreement/sign/"), body, format="json")
    assert response.json()["missing"] == ["调委会盖章"]
    response = client.post(_url(case, "close/"), close, format="json")
    assert response.status_code == 409 and "待调委会盖章" in response.json()["detail"]

    today = str(timezone.localdate())
    response = client.post(_url(case, "agreement/sign/"), {"sealed_on": today}, format="json")
    assert response.json()["effective_on"] == today and response.json()["missing"] == []
    assert bytes(Agreement.objects.get(case=case).mediator_signature).startswith(b"\x89PNG")
    assert AgreementSignature.objects.filter(agreement__case=case, image__isnull=False).count() == 2
    # In effect: only the follow-up stands between the case and its close.
    response = client.post(_url(case, "close/"), close, format="json")
    assert response.status_code == 409 and "回访" in response.json()["detail"]
    assert (
        client.post(_url(case, "follow-ups/"), _follow_up(today), format="json").status_code == 201
    )
    response = client.post(_url(case, "close/"), close, format="json")
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).outcome == "agreement"
    # A signed, effective agreement cannot be re-signed.
    again = client.post(_url(case, "agreement/sign/"), {"sealed_on": today}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "image, why",
    [
        (signature_data_url(ink=False), "空白"),
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff" + b"0" * 50).decode(), "PNG"),
        ("data:image/png;base64,@@@", "编码"),
        (base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode(), "无法识别"),
        (signature_data_url(width=20, height=10), "太小"),
        (signature_data_url(width=2400, height=100), "尺寸"),
    ],
)
def test_a_signature_image_is_checked_on_the_server(cast, api, image, why):
    case = _resolved_written(cast)
    party = case.parties.first()
    client = api(cast.village_mediator_a)
    rows = [{"party": party.id, "image": image}]
    response = client.post(_url(case, "agreement/sign/"), {"parties": rows}, format="json")
    assert response.status_code == 400, response.content
    assert why in response.json()[f"party:{party.id}"][0]
    assert not AgreementSignature.objects.filter(agreement__case=case).exists()


def test_a_signature_image_over_the_size_limit_is_refused(cast, api):
    from mediation.signatures import MAX_BYTES

    case = _resolved_written(cast)
    big = "data:image/png;base64," + base64.b64encode(signature_png() + b"0" * MAX_BYTES).decode()
    body = {"mediator_image": big}
    response = api(cast.village_mediator_a).post(_url(case, "agreement/sign/"), body, format="json")
    assert response.status_code == 400
    assert "KB" in str(response.json()["mediator_image"])


def test_signatures_and_seal_are_recorded_on_the_case_page(cast, client):
    """Finding: every agreement stayed "尚未生效": nothing could be signed on any page."""
    case = _resolved_written(cast)
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "待双方签字" in page and 'class="signature-pad"' in page
    assert "js/signature.js" in page and 'data-testid="do-seal"' in page
    assert 'data-testid="do-close"' not in page
    for party in case.parties.all():
        response = client.post(
            f"/cases/{case.pk}/agreement/sign/",
            {"signer": f"party:{party.pk}", "image": signature_data_url()},
        )
        assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "待调解员签字" in page
    client.post(
        f"/cases/{case.pk}/agreement/sign/", {"signer": "mediator", "image": signature_data_url()}
    )
    assert "待盖章" in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/agreement/seal/", {"sealed_on": str(timezone.localdate())})
    agreement = Agreement.objects.get(case=case)
    assert agreement.effective_on == timezone.localdate()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已生效" in page and "data:image/png;base64," in page


def test_a_photo_of_the_signed_sheet_is_kept_with_the_agreement(cast, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _resolved_written(cast)
    client.force_login(cast.village_mediator_a)
    photo = SimpleUploadedFile("sheet.png", signature_png(), "image/png")
    today = str(timezone.localdate())
    response = client.post(
        f"/cases/{case.pk}/agreement/sheet/", {"sheet": photo, "signed_on": today, "sealed": "1"}
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(case=case)
    assert agreement.signed_sheet is not None and agreement.signed_sheet.case_id == case.pk
    assert agreement.effective_on == timezone.localdate()


def test_written_agreement_form_marks_the_law_s_fields_and_starts_from_the_case_facts(cast, client):
    case = make_case(cast)
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    resolve_form = page[page.index('data-action="resolve"') :]
    resolve_form = resolve_form[: resolve_form.index("</details>")]
    assert case.facts in resolve_form
    for label in ("纠纷主要事实及争议事项", "各方责任", "履行方式", "履行期限"):
        assert f'{label} <span class="req" aria-hidden="true">*</span>' in resolve_form, label
    response = client.post(
        f"/cases/{case.pk}/do/resolve/", {"form": "written", "terms": "赔偿", "facts": ""}
    )
    assert response.status_code == 400
    assert "书面协议须载明各方责任" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "in_progress"


# ---------------------------------------------------------------- art. 31


def test_follow_up_is_dated_by_the_user_at_or_after_the_performance_date(cast, api):
    """Finding: a follow-up one minute after the agreement, before the performance date → 201."""
    today = timezone.localdate()
    case = _resolved_written(cast, perform_by=today)
    client = api(cast.village_mediator_a)
    # Not in effect yet: no follow-up.
    response = client.post(_url(case, "follow-ups/"), _follow_up(today), format="json")
    assert response.status_code == 409 and "尚未生效" in response.json()["detail"]
    sign_and_seal(case, cast.village_mediator_a)
    Agreement.objects.filter(case=case).update(perform_by=today + timedelta(days=10))

    no_date = _follow_up(today)
    del no_date["performed_on"]
    assert "performed_on" in client.post(_url(case, "follow-ups/"), no_date, format="json").json()
    for day, why in [
        (today, "履行期限"),  # the finding: before the performance date
        (date(259, 10, 8), "生效日期"),
        (today - timedelta(days=1), "生效日期"),
        (today + timedelta(days=11), "晚于今天"),
    ]:
        response = client.post(_url(case, "follow-ups/"), _follow_up(day), format="json")
        assert response.status_code == 400, (day, response.content)
        assert why in response.json()["performed_on"][0], day
    assert not FollowUp.objects.filter(case=case).exists()

    # At the performance date it is recorded.
    Agreement.objects.filter(case=case).update(perform_by=today)
    response = client.post(_url(case, "follow-ups/"), _follow_up(today), format="json")
    assert response.status_code == 201, response.content


def test_the_first_follow_up_is_the_next_step_at_the_performance_date(cast, client):
    from mediation.next_step import next_step

    today = timezone.localdate()
    case = _resolved_written(cast, perform_by=today + timedelta(days=10))
    assert next_step(case).label == "待双方签字"
    sign_and_seal(case, cast.village_mediator_a)
    step = next_step(case)
    assert (step.label, step.action, step.due) == ("回访", "follow_up", today + timedelta(days=10))
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    # From the performance date on: a follow-up before it is refused.
    assert f"回访（{today + timedelta(days=10):%m-%d} 起）" in page


def test_follow_up_form_has_a_date_and_no_answer_chosen(cast, client):
    """Finding: the form pre-selected 已履行, 满意 and 无风险 and had no date."""
    case = make_case(cast, status="resolved")
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    form = page[page.index('data-action="follow_up"') :]
    form = form[: form.index("</details>")]
    assert 'name="performed_on"' in form and 'type="date"' in form
    assert " checked" not in form
    response = client.post(f"/cases/{case.pk}/do/follow_up/", {"method": "phone"})
    assert response.status_code == 400
    assert not FollowUp.objects.filter(case=case).exists()


def test_not_performed_offers_reopen_or_the_court_or_arbitration(cast, api):
    today = timezone.localdate()
    client = api(cast.village_mediator_a)
    case = make_case(cast, status="resolved")
    # The route is only for an agreement found not performed.
    response = client.post(_url(case, "follow-ups/route/"), {"route": "court"}, format="json")
    assert response.status_code == 409
    body = _follow_up(today, performed=False, satisfaction="dissatisfied")
    response = client.post(_url(case, "follow-ups/"), body, format="json")
    actions = {(a["action"], a.get("route")) for a in response.json()["next_actions"]}
    assert actions == {("reopen", None), ("route", "court"), ("route", "arbitration")}
    # Not performed: closing "with the agreement" is refused, with the ways out named.
    response = client.post(_url(case, "close/"), {"outcome": "agreement"}, format="json")
    assert response.status_code == 409 and "仲裁" in response.json()["detail"]
    response = client.post(_url(case, "follow-ups/route/"), {"route": "fly"}, format="json")
    assert response.status_code == 400 and "route" in response.json()
    response = client.post(
        _url(case, "follow-ups/route/"), {"route": "arbitration", "note": "劳动仲裁"}, format="json"
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "referred")
    assert "引导申请仲裁" in case.outcome_note


# ---------------------------------------------------------------- art. 33


def _effective(cast):
    case = _resolved_written(cast)
    sign_and_seal(case, cast.village_mediator_a)
    return case


def test_judicial_confirmation_is_applied_for_by_both_parties_jointly(cast, api):
    case = _effective(cast)
    client = api(cast.village_mediator_a)
    zhang, li = case.parties.order_by("role", "id")
    body = {"court": "宜君县人民法院", "applied_on": str(timezone.localdate())}
    response = client.post(
        _url(case, "confirmation/apply/"), {**body, "applicants": [zhang.id]}, format="json"
    )
    assert response.status_code == 400
    assert (
        "共同申请" in response.json()["applicants"][0]
        and "李四" in response.json()["applicants"][0]
    )
    response = client.post(
        _url(case, "confirmation/apply/"), {**body, "applicants": [zhang.id, 999999]}, format="json"
    )
    assert response.status_code == 400 and "applicants" in response.json()
    assert JudicialConfirmation.objects.get(case=case).status == "open"
    response = client.post(
        _url(case, "confirmation/apply/"), {**body, "applicants": [zhang.id, li.id]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["applicants"] == sorted([zhang.id, li.id])
    assert response.json()["court"] == "宜君县人民法院"
    assert CaseEvent.objects.filter(case=case, note__contains="张三、李四共同申请").exists()


def _applied(cast, api):
    case = _effective(cast)
    ids = list(case.parties.values_list("id", flat=True))
    body = {"court": "宜君县人民法院", "applied_on": str(timezone.localdate()), "applicants": ids}
    client = api(cast.village_mediator_a)
    assert client.post(_url(case, "confirmation/apply/"), body, format="json").status_code == 200
    return case, client


def test_court_confirms_and_the_case_notes_it(cast, api, client):
    case, rest = _applied(cast, api)
    result = {"result": "confirmed", "result_on": str(timezone.localdate()), "ruling_number": "1号"}
    response = rest.post(_url(case, "confirmation/result/"), result, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert CaseEvent.objects.filter(case=case, note__contains="确认有效").exists()
    client.force_login(cast.village_mediator_a)
    assert "确认有效" in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_rejected_confirmation_needs_a_route_and_reopens_the_case(cast, api):
    case, client = _applied(cast, api)
    rejected = {"result": "rejected", "result_on": str(timezone.localdate())}
    response = client.post(_url(case, "confirmation/result/"), rejected, format="json")
    assert response.status_code == 400 and "重新调解" in response.json()["route"][0]
    assert JudicialConfirmation.objects.get(case=case).status == "applied"
    response = client.post(
        _url(case, "confirmation/result/"), {**rejected, "route": "reopen"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["route"] == "reopen"
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_a_rejected_confirmation_may_route_the_parties_to_litigation(cast, api):
    case, client = _applied(cast, api)
    body = {"result": "rejected", "result_on": str(timezone.localdate()), "route": "litigation"}
    response = client.post(_url(case, "confirmation/result/"), body, format="json")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "referred")
    assert "提起诉讼" in case.outcome_note


def test_the_thirty_day_window_is_a_clock(cast, client):
    case = _effective(cast)
    confirmation = JudicialConfirmation.objects.get(case=case)
    opened = timezone.localdate()
    assert confirmation.opened_on == opened
    assert timezone.localdate(confirmation.due_at) == opened + timedelta(days=31)
    assert timezone.localdate(confirmation.remind_at) == opened + timedelta(days=20)
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"三十日内（至 {opened + timedelta(days=30):%Y-%m-%d}）" in page


# ---------------------------------------------------------------- the two printed copies


def _pdf_text(response) -> str:
    reader = PdfReader(BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_the_parties_copy_carries_full_identities_and_each_print_is_audited(cast, api):
    case = make_case(cast, with_ids=True)
    resolve_written(case, cast.village_mediator_a)
    full = id_number(1)
    archive = api(cast.county_viewer).get(_url(case, "agreement.pdf"))
    assert archive.status_code == 200
    text = _pdf_text(archive)
    assert "存档本" in text and full not in text and full[-4:] in text

    # A viewer may not print identities; the assignee may, and it is recorded.
    refused = api(cast.county_viewer).get(_url(case, "agreement.pdf?copy=parties"))
    assert refused.status_code == 403
    assert api(cast.village_mediator_a).get(_url(case, "agreement.pdf?copy=x")).status_code == 400
    response = api(cast.village_mediator_a).get(_url(case, "agreement.pdf?copy=parties"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = _pdf_text(response)
    assert "当事人签署本" in text and full in text and id_number(2) in text
    assert WRITTEN["terms"] in text.replace("\n", "")
    event = CaseEvent.objects.get(case=case, kind="reveal")
    assert event.actor == cast.village_mediator_a and event.data["record"] == "agreement_print"
    audit = api(cast.town_admin_a).get("/api/v1/audit/?kind=reveal").json()
    assert any(row["case_id"] == case.id and "协议书" in row["what"] for row in audit["results"])


def test_the_printed_agreement_leaves_room_to_sign_and_date_by_hand(cast, api):
    from mediation.pdf import BLANK_DATE, chinese_date

    case = _resolved_written(cast)
    assert chinese_date(None) == BLANK_DATE
    # Each blank is a run of full-width low lines: 5 for the year, 3 for the month and day.
    assert BLANK_DATE == "＿＿＿＿＿年＿＿＿月＿＿＿日"
    response = api(cast.village_mediator_a).get(_url(case, "agreement.pdf"))
    text = _pdf_text(response)
    assert text.count("年") >= 3 and "人民调解员" in text and "（盖章）" in text
    assert text.count("＿＿＿月＿＿＿日") >= 4  # two parties, the mediator, the seal


def test_the_case_page_offers_reopen_or_route_once_not_performed(cast, client):
    from tests.builders import record_follow_up

    case = make_case(cast, status="resolved")
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="do-route"' not in page
    record_follow_up(case, cast.village_mediator_a, performed=False, satisfaction="dissatisfied")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="do-route"' in page and 'data-testid="do-reopen"' in page
    assert 'data-testid="do-close"' not in page
    assert "协议未履行：重新调解，或引导诉讼、仲裁" in page
    response = client.post(f"/cases/{case.pk}/follow-ups/route/", {"route": "court"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "referred")
