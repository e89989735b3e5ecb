#!/usr/bin/env bash
# The web application's steps (web/, docs/web.md), for CMake, CTest and people:
#   web.sh deps                  npm ci in web/ when package-lock.json changed since the last one
#   web.sh build OUT             deps, type check, bundle into OUT (CMake: BUILD/web)
#   web.sh test-unit OUT_DIR     the front end's own logic (no browser)
#   web.sh test-browser OCOP WEB_DIR OUT_DIR
#                                the browser suite: Debian's chromium against the real `ocop serve`
#                                on a temporary simulation database; screenshots and first-paint
#                                times in OUT_DIR
#   web.sh docs-screenshots OCOP WEB_DIR
#                                the browser suite, also writing the README's two screenshots
#                                (docs/web-*.jpg, committed)
# Node and npm come from scripts/setup.sh; nothing is downloaded but the npm packages that
# web/package-lock.json pins (no browser download: /usr/bin/chromium).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WEB=$ROOT/web
cmd=${1:-}
shift || true

deps() {
  local want have=""
  want=$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)
  [ -f "$WEB/node_modules/.ocop-lock-sha256" ] && have=$(cat "$WEB/node_modules/.ocop-lock-sha256")
  if [ "$want" != "$have" ]; then
    echo "web: npm ci (web/package-lock.json)"
    (cd "$WEB" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$WEB/node_modules/.ocop-lock-sha256"
  fi
}

case "$cmd" in
  deps) deps ;;
  build)
    deps
    node "$WEB/build.mjs" --out "$1"
    ;;
  test-unit)
    deps
    cd "$WEB"
    OCOP_TEST_OUT="$1" exec npx playwright test -c playwright.unit.config.ts
    ;;
  test-browser)
    deps
    if [ ! -x /usr/bin/chromium ]; then
      echo "web_browser_test: /usr/bin/chromium is missing: run scripts/setup.sh (it installs Debian's chromium)" >&2
      exit 1
    fi
    cd "$WEB"
    OCOP_BIN="$1" OCOP_WEB_DIR="$2" OCOP_TEST_OUT="$3" OCOP_REPO="$ROOT" exec npx playwright test -c playwright.config.ts
    ;;
  docs-screenshots)
    out=$(mktemp -d)
    OCOP_DOCS_SCREENSHOTS="$ROOT/docs" "$0" test-browser "$1" "$2" "$out"
    rm -rf "$out"
    ls -l "$ROOT"/docs/web-*.jpg
    ;;
  *)
    sed -n '2,15p' "$0" >&2
    exit 2
    ;;
esac
