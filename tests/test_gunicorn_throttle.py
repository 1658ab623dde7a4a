"""The login throttle holds across gunicorn workers: the drill's first 429 came at request 58
against a limit of 30 (one count per worker's memory) and never with a forged X-Forwarded-For.
Two real workers, requests in parallel with a new forged header each, against the shared cache
of the deployment: Redis, and the database cache when there is none."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# A low limit keeps the test short: every attempt under it runs the Argon2 hasher.
LIMIT = 8
REQUESTS = 20


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgresql://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _post(url, index):
    body = json.dumps({"username": f"sprayed{index}", "password": "wrong"}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-For": f"10.{index}.{index}.{index}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn(transactional_db, on_postgres, tmp_path):
    """`start(redis_url)` → the base URL of two gunicorn workers on the test database."""
    processes = []

    def start(redis_url):
        port = _free_port()
        access = tmp_path / f"access-{port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "LOGIN_THROTTLE_RATE": f"{LIMIT}/hour",
            "VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--access-logfile",
                str(access),
                "--access-logformat",
                "%(p)s %(s)s",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("gunicorn did not start")
        return base, access

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def _cache_variants():
    variants = ["database"]
    if os.environ.get("REDIS_URL") or os.environ.get("REQUIRE_REDIS") == "1":
        variants.append("redis")
    return variants


@pytest.mark.parametrize("cache", _cache_variants())
def test_the_limit_holds_across_two_workers_and_forged_addresses(gunicorn, cache):
    redis_url = ""
    if cache == "redis":
        import redis

        redis_url = os.environ["REDIS_URL"]
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter("mediation:*throttle:login*"):
            client.delete(key)
    base, access = gunicorn(redis_url)
    url = base + "/api/v1/auth/token/"
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda i: _post(url, i), range(REQUESTS)))
    assert codes.count(400) == LIMIT, codes
    assert codes.count(429) == REQUESTS - LIMIT, codes
    served_by = {line.split()[0] for line in access.read_text().splitlines() if line.strip()}
    assert len(served_by) == 2, "both workers must have answered"
