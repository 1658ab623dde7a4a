"""Two `make test` runs at once on one machine: each gets a PostgreSQL database and a Redis
database of its own, both pass, and both databases are gone afterwards."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# A small module that writes to the database (a token, roles, areas) and reads it back.
SMALL = "tests/accounts/test_smoke.py"


def _database_names():
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        return {row[0] for row in c.execute("SELECT datname FROM pg_database")}


def test_two_make_test_runs_at_once_both_pass_on_databases_of_their_own(on_postgres):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis, as `make test` finds it")
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "REDIS_DB",
        "MEDIATION_DB",
        "MAKEFLAGS",
        "MAKELEVEL",
        "PYTEST_ADDOPTS",
        "PYTEST_CURRENT_TEST",
    ):
        env.pop(name, None)  # as typed in a fresh shell, not as this run's child
    command = ["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", "test"]
    runs = [
        subprocess.Popen(
            [*command, f"PYTEST_ARGS={SMALL} -p no:cacheprovider"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
        assert "1 passed" in output, output[-3000:]
    databases = [re.search(r"make test: database \S+/(\S+)", o).group(1) for o in outputs]
    redis = [re.search(r"make test: redis (\S+)", o).group(1) for o in outputs]
    assert databases[0] != databases[1]
    assert redis[0] != redis[1]
    # Dropped at the end, with pytest's test_ copy.
    left = _database_names()
    for name in databases:
        assert name not in left and f"test_{name}" not in left
