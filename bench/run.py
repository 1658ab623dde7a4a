#!/usr/bin/env python
"""`make bench`: seed PostgreSQL at each size, start gunicorn with production settings, measure
over HTTP and in-process (and from the streaming replica, where the size's database has one),
write bench/out/results-<size>.json and bench/RESULTS.md."""

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))

from bench import client, yardstick  # noqa: E402

HOST = "127.0.0.1"
TARGETS = {
    "list_p95_ms": 50,
    "intake_p95_ms": 80,
    "sweep_nothing_due_ms": 50,
    "kpi_ratio": 2.0,
    "dashboard_p95_ms": 300,
}
PASSWORD = "demo-pass-2026"
# The PostgreSQL server the benchmark databases live on (`BENCH_PG`): a second cluster on its own
# port keeps a 10,000,000-case database out of the main cluster's replica and base backups.
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def log(message):
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def env_for(db_name):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{SERVER}/{db_name}",
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "FIELD_ENCRYPTION_KEY": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "LOG_LEVEL": "WARNING",
            "LOGIN_THROTTLE_RATE": "1000/min",
            "MEDIATION_DB": db_name,
            "PGPORT": str(urlsplit(SERVER).port or 5432),  # scripts/services.py creates it there
        }
    )
    env.pop("REDIS_URL", None)
    # The figures are the primary's; the replica's are measured apart (measure_replica), with
    # the replica named there.
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("POSTGRES_REPLICA_HOST", None)
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/14"
    return env


