#!/usr/bin/env python
"""The streaming replica under the benchmark's write load: how long a committed write takes to
become readable on the replica, while intake runs over HTTP; and the case list and dashboard
read from the replica beside the same pages read from the primary.

`make bench` (bench/run.py) measures this itself for each size whose database has a replica
(`measure`, below, is what it calls; `--replica-port`, README.md). On its own:

    scripts/replica.sh start
    .venv/bin/python bench/replica.py --size 100000      # a database seeded by `make bench`

The lag is measured as a reader sees it: take the primary's WAL position after a commit, then
poll the replica until it has replayed that far; the wait is the lag of that write, and how far
behind the replica was at that moment (bytes of WAL) is kept beside it. Sampled every 100 ms
for the whole load. Prints one JSON object (and --json FILE writes it).
"""

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import client, run, yardstick  # noqa: E402

REPLICA_HOST = "127.0.0.1"
# The amount of work, as the docs/scale.md figures were measured; a quick run does less.
FULL = {"intake": 600, "list_requests": 120, "dashboard_requests": 40}
QUICK = {"intake": 150, "list_requests": 40, "dashboard_requests": 20}


def replica_dsn(db_name, port):
    return f"postgresql://postgres@{REPLICA_HOST}:{port}/{db_name}"


def unusable(primary_dsn, replica_dsn):
    """Why the server at `replica_dsn` cannot be measured as a replica of the database at
    `primary_dsn` (a few words), or None when it can: it answers, it is a hot standby, of the
    same cluster (PostgreSQL's system identifier, which a base backup keeps and initdb makes
    anew), streaming, and holds the database."""
    import psycopg

    where = urlsplit(replica_dsn)
    at = f"{where.hostname}:{where.port}"
    database = where.path.lstrip("/")
    try:
        # The server's own questions first, in the database every cluster has.
        replica = psycopg.connect(
            replica_dsn, dbname="postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError:
        return f"nothing answers at {at}"
    with (
        replica,
        psycopg.connect(
            primary_dsn, dbname="postgres", autocommit=True, connect_timeout=3
        ) as primary,
    ):
        if not replica.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            return f"{at} is not a standby"
        identity = "SELECT system_identifier FROM pg_control_system()"
        if replica.execute(identity).fetchone()[0] != primary.execute(identity).fetchone()[0]:
            source = urlsplit(primary_dsn)
            return f"{at} is a standby of another cluster than {source.hostname}:{source.port}"
        status = replica.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
        if not status or status[0] != "streaming":
            return f"{at} is not streaming ({status[0] if status else 'no WAL receiver'})"
        held = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not replica.execute(held, [database]).fetchone():
            return f"{database} is not on {at}"
    return None


def lag_sampler(primary_dsn, replica_dsn, stop, samples, behind):
    """Until `stop`: every 100 ms, the lag of the primary's latest write (ms, into `samples`)
    and how many bytes of WAL the replica was behind it then (into `behind`, 0 if none)."""
    import psycopg

    with (
        psycopg.connect(primary_dsn, autocommit=True) as primary,
        psycopg.connect(replica_dsn, autocommit=True) as replica,
    ):
        while not stop.is_set():
            lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            start = time.perf_counter()
            first = None
            while True:
                gap = replica.execute(
                    "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [lsn]
                ).fetchone()[0]
                if first is None:
                    first = max(0, int(gap))
                if gap <= 0:
                    break
                if time.perf_counter() - start > 30:
                    break
                time.sleep(0.002)
            samples.append((time.perf_counter() - start) * 1000)
            behind.append(first)
            time.sleep(0.1)


def summary(values):
    if not values:
        return {}
    ordered = sorted(values)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

    return {
        "n": len(values),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": round(max(values), 2),
        "mean": round(statistics.fmean(values), 2),
    }


def measure_reads(env, port, label, list_requests=120, dashboard_requests=40):
    token = run.token_for(port, "county_officer")
    headers = {"Authorization": f"Token {token}"}
    cookie = {"Cookie": f"sessionid={run.session_cookie(env, 'county_officer')}"}
    # The first dashboard of a month computes its snapshots (on the primary): not what is timed.
    client.run(
        "warm",
        run.HOST,
        port,
        lambda i: ("GET", "/dashboard/", None, cookie),
        requests=3,
        concurrency=1,
    )
    return {
        f"list_{label}": run.measure_list(port, "/api/v1/cases/", headers, list_requests),
        f"dashboard_{label}": client.run(
            "dashboard",
            run.HOST,
            port,
            lambda i: ("GET", "/dashboard/", None, cookie),
            requests=dashboard_requests,
            concurrency=2,
        ).summary(),
    }


def router_view(port, wait_s=0.0):
    """What `/healthz` says of the replica (the router's own check: it reads from the replica
    only when this starts with "ok"), asked again every 2 s for up to `wait_s` until it does."""
    deadline = time.monotonic() + wait_s
    while True:
        _, health = client.request_json(run.HOST, port, "GET", "/healthz")
        words = (health.get("replica") if isinstance(health, dict) else None) or "not configured"
        if words.startswith("ok") or time.monotonic() >= deadline:
            return words
        time.sleep(2)


def wal_lsn(dsn):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]


