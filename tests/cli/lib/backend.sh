# Databases for the CLI scripts on either backend (sourced; not a test itself). The script
# sets WORK (a scratch directory) first.
#
# With OCOP_TEST_BACKEND=postgresql, `new_db NAME` creates a fresh database on the server
# that OCOP_TEST_POSTGRES names (scripts/with-postgres.sh starts a throwaway one) and prints
# its URL; otherwise it prints the URL of a SQLite file in $WORK. `db_sql URL SQL` runs SQL on
# either (rows as a|b|c). `clone_db URL NAME` copies a database no process has open into a new
# one and prints its URL. `drop_dbs` removes this script's PostgreSQL databases. CTest
# registers every script that sources this file twice (cli_NAME, cli_NAME_postgresql); the
# PostgreSQL run exits 77 (skipped) when no server is given.
BACKEND=${OCOP_TEST_BACKEND:-sqlite}
if [ "$BACKEND" = postgresql ] && [ -z "${OCOP_TEST_POSTGRES:-}" ]; then
  echo "SKIP: OCOP_TEST_BACKEND=postgresql but OCOP_TEST_POSTGRES is not set"
  exit 77
fi
PG_PREFIX="ocop_cli_$$_"

pg_url() {  # the server's URL with database $1
  local base=${OCOP_TEST_POSTGRES%%\?*}
  echo "${base%/*}/$1"
}

new_db() {
  if [ "$BACKEND" = postgresql ]; then
    local name="$PG_PREFIX$1"
    psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null ||
      { echo "cannot create database $name" >&2; return 1; }
    pg_url "$name"
  else
    rm -f "$WORK/$1.db" "$WORK/$1.db-wal" "$WORK/$1.db-shm"
    echo "sqlite:$WORK/$1.db"
  fi
}

db_sql() {
  if [[ $1 == postgresql://* ]]; then
    psql -qAt -F'|' -v ON_ERROR_STOP=1 "$1" -c "$2"
  else
    sqlite3 "${1#sqlite:}" "$2"
  fi
}

drop_dbs() {
  [ "$BACKEND" = postgresql ] || return 0
  local name
  for name in $(psql -qAt "$OCOP_TEST_POSTGRES" -c "SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'" 2>/dev/null); do
    psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
  done
}

clone_db() {
  if [ "$BACKEND" = postgresql ]; then
    local from=${1##*/}
    psql -q "$OCOP_TEST_POSTGRES" -c "CREATE DATABASE $PG_PREFIX$2 TEMPLATE ${from%%\?*}" >/dev/null ||
      { echo "cannot copy database $from" >&2; return 1; }
    pg_url "$PG_PREFIX$2"
  else
    local src=${1#sqlite:}
    cp "$src" "$WORK/$2.db"
    [ -f "$src-wal" ] && cp "$src-wal" "$WORK/$2.db-wal"
    echo "sqlite:$WORK/$2.db"
  fi
}
