"""The Content-Security-Policy in a real Chromium: every main page of every workbench, the
dashboard's ECharts charts, the sign-in, 404 and admin pages and both API docs work under it
with no violation reported on the console, and nothing is fetched from another host."""

from urllib.parse import urlsplit

import pytest

from cases import services

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

PAGES = {
    "county_officer": ["/dashboard/", "/cases/", "/overdue/", "/notifications/", "/cases/{case}/"],
    "town_officer": ["/inbox/", "/cases/", "/dashboard/", "/cases/{case}/"],
    "village_mediator": ["/queue/", "/cases/{case}/", "/cases/"],
    "grid_worker": ["/queue/", "/cases/new/", "/inspections/", "/no-such-page/"],
}


def _watch(page, live_server, problems):
    host = urlsplit(live_server.url).netloc
    page.context.add_init_script(WATCH)
    # A failed load is judged by the response listener below (documents by _visit).
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if (msg.type == "error" and not msg.text.startswith("Failed to load resource"))
            or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "request",
        lambda request: (
            problems.append(f"outside request: {request.url}")
            if urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != host
            else None
        ),
    )


def _visit(page, path, problems):
    response = page.goto(path)
    expected = 404 if path == "/no-such-page/" else 200
    if response.status != expected:
        problems.append(f"{path}: {response.status}")
    page.wait_for_load_state("networkidle")
    for violation in page.evaluate("window.__csp || []"):
        problems.append(f"{path}: CSP violation {violation}")


def _a_case():
    from accounts.models import User
    from grids.models import Area

    worker = User.objects.get(username="grid_worker")
    grid = Area.objects.get(pk=worker.roles.get().area_id)
    return services.case_report(
        actor=worker,
        title="浏览器安全策略测试纠纷",
        facts="两户因院墙位置发生争执。",
        category="housing_homestead",
        source="grid_inspection",
        area=grid,
        risk="green",
        parties=[
            {"name": "张三", "role": "applicant", "phone": "13800000001"},
            {"name": "李四", "role": "respondent"},
        ],
    )


def test_every_main_page_runs_under_the_csp_without_a_violation(sign_in, live_server, chromium):
    case = _a_case()
    problems = []
    for username, paths in PAGES.items():
        page = sign_in(username, DESKTOP)
        _watch(page, live_server, problems)
        for path in paths:
            _visit(page, path.format(case=case.pk), problems)
        if "/dashboard/" in paths:
            _visit(page, "/dashboard/", problems)
            canvases = page.locator("#chart-trend canvas").count()
            assert canvases == 1, f"{username}: ECharts did not draw under the CSP"
    assert not problems, "\n".join(problems)


def test_sign_in_admin_and_api_docs_run_under_the_csp(live_server, chromium, demo):
    problems = []
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    _watch(page, live_server, problems)
    for path in ("/login/", "/admin/login/", "/api/redoc/", "/api/docs/"):
        _visit(page, path, problems)
    page.goto("/api/redoc/")
    page.wait_for_selector("redoc h1, .api-info h1, [role=navigation]", timeout=30_000)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    context.close()
    assert not problems, "\n".join(problems)
