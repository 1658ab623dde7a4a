"""The scope-leak sweep, generated from the URL conf: for every route (API and pages, exports
and PDFs included), every role of town A asks for town B's object and gets 404, or a list
without it; the lists are asked the other way round too, and each list must show each
marker of its kind to someone of the marker's own town (a check that could not fail on a page
that shows nothing proves nothing). A route missing from the registry below fails the suite, so
a new route cannot ship without saying how its scope is checked. Routes are named as `reverse()` knows them: the
API's bare (`case-detail`), the web pages' in the `web` namespace (`web:case-detail`)."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone

from accounts.agencies import Agency
from accounts.agency_services import beat_assign, liaison_add
from accounts.devices import TrustedDevice, token_hash
from cases import services as case_services
from cases.referrals import referral_send
from mediation.models import Committee
from notifications.services import notify
from tests import builders
from tests.builders import ORAL
from tests.community.scope_routes import COMMUNITY_ROUTES
from tests.supervision.scope_routes import SUPERVISION_ROUTES

# Routes that hold no object of anyone's (documentation, sign-in, the root, health).
PUBLIC = {
    "healthz",
    "service-worker",
    "auth-token",
    "api-root",
    "schema",
    "api-docs",
    "api-redoc",
    "web:home",
    "web:login",
    "web:logout",
}

# Object routes: route name -> what its `pk` names (None: no pk). Other URL kwargs are filled
# from KWARGS. Every method the route allows must answer 404 (405 is allowed: it is decided
# before any lookup).
KWARGS = {
    "case_id": "case",
    "attachment_id": "attachment",
    "attachment_pk": "attachment",
    "role_id": "role",
    "action": "action",
}
OBJECT_ROUTES = {
    "case-detail": "case",
    "case-assign": "case",
    "case-respond": "case",
    "case-escalate": "case",
    "case-delegate": "case",
    "case-extend": "case",
    "case-resolve": "case",
    "case-reopen": "case",
    "case-close": "case",
    "case-reveal": "case",
    "case-events": "case",
    "case-attachments": "case",
    "case-attachment": "case",
    "web:case-detail": "case",
    "web:case-attachment": "case",
    "web:case-action": "case",
    "web:case-law": "case",
    "case-sessions": None,
    "case-session-detail": "session",
    "case-consultations": None,
    "case-consultation-detail": "consultation",
    "case-consultation-answer": "consultation",
    "case-agreement": None,
    "case-agreement-sign": None,
    "case-agreement-pdf": None,
    "case-confirmation": None,
    "case-confirmation-apply": None,
    "case-confirmation-result": None,
    "case-confirmation-decline": None,
    "case-follow-ups": None,
    "case-follow-ups-route": None,
    "web:agreement-sign": "case",
    "web:agreement-seal": "case",
    "web:agreement-sheet": "case",
    "web:confirmation-apply": "case",
    "web:confirmation-result": "case",
    "web:confirmation-decline": "case",
    "web:case-route": "case",
    "case-file": None,
    "case-file-documents": None,
    "case-consents": None,
    "case-police-report": None,
    "case-police-receipt": None,
    "case-risk": None,
    "committee-detail": "committee",
    "committee-members": "committee",
    "reward-detail": "reward",
    "inspection-detail": "inspection",
    "area-detail": "area",
    "user-detail": "user",
    "user-deactivate": "user",
    "user-activate": "user",
    "user-unlock": "user",
    "user-roles": "user",
    "user-revoke-role": "user",
    "user-revoke-devices": "user",
    "web:device-revoke": "device",
    "notification-detail": "notification",
    "notification-read": "notification",
    "web:notification-open": "notification",
    "case-refer": "case",
    "referral-detail": "referral",
    "referral-receive": "referral",
    "referral-answer": "referral",
    "referral-close": "referral",
    "web:case-refer": "case",
    "web:referral-step": "referral",
    "village-risk-override": "village",
    "village-visits": "village",
    "web:village-risk": "village",
}
# Every action slug of the case page's action route is tried.
CASE_PAGE_ACTIONS = [
    "claim",
    "assign",
    "respond",
    "session",
    "consultation",
    "escalate",
    "delegate",
    "resolve",
    "agreement",
    "follow-up",
    "close",
    "reopen",
    "extend",
    "reveal",
    # the referral steps' route (web:referral-step) takes its action the same way
    "receive",
    "answer",
    "consent",
    "police-report",
    "police-receipt",
    "risk",
]

# List routes: fetched plainly, for the caller's own areas and with the neighbour's areas and
# search terms as filters; the answer must be 4xx or must not mention any of the neighbour's
# markers (TOWN_MARKERS: cases, parties, people, committees, notifications, area names and
# codes, KPI rows, coverage counts).
LIST_ROUTES = {
    "case-list",
    "case-export-xlsx",
    "kpis",
    "kpis-export",
    "kpis-bulletin",
    "rankings",
    "committee-list",
    "committee-mediators",
    "reward-list",
    "reward-sheet",
    "reward-sheet-xlsx",
    "inspection-list",
    "inspection-coverage",
    "area-list",
    "user-list",
    "notification-list",
    "notification-unread-count",
    "me",
    "audit",
    "referral-list",
    "village-risk-list",
}

# What each list route must show of a town's objects to some of that town's people (keys of
# TOWN_MARKERS): its positive control. Routes that show only the caller's own counts or name
# are in COUNTS.
CASES = ["case_title", "case_number", "overdue_title"]
AREAS = ["town_name", "town_code", "village_code"]
LIST_SHOWS = {
    "case-list": CASES,
    "case-export-xlsx": [*CASES, "party"],
    "kpis": AREAS,
    "kpis-export": AREAS,
    "kpis-bulletin": AREAS,
    "rankings": AREAS,
    "committee-list": ["committee"],
    "committee-mediators": ["mediator"],
    "reward-list": ["case_number", "committee", "mediator"],
    "reward-sheet": ["committee", "mediator"],
    "reward-sheet-xlsx": ["case_number", "case_title", "committee", "mediator"],
    "inspection-list": ["grid_name", "grid_code"],
    "inspection-coverage": ["coverage"],
    "area-list": [*AREAS, "grid_name", "grid_code"],
    "user-list": ["mediator", "officer"],
    "notification-list": ["notification"],
    "audit": ["case_number", "mediator"],
    "referral-list": ["case_title", "case_number"],
    "web:case-list": CASES,
    "web:queue": CASES,
    "web:inbox": ["overdue_title"],
    "web:overdue": ["overdue_title"],
    "web:dashboard": ["kpi_row", "overdue_title"],
    "web:inspections": ["grid_name"],
    "web:intake": ["grid_name"],
    "web:notifications": ["notification"],
    "web:referrals": ["case_title", "case_number"],
    "village-risk-list": ["village_code"],
    "web:village-risks": ["village_code"],
}
# Routes that show only the caller's own name, roles or counts.
COUNTS = {"me", "notification-unread-count", "web:notifications-badge", "web:me"}

# POST routes without an object whose effect must stay inside the caller's own data.
OWN_DATA_ROUTES = {"notification-read-all", "web:notifications-read-all"}

# Pages with no object in the URL: checked like LIST_ROUTES (GET only).
PAGE_LISTS = {
    "web:case-list",
    "web:queue",
    "web:inbox",
    "web:overdue",
    "web:intake",
    "web:dashboard",
    "web:inspections",
    "web:notifications",
    "web:notifications-badge",
    "web:referrals",
    "web:village-risks",
    "web:me",
}
# Pages that only accept a form post for the caller's own area (checked in their own tests).
PAGE_FORMS = {"web:inspection-submit", "web:referral-new"}
# Settings (the county's deadlines, weights, grades and rewards; the national calendar): no
# role of town A may read or change them, so every method answers 403 (or 405); the
# neighbouring county's admin gets 404 (tests/*/test_county_settings.py).
SETTINGS_ROUTES = {
    "sla-policy",
    "index-weights",
    "grade-thresholds",
    "reward-schedule",
    "calendar-override-list",
    "calendar-override-detail",
    "web:settings",
    "web:settings-deadlines",
    "web:settings-assessment",
    "web:settings-rewards",
    "web:settings-calendar",
    "web:settings-calendar-delete",
    "risk-settings",
    "web:settings-risk",
}
# The county's directory of agencies (三调联动): organisations, not anyone's cases; a
# neighbouring county's are not listed (tests/referrals/test_referral_pages.py).
DIRECTORY_ROUTES = {"agency-list"}
REGISTERED = (
    DIRECTORY_ROUTES
    | PUBLIC
    | set(OBJECT_ROUTES)
    | LIST_ROUTES
    | OWN_DATA_ROUTES
    | PAGE_LISTS
    | PAGE_FORMS
    | SETTINGS_ROUTES
)
# Village self-governance routes: checked in tests/community/test_scope_leak.py.
REGISTERED |= COMMUNITY_ROUTES
# 督查督办 routes: checked in tests/supervision/test_scope_leak.py.
REGISTERED |= SUPERVISION_ROUTES

ROLES_OF_TOWN = {
    side: [
        f"grid_worker_{side}",
        f"village_mediator_{side}",
        f"village_officer_{side}",
        f"town_officer_{side}",
        f"town_mediator_{side}",
        f"town_admin_{side}",
    ]
    for side in "ab"
}
ROLES_OF_TOWN_A = ROLES_OF_TOWN["a"]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def _routes(patterns=None):
    """(name, route, pattern) for every named route outside Django's admin, the name with its
    namespace as reverse() takes it (format-suffix variants of DRF routes are the same view
    and are left out)."""
    found = []
    for route, namespace, pattern in _walk(patterns or get_resolver().url_patterns):
        if route.startswith("admin/") or route.startswith("static/"):
            continue
        if pattern.name is None:
            raise AssertionError(f"route {route!r} has no name: name it and register it here")
        if "format" in pattern.pattern.regex.groupindex:
            continue
        found.append((namespace + pattern.name, route, pattern))
    return found


def _unregistered(patterns=None):
    return sorted({name for name, _route, _pattern in _routes(patterns)} - REGISTERED)


def _url(route, kwargs):
    """Fill a route (path() or regex style) with kwargs."""
    url = "/" + route

    def fill(match):
        key = match.group(1)
        return str(kwargs[key])

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, url)
    url = re.sub(r"<(?:\w+:)?(\w+)>", fill, url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return re.sub(r"/+", "/", url)


# What each town's objects are called: the neighbour's must never show to the other town's
# people, and each must show to some of its own town's (the positive control below).
TOWN_MARKERS = {
    "a": {
        "case_title": "对照测试纠纷",
        "party": "对照测试人",
        "overdue_title": "对照超期纠纷",
        "mediator": "village_mediator_a",
        "officer": "village_officer_a",
        "committee": "彭村人民调解委员会",
        "notification": "彭村通知",
        "town_name": "彭镇",
        "town_code": "610222101000",
        "village_code": "610222101200",
        "grid_name": "彭村一网格",
        "grid_code": "610222101200001",
        # The KPI row of the village on the town's dashboard.
        "kpi_row": 'data-testid="drill">彭村<',
        # Inspection coverage of town A: one of its three grids filed this month.
        "coverage": '"grids_with_report":1,"grids_total":3',
    },
    "b": {
        "case_title": "越界测试纠纷",
        "party": "越界测试人",
        "overdue_title": "越界超期纠纷",
        "mediator": "village_mediator_b",
        "officer": "village_officer_b",
        "committee": "五里村人民调解委员会",
        "notification": "五里村通知",
        "town_name": "五里镇",
        "town_code": "610222102000",
        "village_code": "610222102200",
        "grid_name": "五里村一网格",
        "grid_code": "610222102200001",
        "kpi_row": 'data-testid="drill">五里村<',
        # Town B has one grid, and it filed (no area above grid level in town A has one).
        "coverage": '"grids_with_report":1,"grids_total":1',
    },
}
MARKER_TITLE = TOWN_MARKERS["b"]["case_title"]
MARKER_PARTY = TOWN_MARKERS["b"]["party"]


def _town_objects(cast, side):
    """One town's objects: a resolved and followed-up case with every record (a session, a
    consultation, an attachment, a reveal of a party's ID number), a case escalated to the town
    and overdue there, a committee with a member, a reward, an inspection report and a
    notification."""
    areas, names = cast.areas, TOWN_MARKERS[side]
    village, grid = getattr(areas, f"village_{side}1"), getattr(areas, f"grid_{side}1")
    town = getattr(areas, f"town_{side}")
    officer, mediator = (
        getattr(cast, f"village_officer_{side}"),
        getattr(cast, f"village_mediator_{side}"),
    )
    reporter = getattr(cast, f"grid_worker_{side}")
    address = {"address": f"{village.name}一组"}
    serial = 40 if side == "a" else 50
    committee = Committee.objects.create(name=names["committee"], kind="peoples", area=village)
    builders.add_member(committee, cast.county_admin, mediator)
    case = builders.report(
        reporter,
        grid,
        title=names["case_title"],
        parties=[
            builders.party(names["party"], "applicant", serial + 1, **address),
            builders.party(f"{names['party']}乙方", "respondent", serial + 2, **address),
        ],
    )
    builders.drive(case, to="in_progress")
    session = builders.record_session(
        case,
        mediator,
        held_at=max(
            case.reported_at, timezone.now() - timedelta(hours=2)
        ),  # never before the day it was reported
        place=f"{village.name}委会",
        minutes="双方陈述。",
    )
    consultation = builders.ask_consultation(
        case,
        mediator,
        consultant_kind="lawyer",
        consultant_name="王律师",
        question="边界如何认定？",
        due_at=timezone.now() + timedelta(days=3),
    )
    attachment = case_services.case_attach(
        actor=mediator,
        case_id=case.id,
        file=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"),
    )
    applicant = case.parties.get(role="applicant")
    case_services.case_reveal(
        actor=mediator, case_id=case.id, party_id=applicant.id, field="id_number"
    )
    case_services.case_resolve(actor=mediator, case_id=case.id, agreement=ORAL)
    builders.record_follow_up(case, mediator)
    case.refresh_from_db()
    overdue = builders.report(
        reporter,
        grid,
        title=names["overdue_title"],
        parties=[builders.party("超期甲方", "applicant", serial + 3, **address)],
        at=timezone.now() - timedelta(days=42),
    )
    builders.drive(overdue, to="pending", level="town", at=timezone.now() - timedelta(days=40))
    inspection = builders.file_inspection(
        grid, reporter, period=date.today().replace(day=1), zero=True
    )
    town_officer = getattr(cast, f"town_officer_{side}")
    notification = notify(users=[town_officer], kind="test", title=names["notification"], case=case)
    reward = builders.reward(case, mediator=mediator, committee=committee, claimed_by=officer)
    # 三调联动: the town's police station, its officer 包联 the village; the case referred to it.
    station = Agency.objects.create(
        code=f"PS-{side}", name=f"{town.name}派出所", kind="police", area=town, county=town.parent
    )
    liaison = liaison_add(agency=station, username=f"liaison_{side}")
    beat_assign(village=village, member=liaison)
    setattr(cast, f"liaison_{side}", liaison.user)
    referral = referral_send(actor=officer, case_id=case.id, agency_id=station.id, note="移交")
    # 三官一律: a lawyer of the county's lawyers' office is consulted on the case (and on no
    # other): they read that case, and nothing of the neighbour's.
    firm = Agency.objects.create(
        code=f"LAW-{side}", name=f"{town.name}律师事务所", kind="law_firm", area=town,
        county=town.parent,
    )  # fmt: skip
    lawyer = liaison_add(agency=firm, username=f"lawyer_{side}")
    setattr(cast, f"lawyer_{side}", lawyer.user)
    consulted = builders.ask_consultation(
        case,
        mediator,
        consultant_kind="lawyer",
        consultant_name="",
        member=lawyer.pk,
        question="赔偿标准如何确定？",
        due_at=timezone.now() + timedelta(days=3),
    )
    device = TrustedDevice.objects.create(
        user=mediator,
        name=f"{side} 手机",
        token_hash=token_hash(f"device-{side}"),
        created_at=timezone.now(),
        last_seen_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    return SimpleNamespace(
        referral=referral.id,
        device=device.id,
        case=case.id,
        case_number=case.number,
        attachment=attachment.id,
        session=session.id,
        consultation=consultation.id,
        consulted=consulted.id,
        committee=committee.id,
        reward=reward.id,
        inspection=inspection.id,
        area=village.id,
        user=mediator.id,
        role=mediator.roles.first().id,
        notification=notification[0].id,
        town=town.id,
        village=village.id,
        markers={**names, "case_number": case.number},
    )


@pytest.fixture
def world(cast):
    """Town B's objects, which town A's people must never see, with the same objects of town A
    for contrast (`world.contrast`): each town's must show to its own people."""
    neighbour = _town_objects(cast, "b")
    neighbour.contrast = _town_objects(cast, "a")
    return neighbour


