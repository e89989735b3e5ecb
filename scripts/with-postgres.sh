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
PORT=$((40000 + RANDOM % 20000))
stop() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1
  rm -rf "$DIR"
}
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/data" --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 &&
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on" >/dev/null &&
  psql -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE ocop_test" >/dev/null
if [ $? -ne 0 ]; then
  echo "with-postgres: could not start a throwaway cluster:"
  tail -5 "$DIR"/*.log
  exit 1
fi
export OCOP_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$PORT/ocop_test"
"$@"
