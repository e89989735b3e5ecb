#!/usr/bin/env bash
# The sample nginx configuration in front of `ocop serve` (config/deploy/nginx-ocop.conf) is
# valid (`nginx -t` with it included, a throwaway certificate, and paths under a scratch
# directory) and works: nginx on loopback ports in front of a real serve limits one client's
# public requests and nothing else. Skipped (77) when nginx or openssl is not installed.
# Usage: nginx_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
REPO=$2
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ] || ! command -v openssl >/dev/null; then
  echo "SKIP: nginx or openssl is not installed"
  exit 77
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/ssl" "$WORK/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ocop.example.vn \
  -keyout "$WORK/ssl/privkey.pem" -out "$WORK/ssl/fullchain.pem" 2>/dev/null || exit 1
sed -e "s#/etc/ssl/ocop#$WORK/ssl#g" "$REPO/config/deploy/nginx-ocop.conf" >"$WORK/ocop.conf"
cat >"$WORK/nginx.conf" <<CONF
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log;
events {}
http {
  access_log $WORK/logs/access.log;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  include $WORK/ocop.conf;
}
CONF
if ! "$NGINX" -t -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/out"; then
  cat "$WORK/out"
  echo "0 passed, 1 failed"
  exit 1
fi
pass=1
failed=0

# The sample at work: nginx on loopback ports in front of a real `ocop serve --public-rate 0`
# (as /etc/default/ocop starts it). One client's public requests are limited by nginx (a burst
# of 30, then 429); signed-in routes and /healthz are not.
OCOP=$1
export OCOP_DB="sqlite:$WORK/ocop.db" OCOP_CONFIG="$REPO/config/sample.yaml"
"$OCOP" init >/dev/null || { echo "ocop init failed"; echo "$pass passed, 1 failed"; exit 1; }
"$OCOP" serve --listen 127.0.0.1:0 --public-rate 0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null; "$NGINX" -s stop -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
SERVE_PORT=""
for _ in $(seq 100); do
  SERVE_PORT=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | head -1 | sed 's/.*://')
  [ -n "$SERVE_PORT" ] && break
  sleep 0.1
done
[ -n "$SERVE_PORT" ] || { cat "$WORK/serve.log"; echo "$pass passed, 1 failed (serve did not start)"; exit 1; }
read -r HTTP_PORT HTTPS_PORT < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
sed -e "s#/etc/ssl/ocop#$WORK/ssl#g" -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
  -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#" -e '/listen \[::\]/d' \
  -e "s#server 127.0.0.1:8080;#server 127.0.0.1:$SERVE_PORT;#" \
  "$REPO/config/deploy/nginx-ocop.conf" >"$WORK/ocop.conf"
mkdir -p "$WORK/body" "$WORK/proxy"
chmod -R a+rwX "$WORK"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/out" || { cat "$WORK/out"; echo "$pass passed, 1 failed (nginx did not start)"; exit 1; }
if /usr/bin/python3 - "$HTTPS_PORT" <<'PY'
import http.client, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl._create_unverified_context()
def statuses(path, n):
    out = []
    for _ in range(n):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        c.request("GET", path)
        out.append(c.getresponse().status)
        c.close()
    return out
for _ in range(50):  # nginx's workers may take a moment
    try:
        statuses("/healthz", 1)
        break
    except OSError:
        time.sleep(0.1)
problems = []
public = statuses("/verify/AAAAAAAAAAAAAAAAAAAA", 40)
if 429 in public[:31]: problems.append("a public request within the burst was limited: %s" % public)
if public.count(429) < 5: problems.append("the public face was not limited after the burst: %s" % public)
if set(public) - {404, 429}: problems.append("unexpected answers from /verify/: %s" % sorted(set(public)))
other = statuses("/healthz", 40) + statuses("/api/v1/me", 10)
if 429 in other: problems.append("a route that is not public was limited: %s" % other)
if other[-1] != 401: problems.append("/api/v1/me without sign-in: %s, not 401" % other[-1])
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
then
  pass=$((pass + 1))
else
  failed=$((failed + 1))
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