def test_every_route_is_registered():
    missing = _unregistered()
    assert not missing, f"routes without a scope check in tests/test_scope_leak.py: {missing}"


def test_every_registry_entry_is_a_route():
    names = {name for name, _route, _pattern in _routes()}
    assert sorted(REGISTERED - names) == []


def test_a_new_route_without_an_entry_is_caught():
    def view(request, pk):
        return HttpResponse()

    page = path("cases/<int:pk>/history/", view, name="case-history")
    patterns = [
        *get_resolver().url_patterns,
        path("api/v1/", include([page])),
        path("", include(([page], "web"))),
    ]
    assert _unregistered(patterns) == ["case-history", "web:case-history"]


def test_no_two_routes_share_a_name():
    routes = {}
    for name, route, _pattern in _routes():
        routes.setdefault(name, []).append(route)
    assert {name: found for name, found in routes.items() if len(found) > 1} == {}


def test_page_and_api_names_reverse_to_their_own_routes():
    assert reverse("case-list") == "/api/v1/cases/"
    assert reverse("case-detail", args=[7]) == "/api/v1/cases/7/"
    assert reverse("web:case-list") == "/cases/"
    assert reverse("web:case-detail", args=[7]) == "/cases/7/"


def _methods(pattern):
    view = pattern.callback
    actions = getattr(view, "actions", None)
    if actions:
        return sorted(m.upper() for m in actions)
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if cls is not None:
        return sorted(
            m.upper() for m in cls.http_method_names if hasattr(cls, m) and m != "options"
        )
    return ["GET", "POST"]


