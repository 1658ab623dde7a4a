"""The read replica, against a real PostgreSQL streaming replica (`make replica`; `.ci/run` starts
one and requires these tests): which reads go to it, read-your-writes, a lagging or stopped
replica skipped with /healthz saying so, and no write ever sent to it.

Under test the replica alias mirrors the primary's test database (TEST MIRROR), so a page reads
the rows a test committed on the primary through the real replica connection once they have
streamed across."""

import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import InternalError

from accounts.models import AuditEntry
from cases.models import Case
from config import db_router
from tests.sweep.conftest import report

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, db_router.REPLICA]),
]


@pytest.fixture(autouse=True)
def replica(on_postgres, settings):
    """A configured, caught-up replica, with a fresh health check for each test."""
    if db_router.REPLICA not in settings.DATABASES:
        if os.environ.get("REQUIRE_REPLICA") == "1":
            pytest.fail("REQUIRE_REPLICA=1 but DATABASE_REPLICA_URL is not set")
        pytest.skip(
            "needs a streaming replica: `make replica`, then set DATABASE_REPLICA_URL "
            "(scripts/replica.sh url <database>)"
        )
    settings.REPLICA_READS = True
    wait_replayed()
    assert db_router.replica_state(refresh=True).usable
    yield
    db_router.replica_state(refresh=True)


def _primary_lsn():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def wait_replayed(timeout=30.0):
    """Until the replica has replayed everything the primary has written so far."""
    lsn = _primary_lsn()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [lsn])
            if cursor.fetchone()[0] <= 0:
                return
        time.sleep(0.05)
    pytest.fail(f"the replica did not replay up to {lsn} in {timeout} s")


class Served:
    """The SQL each database received."""

    def __init__(self):
        self.replica, self.primary = [], []


@contextmanager
def served():
    """Record the statements sent to each database (without connecting to either)."""
    log = Served()

    def recorder(statements):
        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        return record

    with (
        connections[db_router.REPLICA].execute_wrapper(recorder(log.replica)),
        connections[DEFAULT_DB_ALIAS].execute_wrapper(recorder(log.primary)),
    ):
        yield log


def _touches(statements, table):
    return [sql for sql in statements if f'"{table}"' in sql]


def _web(client, user):
    client.force_login(user)
    return client


# ---------------------------------------------------------------- routing


def test_county_reads_of_other_peoples_work_come_from_the_replica(cast, client, api):
    from assessment.periods import parse_period
    from assessment.services import snapshot_period

    case = report(cast)
    # The nightly roll-up, on the primary: the month and what the dashboard sets beside it
    # (the twelve months of its trend, the same month a year ago, the year).
    months = [f"2026-{m:02d}" for m in range(1, 12)] + ["2025-11", "2025-12"]
    for key in [*months, "2026"]:
        snapshot_period(parse_period(key))
    wait_replayed()
    a = cast.areas
    web = _web(client, cast.county_officer)
    county = api(cast.county_officer)
    reads = [
        (web, "/cases/", {}),
        (web, "/dashboard/", {}),
        (web, "/overdue/", {}),
        (county, "/api/v1/cases/", {}),
        (county, "/api/v1/cases/export.xlsx", {}),
        (county, "/api/v1/kpis/", {"area": a.county.id, "period": "2026-11"}),
        (county, "/api/v1/rankings/", {"area": a.county.id, "level": "town", "period": "2026-11"}),
    ]
    for reader, path, params in reads:
        with served() as log:
            response = reader.get(path, params)
        assert response.status_code == 200, (path, response.content[:300])
        assert log.replica, f"{path} sent nothing to the replica"
        assert not _touches(log.primary, "cases_case"), (path, log.primary)
    # The list shows the case, read from the replica.
    with served() as log:
        listed = county.get("/api/v1/cases/").json()["results"]
    assert [row["id"] for row in listed] == [case.id]
    assert _touches(log.replica, "cases_case")
    # The export's audit record is a write: it went to the primary.
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT).exists()


