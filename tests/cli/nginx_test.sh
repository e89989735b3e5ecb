#!/usr/bin/env bash
# The sample nginx configuration in front of `ocop serve` (config/deploy/nginx-ocop.conf) is
# valid: `nginx -t` with it included, a throwaway certificate, and paths under a scratch
# directory. Skipped (77) when nginx or openssl is not installed.
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
if "$NGINX" -t -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/out"; then
  echo "1 passed, 0 failed"
else
  cat "$WORK/out"
  echo "0 passed, 1 failed"
  exit 1
fi