def _is_api(route):
    return route.startswith("api/")


def _object_urls(route, pattern, pk_kind, world):
    keys = list(pattern.pattern.regex.groupindex)
    actions = CASE_PAGE_ACTIONS if "action" in keys else [None]
    for action in actions:
        kwargs = {}
        for key in keys:
            if key == "pk":
                kwargs[key] = getattr(world, pk_kind)
            elif key == "action":
                kwargs[key] = action
            else:
                kwargs[key] = getattr(world, KWARGS[key])
        yield _url(route, kwargs)


@pytest.mark.slow
def test_neighbours_objects_are_404_on_every_object_route(cast, world, api, client):
    leaks = []
    checked = 0
    for role in ROLES_OF_TOWN_A:
        leaks += _object_leaks(getattr(cast, role), world, api, client)
        checked += 1
    assert checked == len(ROLES_OF_TOWN_A)
    assert not leaks, "\n".join(leaks)


def _object_leaks(user, world, api, client):
    rest = api(user)
    client.force_login(user)
    leaks = []
    checked = 0
    for name, route, pattern in _routes():
        if name not in OBJECT_ROUTES:
            continue
        for url in _object_urls(route, pattern, OBJECT_ROUTES[name], world):
            http = rest if _is_api(route) else client
            for method in _methods(pattern):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                extra = {"format": "json"} if http is rest else {}
                response = getattr(http, method.lower())(url, {}, **extra)
                checked += 1
                if response.status_code not in (404, 405):
                    leaks.append(f"{user} {method} {url} ({name}) -> {response.status_code}")
    assert checked > 50
    return leaks


