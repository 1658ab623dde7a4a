"""The supervision pages: the case page offers 督办 only to the officers the policy allows and
lists the case's 督办; an officer opens one by the form (bad input: the form again, 400); the
village's people find it in their queue and answer it on the phone page, which closes it; the
unit's page counts and lists it with its letters; the dashboard shows the counts and the
county's bulletins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supervision.models import Supervision

from .conftest import open_on_case, open_on_unit, village_case

pytestmark = pytest.mark.django_db


def _local(days=2):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_the_case_page_offers_supervision_to_an_officer_above_only(cast, client):
    case = village_case(cast)
    client.force_login(cast.town_officer_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="open-supervision"' in page
    for user in (cast.village_mediator_a, cast.village_officer_a, cast.county_viewer):
        client.force_login(user)
        assert (
            'data-testid="open-supervision"'
            not in client.get(f"/cases/{case.pk}/").content.decode()
        )
        assert client.get(f"/supervision/new/?case={case.pk}").status_code == 403
    client.force_login(cast.town_officer_b)
    assert client.get(f"/supervision/new/?case={case.pk}").status_code == 404


def test_an_officer_opens_a_supervision_by_the_form_and_the_village_answers_it(cast, client):
    case = village_case(cast)
    client.force_login(cast.town_officer_a)
    bad = client.post(
        "/supervision/new/", {"case": case.pk, "reason": "请调处", "due_at": "2020-01-01T09:00"}
    )
    assert bad.status_code == 400 and "反馈期限不能早于当前时间" in bad.content.decode()
    far = client.post(
        "/supervision/new/", {"case": case.pk, "reason": "请调处", "due_at": _local(400)}
    )
    assert far.status_code == 400 and "不能超过90天" in far.content.decode()
    empty = client.post("/supervision/new/", {"case": case.pk, "reason": "", "due_at": _local()})
    assert empty.status_code == 400 and "请填写督办事由" in empty.content.decode()
    assert not Supervision.objects.exists()
    done = client.post(
        "/supervision/new/",
        {"case": case.pk, "reason": "群众多次反映，请尽快调处", "due_at": _local()},
    )
    supervision = Supervision.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/supervision/{supervision.pk}/"
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-supervision"' in case_page and "群众多次反映" in case_page

    client.force_login(cast.village_mediator_a)
    queue = client.get("/queue/").content.decode()
    assert (
        'data-testid="awaiting-supervision"' in queue and f"/supervision/{supervision.pk}/" in queue
    )
    detail = client.get(f"/supervision/{supervision.pk}/").content.decode()
    assert 'data-testid="feedback-form"' in detail
    assert client.post(f"/supervision/{supervision.pk}/feedback/", {"text": ""}).status_code == 400
    answered = client.post(f"/supervision/{supervision.pk}/feedback/", {"text": "已调解成功"})
    assert answered.status_code == 302
    detail = client.get(f"/supervision/{supervision.pk}/").content.decode()
    assert "已反馈" in detail and "按期反馈" in detail and "已调解成功" in detail
    assert 'data-testid="feedback-form"' not in detail
    assert 'data-testid="awaiting-supervision"' not in client.get("/queue/").content.decode()
    # The opener may return it; the village may not.
    assert (
        client.post(
            f"/supervision/{supervision.pk}/return/", {"reason": "x", "due_at": _local()}
        ).status_code
        == 403
    )
    client.force_login(cast.town_officer_a)
    assert (
        'data-testid="return-form"'
        in client.get(f"/supervision/{supervision.pk}/").content.decode()
    )
    returned = client.post(
        f"/supervision/{supervision.pk}/return/", {"reason": "未附协议", "due_at": _local(1)}
    )
    assert returned.status_code == 302
    assert Supervision.objects.get().status == "open"


def test_the_unit_page_and_the_dashboard_count_the_units_supervision(
    cast, client, django_assert_max_num_queries
):
    a = cast.areas
    for serial in range(4):
        open_on_case(cast, village_case(cast, serial=serial + 1))
    late = open_on_unit(cast, a.village_a1, actor=cast.town_officer_a, days_ago=5, due_in_days=1)
    client.force_login(cast.town_officer_a)
    detail = client.get(f"/supervision/{late.pk}/").content.decode()
    assert (
        ">超期未反馈<" in detail and 'class="overdue-text" data-testid="supervision-due"' in detail
    )
    with django_assert_max_num_queries(25):
        page = client.get(f"/supervision/units/{a.village_a1.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="supervision-item"') == 5
    assert 'data-testid="count-overdue">1<' in body
    assert 'data-testid="issue-reminder"' in body and 'data-testid="open-unit-supervision"' in body
    with django_assert_max_num_queries(25):
        listing = client.get("/supervision/?tab=overdue").content.decode()
    assert listing.count('data-testid="supervision-item"') == 1
    dashboard = client.get("/dashboard/", {"area": a.town_a.pk}).content.decode()
    assert 'data-testid="supervision-counts"' in dashboard
    assert '超期未反馈 <strong class="overdue-text">1</strong>' in dashboard
    # The village's own people see their page, without the buttons of their superiors.
    client.force_login(cast.village_mediator_a)
    own = client.get(f"/supervision/units/{a.village_a1.pk}/").content.decode()
    assert own.count('data-testid="supervision-item"') == 5
    assert 'data-testid="issue-reminder"' not in own
    assert client.post(f"/supervision/units/{a.village_a1.pk}/reminder/").status_code == 403


def test_the_county_issues_a_bulletin_from_its_dashboard_and_finds_it_listed_there(cast, client):
    a = cast.areas
    client.force_login(cast.county_officer)
    dashboard = client.get("/dashboard/", {"area": a.county.pk}).content.decode()
    assert 'data-testid="issue-bulletin"' in dashboard and "尚未印发工作通报" in dashboard
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    issued = client.post(
        f"/supervision/units/{a.county.pk}/bulletin/",
        {"period": month, "next": f"/dashboard/?area={a.county.pk}"},
    )
    assert issued.status_code == 302 and issued["Location"] == f"/dashboard/?area={a.county.pk}"
    dashboard = client.get("/dashboard/", {"area": a.county.pk}).content.decode()
    assert 'data-testid="bulletin-link"' in dashboard and "工作通报" in dashboard
    client.force_login(cast.town_officer_a)
    town = client.get("/dashboard/", {"area": a.town_a.pk}).content.decode()
    assert 'data-testid="issue-bulletin"' not in town