def test_a_case_page_and_who_may_see_what_are_read_from_the_primary(cast, client, api):
    case = report(cast)
    wait_replayed()
    with served() as log:
        assert _web(client, cast.county_officer).get(f"/cases/{case.id}/").status_code == 200
        assert api(cast.county_officer).get(f"/api/v1/cases/{case.id}/").status_code == 200
    assert log.replica == []
    # On a replica page, the user's roles (scope) are still read on the primary.
    from accounts.models import User

    fresh = User.objects.get(pk=cast.county_officer.pk)  # no scope cached on the object
    with served() as log:
        assert api(fresh).get("/api/v1/cases/").status_code == 200
    assert _touches(log.primary, "accounts_role")
    assert not _touches(log.replica, "accounts_role")


def test_code_outside_a_request_reads_from_the_replica_only_when_it_asks(cast):
    report(cast)
    wait_replayed()
    router = db_router.ReplicaRouter()
    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS
    with db_router.replica_reads():
        assert router.db_for_read(Case) == db_router.REPLICA
        assert Case.objects.count() == 1
        # Users and roles never; a write never; a read inside a primary transaction never.
        from accounts.models import Role, User

        assert router.db_for_read(User) == router.db_for_read(Role) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
        from django.db import transaction

        with transaction.atomic():
            assert router.db_for_read(Case) == DEFAULT_DB_ALIAS
        with db_router.primary_reads():
            assert router.db_for_read(Case) == DEFAULT_DB_ALIAS


# ---------------------------------------------------------------- read-your-writes


INTAKE = {
    "title": "邻里排水纠纷",
    "facts": "雨季排水流入邻家院内。",
    "category": "neighbour",
    "source": "walk_in",
    "parties": [{"name": "王五", "role": "applicant"}, {"name": "赵六", "role": "respondent"}],
}


def test_a_user_who_has_just_written_reads_from_the_primary_and_others_from_the_replica(
    cast, api, client
):
    worker = api(cast.grid_worker_a)
    created = worker.post(
        "/api/v1/cases/", {**INTAKE, "area": cast.areas.grid_a1.id}, format="json"
    )
    assert created.status_code == 201, created.content
    assert db_router.PIN_COOKIE in created.cookies
    new_id = created.json()["id"]
    # Straight after the write, even if the replica has not replayed it: the primary.
    with served() as log:
        listed = worker.get("/api/v1/cases/").json()["results"]
    assert new_id in [row["id"] for row in listed]
    assert log.replica == []
    # An API client without cookies is known by its user: still the primary.
    worker.cookies.clear()
    with served() as log:
        assert worker.get("/api/v1/cases/").status_code == 200
    assert log.replica == []
    # Someone else, who wrote nothing, reads the same list from the replica.
    wait_replayed()
    with served() as log:
        listed = api(cast.county_officer).get("/api/v1/cases/").json()["results"]
    assert new_id in [row["id"] for row in listed]
    assert _touches(log.replica, "cases_case")


def test_the_pin_ends_after_its_seconds_and_a_refused_write_sets_none(cast, api, settings):
    settings.REPLICA_PIN_SECONDS = 1
    officer = api(cast.county_officer)
    refused = officer.post("/api/v1/cases/", {"title": ""}, format="json")
    assert refused.status_code == 400
    assert db_router.PIN_COOKIE not in refused.cookies
    with served() as log:
        officer.get("/api/v1/cases/")
    assert log.replica, "a refused write changed nothing, so nothing to read back"

    browser = api(cast.grid_worker_a)
    created = browser.post(
        "/api/v1/cases/", {**INTAKE, "area": cast.areas.grid_a1.id}, format="json"
    )
    assert created.status_code == 201
    with served() as log:
        browser.get("/api/v1/cases/")
    assert log.replica == []
    time.sleep(1.2)
    wait_replayed()
    with served() as log:
        browser.get("/api/v1/cases/")
    assert log.replica, "still pinned after REPLICA_PIN_SECONDS"


# ---------------------------------------------------------------- lag and failure