@pytest.mark.slow
def test_a_liaison_sees_nothing_of_the_neighbour_on_any_route(cast, world, api, client):
    """The liaison role (DESIGN.md §4, §15): town A's police officer, whose station has town A's
    case referred and who 包联 village A1, gets 404 for town B's objects on every object route
    and sees none of them on any list, export or count."""
    liaison = cast.liaison_a
    leaks = _object_leaks(liaison, world, api, client)
    leaks += _list_leaks(liaison, world.contrast, world, api, client, {}, full=True)
    assert not leaks, "\n".join(leaks)
    # The positive control: the liaison does see its own referral and case.
    rest = api(liaison)
    assert rest.get(f"/api/v1/referrals/{world.contrast.referral}/").status_code == 200
    assert rest.get(f"/api/v1/cases/{world.contrast.case}/").status_code == 200


@pytest.mark.slow
def test_a_consulted_lawyer_sees_nothing_of_the_neighbour_on_any_route(cast, world, api, client):
    """三官一律 (DESIGN.md §15): town A's lawyer, consulted on town A's case, gets 404 for town
    B's objects on every object route and sees none of them on any list, export or count; they
    read the case they were consulted on, masked, and answer only their own consultation."""
    lawyer = cast.lawyer_a
    leaks = _object_leaks(lawyer, world, api, client)
    leaks += _list_leaks(lawyer, world.contrast, world, api, client, {}, full=True)
    assert not leaks, "\n".join(leaks)
    rest = api(lawyer)
    case = world.contrast.case
    detail = rest.get(f"/api/v1/cases/{case}/")
    assert detail.status_code == 200
    assert TOWN_MARKERS["a"]["party"] in str(detail.json()["parties"])
    assert [c["id"] for c in rest.get("/api/v1/cases/").json()["results"]] == [case]
    assert rest.get(f"/api/v1/referrals/{world.contrast.referral}/").status_code == 404
    answer = f"/api/v1/cases/{case}/consultations/{world.contrast.consulted}/answer/"
    assert rest.post(answer, {"answer": "按实际损失计算。"}, format="json").status_code == 200
    other = f"/api/v1/cases/{case}/consultations/{world.contrast.consultation}/answer/"
    assert rest.post(other, {"answer": "x"}, format="json").status_code == 403


