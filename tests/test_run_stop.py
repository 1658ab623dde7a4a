"""`make run`'s process manager (scripts/run.py over the Procfile): web, worker and beat start
together, and Ctrl-C stops all three within seconds, with exit status 0 and no error line;
`make` above it exits 0 too."""

import os
import re
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.processes import ROOT, Terminal, free_port, newcomer_env


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
    port = free_port()
    makefile = tmp_path / "Makefile"
    # As `make run` does once its database is migrated (seeding is left out: it is slow and
    # has tests of its own).
    makefile.write_text(
        f"run:\n\t@{sys.executable} {ROOT / 'manage.py'} migrate --noinput -v 0\n"
        f"\t@{sys.executable} {ROOT / 'scripts' / 'run.py'}\n"
    )
    # The filesystem broker, as on a newcomer's machine.
    env = newcomer_env(
        "REDIS_URL",
        "CELERY_BROKER_URL",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
        HOST="127.0.0.1",
        PORT=str(port),
    )
    terminal = Terminal(["make", "-f", str(makefile), "run"], env)
    try:
        deadline = time.monotonic() + 180
        web = False
        while time.monotonic() < deadline:
            terminal.pump(0.5)
            web = web or _answers(port)
            # The beat has started when its schedule file is open (Ctrl-C during its very first
            # moments is a different story: the process manager's, not this one).
            beat = any((tmp_path / "var").glob("celerybeat-schedule*"))
            output = terminal.output
            if web and b"ready." in output and b"beat: Starting" in output and beat:
                break
        else:
            pytest.fail("web, worker and beat did not start:\n" + terminal.text)
        children = [int(p) for p in re.findall(rb"started \(pid=(\d+)\)", bytes(terminal.output))]
        assert len(children) == 3
        took = terminal.ctrl_c()
    finally:
        terminal.stop()
    terminal.assert_stopped_cleanly(took)
    assert not [child for child in children if _alive(child)]
    assert _answers(port) is False