@contextmanager
def replay_paused():
    with connections[db_router.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def beat_ticking():
    """A beat that has just ticked, so /healthz answers on the replica alone."""
    from django.core.cache import cache

    from config.celery import BEAT_HEARTBEAT_KEY

    cache.set(BEAT_HEARTBEAT_KEY, time.time())


def test_a_replica_lagging_past_the_bound_is_skipped_and_healthz_says_so(
    cast, api, client, settings, beat_ticking
):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    with replay_paused():
        case = report(cast)  # committed on the primary, not replayed on the replica
        time.sleep(1.5)
        state = db_router.replica_state(refresh=True)
        assert not state.usable and state.behind_bytes > 0 and state.lag_seconds > 1
        with served() as log:
            listed = api(cast.county_officer).get("/api/v1/cases/").json()["results"]
        assert [row["id"] for row in listed] == [case.id]
        assert log.replica == []
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.json()["replica"].startswith("lagging")
    wait_replayed()
    assert db_router.replica_state(refresh=True).usable
    assert client.get("/healthz").json()["replica"].startswith("ok")


def _replica_script(command):
    db = settings.DATABASES[db_router.REPLICA]
    env = {**os.environ, "REPLICA_PORT": str(db["PORT"] or 5433)}
    subprocess.run(
        [str(ROOT / "scripts" / "replica.sh"), command], env=env, check=True, capture_output=True
    )


def test_a_stopped_replica_is_skipped_and_its_reads_answered_by_the_primary(
    cast, api, client, monkeypatch, beat_ticking
):
    # Between two checks: the replica stops after one said it was usable.
    monkeypatch.setattr(db_router, "CHECK_SECONDS", 600.0)
    case = report(cast)
    wait_replayed()
    county = api(cast.county_officer)
    assert county.get("/api/v1/cases/").status_code == 200  # a live replica connection
    assert db_router.replica_state().usable

    _replica_script("stop")
    try:
        # The last check said usable: the request fails on the replica and is answered again
        # from the primary.
        assert db_router.replica_state().usable
        with served() as log:
            response = county.get("/api/v1/cases/")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [case.id]
        assert _touches(log.primary, "cases_case")
        # From then on, the replica is skipped without trying it.
        assert not db_router.replica_state().usable
        with served() as log:
            assert _web(client, cast.county_officer).get("/dashboard/").status_code == 200
        assert log.replica == []
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.json()["replica"].startswith("down")
    finally:
        _replica_script("start")
        connections[db_router.REPLICA].close()
        wait_replayed(timeout=60)
    assert db_router.replica_state(refresh=True).usable


# ---------------------------------------------------------------- never a write


def test_no_write_is_ever_sent_to_the_replica(cast, api, client):
    a = cast.areas
    worker, officer = api(cast.grid_worker_a), api(cast.village_officer_a)
    county = api(cast.county_officer)
    web = _web(client, cast.county_officer)
    with served() as log:
        created = worker.post("/api/v1/cases/", {**INTAKE, "area": a.grid_a1.id}, format="json")
        assert created.status_code == 201
        case_id = created.json()["id"]
        assigned = officer.post(
            f"/api/v1/cases/{case_id}/assign/",
            {"assignee": cast.village_mediator_a.id},
            format="json",
        )
        assert assigned.status_code == 200, assigned.content
        wait_replayed()
        for path, params in [
            ("/api/v1/cases/", {}),
            ("/api/v1/cases/export.xlsx", {}),
            ("/api/v1/kpis/", {"area": a.county.id, "period": "2026-11"}),
            ("/api/v1/kpis/export.xlsx", {"area": a.county.id, "period": "2026-11"}),
        ]:
            assert county.get(path, params).status_code == 200, path
            wait_replayed()
        assert web.get("/dashboard/").status_code == 200
        assert web.get("/cases/").status_code == 200
    assert log.replica, "the flow read nothing from the replica"
    verbs = {sql.lstrip("(").split(None, 1)[0].upper() for sql in log.replica}
    assert verbs <= {"SELECT", "WITH"}, verbs
    # And the replica would refuse one: it is a read-only standby.
    with pytest.raises(InternalError, match="read-only"):
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute("UPDATE cases_case SET title = 'x'")


def test_with_the_cache_down_a_user_of_unknown_writes_reads_from_the_primary(
    cast, api, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(db_router.cache, "get", down)
    monkeypatch.setattr(db_router.cache, "set", down)
    officer = api(cast.county_officer)
    officer.cookies.clear()
    with served() as log:
        assert officer.get("/api/v1/cases/").status_code == 200
    assert log.replica == []
    # Writing still works, and still pins the browser by its cookie.
    created = api(cast.grid_worker_a).post(
        "/api/v1/cases/", {**INTAKE, "area": cast.areas.grid_a1.id}, format="json"
    )
    assert created.status_code == 201 and db_router.PIN_COOKIE in created.cookies
