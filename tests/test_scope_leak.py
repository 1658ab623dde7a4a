"""The scope-leak sweep, generated from the URL conf: for every route (API and pages, exports
and PDFs included), every role of town A asks for town B's object and gets 404, or a list
without it. A route missing from the registry below fails the suite, so a new route cannot
ship without saying how its scope is checked. Routes are named as `reverse()` knows them: the
API's bare (`case-detail`), the web pages' in the `web` namespace (`web:case-detail`)."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone

from cases import services as case_services
from mediation import services as mediation_services
from mediation.models import Committee
from notifications.services import notify
from tests.cases.conftest import ORAL, party, report
from tests.community.scope_routes import COMMUNITY_ROUTES

MARKER_TITLE = "五里村越界测试纠纷"
MARKER_PARTY = "越界测试人"

# Routes that hold no object of anyone's (documentation, sign-in, the root, health).
PUBLIC = {
    "healthz",
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
    "case-file": None,
    "case-file-documents": None,
    "committee-detail": "committee",
    "committee-members": "committee",
    "reward-detail": "reward",
    "inspection-detail": "inspection",
    "area-detail": "area",
    "user-detail": "user",
    "user-deactivate": "user",
    "user-roles": "user",
    "user-revoke-role": "user",
    "notification-detail": "notification",
    "notification-read": "notification",
    "web:notification-open": "notification",
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
]

# List routes: fetched plainly and with the neighbour's area as a filter; the answer must be
# 4xx or must not mention the neighbour's case, party, users or village.
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
}

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
}
# Pages that only accept a form post for the caller's own area (checked in their own tests).
PAGE_FORMS = {"web:inspection-submit"}
REGISTERED = PUBLIC | set(OBJECT_ROUTES) | LIST_ROUTES | OWN_DATA_ROUTES | PAGE_LISTS | PAGE_FORMS
# Village self-governance routes: checked in tests/community/test_scope_leak.py.
REGISTERED |= COMMUNITY_ROUTES

ROLES_OF_TOWN_A = [
    "grid_worker_a",
    "village_mediator_a",
    "village_officer_a",
    "town_officer_a",
    "town_mediator_a",
    "town_admin_a",
]


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


@pytest.fixture
def world(cast):
    """Town B's objects: a resolved and followed-up case with every record, a committee, a
    reward, an inspection report, a notification; plus one case in town A for contrast."""
    areas = cast.areas
    officer_b, mediator_b = cast.village_officer_b, cast.village_mediator_b
    committee = Committee.objects.create(
        name="五里村人民调解委员会", kind="village", area=areas.village_b1
    )
    mediation_services.member_save(committee=committee, actor=cast.county_admin, user=mediator_b)
    case = report(
        cast.grid_worker_b,
        areas.grid_b1,
        title=MARKER_TITLE,
        parties=[party(MARKER_PARTY, "applicant", 41), party("越界乙方", "respondent", 42)],
    )
    case_services.case_assign(actor=officer_b, case_id=case.id, assignee=mediator_b)
    case_services.case_respond(actor=mediator_b, case_id=case.id, note="已联系双方")
    session = mediation_services.session_record(
        case=case,
        actor=mediator_b,
        held_at=timezone.now() - timedelta(hours=2),
        place="五里村委会",
        minutes="双方陈述。",
    )
    consultation = mediation_services.consultation_ask(
        case=case,
        actor=mediator_b,
        consultant_kind="lawyer",
        consultant_name="王律师",
        question="边界如何认定？",
        due_at=timezone.now() + timedelta(days=3),
    )
    attachment = case_services.case_attach(
        actor=mediator_b,
        case_id=case.id,
        file=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"),
    )
    case_services.case_resolve(actor=mediator_b, case_id=case.id, agreement=ORAL)
    mediation_services.follow_up_record(
        case=case, actor=mediator_b, method="visit", performed=True, satisfaction="satisfied"
    )
    inspection = mediation_services.inspection_file(
        grid=areas.grid_b1,
        actor=cast.grid_worker_b,
        period=date.today().replace(day=1),
        zero=True,
    )
    notification = notify(users=[cast.town_officer_b], kind="test", title="五里村通知", case=case)[
        0
    ]
    from mediation.models import Reward, RewardRate

    reward = Reward.objects.create(
        rate=RewardRate.objects.first(),
        case=case,
        mediator=mediator_b,
        committee=committee,
        difficulty="ordinary",
        amount=100,
        month=date.today().replace(day=1),
        claimed_by=officer_b,
        claimed_at=timezone.now(),
        province_id=case.province_id,
        city_id=case.city_id,
        county_id=case.county_id,
        town_id=case.town_id,
        village_id=case.village_id,
    )
    return SimpleNamespace(
        case=case.id,
        case_number=case.number,
        attachment=attachment.id,
        session=session.id,
        consultation=consultation.id,
        committee=committee.id,
        reward=reward.id,
        inspection=inspection.id,
        area=areas.village_b1.id,
        user=mediator_b.id,
        role=mediator_b.roles.first().id,
        notification=notification.id,
        town=areas.town_b.id,
        village=areas.village_b1.id,
    )


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


def _mentions_neighbour(body, world):
    markers = [MARKER_TITLE, MARKER_PARTY, world.case_number, "village_mediator_b", "五里村通知"]
    return [m for m in markers if m in body]


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


def test_lists_exports_and_counts_never_show_the_neighbour(cast, world, api, client):
    from accounts.models import AuditEntry

    leaks = []
    for role in ROLES_OF_TOWN_A:
        # The audit trail lists this test's own exports with their filters (which carry the
        # neighbour's markers as search terms); start each role with none.
        AuditEntry.objects.all().delete()
        leaks += _list_leaks(getattr(cast, role), world, api, client)
    assert not leaks, "\n".join(leaks)


def _list_leaks(user, world, api, client):
    rest = api(user)
    client.force_login(user)
    month = timezone.localdate().strftime("%Y-%m")
    queries = [
        "",
        f"?q={MARKER_PARTY}",
        f"?q={world.case_number}",
        f"?area={world.town}",
        f"?area={world.village}",
        f"?area={world.town}&period={month}",
        f"?area={world.village}&period={month}&level=village",
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
                # A search box echoes its query; only what the query did not carry counts.
                found = [m for m in _mentions_neighbour(_body(response), world) if m not in query]
                if found:
                    leaks.append(f"{user} GET {base + query} ({name}) shows {found}")
    return leaks


def test_read_all_marks_only_my_own_notifications(cast, world, api):
    from notifications.models import Notification

    response = api(cast.town_officer_a).post("/api/v1/notifications/read-all/")
    assert response.status_code in (200, 204)
    assert Notification.objects.get(pk=world.notification).read_at is None
