"""`make run` itself on a fresh SQLite database, as a newcomer types it once the packages are
installed: the first page within two minutes, the demo year filling in behind the server with
its progress shown, a sign-in that works while it fills, and Ctrl-C stopping everything (the
seeder included) within 10 s with exit status 0 and no error line."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.processes import Terminal, free_port, newcomer_env

pytestmark = pytest.mark.slow


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _sign_in(base, username):
    """The sign-in form, as a browser posts it; returns the page it lands on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    html = opener.open(base + "/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": "demo-pass-2026"}
    request = urllib.request.Request(
        base + "/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": base + "/login/"},
    )
    with opener.open(request, timeout=60) as response:
        return response.status, response.geturl()


def test_make_run_answers_within_two_minutes_seeds_behind_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    # SQLite and the filesystem broker, as on a newcomer's machine.
    env = newcomer_env(
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "MEDIATION_DB",
        VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
    )
    # The packages are installed (the time counts from there): make does not look at them again.
    command = ["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", "run"]
    terminal = Terminal(command, env)
    output, pump = terminal.output, terminal.pump
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        first_page = None
        while time.monotonic() - started < 120:
            pump(0.5)
            if _status(base + "/login/") == 200:
                first_page = time.monotonic() - started
                break
        assert first_page is not None, f"no first page within 120 s:\n{terminal.text[-3000:]}"
        print(f"make run: first page after {first_page:.1f}s")

        # The demo year fills in behind the server, its progress shown in the terminal.
        while b"demo year: [" not in output and time.monotonic() - started < 240:
            pump(0.5)
        assert b"demo year: [" in output, terminal.text[-3000:]
        assert _sign_in(base, "county_officer") == (200, base + "/dashboard/")
        pump(0.5)
        assert re.search(rb"seed[^\n]*\|[^\n]*demo year: \[", bytes(output))  # its own line

        took = terminal.ctrl_c()
    finally:
        terminal.stop()  # after a failed check: leave nothing running behind the test
    terminal.assert_stopped_cleanly(took, "locked")
    assert re.search(r"seed stopped \(rc=(0|-15)\)", terminal.text)
    assert _status(base + "/login/") is None
