"""`make run` itself on a fresh SQLite database, as a newcomer types it once the packages are
installed: the first page within two minutes, the demo year filling in behind the server with
its progress shown, a sign-in that works while it fills, and Ctrl-C stopping everything (the
seeder included) within 10 s with exit status 0 and no error line."""

import http.cookiejar
import os
import pty
import re
import select
import signal
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def _stop_everything(pid, terminal, pump):
    """Ctrl-C to the terminal's foreground group (the process manager), reading the terminal
    meanwhile so that nothing blocks writing to it; then SIGKILL to whatever is left."""
    try:
        group = os.tcgetpgrp(terminal)
        os.killpg(group, signal.SIGINT)
    except OSError:
        group = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pump(0.2)
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
    if group is not None:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_make_run_answers_within_two_minutes_seeds_behind_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "PORT": str(port)}
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "MEDIATION_DB",
        "MAKEFLAGS",
        "MAKELEVEL",
    ):
        env.pop(name, None)  # SQLite and the filesystem broker, as on a newcomer's machine
    # The packages are installed (the time counts from there): make does not look at them again.
    command = ["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", "run"]
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execvpe("make", command, env)
    output = bytearray()
    status = took = None

    def pump(seconds):
        ready, _, _ = select.select([terminal], [], [], seconds)
        if ready:
            try:
                output.extend(os.read(terminal, 65536))
            except OSError:
                pass

    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        first_page = None
        while time.monotonic() - started < 120:
            pump(0.5)
            if _status(base + "/login/") == 200:
                first_page = time.monotonic() - started
                break
        text = output.decode(errors="replace")
        assert first_page is not None, f"no first page within 120 s:\n{text[-3000:]}"
        print(f"make run: first page after {first_page:.1f}s")

        # The demo year fills in behind the server, its progress shown in the terminal.
        while b"demo year: [" not in output and time.monotonic() - started < 240:
            pump(0.5)
        assert b"demo year: [" in output, output.decode(errors="replace")[-3000:]
        assert _sign_in(base, "county_officer") == (200, base + "/dashboard/")
        pump(0.5)
        assert re.search(rb"seed[^\n]*\|[^\n]*demo year: \[", bytes(output))  # its own line

        os.killpg(os.tcgetpgrp(terminal), signal.SIGINT)  # what Ctrl-C does
        asked = time.monotonic()
        while status is None and time.monotonic() - asked < 10:
            pump(0.2)
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(raw)
        took = time.monotonic() - asked
        for _ in range(10):
            pump(0.05)
    finally:
        if status is None:  # a failed check: leave nothing running behind the test
            _stop_everything(pid, terminal, pump)
    text = output.decode(errors="replace")
    assert status == 0, f"exit status {status} after {took:.1f}s:\n{text[-3000:]}"
    assert took < 10
    assert re.search(r"seed stopped \(rc=(0|-15)\)", text)
    for bad in ("Error", "Segmentation fault", "Traceback", "Interrupt", "locked"):
        assert bad not in text, text[-3000:]
    assert _status(base + "/login/") is None
