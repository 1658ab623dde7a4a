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


# What an operator puts in place of the placeholders (any keys of their own).
OWN_KEYS = {
    "SECRET_KEY": "k7Qm2v9Lx4Tb8Wn1Rc6Yp3Hs5Jd0Fg2Ua7Ze9Xo4Ki1Nl8Mv3Bq6Ct5Dr0Ew2Sy",
    "FIELD_ENCRYPTION_KEY": "q4bJ1oVw2m0T8y3sN5cR7uX9zA6dF1gH2jK4lP8eQ0I=",
}


def _env_example():
    env = env_example_values() | OWN_KEYS
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


def test_production_refuses_the_example_keys():
    for name in OWN_KEYS:
        env = _env_example()
        env[name] = env_example_values()[name]
        result = _manage("check", env=env)
        assert result.returncode != 0
        assert f"{name} still holds the example value" in result.stderr


def test_database_url_is_built_from_the_postgres_variables(monkeypatch):
    from config.settings import _postgres_url

    for name in ("POSTGRES_USER", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTGRES_PASSWORD", "p@ss/word")
    assert _postgres_url() == "postgresql://mediation:p%40ss%2Fword@postgres:5432/mediation"
    monkeypatch.setenv("POSTGRES_HOST", "db.internal")
    monkeypatch.setenv("POSTGRES_DB", "county")
    assert _postgres_url() == "postgresql://mediation:p%40ss%2Fword@db.internal:5432/county"
    monkeypatch.delenv("POSTGRES_PASSWORD")
    assert _postgres_url() is None
