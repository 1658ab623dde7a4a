"""`make run`'s embedded default: SQLite and the filesystem broker, no server at all.

The suite runs on PostgreSQL; this builds a month of the demo county on SQLite in a separate
process and reads the main pages and API lists as the demo accounts, so that a query only
PostgreSQL accepts cannot break the one-machine set-up unnoticed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

READ_EVERYTHING = """
import django, json
django.setup()
from django.test import Client
from accounts.models import User

paths = {
    "county_officer": ["/dashboard/", "/overdue/", "/overdue/?tab=supervised", "/cases/",
                       "/cases/?overdue=true", "/api/v1/cases/", "/api/v1/cases/?overdue=true",
                       "/api/v1/kpis/", "/api/v1/rankings/?level=town"],
    "town_officer": ["/dashboard/", "/inbox/", "/queue/", "/overdue/?tab=village", "/cases/"],
    "village_mediator": ["/queue/", "/cases/", "/api/v1/cases/?assignee=me"],
    "grid_worker": ["/cases/", "/cases/new/"],
}
seen = {}
for username, urls in paths.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    for url in urls:
        seen[f"{username} {url}"] = client.get(url).status_code
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_the_demo_runs_on_sqlite_with_the_filesystem_broker(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
    }

    def run(*args):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
        return result.stdout

    run("manage.py", "migrate", "--noinput", "-v0")
    out = run("manage.py", "seed_demo", "--months", "1")
    assert "KPI" in out
    import json

    statuses = json.loads(run("-c", READ_EVERYTHING).strip().splitlines()[-1])
    assert statuses and all(code == 200 for code in statuses.values()), statuses
