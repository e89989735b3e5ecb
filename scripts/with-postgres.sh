#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster on loopback, and removes the cluster
# afterwards. The command sees OCOP_TEST_POSTGRES=postgresql://postgres@127.0.0.1:PORT/ocop_test.
# Without root (initdb must run as the postgres user) or without the server binaries, the
# command runs without the variable and the PostgreSQL tests skip themselves.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -uo pipefail
PGBIN=/usr/lib/postgresql/15/bin
if [ "$(id -u)" -ne 0 ] || [ ! -x "$PGBIN/initdb" ] || ! id postgres >/dev/null 2>&1; then
  echo "with-postgres: no throwaway PostgreSQL here (needs root and postgresql-15); its tests will skip"
  exec "$@"
fi
DIR=$(mktemp -d /tmp/ocop-pg.XXXXXX)
chown postgres "$DIR"
chmod 700 "$DIR"
stop() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1
  rm -rf "$DIR"
}
trap stop EXIT
if ! runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/data" --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$DIR/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:"
  tail -5 "$DIR/initdb.log"
  exit 1
fi
# A few ports below Linux's ephemeral range, in case one is taken.
started=""
for attempt in 1 2 3 4 5; do
  PORT=$((20000 + RANDOM % 12000))
  if runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR" >/dev/null 2>&1; then
    started=yes
    break
  fi
done
if [ -z "$started" ] || ! psql -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE ocop_test" >/dev/null; then
  echo "with-postgres: could not start a throwaway cluster:"
  tail -5 "$DIR/server.log"
  exit 1
fi
export OCOP_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$PORT/ocop_test"
"$@"
