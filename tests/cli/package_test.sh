#!/usr/bin/env bash
# The Debian package (issue 14), as an operator meets it: CPack builds it from this build tree;
# apt installs it on this machine; the sample year runs through the installed binary as the
# `ocop` user the package created (the documented direct commands, for machines without
# systemd: docs/operations.md, "The Debian package"), and the installed `ocop serve` answers;
# an upgrade to a later version keeps the database and the edited configuration; the binary
# refuses a database a newer ocop migrated; purge removes the program and its configuration
# and keeps the province's records.
#
# It installs and removes a package, so it runs only as root, with dpkg and apt, from a build
# that is not sanitised (the package is the release build's), and never over an `ocop` package
# that it did not install itself. Skipped (77) otherwise.
# Usage: package_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
BUILD=$(cd "$(dirname "$OCOP")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
command -v dpkg >/dev/null && command -v apt-get >/dev/null && command -v cpack >/dev/null || skip "no dpkg, apt-get or cpack"
ldd "$OCOP" | grep libasan >/dev/null && skip "a sanitised build is not packaged (the release build's package is tested)"
dpkg-query -W -f='${Status}' ocop 2>/dev/null | grep -q "install ok installed" && skip "an ocop package is installed already; not touching it"

WORK=$(mktemp -d)
chmod 0755 "$WORK"
fails=0
cleanup() {
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  if dpkg-query -W -f='${Status}' ocop 2>/dev/null | grep -q installed; then apt-get purge -y -qq ocop >/dev/null 2>&1; fi
  rm -rf /var/lib/ocop "$WORK"
}
trap cleanup EXIT
check() {  # check WHAT COMMAND...
  local what=$1; shift
  if "$@" >>"$WORK/log" 2>&1; then echo "ok - $what"; else echo "FAIL - $what"; fails=$((fails + 1)); tail -20 "$WORK/log"; fi
}
as_ocop() { runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop "$@"; }
rm -rf /var/lib/ocop

# Two packages from the one build: this version and a later one, for the upgrade.
(cd "$BUILD" && cpack -G DEB -B "$WORK/v1" >"$WORK/cpack1.log" 2>&1) || { cat "$WORK/cpack1.log"; exit 1; }
(cd "$BUILD" && cpack -G DEB -B "$WORK/v2" -D CPACK_PACKAGE_VERSION=99.0.0 >"$WORK/cpack2.log" 2>&1) || { cat "$WORK/cpack2.log"; exit 1; }
DEB1=$(ls "$WORK"/v1/ocop_*.deb) DEB2=$(ls "$WORK"/v2/ocop_99.0.0_*.deb) || { echo "FAIL: no package built"; exit 1; }
check "the configuration and its environment are conffiles" \
  bash -c "dpkg-deb -I '$DEB1' conffiles | grep -qx /etc/ocop/config.yaml && dpkg-deb -I '$DEB1' conffiles | grep -qx /etc/default/ocop"
check "the package holds the binary, the PostgreSQL module, the sample and the hardened units" bash -c "
  dpkg-deb -c '$DEB1' > '$WORK/files'
  for f in ./usr/bin/ocop ./usr/lib/ocop/libocop_pgsql.so ./usr/lib/ocop/libocop_print.so ./usr/lib/ocop/libocop_xlsx.so ./usr/share/ocop/config/sample-events.jsonl \
           ./lib/systemd/system/ocop-serve.service ./lib/systemd/system/ocop-tick.timer ./lib/systemd/system/ocop-deliver.timer; do
    grep -q \" \$f\$\" '$WORK/files' || { echo missing \$f; exit 1; }
  done
  dpkg-deb --fsys-tarfile '$DEB1' | tar -xO ./lib/systemd/system/ocop-serve.service > '$WORK/unit'
  for k in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes User=ocop ExecStartPre=/usr/bin/ocop; do grep -q \"^\$k\" '$WORK/unit' || { echo no \$k; exit 1; }; done"

# Install.
check "apt installs the package" apt-get install -y -qq "$DEB1"
check "the ocop system user and its /var/lib/ocop" bash -c '
  getent passwd ocop | grep -q nologin && [ "$(stat -c %U:%a /var/lib/ocop)" = ocop:750 ] &&
  [ "$(stat -c %G:%a /etc/ocop/config.yaml)" = ocop:640 ]'
check "the installed binary starts and loads nothing it does not need" bash -c '/usr/bin/ocop --help >/dev/null && ! ldd /usr/bin/ocop | grep -Eq "libcurl|libpq"'

# The documented direct commands (no systemd): the sample year as the ocop user.
check "init (a simulation database, for the sample's past dates)" as_ocop init --simulation
check "the sample year imports through the installed binary" bash -c "
  runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop --json import /usr/share/ocop/config/sample-events.jsonl > '$WORK/import.json' &&
  python3 -c \"import json; r=json.load(open('$WORK/import.json')); assert r['refused'] == 0 and r['applied'] == 1756, r\""
HEAD1=$(as_ocop --json audit verify 2>/dev/null | python3 -c "import json,sys; j=json.load(sys.stdin); print(j['head'] if j['valid'] else '')")
check "the chain verifies" test -n "$HEAD1"
check "the PostgreSQL module is found from the installed tree" bash -c "
  OCOP_DB=postgresql://nobody@127.0.0.1:1/none /usr/bin/ocop show X 2>&1 | grep -v 'could not be loaded' | grep -q 'cannot open database'"
check "the printing module and the fonts are found from the installed tree: a certificate's PDF" bash -c "
  o='runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop'
  id=\$(\$o --json certificates --state active | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"id\"])') &&
  \$o certificate pdf \"\$id\" --output /var/lib/ocop/check.pdf --base-url https://ocop.example.vn &&
  pdftotext /var/lib/ocop/check.pdf - | grep -q 'GIẤY CHỨNG NHẬN' && rm /var/lib/ocop/check.pdf"
check "the spreadsheet module is found from the installed tree: the offices' report" bash -c "
  runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop report --format xlsx --output /var/lib/ocop/check.xlsx &&
  /usr/bin/python3 -c \"import openpyxl; assert openpyxl.load_workbook('/var/lib/ocop/check.xlsx').sheetnames[0] == 'Theo đơn vị'\" && rm /var/lib/ocop/check.xlsx"
check "the printing module writes the yearly report from the installed tree" bash -c "
  runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop report --format pdf --output /var/lib/ocop/check-report.pdf &&
  pdftotext /var/lib/ocop/check-report.pdf - | grep -q 'BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH OCOP' && rm /var/lib/ocop/check-report.pdf"
# setpriv execs the service itself (runuser would stand between it and the signal).
OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml setpriv --reuid=ocop --regid=ocop --init-groups \
  /usr/bin/ocop serve --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q "http://127.0.0.1:" "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.out" | head -1 | cut -d: -f3)
check "the installed service answers /healthz and the API asks for sign-in" bash -c "
  python3 - $PORT <<'PY'
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
c.request('GET', '/healthz'); r = c.getresponse(); r.read(); assert r.status == 200, r.status
c.request('GET', '/api/v1/dossiers'); r = c.getresponse(); r.read(); assert r.status == 401, r.status
PY"
if [ -f "$BUILD/web/index.html" ]; then  # a build with the web application (OCOP_WEB)
  check "the installed service serves the web application from /usr/share/ocop/web" bash -c "
    test -f /usr/share/ocop/web/index.html && python3 - $PORT <<'PY'
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
c.request('GET', '/ho-so/TQ-2026-0001'); r = c.getresponse(); b = r.read()
assert r.status == 200 and r.getheader('Content-Type').startswith('text/html') and b'/assets/app-' in b, (r.status, b[:200])
PY"
fi
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?; SERVE_PID=
check "the service stops cleanly on SIGTERM" test "$rc" -eq 0

# Upgrade: the edited configuration and the database stay; init (ExecStartPre) migrates.
echo "# edited by the province" >>/etc/ocop/config.yaml
check "apt upgrades to a later version, keeping the edited configuration" bash -c "
  apt-get install -y -qq -o Dpkg::Options::=--force-confold '$DEB2' &&
  [ \"\$(dpkg-query -W -f='\${Version}' ocop)\" = 99.0.0 ] && grep -q 'edited by the province' /etc/ocop/config.yaml"
check "after the upgrade, init and the same chain" bash -c "
  runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop init >/dev/null &&
  runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop --json audit verify | grep -q '$HEAD1'"

# A database that a newer ocop migrated is refused, saying so, and left as it was.
python3 -c "
import sqlite3; c = sqlite3.connect('/var/lib/ocop/ocop.db')
c.execute(\"INSERT INTO schema_migrations (version, description, applied_at) VALUES (9999, 'from the future', '2030-01-01T00:00:00Z')\"); c.commit()"
check "a newer schema is refused with the reason" bash -c "
  ! as_out=\$(runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop show TQ-2026-0001 2>&1) &&
  echo \"\$as_out\" | grep -q 'newer than this ocop knows' &&
  ! runuser -u ocop -- env OCOP_DB=sqlite:/var/lib/ocop/ocop.db OCOP_CONFIG=/etc/ocop/config.yaml /usr/bin/ocop init >/dev/null 2>&1"
python3 -c "
import sqlite3; c = sqlite3.connect('/var/lib/ocop/ocop.db'); c.execute('DELETE FROM schema_migrations WHERE version = 9999'); c.commit()"

# Purge: the program and its configuration go; the records stay.
check "apt purges the package and keeps the database" bash -c "
  apt-get purge -y -qq ocop >/dev/null 2>&1 && [ ! -e /usr/bin/ocop ] && [ ! -e /etc/ocop ] && [ ! -e /etc/default/ocop ] &&
  [ ! -e /lib/systemd/system/ocop-serve.service ] && [ -s /var/lib/ocop/ocop.db ]"

[ "$fails" -eq 0 ] && echo "1 passed, 0 failed" || { echo "$fails check(s) failed"; exit 1; }