def test_no_role_of_a_town_reads_or_changes_the_county_settings(cast, api, client):
    from accounts.models import AuditEntry

    answers = []
    checked = 0
    for role in ROLES_OF_TOWN_A:
        user = getattr(cast, role)
        rest = api(user)
        client.force_login(user)
        for name, route, pattern in _routes():
            if name not in SETTINGS_ROUTES:
                continue
            kwargs = {key: cast.areas.county.id for key in pattern.pattern.regex.groupindex}
            url = _url(route, kwargs)
            http = rest if _is_api(route) else client
            for method in _methods(pattern):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                extra = {"format": "json"} if http is rest else {}
                response = getattr(http, method.lower())(url, {}, **extra)
                checked += 1
                if response.status_code not in (403, 405):
                    answers.append(f"{role} {method} {url} ({name}) -> {response.status_code}")
    assert checked >= len(ROLES_OF_TOWN_A) * len(SETTINGS_ROUTES)
    assert not answers, "\n".join(answers)
    assert not AuditEntry.objects.exists()


def _mentions(body, objects):
    """The marker keys of a town's objects that `body` shows."""
    return {key for key, marker in objects.markers.items() if marker in body}


def _body(response):
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return response.content.decode("utf-8", errors="replace")


@pytest.mark.slow
def test_lists_exports_and_counts_never_show_the_neighbour(cast, world, api, client):
    """Town A's people never see town B's markers on a list, export or count, nor B's people
    A's; and each route shows each marker of its kind to some of that town's own people, so
    the check cannot pass on a page that shows nothing."""
    from accounts.models import AuditEntry

    leaks, seen = [], {"a": {}, "b": {}}
    # Town A's people ask with every filter naming town B; town B's people (the positive
    # control, and the same check the other way) ask plainly and for their own areas.
    for side, own, neighbour, full in [
        ("a", world.contrast, world, True),
        ("b", world, world.contrast, False),
    ]:
        for role in ROLES_OF_TOWN[side]:
            # The audit trail lists this test's own exports with their filters (which carry
            # the neighbour's markers as search terms); start each role with none.
            AuditEntry.objects.all().delete()
            user = getattr(cast, role)
            leaks += _list_leaks(user, own, neighbour, api, client, seen[side], full=full)
    assert not leaks, "\n".join(leaks)
    unseen = [
        f"{name} never showed town {side.upper()}'s {key} to town {side.upper()}"
        for name, keys in LIST_SHOWS.items()
        for side in "ab"
        for key in keys
        if key not in seen[side].get(name, set())
    ]
    assert not unseen, "\n".join(unseen)


