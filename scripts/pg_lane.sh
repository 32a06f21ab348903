#!/usr/bin/env bash
# The Postgres lane (`make test-postgres`): the same dbt project built on PostgreSQL, and its
# marts compared with the DuckDB build of the same data.
#
# Uses the server answering on 127.0.0.1:$AILEDGER_PG_PORT (55432 by default, so a system
# server on 5432 is never touched). When none answers, it installs Debian's PostgreSQL 15 if
# initdb is missing, starts a throwaway cluster (trust auth, loopback only, no fsync) in a
# temporary folder, and stops and removes it when the lane ends.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
export AILEDGER_PG_HOST=${AILEDGER_PG_HOST:-127.0.0.1}
export AILEDGER_PG_PORT=${AILEDGER_PG_PORT:-55432}
export AILEDGER_PG_USER=${AILEDGER_PG_USER:-postgres}
export AILEDGER_PG_PASSWORD=${AILEDGER_PG_PASSWORD:-}
# The lane drops and re-creates its own database, never $AILEDGER_PG_DATABASE.
export AILEDGER_PG_LANE_DATABASE=${AILEDGER_PG_LANE_DATABASE:-ailedger_lane}

say() { printf 'pg-lane: %s\n' "$*"; }

answers() {
    "$BIN/python" - <<'EOF' 2>/dev/null
import os, sys
import psycopg2
try:
    psycopg2.connect(host=os.environ["AILEDGER_PG_HOST"], port=os.environ["AILEDGER_PG_PORT"],
                     user=os.environ["AILEDGER_PG_USER"],
                     password=os.environ["AILEDGER_PG_PASSWORD"], dbname="postgres",
                     connect_timeout=3).close()
except psycopg2.OperationalError:
    sys.exit(1)
EOF
}

pg_bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

install_postgres() {
    if [ "$(id -u)" != 0 ]; then
        echo "pg-lane: PostgreSQL is not installed; run as root or: sudo apt-get install postgresql-15" >&2
        exit 1
    fi
    say "installing Debian's PostgreSQL 15"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql-15 >/dev/null 2>&1 \
        || apt-get install -y -qq postgresql >/dev/null
}

CLUSTER=""
stop_cluster() {
    if [ -n "$CLUSTER" ] && [ -z "${AILEDGER_PG_KEEP:-}" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$CLUSTER"
    elif [ -n "$CLUSTER" ]; then
        say "left running (AILEDGER_PG_KEEP): $PG_BIN/pg_ctl -D $CLUSTER/data stop"
    fi
}

# Postgres refuses to run as root: as root, the cluster belongs to the `postgres` OS user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_cluster() {
    PG_BIN=$(pg_bindir)
    if [ -z "$PG_BIN" ]; then
        install_postgres
        PG_BIN=$(pg_bindir)
    fi
    CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/ailedger-pg-lane.XXXXXX")
    trap stop_cluster EXIT
    if [ "$(id -u)" = 0 ]; then chown postgres: "$CLUSTER"; fi
    say "starting a throwaway PostgreSQL ($("$PG_BIN/postgres" --version)) on $AILEDGER_PG_HOST:$AILEDGER_PG_PORT in $CLUSTER"
    as_owner "$PG_BIN/initdb" -D "$CLUSTER/data" -U "$AILEDGER_PG_USER" -A trust \
        -E UTF8 --locale=C.UTF-8 >"$CLUSTER/initdb.log" 2>&1 \
        || { cat "$CLUSTER/initdb.log" >&2; exit 1; }
    as_owner "$PG_BIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w -t 60 start \
        -o "-h $AILEDGER_PG_HOST -p $AILEDGER_PG_PORT -k $CLUSTER -c timezone=UTC -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null || { cat "$CLUSTER/server.log" >&2; exit 1; }
}

if [ ! -x "$BIN/python" ] || ! "$BIN/python" -c "import psycopg2, dbt.adapters.postgres" 2>/dev/null; then
    say "installing the postgres extra into $BIN"
    "$BIN/pip" install --quiet -e '.[dev,postgres]'
fi

if answers; then
    say "using the PostgreSQL already answering on $AILEDGER_PG_HOST:$AILEDGER_PG_PORT"
else
    start_cluster
fi

started=$(date +%s)
"$BIN/pytest" -m lanes -s -p no:cacheprovider tests/lanes/test_postgres_lane.py "$@"
say "lane took $(( $(date +%s) - started ))s"
