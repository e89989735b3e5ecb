"""`ocop serve --web DIR` end to end (driven by web_static_test.sh). Prints one line per failed
check and "N passed, M failed"; exits 1 on any failure."""
import http.client
import json
import os
import re
import socket
import subprocess
import sys

OCOP, REPO, WORK = sys.argv[1:4]
ENV = dict(os.environ, OCOP_DB="sqlite:" + os.path.join(WORK, "web.db"),
           OCOP_CONFIG=os.path.join(REPO, "config", "sample.yaml"), OCOP_WEB_DIR="")
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, str(detail)[:400])


def serve(*args):
    p = subprocess.Popen([OCOP, "serve", "--listen", "127.0.0.1:0", *args], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        p.wait(10)
        return p, None, p.stderr.read()
    return p, int(m.group(1)), ""


def get(port, path, method="GET", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def raw(port, target):
    """The request line exactly as written (no client normalises it)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % target).encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


subprocess.run([OCOP, "init"], env=ENV, check=True, capture_output=True)

# The site: an index, a hashed asset, an icon; a secret beside it and a symbolic link to it.
site = os.path.join(WORK, "site")
os.makedirs(os.path.join(site, "assets"))
INDEX = b'<!doctype html><html lang="vi"><head><script type="module" src="/assets/app-ABC123.js"></script></head><body></body></html>'
APP = b"console.log('Ch\xc3\xa8 Shan tuy\xe1\xba\xbft');\n"
open(os.path.join(site, "index.html"), "wb").write(INDEX)
open(os.path.join(site, "assets", "app-ABC123.js"), "wb").write(APP)
open(os.path.join(site, "favicon.svg"), "wb").write(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
SECRET = b"the secret beside the site"
open(os.path.join(WORK, "secret.txt"), "wb").write(SECRET)
os.symlink(os.path.join(WORK, "secret.txt"), os.path.join(site, "link.txt"))

proc, P, err = serve("--web", site)
if not P:
    print("FAIL: serve --web did not start:", err[-1000:])
    sys.exit(1)
try:
    st, h, body = get(P, "/")
    check("/ is index.html", st == 200 and body == INDEX and h.get("content-type") == "text/html; charset=utf-8", (st, h))
    check("index.html is revalidated (no-cache) with an ETag", h.get("cache-control") == "no-cache" and h.get("etag"), h)
    check("index.html carries the CSP without inline script",
          "default-src 'self'" in h.get("content-security-policy", "") and "unsafe-inline" not in h.get("content-security-policy", ""), h)
    check("nosniff", h.get("x-content-type-options") == "nosniff", h)
    st2, h2, body2 = get(P, "/", headers={"If-None-Match": h.get("etag", "")})
    check("If-None-Match: 304 without a body", st2 == 304 and body2 == b"", (st2, body2[:50]))

    st, h, body = get(P, "/assets/app-ABC123.js")
    check("a hashed asset: its bytes, text/javascript", st == 200 and body == APP and h.get("content-type", "").startswith("text/javascript"), (st, h))
    check("a hashed asset is cached a year, immutable", h.get("cache-control") == "public, max-age=31536000, immutable", h)
    for target in ("/", "/assets/app-ABC123.js"):
        st, data = raw(P, target)
        head = data.split(b"\r\n\r\n", 1)[0].lower()
        check("%s: one Cache-Control header (the file's, not no-store as well)" % target,
              st == 200 and head.count(b"\r\ncache-control:") == 1, head[:600])
    st, h, body = get(P, "/assets/app-ABC123.js", method="HEAD")
    check("HEAD: the length, no body", st == 200 and body == b"" and h.get("content-length") == str(len(APP)), (st, h))
    st, h, body = get(P, "/favicon.svg")
    check("svg", st == 200 and h.get("content-type") == "image/svg+xml", (st, h))

    for route in ["/ho-so/TQ-2026-0001", "/tong-quan", "/kiem-tra?x=1", "/ho-so/TQ.2026.1"]:
        st, h, body = get(P, route)
        check("application route %s gets index.html" % route, st == 200 and body == INDEX and h.get("cache-control") == "no-cache", (st, body[:60]))

    for missing in ["/assets/app-OLD.js", "/assets/nothing", "/missing.css", "/style.js", "/link.txt"]:
        st, h, body = get(P, missing)
        check("%s: 404, not index.html" % missing, st == 404 and body != INDEX and h.get("content-type", "").startswith("application/problem+json"), (st, body[:80]))

    for api in ["/api/v1/nowhere", "/api/nowhere", "/api"]:
        st, h, body = get(P, api)
        check("%s: the API's 404 problem, never index.html" % api, st == 404 and b"not_found" in body, (st, body[:80]))
    st, h, body = get(P, "/api/v1/dossiers")
    check("an API route still needs sign-in (401)", st == 401, (st, body[:80]))
    st, h, body = get(P, "/healthz")
    check("/healthz is the API's", st == 200 and json.loads(body) == {"status": "ok"}, (st, body))
    st, h, body = get(P, "/", method="POST")
    check("POST / is not a file", st in (404, 405) and body != INDEX, (st, body[:80]))

    for target in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2e%2e/secret.txt",
                   "/assets/..%2f..%2fsecret.txt", "/..%2fsecret.txt", "/%2fetc%2fpasswd", "//etc/passwd", "/./index.html",
                   "/assets/app-ABC123.js%00.html", "/link.txt", "/..\\secret.txt", "/ho-so/x%2F..%2F..%2Fsecret.txt", "/%5c..%5csecret.txt"]:
        st, data = raw(P, target)
        check("traversal %s refused (400 or 404)" % target, st in (400, 404) and SECRET not in data and b"root:" not in data, (st, data[:120]))
finally:
    proc.terminate()
    proc.wait(20)

# Bad directories stop the start (exit 2) with a reason.
for bad, why in [(os.path.join(WORK, "nowhere"), "not a directory"), (os.path.join(site, "assets"), "no index.html")]:
    p, port, err = serve("--web", bad)
    if port:
        p.terminate()
        p.wait(10)
    check("--web %s refused: %s" % (bad, why), port is None and p.returncode == 2 and why in err, (p.returncode, err[-300:]))

# --web '': the API only.
proc, P, err = serve("--web", "")
try:
    st, h, body = get(P, "/")
    check("--web '': / is the API's 404", st == 404 and b"not_found" in body, (st, body[:80]))
finally:
    proc.terminate()
    proc.wait(20)

# $OCOP_WEB_DIR names the default.
ENV["OCOP_WEB_DIR"] = site
proc, P, err = serve()
try:
    st, h, body = get(P, "/ho-so/x")
    check("OCOP_WEB_DIR is the default --web", st == 200 and body == INDEX, (st, body[:80]))
finally:
    proc.terminate()
    proc.wait(20)

# The package's layout: BIN/ocop finds BIN/../share/ocop/web (/usr/bin/ocop, /usr/share/ocop/web).
prefix = os.path.join(WORK, "usr")
os.makedirs(os.path.join(prefix, "bin"))
os.makedirs(os.path.join(prefix, "share", "ocop"))
import shutil
shutil.copy(OCOP, os.path.join(prefix, "bin", "ocop"))
shutil.copytree(site, os.path.join(prefix, "share", "ocop", "web"), symlinks=True)
ENV["OCOP_WEB_DIR"] = ""
OCOP = os.path.join(prefix, "bin", "ocop")
proc, P, err = serve()
try:
    st, h, body = get(P, "/tong-quan") if P else (0, {}, err.encode())
    check("an installed ocop serves ../share/ocop/web by default", st == 200 and body == INDEX, (st, body[:120]))
finally:
    proc.terminate()
    proc.wait(20)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
