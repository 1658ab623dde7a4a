#!/usr/bin/env python3
"""Probe the local services for `make test` / `make run`.

`services.py database` prints a DATABASE_URL for PostgreSQL when it answers (creating the
database if needed), or nothing; `services.py redis` prints a REDIS_URL when Redis answers.
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


def redis():
    host, port = "127.0.0.1", 6379
    if not _reachable(host, port):
        return ""
    with socket.create_connection((host, port), timeout=1.5) as sock:
        sock.sendall(b"PING\r\n")
        if not sock.recv(16).startswith(b"+PONG"):
            return ""
    return f"redis://{host}:{port}/{os.environ.get('REDIS_DB', '0')}"


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    print({"database": database, "redis": redis}[what]())
