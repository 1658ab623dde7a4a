"""The benchmark's replica figures: which server bench/run.py accepts as the replica of a size's
database, and the rows they make in the report (a size without a replica says why)."""

import json
import socket
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from bench import replica, run
from config import db_router

ROOT = Path(__file__).resolve().parent.parent


def _dsn(settings_dict, name=None, port=None):
    user = settings_dict["USER"]
    if settings_dict.get("PASSWORD"):
        user += f":{settings_dict['PASSWORD']}"
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgresql://{user}@{host}:{port or settings_dict['PORT'] or 5432}/{name or settings_dict['NAME']}"


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_server_that_is_not_a_streaming_standby_of_the_database_is_not_measured(on_postgres, db):
    primary = _dsn(connections[DEFAULT_DB_ALIAS].settings_dict)
    assert replica.unusable(primary, primary).endswith("is not a standby")
    port = _closed_port()
    elsewhere = _dsn(connections[DEFAULT_DB_ALIAS].settings_dict, port=port)
    assert replica.unusable(primary, elsewhere) == f"nothing answers at 127.0.0.1:{port}"


@pytest.mark.replica
def test_the_streaming_replica_of_the_test_cluster_is_measured(on_postgres, db):
    if db_router.REPLICA not in connections.settings:
        pytest.skip("needs a streaming replica: `make replica`, then set DATABASE_REPLICA_URL")
    primary = _dsn(connections[DEFAULT_DB_ALIAS].settings_dict)
    standby = connections[db_router.REPLICA].settings_dict
    assert replica.unusable(primary, _dsn(standby)) is None
    missing = _dsn(standby, name="no_such_bench_database")
    assert replica.unusable(primary, missing).startswith("no_such_bench_database is not on ")


def _measured():
    def reads(p50, p95):
        return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p95, "requests": 40}

    return {
        "replica_health": "ok (lag 0.00 s, 0 bytes)",
        "replica_health_after": "ok (lag 0.01 s, 120 bytes)",
        "list_replica": reads(21.5, 40.0),
        "dashboard_replica": reads(250.0, 350.0),
        "intake_under_replication": {"throughput_rps": 24.2, "p95_ms": 60.0},
        "wal_bytes_per_s": 512 * 1024,
        "replica_lag_ms": {"n": 243, "p50": 0.18, "p95": 3.5, "p99": 5.4, "max": 6.2},
        "replica_behind_bytes": {"n": 243, "p50": 0, "p95": 8200, "p99": 12000, "max": 14920},
        "list_primary": reads(20.0, 30.0),
        "dashboard_primary": reads(180.0, 280.0),
    }


def test_the_report_reads_the_replica_beside_the_primary_and_says_why_a_size_has_none():
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))[:2]
    for result in results:
        result["yardstick"] = {
            "y_ms": 100.0,
            "python_ms": 40.0,
            "sql_ms": 60.0,
            "start": {"y_ms": 100.0},
            "end": {"y_ms": 100.0},
        }
    results[0]["replica"] = _measured()
    results[1]["replica"] = {"skipped": "127.0.0.1:5433 is a standby of another cluster"}
    lines = run.markdown(results).splitlines()

    def cells(start):
        line = next(line for line in lines if line.startswith(f"| {start}"))
        return line.strip("| ").split(" | ")[1:]

    target, measured, absent = cells("case list API (county_officer), read from the replica, p95")
    assert target == "≤ 50 ms"
    assert measured == "40.0 ms PASS (0.4 Y)"
    assert absent == "no replica (127.0.0.1:5433 is a standby of another cluster)"
    assert cells("case list API (county_officer), read from the primary, p50")[1] == (
        "20.0 ms (0.2 Y)"
    )
    assert cells("county dashboard, read from the replica, p95")[:2] == [
        "≤ 300 ms",
        "350.0 ms FAIL (3.5 Y)",
    ]
    assert cells("county dashboard, read from the primary, p95")[1] == "280.0 ms PASS (2.8 Y)"
    assert cells("replica lag under the intake load")[1] == "0.18 ms (0.0018 Y)"
    assert (
        cells("replica lag under the intake load (a commit until the replica has replayed it) max")[
            1
        ]
        == "6.2 ms (0.062 Y)"
    )
    assert cells("write rate during the lag measurement")[1] == "24.2 req/s, 512 KiB/s"
    assert cells("replica behind the primary")[1] == "0 / 8,200 / 14,920 bytes"
    assert cells("replica as the router saw it")[:2] == [
        "ok",
        "ok (lag 0.00 s, 0 bytes) / ok (lag 0.01 s, 120 bytes)",
    ]
    first = next(i for i, line in enumerate(lines) if line.startswith("| replica as the router"))
    after = next(i for i, line in enumerate(lines) if line.startswith("| database on disk"))
    replica_lines = lines[first:after]
    assert len(replica_lines) == 14
    for line in replica_lines:
        assert "| no replica (127.0.0.1:5433 is a standby of another cluster) |" in line
    # Reads the router would have sent to the primary are not timed as the replica's.
    lagging = "lagging 11.9 s (bound 5 s); reads on the primary"
    results[0]["replica"]["replica_health"] = lagging
    del results[0]["replica"]["replica_health_after"]
    skipped = {"skipped": f"the router skipped the replica: {lagging}"}
    results[0]["replica"]["list_replica"] = results[0]["replica"]["dashboard_replica"] = skipped
    lines = run.markdown(results).splitlines()
    assert cells("replica as the router saw it")[1] == lagging
    assert cells("county dashboard, read from the replica, p50")[1] == (
        f"not measured (the router skipped the replica: {lagging})"
    )
    assert cells("county dashboard, read from the primary, p50")[1] == "180.0 ms (1.8 Y)"
    # A run from before the replica rows: n/a, not an error.
    del results[0]["replica"]
    line = next(line for line in run.markdown(results).splitlines() if "lag under" in line)
    assert "| n/a |" in line
