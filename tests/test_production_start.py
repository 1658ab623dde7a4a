"""Production starts and works, or refuses loudly: pages render with DEBUG off and no
node_modules, the beat starts in a fresh clone with REDIS_URL set (nothing made var/ for it),
and /healthz says when the beat has stopped ticking."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.celery import BEAT_HEARTBEAT_KEY
from tests.test_deploy_settings import _env_example

ROOT = Path(__file__).resolve().parent.parent


def test_pages_work_with_debug_off_and_no_node_modules(tmp_path):
    env = {
        **_env_example(),
        "NODE_MODULES": str(tmp_path / "no-node-modules"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL")
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    script = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "h = {'HTTP_HOST': 'localhost', 'secure': True}; "
        "login = c.get('/login/', **h); missing = c.get('/no-such-page/', **h); "
        "print(login.status_code, missing.status_code); "
        "print('htmx' in login.content.decode(), 'js/app.' in login.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["200", "404", "False", "True"], result.stderr[-3000:]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but REDIS_URL is not set")
        pytest.skip("needs Redis; run `make test` with Redis reachable")
    return url


def test_the_beat_starts_in_a_fresh_clone_with_redis_and_says_it_ticks(tmp_path, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    heartbeat = f"mediation:1:{BEAT_HEARTBEAT_KEY}"
    client.delete(heartbeat)
    var = tmp_path / "fresh-clone" / "var"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        # Nothing needs the broker here: the beat's nudges go nowhere.
        "CELERY_BROKER_URL": "memory://",
        "VAR_DIR": str(var),
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    assert not var.exists()
    beat = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "beat", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(120):
            if client.get(heartbeat) is not None or beat.poll() is not None:
                break
            time.sleep(0.5)
        alive = beat.poll() is None
    finally:
        beat.terminate()
        output = beat.communicate(timeout=30)[0]
    assert alive, output[-3000:]
    assert client.get(heartbeat) is not None, output[-3000:]
    assert list(var.glob("celerybeat-schedule*")), output[-3000:]
    client.delete(heartbeat)


def test_healthz_reports_a_beat_that_has_not_ticked_for_three_minutes(client, db):
    from django.core.cache import cache

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "error: no tick recorded"
    cache.set(BEAT_HEARTBEAT_KEY, time.time() - 181)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["beat"].startswith("error: last tick 18")
    cache.set(BEAT_HEARTBEAT_KEY, time.time() - 20)
    response = client.get("/healthz")
    assert response.json()["beat"] == "ok"
    assert response.status_code == 200, response.json()