def manage(env, *args, capture=False):
    command = [PY, "manage.py", *args]
    if capture:
        return subprocess.run(
            command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
    return subprocess.run(command, cwd=ROOT, env=env, check=True)


def case_count(env):
    code = "from cases.models import Case; print(Case.objects.count())"
    out = manage(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()
    return int(out[-1]) if out else 0


def drop_database(db_name):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def analyse(db_name):
    """Table statistics and visibility maps after the load and the catch-up sweep, as
    autovacuum keeps them on a running system (the clusters here run with autovacuum off, so
    the tests' databases do not pay for it): without the visibility map a COUNT or a page
    read by an index alone visits every row's heap page."""
    import psycopg

    with psycopg.connect(f"{SERVER}/{db_name}", autocommit=True) as c:
        c.execute("VACUUM (ANALYZE)")


def prepare(size, counties, fresh=False):
    db_name = f"mediation_bench_{size}"
    env = env_for(db_name)
    if fresh:
        log(f"dropping {db_name} to seed it afresh")
        drop_database(db_name)
    subprocess.run([PY, "scripts/services.py", "database"], cwd=ROOT, env=env, check=True)
    manage(env, "migrate", "--noinput", "-v0")
    seed_s = None
    prepared = ROOT / "bench" / "out" / f"prepared-{size}.json"
    if case_count(env) < size:
        log(f"seeding {size:,} cases in {counties} counties (database {db_name})")
        start = time.perf_counter()
        manage(env, "seed_demo", "--no-cases")
        manage(env, "seed_demo", "--cases", str(size), "--counties", str(counties))
        seed_s = round(time.perf_counter() - start, 1)
        log(f"seeded in {seed_s}s")
    if os.environ.get("BENCH_COUNTRY") == "1":
        # The whole national division list beside the cases: scope and roll-ups must not care.
        start = time.perf_counter()
        manage(env, "import_areas", "--division")
        log(f"national division list loaded in {time.perf_counter() - start:.1f}s")
    manage(env, "collectstatic", "--noinput", "-v0")
    # Generated history has no sweep in it: bring the sweep up to the present first, as the
    # beat (every 60 s) keeps a running system, so pages see what the sweep would have left.
    start = time.perf_counter()
    out = manage(env, "sweep", capture=True).stdout.strip().splitlines()
    catch_up = {"seconds": round(time.perf_counter() - start, 1), "report": out[-1] if out else ""}
    log(f"sweep caught up in {catch_up['seconds']}s: {catch_up['report']}")
    analyse(db_name)
    if seed_s is not None:
        # Kept beside the database, so a later run on it (`--prepare-only` first, then the
        # measurements) still reports how long this database took to seed and to catch up.
        prepared.parent.mkdir(exist_ok=True)
        first = {"seed_seconds": seed_s, "sweep_catch_up": catch_up, "counties": counties}
        first["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        prepared.write_text(json.dumps(first, indent=2, ensure_ascii=False))
    elif prepared.exists():
        first = json.loads(prepared.read_text())
        seed_s, catch_up = first["seed_seconds"], first["sweep_catch_up"]
        log(f"this database was seeded on {first['date']} in {seed_s}s (bench/out)")
    return env, seed_s, catch_up


def start_gunicorn(env, port, workers):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-b",
            f"{HOST}:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(120):
        try:
            status, _ = client.request_json(HOST, port, "GET", "/healthz")
            if status in (200, 503):
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def token_for(port, username):
    status, data = client.request_json(
        HOST, port, "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"cannot log in as {username}: {status} {data}")
    return data["token"]


def session_cookie(env, username):
    code = (
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, "
        "BACKEND_SESSION_KEY;"
        f"u=get_user_model().objects.get(username='{username}');"
        "s=SessionStore();s[SESSION_KEY]=str(u.pk);"
        "s[BACKEND_SESSION_KEY]='django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY]=u.get_session_auth_hash();s.create();print(s.session_key)"
    )
    return manage(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()[-1]


def intake_body(env, username):
    code = (
        "from accounts.models import Role;"
        f"r=Role.objects.select_related('area').filter(user__username='{username}').first();"
        "print(r.area_id)"
    )
    area_id = int(manage(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()[-1])

    def body(i):
        return {
            "title": f"压测纠纷{i}",
            "facts": "邻里之间因排水沟堵塞发生争执，双方各执一词。",
            "category": "neighbour",
            "source": "grid_inspection",
            "risk": "green",
            "area": area_id,
            "occurred_on": "2026-11-01",
            "amount": "1200.00",
            "people_involved": 2,
            "parties": [
                {"name": f"甲{i}", "role": "applicant", "phone": "13800138000"},
                {"name": f"乙{i}", "role": "respondent"},
            ],
        }

    return body


PAGES = [1, 2, 3, 5, 10]


def measure_list(port, path, headers, requests):
    """Pages 1–10 of a list at random, two clients at once, after a few warm-up requests."""
    # Enough to reach every gunicorn worker at least once (a worker's first request is slow).
    client.run(
        "warm", HOST, port, lambda i: ("GET", path, None, headers), requests=12, concurrency=3
    )
    result = client.run(
        path,
        HOST,
        port,
        lambda i: ("GET", f"{path}?page={random.choice(PAGES)}", None, headers),
        requests=requests,
        concurrency=2,
    )
    return result.summary()


def measure_http(env, port, quick):
    n = 60 if quick else 300
    results = {}
    roles = ("village_mediator", "town_officer", "county_officer")
    users = {username: token_for(port, username) for username in roles}
    for username, token in users.items():
        headers = {"Authorization": f"Token {token}"}
        results[f"list_{username}"] = measure_list(port, "/api/v1/cases/", headers, n)
        log(f"list {username}: {results[f'list_{username}']}")
    # The same lists as web pages (the phone pages render them server-side).
    for username in roles:
        cookie = {"Cookie": f"sessionid={session_cookie(env, username)}"}
        results[f"page_{username}"] = measure_list(port, "/cases/", cookie, max(60, n // 3))
        log(f"list page {username}: {results[f'page_{username}']}")

    headers = {"Authorization": f"Token {users['village_mediator']}"}
    body = intake_body(env, "village_mediator")
    # Every intake carries its idempotency key, as the phones send it (one per report).
    run_id = uuid.uuid4().hex[:12]

    def keyed(i):
        return {**headers, "Idempotency-Key": f"bench-{run_id}-{i}"}

    result = client.run(
        "intake",
        HOST,
        port,
        lambda i: ("POST", "/api/v1/cases/", body(i), keyed(i)),
        requests=n,
        concurrency=2,
    )
    results["intake"] = result.summary()
    log(f"intake: {results['intake']}")
    # A replay of the first intake must name the first case, not make another.
    first = client.request_json(HOST, port, "POST", "/api/v1/cases/", body(0), headers=keyed(0))
    again = client.request_json(HOST, port, "POST", "/api/v1/cases/", body(0), headers=keyed(0))
    results["intake_replay_same_case"] = (
        first[0] == again[0] == 201 and first[1]["number"] == again[1]["number"]
    )
    log(f"intake replay names the same case: {results['intake_replay_same_case']}")

    results.update(measure_large_tables(env, port, users["village_mediator"], n))

    cookie = session_cookie(env, "county_officer")
    page_headers = {"Cookie": f"sessionid={cookie}"}
    status, _ = client.request_json(HOST, port, "GET", "/dashboard/", headers=page_headers)
    if status == 404:
        results["dashboard"] = {"skipped": "no /dashboard/ page"}
    else:
        client.run(
            "warm",
            HOST,
            port,
            lambda i: ("GET", "/dashboard/", None, page_headers),
            requests=3,
            concurrency=1,
        )
        result = client.run(
            "dashboard",
            HOST,
            port,
            lambda i: ("GET", "/dashboard/", None, page_headers),
            requests=max(20, n // 5),
            concurrency=2,
        )
        results["dashboard"] = result.summary()
        log(f"dashboard: {results['dashboard']}")
    return results


def measure_large_tables(env, port, token, n):
    """The pages that read the two largest tables, by an index on their owner: a case page (its
    events, `event_case_time`) and the notifications page (the user's notices,
    `notification_user_time`). Flat from 1,000,000 to 10,000,000 cases means those tables do
    not need partitioning for reads (bench/RESULTS.md says what would)."""
    results = {}
    status, data = client.request_json(
        HOST,
        port,
        "GET",
        "/api/v1/cases/?page_size=50",
        headers={"Authorization": f"Token {token}"},
    )
    ids = [row["id"] for row in data.get("results", [])] if status == 200 else []
    cookie = {"Cookie": f"sessionid={session_cookie(env, 'village_mediator')}"}
    pages = {
        "case_page": [f"/cases/{pk}/" for pk in ids],
        "notifications_page": ["/notifications/"],
    }
    for key, paths in pages.items():
        if not paths:
            results[key] = {"skipped": "no case in the village mediator's list"}
            continue
        client.run(
            "warm",
            HOST,
            port,
            lambda i, paths=paths: ("GET", paths[0], None, cookie),
            requests=6,
            concurrency=3,
        )
        result = client.run(
            key,
            HOST,
            port,
            lambda i, paths=paths: ("GET", random.choice(paths), None, cookie),
            requests=max(40, n // 5),
            concurrency=2,
        )
        results[key] = result.summary()
        log(f"{key}: {results[key]}")
    return results


# The tables that grow with the cases: the eight largest, and those the report names (rows are
# the planner's estimate).
NAMED_TABLES = ("cases_caseevent", "notifications_notification", "cases_case")
TABLE_SIZES = """
    SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid),
           pg_indexes_size(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname = 'public'
    ORDER BY c.relname = ANY(%s) DESC, pg_total_relation_size(c.oid) DESC LIMIT 11
"""


def table_sizes(db_name):
    """Database size, the largest tables (rows, bytes with indexes, index bytes) and the
    indexes' share: the disk a size takes (README's benchmark section)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/{db_name}", autocommit=True) as c:
        database = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        indexes = c.execute(
            "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0)::bigint FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        ).fetchone()[0]
        tables = [
            {"table": name, "rows": rows, "bytes": total, "index_bytes": index}
            for name, rows, total, index in c.execute(TABLE_SIZES, [list(NAMED_TABLES)]).fetchall()
        ]
    return {"database_bytes": database, "index_bytes": indexes, "tables": tables}


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql_client": pg,
    }


def commit():
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


def measure_replica(env, args):
    """The replica's figures (bench/replica.py) when the replica at `--replica-port` is a
    streaming standby of the cluster this size's database lives on; else why not."""
    from bench import replica  # bench/replica.py imports this module

    if not args.replica_port:
        return {"skipped": "not asked for: --replica-port 0"}
    url = replica.replica_dsn(env["MEDIATION_DB"], args.replica_port)
    reason = replica.unusable(env["DATABASE_URL"], url)
    if reason:
        log(f"replica figures not measured: {reason}")
        return {"skipped": reason}
    log(f"reads from the replica at {replica.REPLICA_HOST}:{args.replica_port} and its lag")
    work = replica.QUICK if args.quick else replica.FULL
    return replica.measure(env, url, workers=args.workers, **work)


def bench_size(size, args):
    counties = max(1, min(args.counties, size // 10000 or 1))
    env, seed_s, catch_up = prepare(size, counties, fresh=args.fresh)
    # The machine of the day, before and after the measurements (bench/yardstick.py).
    yard_start = yardstick.measure(env["DATABASE_URL"])
    log(f"yardstick at the start: {yard_start}")
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        http = measure_http(env, port, args.quick)
    finally:
        server.terminate()
        server.wait(timeout=30)
    month = args.period
    log("sweep and KPI probe")
    probe = subprocess.run(
        [PY, "bench/probe.py", month], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    measured = json.loads(probe.stdout.strip().splitlines()[-1])
    # Last: its intake load adds cases, which the figures above must not see.
    replica = measure_replica(env, args)
    yard_end = yardstick.measure(env["DATABASE_URL"])
    log(f"yardstick at the end: {yard_end}")
    sizes = table_sizes(f"mediation_bench_{size}")
    result = {
        "size": size,
        "counties": counties,
        "seed_seconds": seed_s,
        "sweep_catch_up": catch_up,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "gunicorn_workers": args.workers,
        "http": http,
        "yardstick": yardstick.combine(yard_start, yard_end),
        "disk": sizes,
        "replica": replica,
        **measured,
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"results-{size}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def gib(n) -> float:
    return round(n / 1024**3, 2)


class Absent(str):
    """A table cell saying why a figure was not measured, printed as it is."""


def verdict(value, target):
    if value is None:
        return "n/a"
    return "PASS" if value <= target else "FAIL"


def markdown(results):
    lines = ["# Benchmark results", ""]
    first = results[0]
    m = first["machine"]
    lines += [
        f"Measured by `make bench` on {first['date']} at commit `{first['commit']}`.",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']};"
        f" {m['postgresql_client']}; gunicorn {first['gunicorn_workers']} workers; client and"
        " server on the same machine.",
        "",
        "Each time is followed by its multiple of the yardstick Y measured in the same run (a"
        " fixed Python loop plus a fixed SQL query, bench/yardstick.py), so figures of a slow day"
        " and a quiet one compare.",
        "",
        "| figure | target | " + " | ".join(f"{r['size']:,} cases" for r in results) + " |",
        "|---|---|" + "---|" * len(results),
    ]

    def in_y(r, value, unit):
        """' (0.04 Y)' after a time in ms or s; nothing for other units or without a yardstick."""
        y_ms = (r.get("yardstick") or {}).get("y_ms")
        if unit not in ("ms", "s") or not isinstance(value, int | float):
            return ""
        cell = yardstick.multiple(value * (1000 if unit == "s" else 1), y_ms)
        return f" ({cell})" if cell else ""

    def row(label, target, getter, unit="ms", limit=None):
        cells = []
        for r in results:
            try:
                value = getter(r)
            except (KeyError, TypeError):
                value = None
            if value is None:
                cells.append("n/a")
            elif isinstance(value, Absent):
                cells.append(value)
            elif limit is None:
                cells.append(f"{value} {unit}".rstrip() + in_y(r, value, unit))
            else:
                cells.append(f"{value} {unit} {verdict(value, limit)}" + in_y(r, value, unit))
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")

    row(
        "yardstick Y = Python loop + SQL query (mean of the run's start and end)",
        "",
        lambda r: (
            f"{r['yardstick']['y_ms']} ms ({r['yardstick']['python_ms']} + "
            f"{r['yardstick']['sql_ms']}; start {r['yardstick']['start']['y_ms']}, "
            f"end {r['yardstick']['end']['y_ms']})"
        ),
        unit="",
    )

    def percentiles(label, key, target, limit, which=("p50", "p95", "p99")):
        """Rows of one HTTP measurement; the target sits beside its p95."""
        for p in which:
            row(
                f"{label} {p}",
                target if p == "p95" else "",
                lambda r, p=p: r["http"][key][f"{p}_ms"],
                limit=limit if p == "p95" else None,
            )

    roles = ("village_mediator", "town_officer", "county_officer")
    for who in roles:
        percentiles(f"case list API ({who})", f"list_{who}", "≤ 50 ms", TARGETS["list_p95_ms"])
    for who in roles:
        percentiles(
            f"case list web page ({who})",
            f"page_{who}",
            "≤ 50 ms",
            TARGETS["list_p95_ms"],
            which=("p50", "p95"),
        )
    percentiles("intake", "intake", "≤ 80 ms", TARGETS["intake_p95_ms"])
    row(
        "intake throughput (2 clients)",
        "",
        lambda r: r["http"]["intake"]["throughput_rps"],
        unit="req/s",
    )
    row(
        "sweep, nothing due (now, caught up; median of 30)",
        "≤ 50 ms",
        lambda r: r["sweep"]["nothing_due"]["p50_ms"],
        limit=TARGETS["sweep_nothing_due_ms"],
    )
    row(
        "follow-up reminder pass (hourly), nothing due",
        "",
        lambda r: r["sweep"]["follow_up_pass"]["p50_ms"],
    )
    for n in (1000, 10000):
        # DESIGN.md §12: 10,000 due items acted on in ≤ 5 s.
        limit = 5000 if n == 10000 else None
        row(
            f"sweep, {n:,} due (periods handled + mediation reminders)",
            "≤ 5 s" if limit else "∝ due",
            lambda r, n=n, limit=limit: (
                f"{r['sweep'][f'due_{n}']['ms']} ms"
                + (f" {verdict(r['sweep'][f'due_{n}']['ms'], limit)}" if limit else "")
                + in_y(r, r["sweep"][f"due_{n}"]["ms"], "ms")
                + f" ({r['sweep'][f'due_{n}']['periods_handled']:,}"
                f" + {r['sweep'][f'due_{n}']['mediation_reminders']:,} mediation)"
            ),
            unit="",
        )
    row(
        "sweep cost per item acted on (1,000 / 10,000 due)",
        "flat",
        lambda r: (
            " / ".join(f"{r['sweep'][f'due_{n}'].get('ms_per_due', 'n/a')}" for n in (1000, 10000))
            + " ms"
            + in_y(r, r["sweep"].get("due_10000", {}).get("ms_per_due"), "ms")
        ),
        unit="",
    )
    row(
        "mediation reminders acted on before the timed sweep (1,000 / 10,000: count, ms each)",
        "",
        lambda r: " / ".join(
            f"{r['sweep'][f'mediation_before_{n}']['reminders']:,}, "
            f"{r['sweep'][f'mediation_before_{n}']['ms_per_reminder']}"
            if f"mediation_before_{n}" in r["sweep"]
            else "n/a"
            for n in (1000, 10000)
        ),
        unit="",
    )
    row("KPI roll-up, a month, every area", "", lambda r: r["kpi"]["rollup_ms"])
    row(
        "roll-up figures checked against the bare SQL (areas / disagreeing)",
        "0 disagreeing",
        lambda r: f"{r['kpi']['areas_checked']:,} / {r['kpi']['figures_disagreeing']}",
        unit="",
    )
    row("bare SQL aggregate, same rows", "", lambda r: r["kpi"]["bare_sql_ms"])
    row(
        "roll-up / bare SQL",
        "≤ 2×",
        lambda r: r["kpi"]["ratio"],
        unit="×",
        limit=TARGETS["kpi_ratio"],
    )
    percentiles(
        "county dashboard",
        "dashboard",
        "≤ 300 ms",
        TARGETS["dashboard_p95_ms"],
        which=("p50", "p95"),
    )
    for key, label in (
        ("case_page", "case page (its events)"),
        ("notifications_page", "notifications page"),
    ):
        percentiles(label, key, "flat", None, which=("p50", "p95"))
    replica_rows(row)
    row("database on disk", "", lambda r: gib(r["disk"]["database_bytes"]), unit="GiB")
    row("of which indexes", "", lambda r: gib(r["disk"]["index_bytes"]), unit="GiB")
    for table in NAMED_TABLES:
        row(
            f"{table}: rows, GiB with indexes",
            "",
            lambda r, table=table: next(
                f"{t['rows']:,}, {gib(t['bytes'])}"
                for t in r["disk"]["tables"]
                if t["table"] == table
            ),
            unit="",
        )
    row("seeding time", "minutes", lambda r: r["seed_seconds"], unit="s")
    row(
        "first sweep after seeding (catch-up to now)",
        "",
        lambda r: r["sweep_catch_up"]["seconds"],
        unit="s",
    )
    lines += ["", "Raw figures of this run: `bench/results.json`.", ""]
    return "\n".join(lines)


def replica_rows(row):
    """The replica's rows (bench/replica.py): the county officer's list and dashboard read from
    it and from the primary, its lag under the intake load, the write rate and bytes behind. A
    size without a replica says why; a run from before these rows says n/a."""

    def on_replica(get):
        def getter(r):
            measured = r["replica"]
            if "skipped" in measured:
                return Absent(f"no replica ({measured['skipped']})")
            return get(measured)

        return getter

    def read(key, p):
        def get(m):
            if "skipped" in m[key]:
                return Absent(f"not measured ({m[key]['skipped']})")
            return m[key][f"{p}_ms"]

        return on_replica(get)

    row(
        "replica as the router saw it (/healthz) before / after the reads from it",
        "ok",
        on_replica(
            lambda m: " / ".join(
                m[key] for key in ("replica_health", "replica_health_after") if key in m
            )
        ),
        unit="",
    )
    for key, label, target, limit in (
        ("list", "case list API (county_officer)", "≤ 50 ms", TARGETS["list_p95_ms"]),
        ("dashboard", "county dashboard", "≤ 300 ms", TARGETS["dashboard_p95_ms"]),
    ):
        for side in ("replica", "primary"):
            for p in ("p50", "p95"):
                row(
                    f"{label}, read from the {side}, {p}",
                    target if p == "p95" else "",
                    read(f"{key}_{side}", p),
                    limit=limit if p == "p95" else None,
                )
    for p in ("p50", "p95", "max"):
        row(
            f"replica lag under the intake load (a commit until the replica has replayed it) {p}",
            "router's bound 5 s" if p == "max" else "",
            on_replica(lambda m, p=p: m["replica_lag_ms"][p]),
        )
    row(
        "write rate during the lag measurement (intakes; WAL the primary's cluster wrote)",
        "",
        on_replica(
            lambda m: (
                f"{m['intake_under_replication']['throughput_rps']} req/s,"
                f" {round(m['wal_bytes_per_s'] / 1024):,} KiB/s"
            )
        ),
        unit="",
    )
    row(
        "replica behind the primary at each lag sample (p50 / p95 / max)",
        "",
        on_replica(
            lambda m: (
                " / ".join(f"{int(m['replica_behind_bytes'][k]):,}" for k in ("p50", "p95", "max"))
                + " bytes"
            )
        ),
        unit="",
    )


NOTES_MARKER = "<!-- notes: kept by bench/run.py when it rewrites the table above -->"


def with_kept_notes(table: str) -> str:
    """The new table followed by the hand-written reading of the figures, if RESULTS.md has one."""
    path = ROOT / "bench" / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old[old.index(NOTES_MARKER) :] if NOTES_MARKER in old else NOTES_MARKER + "\n"
    return table + "\n" + notes


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "100000,1000000"))
    parser.add_argument("--counties", type=int, default=int(os.environ.get("BENCH_COUNTIES", "12")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--period", default=os.environ.get("BENCH_PERIOD", "2026-10"))
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    parser.add_argument(
        "--replica-port",
        type=int,
        default=int(os.environ.get("BENCH_REPLICA_PORT", "5433")),
        help="the streaming replica on 127.0.0.1 to measure, when it is a standby of the"
        " cluster the size's database lives on (0: do not measure it)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        default=os.environ.get("BENCH_FRESH") == "1",
        help="drop the benchmark databases first, so seeding is measured again",
    )
    parser.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="seed and catch up the databases, measure nothing (a long seeding done ahead)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite RESULTS.md from bench/out/results-<size>.json of earlier runs",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if args.prepare_only:
        for size in sizes:
            prepare(size, max(1, min(args.counties, size // 10000 or 1)), fresh=args.fresh)
        return
    if args.report_only:
        out = ROOT / "bench" / "out"
        results = [json.loads((out / f"results-{size}.json").read_text()) for size in sizes]
    else:
        results = [bench_size(size, args) for size in sizes]
    if not args.no_report:
        (ROOT / "bench" / "RESULTS.md").write_text(
            with_kept_notes(markdown(results)), encoding="utf-8"
        )
        (ROOT / "bench" / "results.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        log("wrote bench/RESULTS.md and bench/results.json")
    print(markdown(results))


if __name__ == "__main__":
    main()
