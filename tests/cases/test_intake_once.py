"""Intake exactly once: the API's Idempotency-Key and the page's form token. A retried, replayed
or double-tapped intake returns the first case (same number); two concurrent posts with one
key make one case and get equal answers. And a form sent back for a correction keeps every
value and photo, with a summary of its errors at the top."""

import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from cases.models import Attachment, Case, HeldPhoto, IntakeKey
from tests.builders import id_number, two_parties
from tests.concurrency import at_once

KEY = "5f0c9a8e-1d2b-4c3a-9e8f-7a6b5c4d3e2f"


def _body(area, **overrides):
    body = {
        "title": "宅基地边界纠纷",
        "facts": "两户因宅基地边界发生争执。",
        "category": "housing_homestead",
        "source": "grid_inspection",
        "risk": "green",
        "area": area.pk,
        "parties": [{k: v for k, v in p.items() if k != "area"} for p in two_parties()],
    }
    body.update(overrides)
    return body


def _post(client, body, key=KEY):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/cases/", body, format="json", **headers)


# ---------------------------------------------------------------- the API


def test_a_retried_intake_returns_the_first_case(api, cast):
    client = api(cast.grid_worker_a)
    first = _post(client, _body(cast.areas.grid_a1))
    again = _post(client, _body(cast.areas.grid_a1))
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json()["number"] == first.json()["number"]
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1
    assert IntakeKey.objects.get().case_id == first.json()["id"]


def test_a_key_used_for_another_intake_is_refused(api, cast):
    client = api(cast.grid_worker_a)
    first = _post(client, _body(cast.areas.grid_a1))
    other = _post(client, _body(cast.areas.grid_a1, title="另一起纠纷"))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_keys_belong_to_their_user(api, cast):
    first = _post(api(cast.grid_worker_a), _body(cast.areas.grid_a1))
    other = _post(api(cast.village_mediator_a), _body(cast.areas.grid_a1))
    assert first.status_code == other.status_code == 201
    assert first.json()["number"] != other.json()["number"]


def test_a_refused_intake_leaves_its_key_unused(api, cast):
    client = api(cast.grid_worker_a)
    bad = _body(cast.areas.grid_a1)
    bad["parties"][0]["id_number"] = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    assert _post(client, bad).status_code == 400
    assert not IntakeKey.objects.exists()
    good = _post(client, _body(cast.areas.grid_a1))
    assert good.status_code == 201 and Case.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 65, "有中文的键123456", "a b c d e f g h"])
def test_a_malformed_key_is_a_400_and_makes_nothing(api, cast, key):
    response = _post(api(cast.grid_worker_a), _body(cast.areas.grid_a1), key=key)
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert not Case.objects.exists()


def test_without_a_key_each_post_is_an_intake(api, cast):
    client = api(cast.grid_worker_a)
    assert _post(client, _body(cast.areas.grid_a1), key=None).status_code == 201
    assert _post(client, _body(cast.areas.grid_a1), key=None).status_code == 201
    assert Case.objects.count() == 2


