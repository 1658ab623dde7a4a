"""docker-compose.yml is the production stack the README's deploy section describes: the services,
their order of start, health checks, volumes and settings, and every `docker compose` command of
the README (backup and restore included) names what the file defines. Static: no Docker here."""

import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.test_deploy_settings import _env_example, env_example_values

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
WORKERS = ["worker", "worker-outbox", "worker-reports"]
APP = ["migrate", "web", *WORKERS, "beat"]
LONG_RUNNING = ["postgres", "postgres-replica", "redis", "web", *WORKERS, "beat"]
MEDIA_ROOT = "/var/lib/mediation/media"


def _deploy_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Deploying with docker-compose\n(.*?)^## ", text, re.S | re.M)
    assert match, "README has no '## Deploying with docker-compose' section"
    return match.group(1)


def _readme_commands():
    """Every `docker compose ...` of the deploy section, from code blocks and inline code, as
    (tokens after `docker compose`, the line's comment)."""
    section = _deploy_section()
    lines = re.findall(r"^docker compose .*$", section, re.M)
    lines += re.findall(r"`(docker compose [^`]*)`", section)
    commands = []
    for line in lines:
        command, _, comment = line.partition(" # ")
        # The shell's redirections end the compose command's own words.
        command = re.split(r"\s[<>]\s", command)[0]
        commands.append((shlex.split(command)[2:], comment.strip()))
    assert commands
    return commands


# Options that take a value, per subcommand (so the value is not read as a service).
VALUED = {
    "run": {
        "-v",
        "--volume",
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--name",
        "--entrypoint",
        "-p",
        "--publish",
        "-l",
        "--label",
    },
    "exec": {"-u", "--user", "-w", "--workdir", "-e", "--env", "--index"},
    "up": {"--scale", "-t", "--timeout", "--wait-timeout"},
}


def _parse(words):
    """(subcommand, options as {name: [values]}, services, the command run inside)."""
    sub, rest = words[0], words[1:]
    options, positional = {}, []
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("-") and not positional:
            name, eq, value = word.partition("=")
            if name in VALUED.get(sub, ()) and not eq:
                i += 1
                value = rest[i]
            options.setdefault(name, []).append(value)
        else:
            positional.append(word)
        i += 1
    if sub in {"run", "exec"}:
        return sub, options, positional[:1], positional[1:]
    return sub, options, positional, []


def _volume(service, name):
    """Where the named volume is mounted in the service, or None."""
    for mount in SERVICES[service].get("volumes", []):
        source, _, target = mount.partition(":")
        if source == name:
            return target.split(":")[0]
    return None


def test_the_stack_has_the_services_the_readme_names():
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(SERVICES)
    (up,) = [
        comment for words, comment in _readme_commands() if words[:2] == ["up", "-d"] and comment
    ]
    named = {re.sub(r"\s*\(.*\)", "", name).strip() for name in up.split(",")}
    assert named == set(SERVICES)


