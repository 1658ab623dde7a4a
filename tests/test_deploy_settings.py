"""`manage.py check --deploy` is clean under the production environment of .env.example."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def env_example_values():
    """The variables of .env.example as written."""
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


def _env_example():
    env = env_example_values()
    # No database server is needed for the checks; the example's host is docker-compose's.
    env["DATABASE_URL"] = "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3")
    env["PATH"] = "/usr/bin:/bin"
    return env


def _manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env if env is not None else _env_example(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_production_env():
    # Warnings fail too: every deployment (security.*), login-protection and API schema
    # (drf_spectacular) check passes.
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


@pytest.mark.slow
def test_api_schema_generates_without_warnings():
    result = _manage("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = _env_example()
    env.pop("SECRET_KEY")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
