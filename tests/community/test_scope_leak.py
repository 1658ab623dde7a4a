"""The scope-leak sweep for the community routes, with the machinery of tests/test_scope_leak.py:
every role of town A, and a volunteer's light account, asks for town B's consultation day,
item, volunteer, team, rota, duty, log and campaign on every route and method, and gets 404
(405 where the method is decided before any lookup); lists and pages never mention them. The
volunteer also gets 404 for everything of its own village that is not its own duty."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from community import services
from community.models import DutyShift
from tests.community.scope_routes import FORM_ROUTES, LIST_ROUTES, OBJECT_ROUTES
from tests.test_scope_leak import ROLES_OF_TOWN_A, _is_api, _methods, _routes, _url

pytestmark = pytest.mark.django_db

MARKERS = ["五里越界", "越界说事人", "五里志愿者", "wuli"]


def _objects(cast, village, area_of, grid, volunteer, marker):
    """A consultation day with a dispute item, a team, today's duty with a dispute logged,
    and a campaign over the town with a report, all in one village."""
    a = cast.areas
    mediator = {a.village_a1: cast.village_mediator_a, a.village_b1: cast.village_mediator_b}[
        area_of
    ]
    officer = {a.village_a1: cast.town_officer_a, a.village_b1: cast.town_officer_b}[area_of]
    today = timezone.localdate()
    day = services.consultation_day_record(
        actor=mediator,
        village=area_of,
        held_on=today,
        chair=f"{marker}主持人",
        attendance=9,
        items=[
            {
                "text": f"{marker}议题",
                "is_dispute": True,
                "parties": [{"name": "越界说事人" if marker == "五里越界" else "本村说事人"}],
            }
        ],
    )
    services.duty_team_set(actor=mediator, grid=grid, cadre_name=f"{marker}干部")
    services.rota_set(
        actor=mediator, village=area_of, turns=[{"volunteer": volunteer, "starts_on": today}]
    )
    shift = DutyShift.objects.get(village=area_of, on_date=today)
    log = services.duty_log(
        actor=mediator, shift_id=shift.id, kind="dispute", text=f"{marker}值班记录"
    )
    campaign = services.campaign_open(
        actor=officer,
        name=f"{marker}排查",
        area=area_of.parent,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    services.campaign_report(
        actor=mediator, campaign_id=campaign.id, grid=grid, zero=False, found=1, note=marker
    )
    return SimpleNamespace(
        day=day.id,
        item=day.items.first().id,
        volunteer=volunteer.id,
        shift=shift.id,
        log=log.id,
        grid=grid.id,
        village=area_of.id,
        campaign=campaign.id,
        town=area_of.parent_id,
    )


@pytest.fixture
def world(village):
    cast, a = village.cast, village.areas
    # A county-wide campaign that town B reported to, with the neighbour's marker in its note.
    county = services.campaign_open(
        actor=cast.county_officer,
        name="全县专项排查",
        area=a.county,
        starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=1),
    )
    services.campaign_report(
        actor=cast.grid_worker_b,
        campaign_id=county.id,
        grid=a.grid_b1,
        zero=False,
        found=2,
        note="五里越界报告",
    )
    return _objects(cast, a.village_b1, a.village_b1, a.grid_b1, village.b, "五里越界")


def _object_urls(route, pattern, kinds, objects):
    kwargs = {key: getattr(objects, kinds[key]) for key in pattern.pattern.regex.groupindex}
    return _url(route, kwargs)


def _object_leaks(user, objects, api, client, allowed=()):
    rest = api(user)
    client.force_login(user)
    leaks, checked = [], 0
    for name, route, pattern in _routes():
        if name not in OBJECT_ROUTES or name in allowed:
            continue
        url = _object_urls(route, pattern, OBJECT_ROUTES[name], objects)
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


def test_neighbours_community_objects_are_404_on_every_route(village, world, api, client):
    users = [getattr(village.cast, role) for role in ROLES_OF_TOWN_A] + [village.lei_user]
    leaks = []
    for user in users:
        leaks += _object_leaks(user, world, api, client)
    assert leaks == []


def test_a_volunteer_sees_nothing_of_its_village_but_its_own_duty(village, world, api, client):
    cast, a = village.cast, village.areas
    # Own village's records, with the duty today given to 王芳 (not the volunteer's own).
    own = _objects(cast, a.village_a1, a.village_a1, a.grid_a1, village.wang, "彭村")
    leaks = _object_leaks(village.lei_user, own, api, client)
    assert leaks == []


def _list_leaks(user, world, api, client):
    rest = api(user)
    client.force_login(user)
    month = timezone.localdate().strftime("%Y-%m")
    queries = [
        "",
        f"?area={world.town}",
        f"?area={world.village}",
        f"?area={world.town}&period={month}",
        f"?village={world.village}",
        f"?grid={world.grid}",
        f"?month={month}",
        "?page_size=200",
    ]
    leaks = []
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
                leaks.append(f"{user} GET {base + query} ({name}) shows the neighbour")
    return leaks


def test_lists_and_pages_never_show_the_neighbours_records(village, world, api, client):
    users = [getattr(village.cast, role) for role in ROLES_OF_TOWN_A] + [village.lei_user]
    leaks = []
    for user in users:
        leaks += _list_leaks(user, world, api, client)
    assert leaks == []


def test_county_campaign_coverage_shows_a_town_only_its_own_grids(village, world, api):
    from community.models import Campaign

    county = Campaign.objects.get(name="全县专项排查")
    answer = api(village.cast.town_officer_a).get(f"/api/v1/campaigns/{county.id}/coverage/")
    assert answer.status_code == 200
    assert answer.data["total"] == 3 and answer.data["reported"] == 0
    assert "五里" not in str(answer.data)


def test_form_posts_naming_the_neighbours_area_are_404(village, world, client):
    assert FORM_ROUTES == {"web:campaign-new"}
    client.force_login(village.cast.town_officer_a)
    today = timezone.localdate()
    answer = client.post(
        "/campaigns/new/",
        {"name": "越界", "area": world.town, "starts_on": today, "ends_on": today},
    )
    assert answer.status_code == 404


def test_the_sweep_does_find_the_records_of_their_own_town(village, world, api, client):
    """Contrast: town B's officer is shown everything the sweep looks for, so a pass above is
    not a sweep that cannot see."""
    officer = village.cast.town_officer_b
    assert len(_object_leaks(officer, world, api, client)) > 10
    assert _list_leaks(officer, world, api, client)