def test_the_schema_documents_the_header(api, cast):
    schema = api(cast.grid_worker_a).get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/v1/cases/"]["post"]
    headers = [p for p in create["parameters"] if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]
    assert "相同编号" in headers[0]["description"]
    assert "idempotency_key_reused" in create["responses"]["422"]["description"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_make_one_case(cast, on_postgres):
    """Finding: two taps on 提交登记 over a slow connection made two cases."""
    body = _body(cast.areas.grid_a1)

    def post():
        client = APIClient()
        client.force_authenticate(cast.grid_worker_a)
        response = _post(client, body)
        return response.status_code, response.json()

    answers = at_once(post)
    assert answers[0] == answers[1]
    assert answers[0][0] == 201
    assert Case.objects.count() == 1
    assert answers[0][1]["number"] == Case.objects.get().number


# ---------------------------------------------------------------- the page


def _png(name, colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _form(cast, **overrides):
    data = {
        "form_token": "f" * 32,
        "title": "邻里纠纷",
        "category": "neighbour",
        "source": "walk_in",
        "risk": "green",
        "origin": str(cast.areas.grid_a1.pk),
        "occurred_on": "2026-01-05",
        "people_involved": "3",
        "amount": "1200",
        "facts": "因排水沟争吵",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "张三",
        "parties-0-role": "applicant",
        "parties-0-id_number": id_number(7),
        "parties-0-phone": "13800000007",
        "parties-0-address": "彭村一组",
        "parties-1-name": "李四",
        "parties-1-role": "respondent",
    }
    data.update(overrides)
    return data


def test_a_double_tapped_form_makes_one_case(client, cast):
    client.force_login(cast.grid_worker_a)
    first = client.post("/cases/new/", _form(cast))
    second = client.post("/cases/new/", _form(cast), follow=True)
    case = Case.objects.get()
    assert first["Location"] == f"/cases/{case.pk}/"
    assert second.redirect_chain[0][0] == f"/cases/{case.pk}/"
    assert "未重复登记" in second.content.decode()


def test_the_outbox_replay_gets_json_with_the_same_number(client, cast):
    client.force_login(cast.grid_worker_a)
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_IDEMPOTENCY_KEY": KEY}
    form = _form(cast, form_token="")
    first = client.post("/cases/new/", dict(form, photos=[_png("a.png")]), **headers)
    again = client.post("/cases/new/", dict(form, photos=[_png("a.png")]), **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1
    bad = client.post("/cases/new/", dict(form, title="", form_token="g" * 32), **headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["id"] == "id_title"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_of_the_phone_form_with_one_key_make_one_case(cast, on_postgres):
    """The phone's form and its outbox post the page (not the API): two sends of one report at
    once, photo included, make one case with one photo, and both answers name it."""
    from django.test import Client

    headers = {"HTTP_ACCEPT": "application/json", "HTTP_IDEMPOTENCY_KEY": KEY}

    def post():
        client = Client()
        client.force_login(cast.grid_worker_a)
        response = client.post(
            "/cases/new/", dict(_form(cast), photos=[_png("现场.png")]), **headers
        )
        return response.status_code, response.json()

    answers = at_once(post)
    assert [a[0] for a in answers] == [201, 201]
    case = Case.objects.get()
    assert {(a[1]["number"], a[1]["url"]) for a in answers} == {(case.number, f"/cases/{case.pk}/")}
    assert sorted(a[1]["replayed"] for a in answers) == [False, True]
    assert Attachment.objects.count() == 1 and IntakeKey.objects.count() == 1


def test_the_form_offers_no_category_or_source_in_advance(client, cast):
    """Finding: category defaulted to 婚姻家庭, the first option."""
    client.force_login(cast.grid_worker_a)
    html = client.get("/cases/new/").content.decode()
    for name in ("category", "source"):
        select = html[html.index(f'name="{name}"') :]
        select = select[: select.index("</select>")]
        assert '<option value="" selected>请选择</option>' in select
        assert select.count("selected") == 1
    assert 'name="form_token"' in html


def test_a_wrong_id_number_keeps_values_and_photos_and_sums_up(client, cast):
    """Finding: after a wrong ID number the page reloaded with no summary and no photos."""
    client.force_login(cast.grid_worker_a)
    wrong = id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1")
    data = _form(cast, **{"parties-0-id_number": wrong})
    response = client.post("/cases/new/", dict(data, photos=[_png("一.png"), _png("二.png")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_parties-0-id_number"' in html and "校验位错误" in html
    assert "#error-summary" in html  # the form posts to the summary's anchor
    for value in ("邻里纠纷", "因排水沟争吵", "2026-01-05", "1200", wrong, "13800000007", "李四"):
        assert value in html
    assert "一.png" in html and "二.png" in html
    assert HeldPhoto.objects.filter(user=cast.grid_worker_a, token="f" * 32).count() == 2
    assert not Case.objects.exists()

    fixed = client.post("/cases/new/", _form(cast))
    case = Case.objects.get()
    assert fixed["Location"] == f"/cases/{case.pk}/"
    assert sorted(case.attachments.values_list("name", flat=True)) == ["一.png", "二.png"]
    assert not HeldPhoto.objects.exists()


def test_a_held_photo_can_be_removed_before_resubmitting(client, cast):
    client.force_login(cast.grid_worker_a)
    client.post("/cases/new/", dict(_form(cast, title=""), photos=[_png("a.png"), _png("b.png")]))
    held = list(HeldPhoto.objects.order_by("id"))
    client.post("/cases/new/", _form(cast, drop_photo=[str(held[0].pk)]))
    case = Case.objects.get()
    assert list(case.attachments.values_list("name", flat=True)) == ["b.png"]


def test_held_photos_belong_to_their_user(client, cast):
    client.force_login(cast.grid_worker_a)
    client.post("/cases/new/", dict(_form(cast, title=""), photos=[_png("a.png")]))
    client.force_login(cast.village_mediator_a)
    client.post("/cases/new/", _form(cast))
    assert Case.objects.get().attachments.count() == 0
    assert HeldPhoto.objects.filter(user=cast.grid_worker_a).count() == 1


def test_the_area_picker_goes_town_then_village(client, cast):
    client.force_login(cast.county_officer)
    html = client.get("/cases/new/").content.decode()
    assert 'id="id_origin_town"' in html
    assert '<optgroup label="彭镇">' in html and '<optgroup label="五里镇">' in html
    pengzhen = html[html.index('<optgroup label="彭镇">') :]
    pengzhen = pengzhen[: pengzhen.index("</optgroup>")]
    assert "彭村" in pengzhen and "后村 · 后村一网格" in pengzhen and "五里村" not in pengzhen
    client.force_login(cast.village_mediator_a)
    html = client.get("/cases/new/").content.decode()
    assert "id_origin_town" not in html and "<optgroup" not in html


def test_a_county_officer_reports_through_the_grouped_picker(client, cast):
    client.force_login(cast.county_officer)
    response = client.post("/cases/new/", _form(cast, origin=str(cast.areas.village_b1.pk)))
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.village_id == cast.areas.village_b1.pk
