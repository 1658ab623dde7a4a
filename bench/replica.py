#!/usr/bin/env python
"""The streaming replica under the benchmark's write load: how long a committed write takes to
become readable on the replica, while intake runs over HTTP; and the case list and dashboard
read from the replica beside the same pages read from the primary.

    scripts/replica.sh start
    .venv/bin/python bench/replica.py --size 100000      # a database seeded by `make bench`

The lag is measured as a reader sees it: take the primary's WAL position after a commit, then
poll the replica until it has replayed that far; the wait is the lag of that write. Sampled
every 100 ms for the whole load. Prints one JSON object (and --json FILE writes it).
"""

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import client, run, yardstick  # noqa: E402


def lag_sampler(primary_dsn, replica_dsn, stop, samples, behind):
    import psycopg

    with (
        psycopg.connect(primary_dsn, autocommit=True) as primary,
        psycopg.connect(replica_dsn, autocommit=True) as replica,
    ):
        while not stop.is_set():
            lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            start = time.perf_counter()
            while True:
                gap = replica.execute(
                    "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [lsn]
                ).fetchone()[0]
                if gap <= 0:
                    break
                behind.append(int(gap))
                if time.perf_counter() - start > 30:
                    break
                time.sleep(0.002)
            samples.append((time.perf_counter() - start) * 1000)
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


def measure_reads(env, port, label):
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
        f"list_{label}": run.measure_list(port, "/api/v1/cases/", headers, 120),
        f"dashboard_{label}": client.run(
            "dashboard",
            run.HOST,
            port,
            lambda i: ("GET", "/dashboard/", None, cookie),
            requests=40,
            concurrency=2,
        ).summary(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument("--intake", type=int, default=600, help="intake requests in the load")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()

    db = f"mediation_bench_{args.size}"
    primary_dsn = f"postgresql://postgres@127.0.0.1:5432/{db}"
    replica_dsn = f"postgresql://postgres@127.0.0.1:{args.replica_port}/{db}"
    env = run.env_for(db)
    env["DATABASE_REPLICA_URL"] = replica_dsn
    result = {"size": args.size, "yardstick_start": yardstick.measure(primary_dsn)}

    port = run.free_port()
    server = run.start_gunicorn(env, port, args.workers)
    try:
        result.update(measure_reads(env, port, "replica"))
        run.log(f"reads from the replica: {result['list_replica']} {result['dashboard_replica']}")

        token = run.token_for(port, "village_mediator")
        body = run.intake_body(env, "village_mediator")
        headers = {"Authorization": f"Token {token}"}
        stop, samples, behind = threading.Event(), [], []
        sampler = threading.Thread(
            target=lag_sampler, args=(primary_dsn, replica_dsn, stop, samples, behind)
        )
        sampler.start()
        try:
            intake = client.run(
                "intake",
                run.HOST,
                port,
                lambda i: ("POST", "/api/v1/cases/", body(i), headers),
                requests=args.intake,
                concurrency=2,
            )
        finally:
            stop.set()
            sampler.join()
        result["intake_under_replication"] = intake.summary()
        result["replica_lag_ms"] = summary(samples)
        result["replica_behind_bytes"] = summary(behind)
        run.log(f"intake {result['intake_under_replication']}; lag {result['replica_lag_ms']}")
    finally:
        server.terminate()
        server.wait(timeout=30)

    env["REPLICA_READS"] = "False"
    port = run.free_port()
    server = run.start_gunicorn(env, port, args.workers)
    try:
        result.update(measure_reads(env, port, "primary"))
        run.log(f"reads from the primary: {result['list_primary']} {result['dashboard_primary']}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["yardstick_end"] = yardstick.measure(primary_dsn)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