def test_every_list_route_says_what_it_shows():
    assert set(LIST_SHOWS) | COUNTS == LIST_ROUTES | PAGE_LISTS
    assert not set(LIST_SHOWS) & COUNTS
    keys = set(TOWN_MARKERS["a"]) | {"case_number"}
    assert {key for shown in LIST_SHOWS.values() for key in shown} <= keys
    assert all(LIST_SHOWS.values())


def _list_leaks(user, own, neighbour, api, client, seen, full=True):
    """Every list route asked by `user` plainly, for the user's own areas and (`full`) with
    every filter naming the neighbour: what of the neighbour's it shows (leaks, returned) and
    what of its own town's (added to `seen`; on a page, only what the page's main part shows,
    not the header's name and role of the user)."""
    rest = api(user)
    client.force_login(user)
    month = timezone.localdate().strftime("%Y-%m")
    queries = [
        "",
        f"?area={own.village}&month={month}",
        f"?area={own.town}&period={month}&level=village",
    ]
    if full:
        queries += [
            f"?q={neighbour.markers['party']}",
            f"?q={neighbour.case_number}",
            f"?area={neighbour.town}",
            f"?area={neighbour.village}",
            f"?area={neighbour.town}&period={month}",
            f"?area={neighbour.village}&period={month}&level=village",
            f"?month={month}",
            "?page_size=200",
        ]
    leaks = []
    # The audit trail first, before this user's own exports are recorded in it.
    for name, route, _pattern in sorted(_routes(), key=lambda r: r[0] != "audit"):
        if name not in LIST_ROUTES | PAGE_LISTS:
            continue
        base = _url(route, {})
        http = rest if _is_api(route) else client
        for query in queries:
            response = http.get(base + query)
            if response.status_code >= 500:
                leaks.append(f"{user} GET {base + query} -> {response.status_code}")
            elif response.status_code < 300:
                body = _body(response)
                # A search box echoes its query; only what the query did not carry counts.
                found = [
                    key for key in _mentions(body, neighbour) if neighbour.markers[key] not in query
                ]
                if found:
                    leaks.append(f"{user} GET {base + query} ({name}) shows {found}")
                main = body.partition("<main>")[2] or body
                seen.setdefault(name, set()).update(_mentions(main, own))
    return leaks


def test_read_all_marks_only_my_own_notifications(cast, world, api):
    from notifications.models import Notification

    response = api(cast.town_officer_a).post("/api/v1/notifications/read-all/")
    assert response.status_code in (200, 204)
    assert Notification.objects.get(pk=world.notification).read_at is None