def test_beat_runs_exactly_once():
    beat = SERVICES["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat and "container_name" not in beat
    for words, _comment in _readme_commands():
        sub, options, _services, _inside = _parse(words)
        for scale in options.get("--scale", []):
            service = scale.split("=")[0]
            assert service in SERVICES, scale
            assert service != "beat", "the README must never scale beat"
            # A fixed host port cannot be bound by two containers.
            assert not SERVICES[service].get("ports"), f"{service} publishes a port: {scale}"


@pytest.mark.parametrize("service", ["web", *WORKERS, "beat"])
def test_app_services_start_after_migrate_and_healthy_database_and_broker(service):
    assert SERVICES[service]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_migrate_runs_once_on_a_healthy_database():
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["command"][:3] == ["python", "manage.py", "migrate"]
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(service):
    check = SERVICES[service].get("healthcheck")
    assert check and check["test"][0] in {"CMD", "CMD-SHELL"}, service
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_celery_healthchecks_ping_their_own_node():
    beat = SERVICES["beat"]["healthcheck"]["test"][1]
    for worker in WORKERS:
        assert "inspect ping -d celery@$$HOSTNAME" in SERVICES[worker]["healthcheck"]["test"][1]
    # Beat answers ping only with remote control on, as celerybeat@<host>.
    assert "--enable-remote-control" in SERVICES["beat"]["command"]
    assert "inspect ping -d celerybeat@$$HOSTNAME" in beat


@pytest.mark.slow
def test_web_healthcheck_is_answered_under_the_production_env():
    test = SERVICES["web"]["healthcheck"]["test"]
    url = urlsplit(test[-1])
    headers = {
        "HTTP_" + name.strip().upper().replace("-", "_"): value.strip()
        for flag, header in zip(test[:-1], test[1:], strict=True)
        if flag == "-H"
        for name, value in [header.split(":", 1)]
    }
    env = _env_example()
    assert url.hostname in env["ALLOWED_HOSTS"].split(",")
    # No broker server here: the filesystem broker stands in for redis.
    env.pop("REDIS_URL")
    # A beat that has ticked (its heartbeat in the database cache), as in the running stack.
    script = (
        "import time, django; django.setup(); from django.test import Client; "
        "from django.core.management import call_command; from django.core.cache import cache; "
        "call_command('createcachetable'); cache.set('beat:last-tick', time.time()); "
        f"print(Client().get({url.path!r}, HTTP_HOST={url.netloc!r}, **{headers!r}).status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1:] == ["200"], result.stdout + result.stderr


def test_named_volumes_keep_the_database_and_the_uploads():
    assert {"pgdata", "media"} <= set(COMPOSE["volumes"])
    assert _volume("postgres", "pgdata") == "/var/lib/postgresql/data"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"MEDIA_ROOT={MEDIA_ROOT}" in dockerfile
    for service in APP:
        assert _volume(service, "media") == MEDIA_ROOT, service


def _database_url_from(env, name="DATABASE_URL"):
    """The DATABASE_URL (or another URL setting) the settings build from these variables."""
    script = f"from config.settings import {name}; print({name})"
    clean = {k: v for k, v in _env_example().items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **clean, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_app_services_read_dot_env_and_it_matches_the_database_service():
    for service in APP:
        assert SERVICES[service]["env_file"] == ".env", service
    env = env_example_values()
    postgres = SERVICES["postgres"]["environment"]
    # The password is written once: DATABASE_URL is built from POSTGRES_PASSWORD.
    assert "DATABASE_URL" not in env
    database = urlsplit(_database_url_from(env))
    assert database.hostname == "postgres"
    assert database.username == postgres["POSTGRES_USER"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert database.password == env["POSTGRES_PASSWORD"]
    assert "${POSTGRES_PASSWORD" in postgres["POSTGRES_PASSWORD"]
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"


def test_every_readme_compose_command_names_services_of_the_file():
    for words, _comment in _readme_commands():
        sub, _options, services, _inside = _parse(words)
        assert sub in {"build", "up", "run", "exec", "stop", "start", "restart", "logs"}, words
        if sub in {"run", "exec"}:
            assert services, words
        for service in services:
            assert service in SERVICES, f"{' '.join(words)}: no service {service!r}"


def test_backup_and_restore_use_the_database_service_and_the_media_volume():
    postgres = SERVICES["postgres"]["environment"]
    section = _deploy_section()
    for volume in ("pgdata", "media"):
        assert f"`{volume}`" in section and f"`{COMPOSE['name']}_{volume}`" in section
    dumps = tars = 0
    for words, _comment in _readme_commands():
        sub, options, services, inside = _parse(words)
        if inside[:1] in (["pg_dump"], ["pg_restore"]):
            dumps += 1
            assert (sub, services) == ("exec", ["postgres"]), words
            assert inside[inside.index("-U") + 1] == postgres["POSTGRES_USER"]
            database = inside[inside.index("-d") + 1] if "-d" in inside else inside[-1]
            assert database == postgres["POSTGRES_DB"]
        if inside[:1] == ["tar"]:
            tars += 1
            assert sub == "run" and "--no-deps" in options, words
            # The archive holds media/ relative to -C: the volume's mount in the service.
            directory = inside[inside.index("-C") + 1]
            assert _volume(services[0], "media") == f"{directory}/media", words
            assert any(v.endswith(":/backup") for v in options["-v"]), words
    assert dumps == 2 and tars == 2


def test_every_queue_has_a_worker_service_and_every_worker_a_queue():
    from config.celery import QUEUES

    consumed = []
    for worker in WORKERS:
        command = SERVICES[worker]["command"]
        consumed += command[command.index("-Q") + 1].split(",")
    assert sorted(consumed) == sorted(QUEUES)


def test_the_replica_is_built_from_the_primary_and_the_app_reads_from_it():
    replica = SERVICES["postgres-replica"]
    script = replica["command"][-1]
    assert "pg_basebackup -h postgres" in script and " -R " in script
    assert replica["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert _volume("postgres-replica", "pgreplica") == "/var/lib/postgresql/data"
    mounts = SERVICES["postgres"]["volumes"]
    assert any(m.endswith("/docker-entrypoint-initdb.d/replication.sh:ro") for m in mounts)
    hba = (ROOT / "deploy" / "postgres-replication.sh").read_text(encoding="utf-8")
    assert "host replication $POSTGRES_USER" in hba
    env = env_example_values()
    # Written once: the replica's URL is built from POSTGRES_* and POSTGRES_REPLICA_HOST.
    assert "DATABASE_REPLICA_URL" not in env
    url = urlsplit(_database_url_from(env, "DATABASE_REPLICA_URL"))
    assert url.password == env["POSTGRES_PASSWORD"]
    assert url.hostname == "postgres-replica"
    assert url.path == urlsplit(_database_url_from(env)).path
