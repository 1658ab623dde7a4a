#!/usr/bin/env bash
# A second PostgreSQL cluster on the loopback for the largest benchmark databases
# (`BENCH_PG=postgresql://postgres@127.0.0.1:5434 bench/run.py --sizes 10000000 …`).
# A replica base backup (scripts/replica.sh) copies the whole main cluster; a 10,000,000-case
# database beside the main cluster's own would not fit twice on these machines' disks, so it
# lives here. Same server build and the same settings as the main cluster, so the figures compare.
#   scripts/bench-cluster.sh start|stop|destroy|status
set -euo pipefail

PORT=${BENCH_PG_PORT:-5434}
DIR=${BENCH_PG_DIR:-/work/pg-bench-$PORT}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MAIN_PORT=${PRIMARY_PORT:-5432}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

main_setting() { psql -h 127.0.0.1 -p "$MAIN_PORT" -U postgres -d postgres -Atqc "SHOW $1"; }

start() {
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    as_owner "$PG_BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "port = $PORT"
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '/tmp'"
      for name in shared_buffers autovacuum max_wal_size min_wal_size max_connections fsync; do
        echo "$name = '$(main_setting "$name")'"
      done
    } | as_owner tee -a "$DIR/postgresql.conf" >/dev/null
  fi
  as_owner "$PG_BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1 ||
    as_owner "$PG_BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start >/dev/null
  echo "bench cluster: postgresql://postgres@127.0.0.1:$PORT ($DIR)"
}

stop() { as_owner "$PG_BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true; }

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  destroy) stop; rm -rf "$DIR"; echo "bench cluster: removed $DIR" ;;
  status) as_owner "$PG_BIN/pg_ctl" -D "$DIR" status ;;
  *) echo "usage: $0 start|stop|destroy|status" >&2; exit 2 ;;
esac
