#!/usr/bin/env python3
"""Probe the local services for `make test` / `make run`.

`services.py database` prints a DATABASE_URL for PostgreSQL when it answers (creating the
database if needed), or nothing; `services.py redis` prints a REDIS_URL when Redis answers:
database REDIS_DB when set, else one of 1–15 that no other run holds (claimed for six hours
in database 0). `services.py drop NAME` drops the database NAME and its test databases;
`services.py release REDIS_URL` gives a claimed Redis database back. So two `make test` runs
on one machine never share a database.
"""

import os
import socket
import sys

PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PGPORT", "5432"))
PG_USER = os.environ.get("PGUSER", "postgres")
DB_NAME = os.environ.get("MEDIATION_DB", "mediation")


def _reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=1.5):
            return True
    except OSError:
        return False


def database():
    if not _reachable(PG_HOST, PG_PORT):
        return ""
    try:
        import psycopg
    except ImportError:
        return ""
    base = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}"
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    except Exception as exc:  # any failure means: not usable, fall back
        print(f"PostgreSQL at {PG_HOST}:{PG_PORT} not usable: {exc}", file=sys.stderr)
        return ""
    return f"{base}/{DB_NAME}"


REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM = "mediation:test-run:redis-db:{}"


def _redis_command(*args):
    """One command over RESP; the first line of the reply."""
    payload = f"*{len(args)}\r\n".encode()
    for arg in args:
        data = str(arg).encode()
        payload += b"$%d\r\n%s\r\n" % (len(data), data)
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1.5) as sock:
        sock.sendall(payload)
        return sock.recv(64).split(b"\r\n")[0]


def redis():
    if not _reachable(REDIS_HOST, REDIS_PORT) or _redis_command("PING") != b"+PONG":
        return ""
    base = f"redis://{REDIS_HOST}:{REDIS_PORT}"
    if os.environ.get("REDIS_DB"):
        return f"{base}/{os.environ['REDIS_DB']}"
    for number in range(1, 16):
        if (
            _redis_command("SET", CLAIM.format(number), os.getppid(), "NX", "EX", 6 * 3600)
            == b"+OK"
        ):
            return f"{base}/{number}"
    print("Redis: databases 1–15 are all held by other runs; using 0", file=sys.stderr)
    return f"{base}/0"


def release(url):
    if url and not os.environ.get("REDIS_DB") and _reachable(REDIS_HOST, REDIS_PORT):
        number = url.rsplit("/", 1)[-1]
        if number.isdigit() and number != "0":
            _redis_command("DEL", CLAIM.format(number))
    return ""


def drop(name):
    if not name or not _reachable(PG_HOST, PG_PORT):
        return ""
    import psycopg

    base = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}"
    with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname = %s"
                " OR datname LIKE %s",
                (name, f"test_{name}", f"test_{name}_gw%"),
            )
        ]
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')
    return ""


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    commands = {"database": database, "redis": redis, "release": release, "drop": drop}
    result = commands[what](*sys.argv[2:])
    if result:
        print(result)
