"""The scope-leak sweep for the supervision routes, with the machinery of
tests/test_scope_leak.py: every role of town A asks for town B's 督办 (on a case and on a
village), its feedback and attachment, and the 提醒函 issued to it, on every route and method,
and gets 404 (405 where the method is decided before any lookup); lists, counts and pages
never mention them; forms naming town B's case or area are 404. Town B's own officer is shown
everything, so a pass is not a sweep that cannot see."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision import services
from tests.supervision.scope_routes import FORM_ROUTES, LIST_ROUTES, OBJECT_ROUTES
from tests.test_scope_leak import ROLES_OF_TOWN_A, _is_api, _methods, _routes, _url

from .conftest import village_case

pytestmark = pytest.mark.django_db

MARKERS = ["五里越界督办", "五里越界反馈", "五里村", "越界测试纠纷"]


@pytest.fixture
def world(cast):
    a = cast.areas
    case = village_case(
        cast, title="越界测试纠纷", serial=9, area=a.grid_b1, reporter=cast.grid_worker_b
    )
    due = timezone.now() + timedelta(days=2)
    on_case = services.supervision_open(
        actor=cast.town_officer_b, case_id=case.pk, reason="五里越界督办", due_at=due
    )
    services.supervision_feedback(
        actor=cast.village_mediator_b,
        supervision_id=on_case.pk,
        text="五里越界反馈",
        file=SimpleUploadedFile("说明.pdf", b"%PDF-1.4 x", "application/pdf"),
    )
    on_unit = services.supervision_open(
        actor=cast.county_officer, unit_id=a.village_b1.pk, reason="五里越界督办", due_at=due
    )
    letter = services.reminder_issue(actor=cast.town_officer_b, area_id=a.village_b1.pk)
    return SimpleNamespace(
        case=case.pk,
        supervision=on_case.pk,
        unit_supervision=on_unit.pk,
        feedback=on_case.feedbacks.get().pk,
        letter=letter.pk,
        village=a.village_b1.pk,
        town=a.town_b.pk,
    )


def _object_leaks(user, world, api, client):
    rest = api(user)
    client.force_login(user)
    leaks, checked = [], 0
    for name, route, pattern in _routes():
        if name not in OBJECT_ROUTES:
            continue
        kinds = OBJECT_ROUTES[name]
        variants = [world]
        if "supervision" in kinds.values():
            variants.append(
                SimpleNamespace(**{**vars(world), "supervision": world.unit_supervision})
            )
        for objects in variants:
            url = _url(
                route,
                {key: getattr(objects, kinds[key]) for key in pattern.pattern.regex.groupindex},
            )
            http = rest if _is_api(route) else client
            for method in _methods(pattern):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                extra = {"format": "json"} if http is rest else {}
                response = getattr(http, method.lower())(url, {}, **extra)
                checked += 1
                if response.status_code not in (404, 405):
                    leaks.append(f"{user} {method} {url} ({name}) -> {response.status_code}")
    assert checked >= len(OBJECT_ROUTES)
    return leaks


def _list_leaks(user, world, api, client):
    rest = api(user)
    client.force_login(user)
    queries = [
        "",
        f"?area={world.town}",
        f"?area={world.village}",
        f"?unit={world.village}",
        f"?case={world.case}",
        "?overdue=false",
        "?status=closed",
        "?tab=closed",
        "?kind=reminder",
    ]
    leaks, shown = [], []
    for name, route, _pattern in _routes():
        if name not in LIST_ROUTES:
            continue
        base = _url(route, {})
        http = rest if _is_api(route) else client
        for query in queries:
            response = http.get(base + query)
            body = response.content.decode("utf-8", errors="replace")
            if response.status_code >= 500:
                leaks.append(f"{user} GET {base + query} -> {response.status_code}")
            elif response.status_code < 300 and any(m in body for m in MARKERS):
                shown.append(f"{user} GET {base + query} ({name}) shows the neighbour")
    return leaks, shown


def test_neighbours_supervision_objects_are_404_on_every_route(cast, world, api, client):
    leaks = []
    for role in ROLES_OF_TOWN_A:
        leaks += _object_leaks(getattr(cast, role), world, api, client)
    assert leaks == []


def test_lists_counts_and_pages_never_show_the_neighbours_supervision(cast, world, api, client):
    problems = []
    for role in ROLES_OF_TOWN_A:
        leaks, shown = _list_leaks(getattr(cast, role), world, api, client)
        problems += leaks + shown
    assert problems == []


def test_forms_naming_the_neighbours_case_or_area_are_404(cast, world, api, client):
    assert FORM_ROUTES == {"web:supervision-new", "letter-reminders", "letter-bulletins"}
    from supervision.models import Letter, Supervision

    before = (Supervision.objects.count(), Letter.objects.count())
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for role in ROLES_OF_TOWN_A:
        user = getattr(cast, role)
        client.force_login(user)
        rest = api(user)
        for query in (f"?case={world.case}", f"?unit={world.village}", f"?unit={world.town}"):
            assert client.get(f"/supervision/new/{query}").status_code == 404, (role, query)
        form = {"case": world.case, "reason": "越界", "due_at": due}
        assert client.post("/supervision/new/", form).status_code == 404, role
        form = {"unit": world.village, "reason": "越界", "due_at": due}
        assert client.post("/supervision/new/", form).status_code == 404, role
        assert (
            rest.post(
                "/api/v1/supervisions/", {"case": world.case, "reason": "越界", "due_at": due}
            ).status_code
            == 404
        ), role
        assert (
            rest.post("/api/v1/letters/reminders/", {"area": world.village}).status_code == 404
        ), role
        assert (
            rest.post("/api/v1/letters/bulletins/", {"area": cast.areas.county.pk}).status_code
            == 404
        ), role
    assert (Supervision.objects.count(), Letter.objects.count()) == before


def test_town_bs_own_people_are_shown_all_of_it(cast, world, api, client):
    officer = cast.town_officer_b
    assert len(_object_leaks(officer, world, api, client)) > 8
    leaks, shown = _list_leaks(officer, world, api, client)
    assert leaks == [] and len(shown) > 8
    mediator = cast.village_mediator_b
    client.force_login(mediator)
    page = client.get(f"/supervision/{world.unit_supervision}/").content.decode()
    assert "五里越界督办" in page and 'data-testid="feedback-form"' in page
