"""Accessibility, measured in the browser: axe-core (node_modules/axe-core, injected by the test
only: real users never load it) finds no serious or critical violation (colour contrast of
badges and white-on-blue cells included), and on a 360 px phone no tap target is smaller than
44 px, on every page each demo account reaches by following its links (one visit per kind of
page: a list once, whatever its filters, sort or page; a case page once per status, level and
督办). The six office roles' menu pages are checked again at 1366 px."""

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from accounts.models import User
from cases import services
from cases.models import Case
from mediation.models import Agreement
from notifications.services import notify
from tests import builders

from . import stories
from .conftest import CHROMIUM_ARGS, DEMO_PASSWORD, DESKTOP, PHONE  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
MIN_TARGET = 44

# The demo roles of the county's offices (town and county offices work on desktops too: their
# menu's pages are checked at 1366 px as well as walked at 360 px).
ROLES = [
    "grid_worker",
    "village_mediator",
    "town_officer",
    "county_officer",
    "county_viewer",
    "county_admin",
]

# Every interactive element that is shown: its box must be at least 44×44 CSS px. A checkbox
# or radio inside a label is measured by its label (the label is the target); text links inside
# a sentence are exempt (WCAG 2.5.8, "inline").
TAP_TARGETS_JS = """
(min) => {
  const small = [];
  const seen = new Set();
  const nodes = document.querySelectorAll(
    'a[href], button, select, summary, input:not([type=hidden]), textarea, [role=button], [tabindex]:not([tabindex="-1"])'
  );
  for (let el of nodes) {
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) el = el.closest('label');
    if (seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (el.closest('.skip')) continue;  // the skip link is off screen until focused
    if (el.tagName === 'A' && el.closest('p, li.inline, dd, td.prose') && style.display === 'inline') continue;
    if (r.height < min || r.width < min) {
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${text}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}
"""


def _sign_in(chromium, live_server, username, viewport):
    # The CSP forbids inline scripts, and axe is injected as one: the test's own browser
    # context bypasses the CSP (pages served to users keep it).
    context = chromium.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        bypass_csp=True,
        service_workers="block",  # no offline cache: each visit asks the server
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in"
    return context, page


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
        }"""
    )
    return [json.dumps(v, ensure_ascii=False) for v in result]


def _stories():
    stories.build(per_month=3)
    cases = stories.overdue_cases()
    mediator = User.objects.get(username="village_mediator")
    services.case_assign(actor=mediator, case_id=cases[0].pk, assignee=mediator)
    notify(
        users=User.objects.filter(username__in=ROLES), kind="info", title="测试通知", case=cases[0]
    )
    referred = stories.light_accounts()  # a 110 dispute received, a case referred to 人社
    return [c.pk for c in cases] + referred


def _written_agreement_case() -> str:
    """A case of the village mediator's resolved with a written agreement not yet signed or
    sealed (the stories make oral ones): its page holds the on-screen signing, the seal and the
    signed sheet's forms."""
    grid_worker = User.objects.get(username="grid_worker")
    mediator = User.objects.get(username="village_mediator")
    grid = grid_worker.roles.get(kind="grid_worker").area
    case = builders.drive(builders.report(grid_worker, grid), to="in_progress", mediator=mediator)
    builders.resolve_written(case, mediator)
    return f"/cases/{case.pk}/"


# The light and agency accounts: the volunteer on duty today (红袖章), the police station's
# liaison (一村一警) and a liaison of a county bureau (人社). Their pages are few: the walk goes
# through them at both widths.
LIGHT_ROLES = ["volunteer", "police_liaison", "hr_liaison"]
# Their phone's tab bar: a liaison's 待办 is the 移交委派 inbox; a volunteer sees no case.
LIGHT_TABS = {
    "volunteer": ["值班", "消息", "我的"],
    "police_liaison": ["待办", "案件", "消息", "我的"],
    "hr_liaison": ["待办", "案件", "消息", "我的"],
}
SKIP_LINKS = re.compile(
    r"^/(admin|static|media|logout|api)/|/(export|download)|\.(xlsx|csv|pdf|png|jpg)$"
)


def _pattern(path):
    """One visit per kind of page: /cases/12/ and /cases/13/ are one page, and so are a list's
    filters, sorts and later pages (/cases/?area=4&sort=-number&page=2 is /cases/); each ?tab=
    is a page of its own."""
    url = urlsplit(path)
    tabs = sorted(part for part in url.query.split("&") if part.startswith("tab="))
    return re.sub(r"\d+", "N", url.path) + "?" + "&".join(tabs)


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        url = urlsplit(href)
        if url.netloc != urlsplit(page.url).netloc:
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not SKIP_LINKS.search(url.path):
            found.append(path)
    return found


def _case_kind(case_id) -> str:
    """A case page's kind for the walk: its status, level, 督办 flag and agreement's form (the
    page shows other panels and buttons for each: a written agreement's signing and seal)."""
    found = Case.objects.filter(pk=case_id).values_list("status", "level", "supervised").first()
    form = Agreement.objects.filter(case_id=case_id).values_list("form", flat=True).first()
    return "-".join(str(v) for v in (*found, form or "")) if found else "gone"


