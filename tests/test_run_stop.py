"""`make run`'s process manager (scripts/run.py over the Procfile): web, worker and beat start
together, and Ctrl-C stops all three within seconds, with exit status 0 and no error line;
`make` above it exits 0 too."""

import os
import pty
import re
import select
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except urllib.error.HTTPError:
        return True  # an answer all the same
    except OSError:
        return False
    return True


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_web_worker_and_beat_within_seconds_with_status_zero(tmp_path):
    port = _free_port()
    makefile = tmp_path / "Makefile"
    # As `make run` does once its database is migrated (seeding is left out: it is slow and
    # has tests of its own).
    makefile.write_text(
        f"run:\n\t@{sys.executable} {ROOT / 'manage.py'} migrate --noinput -v 0\n"
        f"\t@{sys.executable} {ROOT / 'scripts' / 'run.py'}\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)  # the filesystem broker, as on a newcomer's machine
    pid, terminal = pty.fork()
    if pid == 0:  # the child: `make run` on a terminal of its own
        os.chdir(ROOT)
        os.execvpe("make", ["make", "-f", str(makefile), "run"], env)
    output = bytearray()
    status = None

    def pump(seconds):
        ready, _, _ = select.select([terminal], [], [], seconds)
        if ready:
            try:
                output.extend(os.read(terminal, 65536))
            except OSError:
                pass

    try:
        deadline = time.monotonic() + 180
        web = False
        while time.monotonic() < deadline:
            pump(0.5)
            web = web or _answers(port)
            # The beat has started when its schedule file is open (Ctrl-C during its very first
            # moments is a different story: the process manager's, not this one).
            beat = any((tmp_path / "var").glob("celerybeat-schedule*"))
            if web and b"ready." in output and b"beat: Starting" in output and beat:
                break
        else:
            pytest.fail("web, worker and beat did not start:\n" + output.decode(errors="replace"))
        children = [int(p) for p in re.findall(rb"started \(pid=(\d+)\)", bytes(output))]
        assert len(children) == 3

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
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert status == 0, f"exit status {status} after {took:.1f}s:\n{text[-3000:]}"
    assert took < 10
    for bad in ("Error", "Segmentation fault", "Traceback", "Interrupt"):
        assert bad not in text, text[-3000:]
    assert not [child for child in children if _alive(child)]
    assert _answers(port) is False