def wal_bytes(dsn, since):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        query = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)::bigint"
        return conn.execute(query, [since]).fetchone()[0]


def measure(env, replica_url, *, workers=3, intake=600, list_requests=120, dashboard_requests=40):
    """The replica's figures for the database of `env` (run.env_for): the county officer's case
    list and dashboard with gunicorn reading from the replica at `replica_url`, the replica's
    lag while intake runs (with the write rate: intakes, and WAL bytes the primary's cluster
    wrote, a second), then the same reads with gunicorn reading from the primary.

    The reads count as the replica's only if the router uses it: `/healthz` is asked first (for
    up to a minute, until the replica is within REPLICA_MAX_LAG_SECONDS) and again after them
    (`replica_health`, `replica_health_after`); a replica the router skips is not timed."""
    primary_dsn = env["DATABASE_URL"]
    env = {**env, "DATABASE_REPLICA_URL": replica_url, "REPLICA_READS": "True"}
    reads = {"list_requests": list_requests, "dashboard_requests": dashboard_requests}
    result = {}

    port = run.free_port()
    server = run.start_gunicorn(env, port, workers)
    try:
        result["replica_health"] = router_view(port, wait_s=60)
        run.log(f"replica as the router sees it: {result['replica_health']}")
        if result["replica_health"].startswith("ok"):
            result.update(measure_reads(env, port, "replica", **reads))
            result["replica_health_after"] = router_view(port)
            run.log(
                f"reads from the replica: {result['list_replica']} {result['dashboard_replica']};"
                f" then {result['replica_health_after']}"
            )
        else:
            skipped = {"skipped": f"the router skipped the replica: {result['replica_health']}"}
            result.update({"list_replica": skipped, "dashboard_replica": skipped})

        token = run.token_for(port, "village_mediator")
        body = run.intake_body(env, "village_mediator")
        headers = {"Authorization": f"Token {token}"}
        stop, samples, behind = threading.Event(), [], []
        sampler = threading.Thread(
            target=lag_sampler, args=(primary_dsn, replica_url, stop, samples, behind)
        )
        since = wal_lsn(primary_dsn)
        sampler.start()
        try:
            load = client.run(
                "intake",
                run.HOST,
                port,
                lambda i: ("POST", "/api/v1/cases/", body(i), headers),
                requests=intake,
                concurrency=2,
            )
        finally:
            stop.set()
            sampler.join()
        written = wal_bytes(primary_dsn, since)
        result["intake_under_replication"] = load.summary()
        result["wal_bytes_per_s"] = round(written / load.wall_s) if load.wall_s else None
        result["replica_lag_ms"] = summary(samples)
        result["replica_behind_bytes"] = summary(behind)
        run.log(
            f"intake {result['intake_under_replication']}; lag {result['replica_lag_ms']};"
            f" {result['wal_bytes_per_s']} WAL bytes/s"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    env["REPLICA_READS"] = "False"
    port = run.free_port()
    server = run.start_gunicorn(env, port, workers)
    try:
        result.update(measure_reads(env, port, "primary", **reads))
        run.log(f"reads from the primary: {result['list_primary']} {result['dashboard_primary']}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument(
        "--intake", type=int, default=FULL["intake"], help="intake requests in the load"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()

    db = f"mediation_bench_{args.size}"
    env = run.env_for(db)
    replica_url = replica_dsn(db, args.replica_port)
    reason = unusable(env["DATABASE_URL"], replica_url)
    if reason:
        sys.exit(f"no replica: {reason}")
    result = {"size": args.size, "yardstick_start": yardstick.measure(env["DATABASE_URL"])}
    work = {key: value for key, value in FULL.items() if key != "intake"}
    result.update(measure(env, replica_url, workers=args.workers, intake=args.intake, **work))
    result["yardstick_end"] = yardstick.measure(env["DATABASE_URL"])
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