def _walk(page, starts, *, phone, cap, timings=None) -> tuple[list[str], list[str]]:
    """Every page reached from `starts` by following same-origin links, one visit per kind of
    page (at most `cap`): (the paths visited, the problems axe, the tap targets and the width
    found). A case page outside the account's reach (404) is passed over."""
    todo, seen, visited, problems = list(starts), set(), [], []
    while todo and len(visited) < cap:
        path = todo.pop(0)
        key = _pattern(path)
        case = re.match(r"/cases/(\d+)/", path)
        if case:
            key += "#" + _case_kind(int(case.group(1)))
        if key in seen:
            continue
        seen.add(key)
        began = time.monotonic()
        response = page.goto(path, wait_until="load")
        if response.status == 404 and case:
            continue
        if response.status != 200:
            problems.append(f"{path}: status {response.status}")
            continue
        visited.append(path)
        todo += _links(page)
        problems += [f"{path}: {violation}" for violation in _axe(page)]
        if phone:
            problems += [
                f"{path}: tap target {small}" for small in page.evaluate(TAP_TARGETS_JS, MIN_TARGET)
            ]
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{path}: {width}px wide")
        if timings is not None:
            timings.append((time.monotonic() - began, path))
    return visited, problems


# How many kinds of page a role's walk visits at most (the county's roles reach the most, about
# 40: the lists and their tabs, the dashboard, settings, 督办, referrals, a case page of each
# status with its law panel). A walk that reaches the cap fails: raise it, do not cut the walk.
CAP = 60
# Kinds of page each role's walk must have reached (a broken link or menu shows here).
MUST_REACH = {
    "grid_worker": ["/cases/new/", "/inspections/", "/consultation-days/N/"],
    "village_mediator": ["/cases/new/", "/duty/", "/rota/N/"],
    "town_officer": ["/overdue/", "/supervision/", "/referrals/", "/risk/villages/N/"],
    "county_officer": ["/dashboard/", "/supervision/units/N/", "/referrals/", "/inbox/"],
    "county_viewer": ["/dashboard/", "/supervision/", "/referrals/", "/campaigns/N/"],
    "county_admin": ["/settings/", "/settings/N/deadlines/", "/settings/calendar/"],
}


def test_every_page_every_demo_role_can_reach_passes_axe_and_fits_a_thumb(
    chromium, live_server, demo
):
    """Each office role at 360 px follows every link from its home, 我的 and 消息 and from the
    cases of the stories it may see; its menu's pages, 我的, 消息 and a case page are checked
    again at 1366 px."""
    case_ids = _stories()
    written = _written_agreement_case()
    problems, timings = [], []
    for username in ROLES:
        context, page = _sign_in(chromium, live_server, username, PHONE)
        home = urlsplit(page.url).path
        starts = [home, "/me/", "/notifications/", *[f"/cases/{pk}/" for pk in case_ids]]
        if username == "village_mediator":
            starts.insert(0, written)
        try:
            visited, found = _walk(page, starts, phone=True, cap=CAP, timings=timings)
            page.goto("/me/")
            menu = page.eval_on_selector_all(
                '[data-testid="me-menu"] a', "els => els.map(e => e.getAttribute('href'))"
            )
        finally:
            context.close()
        print(username, "phone", len(visited), visited)
        problems += [f"{username} phone {p}" for p in found]
        assert len(visited) < CAP, (username, visited)
        kinds = {re.sub(r"\d+", "N", urlsplit(p).path) for p in visited}
        assert "/cases/N/" in kinds, (username, visited)
        assert set(MUST_REACH[username]) <= kinds, (username, MUST_REACH[username], visited)
        if username == "village_mediator":
            assert written in visited, (written, visited)

        a_case = next(p for p in visited if re.fullmatch(r"/cases/\d+/", p))
        desk = [p for p in menu if p and not SKIP_LINKS.search(p)]
        desk += ["/me/", "/notifications/", a_case]
        context, page = _sign_in(chromium, live_server, username, DESKTOP)
        try:
            visited, found = _walk(page, desk, phone=False, cap=len(desk), timings=timings)
        finally:
            context.close()
        problems += [f"{username} desktop {p}" for p in found]
    slowest = ", ".join(f"{path} {spent:.1f}s" for spent, path in sorted(timings)[-5:])
    print(f"{len(timings)} pages in {sum(t for t, _ in timings):.0f}s; slowest: {slowest}")
    assert not problems, "\n" + "\n".join(problems)


def test_every_page_a_volunteer_or_liaison_can_reach_passes_axe_and_fits_a_thumb(
    chromium, live_server, demo
):
    case_ids = stories.light_accounts()
    problems = []
    for username in LIGHT_ROLES:
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context, page = _sign_in(chromium, live_server, username, viewport)
            home = urlsplit(page.url).path
            if label == "phone":
                tabs = page.locator('[data-testid="tabbar"] .tab-label').all_inner_texts()
                assert tabs == LIGHT_TABS[username], (username, tabs)
            cases = [f"/cases/{pk}/" for pk in case_ids]
            try:
                visited, found = _walk(
                    page, [home, "/me/", "/notifications/", *cases], phone=label == "phone", cap=40
                )
            finally:
                context.close()
            print(username, label, visited)
            problems += [f"{username} {label} {p}" for p in found]
            assert len(visited) >= 5, (username, label, visited)
            if username != "volunteer":  # a liaison reads the case their agency is asked about
                assert any(re.fullmatch(r"/cases/\d+/", p) for p in visited), visited
    assert not problems, "\n" + "\n".join(problems)


def test_axe_is_not_served_to_users(client, cast):
    """axe-core is for the tests only: no page links it."""
    client.force_login(cast.grid_worker_a)
    for path in ("/queue/", "/me/", "/notifications/", "/cases/new/"):
        assert "axe" not in client.get(path).content.decode()
