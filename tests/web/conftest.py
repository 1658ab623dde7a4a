"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server, with the demo county loaded by `seed_demo`."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
DEMO_PASSWORD = "demo-pass-2026"
FONTS = Path(__file__).resolve().parents[2] / "mediation" / "fonts"


def _fontconfig(folder: Path) -> dict:
    """The browser's environment with the project's Chinese font (mediation/fonts) added to the
    system's, so pages and screenshots show 汉字 on a machine with no CJK font installed."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{FONTS}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/install-extras does)"
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(f"browser tests skipped: {message}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env=_fontconfig(tmp_path_factory.mktemp("fontconfig")),
        )
        yield browser
        browser.close()


def _seed_options():
    """Skip the generated year of cases when `seed_demo` can: the walk needs only the people."""
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["seed_demo"], "seed_demo")
    dests = {action.dest for action in command.create_parser("manage.py", "seed_demo")._actions}
    return {"no_cases": True} if "no_cases" in dests else {}


@pytest.fixture
def demo(transactional_db, settings):
    """The demo county and its accounts (areas, committees, people) as `seed_demo` makes them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    options = _seed_options()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet, **options)
    return True


@pytest.fixture
def sign_in(chromium, live_server, demo):
    """`sign_in(username, viewport)` → a Playwright page signed in as that demo account."""
    contexts = []

    def make(username, viewport=DESKTOP):
        context = chromium.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            base_url=live_server.url,
            is_mobile=viewport["width"] < 600,
            has_touch=viewport["width"] < 600,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not sign in"
        return page

    yield make
    for context in contexts:
        context.close()
