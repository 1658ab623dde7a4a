#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local primary, on the loopback, for development and CI.
#
#   scripts/replica.sh start     # build (pg_basebackup -R) if needed, start, wait until streaming
#   scripts/replica.sh stop      # stop it (the data directory stays; `start` resumes it)
#   scripts/replica.sh status    # running? streaming? how far behind?
#   scripts/replica.sh destroy   # stop it and delete its data directory
#   scripts/replica.sh url DB    # the DATABASE_REPLICA_URL for database DB
#
# The replica is a physical copy of the whole primary cluster (every database on it), read-only,
# kept in step by streaming replication. It needs the primary to allow replication connections
# from 127.0.0.1; when run as root, `start` adds that pg_hba line to the primary and reloads it.
# No replication slot: a replica left stopped never makes the primary keep WAL for it; if it
# falls too far behind to resume, `start` rebuilds it from a fresh base backup.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PG_SUPERUSER=${PG_SUPERUSER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/tmp/mediation-replica-$REPLICA_PORT}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_SUPERUSER" -d postgres -Atqc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PG_SUPERUSER" -d postgres -Atqc "$1"; }

# The server runs as the postgres user; root hands its commands over.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

streaming() {
  [ "$(replica "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = "streaming" ]
}

wait_streaming() {
  for _ in $(seq 1 "${1:-60}"); do
    streaming && return 0
    sleep 1
  done
  return 1
}

allow_replication() {
  # A replication connection matches only pg_hba lines naming `replication`.
  if psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PG_SUPERUSER dbname=postgres replication=true" \
      -Atqc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return 0
  fi
  local hba
  hba=$(primary "SHOW hba_file")
  if [ "$(id -u)" != 0 ] || [ ! -w "$hba" ]; then
    echo "replica: the primary refuses replication connections; add to $hba:" >&2
    echo "  host replication all 127.0.0.1/32 trust" >&2
    echo "and reload it (SELECT pg_reload_conf())." >&2
    exit 1
  fi
  echo "replica: allowing replication from 127.0.0.1 in $hba"
  printf '\n# Streaming replica on the loopback (scripts/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  primary "SELECT pg_reload_conf()" >/dev/null
  sleep 1
}

build() {
  allow_replication
  echo "replica: base backup of $PRIMARY_HOST:$PRIMARY_PORT into $REPLICA_DIR"
  rm -rf "$REPLICA_DIR"
  mkdir -p "$REPLICA_DIR"
  chmod 700 "$REPLICA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$REPLICA_DIR"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL of the backup itself.
  as_owner "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_SUPERUSER" \
    -D "$REPLICA_DIR" -R -X stream -c fast --no-sync
  # A hot standby needs at least the primary's values of these.
  local limits
  limits=$(primary "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
    ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
     'max_locks_per_transaction')")
  # A Debian cluster keeps its configuration in /etc, so the copy has none: write a small one.
  as_owner tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# Streaming replica of $PRIMARY_HOST:$PRIMARY_PORT (scripts/replica.sh); primary_conninfo is in
# postgresql.auto.conf.
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 64MB
logging_collector = off
$limits
EOF
  as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner touch "$REPLICA_DIR/pg_ident.conf"
}

start_server() {
  as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start >/dev/null
}

start() {
  if running && streaming; then
    echo "replica: already streaming on 127.0.0.1:$REPLICA_PORT"
    return 0
  fi
  if [ -f "$REPLICA_DIR/standby.signal" ]; then
    running || start_server || true
    # A hot standby opens for reads once it has a consistent snapshot of the primary's running
    # transactions; a primary busy with long transactions of many savepoints delays that.
    if wait_streaming "${REPLICA_WAIT:-180}"; then
      echo "replica: resumed on 127.0.0.1:$REPLICA_PORT"
      return 0
    fi
    if ! grep -q "has already been removed" "$REPLICA_DIR/server.log" 2>/dev/null; then
      echo "replica: not streaming after ${REPLICA_WAIT:-180} s; see $REPLICA_DIR/server.log" >&2
      tail -n 20 "$REPLICA_DIR/server.log" >&2
      exit 1
    fi
    echo "replica: the primary no longer has the WAL it needs; rebuilding"
    stop
  fi
  build
  start_server
  wait_streaming "${REPLICA_WAIT:-180}" || { tail -n 30 "$REPLICA_DIR/server.log" >&2; exit 1; }
  echo "replica: streaming on 127.0.0.1:$REPLICA_PORT from $PRIMARY_HOST:$PRIMARY_PORT"
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
    echo "replica: stopped"
  fi
}

status() {
  if ! running; then
    echo "replica: not running ($REPLICA_DIR)"
    return 3
  fi
  replica "SELECT 'replica: ' || status || ' from ' || sender_host || ':' || sender_port
           FROM pg_stat_wal_receiver" || true
  local lsn
  lsn=$(primary "SELECT pg_current_wal_lsn()")
  replica "SELECT 'replica: ' || pg_wal_lsn_diff('$lsn', pg_last_wal_replay_lsn())
           || ' bytes behind the primary, last replayed commit at '
           || coalesce(pg_last_xact_replay_timestamp()::text, 'never')"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) stop; rm -rf "$REPLICA_DIR"; echo "replica: removed $REPLICA_DIR" ;;
  url) echo "postgresql://$PG_SUPERUSER@127.0.0.1:$REPLICA_PORT/${2:?database name}" ;;
  *) echo "usage: $0 start|stop|status|destroy|url DB" >&2; exit 2 ;;
esac
