"""Screenshots of the main pages at phone (360×740) and desktop (1366×900) width, taken from a
running server with the demo data (`make run`, or `manage.py seed_demo` + `runserver`), signed in
as the demo accounts. Debian's Chromium, headless.

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000 --out docs/screenshots

The 404 page is left out here (a DEBUG server shows Django's technical page instead); the browser
test `tests/web/test_screenshots.py` takes it with SCREENSHOTS_DIR set.
"""

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 900}}
PASSWORD = "demo-pass-2026"

# (file name, account, path); "{case}" is a case from the mediator's queue, "{town}" the town
# officer's town.
PAGES = [
    ("login", None, "/login/"),
    ("queue", "village_mediator", "/queue/"),
    ("intake", "grid_worker", "/cases/new/"),
    ("case", "village_mediator", "/cases/{case}/"),
    ("inspection", "grid_worker", "/inspections/"),
    ("inbox", "town_officer", "/inbox/"),
    ("overdue", "town_officer", "/overdue/?tab=village"),
    ("town-dashboard", "town_officer", "/dashboard/?area={town}"),
    ("dashboard", "county_officer", "/dashboard/"),
    ("cases", "county_officer", "/cases/"),
    ("notifications", "town_officer", "/notifications/"),
    ("me", "grid_worker", "/me/"),
]


def sign_in(browser, base_url, username, viewport):
    context = browser.new_context(
        viewport=viewport, base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto("/login/")
    if username:
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/login/" in page.url:
            sys.exit(f"could not sign in as {username}: is the demo data loaded?")
    return page


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
        )
        pages = {}
        found = {}
        for name, account, path in PAGES:
            for label, viewport in VIEWPORTS.items():
                page = pages.get((account, label))
                if page is None:
                    page = pages[(account, label)] = sign_in(
                        browser, args.base_url, account, viewport
                    )
                if "{case}" in path and "case" not in found:
                    page.goto("/queue/")
                    href = page.locator('[data-testid="case-item"]').first.get_attribute("href")
                    found["case"] = re.search(r"/cases/(\d+)/", href).group(1)
                if "{town}" in path and "town" not in found:
                    page.goto("/dashboard/")
                    found["town"] = re.search(r"area=(\d+)", page.url + page.content()).group(1)
                response = page.goto(path.format(**found))
                if response.status != 200:
                    sys.exit(f"{path} answered {response.status}")
                if "dashboard" in name:
                    page.wait_for_selector('[data-testid="chart-trend"] canvas')
                    page.wait_for_timeout(400)
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=label == "desktop")
                print(target)
        browser.close()


if __name__ == "__main__":
    main()
