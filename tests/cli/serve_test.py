"""`ocop serve` end to end (driven by serve_test.sh): the real binary on an ephemeral port, real
HTTP clients (http.client and raw sockets), on the database serve_test.sh made.

Usage: serve_test.py OCOP REPO WORK DB SIM_DB   (SIM_DB: an empty database for the session timeouts)
Prints one line per failed check and "N passed, M failed"; exits 1 on any failure.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import serve_lib  # noqa: E402
from serve_lib import check, metrics, summary, wait_for  # noqa: E402

OCOP, REPO, WORK, DB, SIM_DB = sys.argv[1:6]
CONFIG = os.path.join(REPO, "config", "sample.yaml")
ENV = dict(os.environ, OCOP_DB=DB, OCOP_CONFIG=CONFIG, OCOP_DOCUMENTS_DIR=os.path.join(WORK, "documents"))


def ocop(*args, stdin=None, env=ENV):
    return subprocess.run([OCOP, *args], env=env, input=stdin, capture_output=True, text=True)


def Server(*extra, config=CONFIG, env=ENV):
    return serve_lib.Server(OCOP, env, WORK, *extra, config=config)


def stored_ids(ids):
    """Which of these dossier ids the database holds (one query, on either backend)."""
    ids = list(ids)
    if not ids:
        return set()
    if DB.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(DB[len("sqlite:"):])
        rows = con.execute("SELECT id FROM dossiers WHERE id IN (%s)" % ",".join("?" * len(ids)), ids).fetchall()
        con.close()
        return {r[0] for r in rows}
    quoted = ",".join("'" + i.replace("'", "''") + "'" for i in ids)
    out = subprocess.run(["psql", "-qAt", DB, "-c", "SELECT id FROM dossiers WHERE id IN (%s)" % quoted],
                         capture_output=True, text=True)
    return set(out.stdout.split())


_tokens = {}


def token(user):
    if user not in _tokens:
        r = ocop("token", "create", user, "--expires", "1", "--json")
        if r.returncode != 0:
            raise SystemExit("ocop token create %s failed: %s" % (user, r.stderr))
        _tokens[user] = json.loads(r.stdout)["token"]
    return _tokens[user]


def request(port, method, path, body=None, user=None, headers=None, raw=False):
    return serve_lib.request(port, method, path, body, headers, raw, bearer=token(user) if user else None)


def is_problem(what, got, status, code=None):
    st, h, j = got
    ok = st == status and h.get("content-type", "").startswith("application/problem+json") and isinstance(j, dict) \
        and j.get("status") == status and (code is None or j.get("code") == code)
    return check("%s: %d %s" % (what, status, code or ""), ok, (st, j))


SECURITY = {
    "content-security-policy": lambda v: "default-src 'self'" in v and "frame-ancestors 'none'" in v and "unsafe-inline" not in v,
    "x-content-type-options": lambda v: v == "nosniff",
    "referrer-policy": lambda v: v == "no-referrer",
    "cache-control": lambda v: "no-store" in v,
}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_cells(data):  # every sheet's rows of values, read by openpyxl (an independent reader)
    import io
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def security_headers(what, h):
    bad = [k for k, ok in SECURITY.items() if not ok(h.get(k, ""))]
    return check("security headers on " + what, not bad, bad)


# --- the database and a few dossiers ----------------------------------------------------------------
r = ocop("init")
if r.returncode != 0:
    raise SystemExit("init failed: " + r.stderr)

srv = Server()
P = srv.port
PRODUCER, OFFICER, COORD, OPERATOR = "producer.bacquang", "officer.bacquang", "coordinator.tq.thu", "scheduler.tq"

# --- the route table and docs/openapi.json, both ways -------------------------------------------------
with open(os.path.join(REPO, "docs", "openapi.json")) as f:
    spec = json.load(f)
documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
served = set()
for line in ocop("serve", "--print-routes").stdout.splitlines():
    m, p = line.split(" ", 1)
    served.add((m, p))
check("every served route is in docs/openapi.json", served <= documented, sorted(served - documented))
check("every documented route is served", documented <= served, sorted(documented - served))
check("openapi 3.1", spec.get("openapi", "").startswith("3.1"))

# --- public routes, security headers ----------------------------------------------------------------
st, h, j = request(P, "GET", "/healthz")
check("healthz 200", st == 200 and j == {"status": "ok"}, (st, j))
security_headers("/healthz", h)
st, h, body = request(P, "GET", "/metrics", raw=True)
check("metrics: Prometheus text", st == 200 and b"ocop_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1" in body
      and b"ocop_http_request_duration_seconds_bucket" in body, body[:300])
got = request(P, "GET", "/api/v1/nowhere")  # outside /api/ the web application answers (web_static_test)
is_problem("unknown path", got, 404, "not_found")
security_headers("a 404 problem", got[1])
got = request(P, "PUT", "/api/v1/events")
is_problem("wrong method", got, 405)
check("405 names Allow", got[1].get("allow") == "POST", got[1])

# --- 401 on every /api/v1 route without credentials, and with a bad token --------------------------------
for method, path in sorted(served):
    if not path.startswith("/api/v1") or (method, path) == ("POST", "/api/v1/session"):
        continue
    if path.startswith("/api/v1/public/"):  # the public face: no sign-in (public_test.py)
        continue
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    got = request(P, method, concrete, body="" if method != "GET" else None)
    is_problem("no credentials: %s %s" % (method, path), got, 401, "unauthenticated")
got = request(P, "GET", "/api/v1/dossiers", headers={"Authorization": "Bearer not-a-token"})
is_problem("a bad token", got, 401, "unauthenticated")
check("401 says how to authenticate", got[1].get("www-authenticate", "").startswith("Bearer"), got[1])
got = request(P, "GET", "/api/v1/dossiers", headers={"Authorization": "Basic eDp5"})
is_problem("not a bearer token", got, 401)

# --- events, ETag, If-Match, idempotency ------------------------------------------------------------------
idea = {"event": "submit_idea", "data": {"product": "Cam sành Bắc Quang", "product_set": "fresh_produce",
                                           "producer": "HTX Cam Bắc Quang", "unit": "TQ-BACQUANG"}}
st, h, j = request(P, "POST", "/api/v1/events", idea, user=PRODUCER)
check("submit_idea 200 as the signed-in user", st == 200 and j.get("state") == "idea_submitted", (st, j))
D = j.get("id") if isinstance(j, dict) else None
check("event result ETag is the version", h.get("etag") == '"1"', h.get("etag"))
security_headers("an event's result", h)
st, h, j = request(P, "GET", "/api/v1/dossiers/" + urllib.parse.quote(D, safe=""), user=OFFICER)
check("show: 200 with ETag", st == 200 and j["id"] == D and h.get("etag") == '"1"', (st, h.get("etag")))
st, h, _ = request(P, "GET", "/api/v1/dossiers/" + D, user=OFFICER, headers={"If-None-Match": '"1"'}, raw=True)
check("show: If-None-Match the same version: 304", st == 304, st)
got = request(P, "GET", "/api/v1/dossiers/NO-SUCH", user=OFFICER)
is_problem("show an unknown dossier", got, 404, "not_found")

other = dict(idea, actor=OFFICER)
got = request(P, "POST", "/api/v1/events", other, user=PRODUCER)
is_problem("a body actor that is not the signed-in user", got, 403, "forbidden")
same = dict(idea, actor=PRODUCER)
st, _, j = request(P, "POST", "/api/v1/events", same, user=PRODUCER)
check("a body actor that is the signed-in user", st == 200, (st, j))

# Two clients read version 1; the first accept wins, the second's If-Match is stale: 412.
st1, _, _ = request(P, "GET", "/api/v1/dossiers/" + D, user=OFFICER)
a = request(P, "POST", "/api/v1/events", {"event": "accept_idea", "dossier": D}, user=OFFICER, headers={"If-Match": '"1"'})
check("client A with If-Match 1: 200, ETag 2", a[0] == 200 and a[1].get("etag") == '"2"', a)
b = request(P, "POST", "/api/v1/events", {"event": "annotate", "dossier": D, "data": {"note": "xem lại"}}, user=OFFICER,
            headers={"If-Match": '"1"'})
is_problem("client B with the stale If-Match 1", b, 412, "conflict")
got = request(P, "POST", "/api/v1/events", {"event": "annotate", "dossier": D, "data": {"note": "x"}}, user=OFFICER,
              headers={"If-Match": "soon"})
is_problem("If-Match that is not an ETag", got, 400, "bad_input")

note = {"event": "annotate", "dossier": D, "data": {"note": "đã kiểm tra"}}
first = request(P, "POST", "/api/v1/events", note, user=OFFICER, headers={"Idempotency-Key": "k-note-1"})
again = request(P, "POST", "/api/v1/events", note, user=OFFICER, headers={"Idempotency-Key": "k-note-1"})
check("Idempotency-Key: first 200", first[0] == 200 and not first[2].get("duplicate"), first)
check("Idempotency-Key: replay answers the first result", again[0] == 200 and again[2].get("duplicate") is True
      and again[2]["first_result"]["version"] == first[2]["version"], again)
other_note = dict(note, data={"note": "khác"})
is_problem("Idempotency-Key with a different request", request(P, "POST", "/api/v1/events", other_note, user=OFFICER,
                                                                   headers={"Idempotency-Key": "k-note-1"}), 422, "bad_input")
is_problem("Idempotency-Key differing from the body's key",
           request(P, "POST", "/api/v1/events", dict(note, key="k2"), user=OFFICER, headers={"Idempotency-Key": "k3"}), 400)

# Problem codes from the application layer.
is_problem("refused by the state", request(P, "POST", "/api/v1/events", {"event": "accept_idea", "dossier": D}, user=OFFICER), 409, "refused")
is_problem("an unknown dossier", request(P, "POST", "/api/v1/events", {"event": "accept_idea", "dossier": "TQ-2026-99999"}, user=OFFICER), 404, "not_found")
is_problem("forbidden by role", request(P, "POST", "/api/v1/events", {"event": "reject", "dossier": D, "data": {"reason": "x"}}, user=PRODUCER), 403, "forbidden")
is_problem("an unknown event", request(P, "POST", "/api/v1/events", {"event": "teleport"}, user=PRODUCER), 422, "bad_input")
is_problem("not JSON", request(P, "POST", "/api/v1/events", "{nope", user=PRODUCER), 400, "bad_input")
is_problem("JSON nested 100,000 deep", request(P, "POST", "/api/v1/events", "[" * 100000 + "]" * 100000, user=PRODUCER), 400)
is_problem("invalid UTF-8", request(P, "POST", "/api/v1/events", b'{"event": "submit_idea", "data": {"product": "\xff\xfe"}}', user=PRODUCER), 400)
esc = json.loads(json.dumps(idea))
esc["data"]["product"] = "Cam \x1b[31mđỏ\x1b[0m"
got = request(P, "POST", "/api/v1/events", esc, user=PRODUCER)
is_problem("a terminal escape in a name", got, 422, "bad_input")
check("the escape is not echoed raw", "\x1b" not in json.dumps(got[2], ensure_ascii=False) or "\\u001b" in json.dumps(got[2]), got[2])
is_problem("an unknown query parameter", request(P, "GET", "/api/v1/dossiers?stat=submitted", user=OFFICER), 400)
is_problem("a path with ..", request(P, "GET", "/api/v1/dossiers/%2E%2E", user=OFFICER), 400)
is_problem("a malformed escape", request(P, "GET", "/api/v1/dossiers/%zz", user=OFFICER), 400)

# --- paging ------------------------------------------------------------------------------------------
ids = []
for i in range(7):
    d = json.loads(json.dumps(idea))
    d["data"]["product"] = "Sản phẩm %d" % i
    st, _, j = request(P, "POST", "/api/v1/events", d, user=PRODUCER)
    ids.append(j["id"])
seen, cursor, pages, count = [], None, 0, None
while True:
    q = "/api/v1/dossiers?unit=TQ-BACQUANG&limit=3" + ("&cursor=" + cursor if cursor else "")
    st, _, j = request(P, "GET", q, user=OFFICER)
    if st != 200:
        check("a page", False, (st, j))
        break
    pages += 1
    count = j["count"]
    seen += [d["id"] for d in j["items"]]
    cursor = j["next_cursor"]
    if not cursor or pages > 10:
        break
check("paging: every dossier once, in id order", seen == sorted(set(seen)) and len(seen) == count == 9, (seen, count))
check("paging: pages of 3", pages == 3, pages)
st, _, j = request(P, "GET", "/api/v1/dossiers?state=idea_accepted", user=OFFICER)
check("list filter and count", st == 200 and j["count"] == 1 and j["items"][0]["id"] == D and j["next_cursor"] is None, j)
is_problem("a page over the hard maximum", request(P, "GET", "/api/v1/dossiers?limit=501", user=OFFICER), 400)
is_problem("a cursor the service did not give", request(P, "GET", "/api/v1/dossiers?cursor=%21%21", user=OFFICER), 400)
is_problem("an unknown state", request(P, "GET", "/api/v1/dossiers?state=dreaming", user=OFFICER), 422)

# --- history, documents ---------------------------------------------------------------------------------
st, _, j = request(P, "GET", "/api/v1/dossiers/%s/history" % D, user=OFFICER)
check("history", st == 200 and [r["event"] for r in j][:2] == ["submit_idea", "accept_idea"], j)
content = b"%PDF-1.4 phuong an\n" + os.urandom(2000)
up = request(P, "POST", "/api/v1/dossiers/%s/documents?kind=business_plan&name=%s" % (D, urllib.parse.quote("Phương án.pdf")),
             content, user=PRODUCER, headers={"Content-Type": "application/pdf"})
check("upload a document", up[0] == 200, up)
big = os.urandom(300000)
up2 = request(P, "POST", "/api/v1/dossiers/%s/documents?kind=samples&name=mau.bin" % D, big, user=PRODUCER,
              headers={"Expect": "100-continue"})
check("upload with Expect: 100-continue", up2[0] == 200, up2)
st, _, docs = request(P, "GET", "/api/v1/dossiers/%s/documents" % D, user=OFFICER)
check("documents list", st == 200 and len(docs) == 2 and docs[0]["name"] == "Phương án.pdf" and docs[0]["stored"] is True, docs)
if docs:
    st, h, data = request(P, "GET", "/api/v1/documents/" + docs[0]["sha256"], user=OFFICER, raw=True)
    check("download: the exact bytes", st == 200 and data == content and h.get("content-type") == "application/octet-stream", (st, len(data)))
is_problem("a document name with a path", request(P, "POST", "/api/v1/dossiers/%s/documents?kind=business_plan&name=..%%2F..%%2Fetc%%2Fpasswd" % D,
                                                 b"x", user=PRODUCER), 422)
is_problem("a document that is not a SHA-256", request(P, "GET", "/api/v1/documents/..%2F..%2Fetc%2Fpasswd", user=OFFICER), 400)
is_problem("an unknown document", request(P, "GET", "/api/v1/documents/" + "0" * 64, user=OFFICER), 404)
is_problem("an unknown kind", request(P, "POST", "/api/v1/dossiers/%s/documents?kind=selfie&name=a.jpg" % D, b"x", user=PRODUCER), 422)

# --- the other reads -------------------------------------------------------------------------------------
for path, test in [("/api/v1/certificates", lambda j: isinstance(j, list)),
                   ("/api/v1/certificates?expiring_within=90&unit=TQ-BACQUANG", lambda j: isinstance(j, list)),
                   ("/api/v1/products/" + D, lambda j: j["dossiers"][0]["id"] == D),
                   ("/api/v1/report", lambda j: j["dossiers_by_state"].get("idea_accepted") == 1),
                   ("/api/v1/cycle", lambda j: "milestones" in j),
                   ("/api/v1/activities?year=2026", lambda j: isinstance(j, list)),
                   ("/api/v1/inspections", lambda j: isinstance(j, list)),
                   ("/api/v1/me", lambda j: j["user"] == OFFICER and j["via"] == "token" and j["operator"] is False)]:
    st, h, j = request(P, "GET", path, user=OFFICER)
    check("GET " + path, st == 200 and test(j), (st, j))
is_problem("an unknown activity", request(P, "GET", "/api/v1/activities/TQ-XT-2026-999", user=OFFICER), 404)
is_problem("an unknown product", request(P, "GET", "/api/v1/products/nothing-like-it", user=OFFICER), 404)
is_problem("a bad year", request(P, "GET", "/api/v1/cycle?year=12", user=OFFICER), 400)
st, h, data = request(P, "GET", "/api/v1/audit/export", user=OFFICER, raw=True)
lines = data.decode().splitlines()
check("audit export jsonl", st == 200 and h.get("content-type") == "application/x-ndjson" and len(lines) >= 12
      and all(json.loads(x)["hash"] for x in lines), (st, len(lines)))
st, h, data = request(P, "GET", "/api/v1/audit/export?format=csv", user=OFFICER, raw=True)
check("audit export csv", st == 200 and data.startswith(b"seq,at,actor") and data.count(b"\n") >= len(lines) + 1, (st, data[:100]))
is_problem("audit export in another format", request(P, "GET", "/api/v1/audit/export?format=xml", user=OFFICER), 400)

# --- reads scoped by unit ------------------------------------------------------------------------------------
# Another commune's producer files a dossier with a document; Bắc Quang's producer and officer must not see it.
OTHER, AUDITOR, GONE = "producer.hungan", "auditor.tq.lien", "officer.huyen.bacquang"  # GONE: Huyện Bắc Quang ended 2025-06-30
theirs = {"event": "submit_idea", "data": {"product": "Chè Shan tuyết Hùng An", "product_set": "tea",
                                            "producer": "HTX Chè Hùng An", "unit": "TQ-HUNGAN"}}
st, _, j = request(P, "POST", "/api/v1/events", theirs, user=OTHER)
check("another commune's idea", st == 200, (st, j))
DH = j.get("id") if isinstance(j, dict) else "?"
secret = b"%PDF-1.4 Hung An " + os.urandom(64)
up = request(P, "POST", "/api/v1/dossiers/%s/documents?kind=business_plan&name=hungan.pdf" % DH, secret, user=OTHER)
check("another commune's document", up[0] == 200, up)
st, _, their_docs = request(P, "GET", "/api/v1/dossiers/%s/documents" % DH, user=OTHER)
check("its producer lists its documents", st == 200 and len(their_docs) == 1, (st, their_docs))
SHA_DH = their_docs[0]["sha256"] if st == 200 and their_docs else "0" * 64
for who in (PRODUCER, OFFICER):
    got = request(P, "GET", "/api/v1/dossiers/" + DH, user=who)
    is_problem("%s: another commune's dossier by URL" % who, got, 404, "not_found")
    check("%s: ... answered as an absent one" % who, got[2].get("detail") == "dossier %s not found" % DH, got[2])
    is_problem("%s: its history" % who, request(P, "GET", "/api/v1/dossiers/%s/history" % DH, user=who), 404, "not_found")
    is_problem("%s: its documents" % who, request(P, "GET", "/api/v1/dossiers/%s/documents" % DH, user=who), 404, "not_found")
    got = request(P, "GET", "/api/v1/documents/" + SHA_DH, user=who)
    is_problem("%s: its document's bytes" % who, got, 404, "not_found")
    check("%s: ... as an unknown hash" % who, got[2].get("detail") == "no document has SHA-256 " + SHA_DH, got[2])
    is_problem("%s: its product" % who, request(P, "GET", "/api/v1/products/" + DH, user=who), 404, "not_found")
    is_problem("%s: a unit filter outside the scope" % who, request(P, "GET", "/api/v1/dossiers?unit=TQ-HUNGAN", user=who), 403, "forbidden")
    is_problem("%s: the province as a unit filter" % who, request(P, "GET", "/api/v1/certificates?unit=TQ", user=who), 403, "forbidden")
    st, _, j = request(P, "GET", "/api/v1/dossiers?limit=500", user=who)
    mine = [d["id"] for d in j["items"]] if st == 200 else []
    check("%s: the list and its count exclude it" % who, st == 200 and DH not in mine and j["count"] == len(mine) and D in mine
          and all(d["unit"] == "TQ-BACQUANG" for d in j["items"]), (st, j if st != 200 else j["count"]))
    st, _, rep = request(P, "GET", "/api/v1/report", user=who)
    check("%s: the report's totals are the commune's" % who, st == 200 and sum(rep["dossiers_by_state"].values()) == len(mine)
          and set(rep["units"]) == {"TQ-BACQUANG"} and "TQ-HUNGAN" not in json.dumps(rep), (st, rep))
    st, h, data = request(P, "GET", "/api/v1/report?format=xlsx", user=who, raw=True)
    cells = xlsx_cells(data) if st == 200 else {}
    check("%s: the report's spreadsheet is the commune's" % who,
          st == 200 and h.get("content-type") == XLSX and [r[0] for r in cells["Theo đơn vị"][1:]] == ["TQ-BACQUANG", "Tổng cộng"]
          and "TQ-HUNGAN" not in json.dumps(cells, ensure_ascii=False, default=str), (st, h.get("content-type")))
    st, _, cyc = request(P, "GET", "/api/v1/cycle", user=who)
    check("%s: the cycle's counts are the commune's" % who, st == 200 and "TQ-HUNGAN" not in json.dumps(cyc), (st, cyc))
    is_problem("%s: audit verify is the auditor's" % who, request(P, "GET", "/api/v1/audit/verify", user=who), 403, "forbidden")
# Its own producer sees it, and nothing of Bắc Quang's.
st, _, j = request(P, "GET", "/api/v1/dossiers/" + DH, user=OTHER)
check("its producer sees it", st == 200 and j["id"] == DH, (st, j))
is_problem("its producer does not see Bắc Quang's", request(P, "GET", "/api/v1/dossiers/" + D, user=OTHER), 404, "not_found")
st, _, j = request(P, "GET", "/api/v1/dossiers", user=OTHER)
check("its producer's list: its one dossier", st == 200 and j["count"] == 1 and j["items"][0]["id"] == DH, (st, j))
st, _, data = request(P, "GET", "/api/v1/documents/" + SHA_DH, user=OTHER, raw=True)
check("its producer downloads its document", st == 200 and data == secret, st)
st, h, data = request(P, "GET", "/api/v1/audit/export", user=OTHER, raw=True)
recs = [json.loads(x) for x in data.decode().splitlines()] if st == 200 else []
st2, _, hist = request(P, "GET", "/api/v1/dossiers/%s/history" % DH, user=OTHER)
check("a commune's export: its dossier's records and its own account's, in order",
      st == 200 and recs and {r["dossier"] for r in recs} <= {DH, "user:" + OTHER}
      and len([r for r in recs if r["dossier"] == DH]) == len(hist) and [r["seq"] for r in recs] == sorted(r["seq"] for r in recs),
      (st, [r["dossier"] for r in recs][:20]))
# The auditor (unit TQ) sees the whole province and the whole chain.
st, _, j = request(P, "GET", "/api/v1/dossiers?limit=500", user=AUDITOR)
check("the auditor lists every dossier", st == 200 and j["count"] >= 10 and DH in [d["id"] for d in j["items"]], (st, j.get("count")))
for dossier in (D, DH):
    st, _, j = request(P, "GET", "/api/v1/dossiers/" + dossier, user=AUDITOR)
    check("the auditor sees " + dossier, st == 200, (st, j))
st, _, rep = request(P, "GET", "/api/v1/report", user=AUDITOR)
check("the auditor's report: every unit", st == 200 and {"TQ-HUNGAN", "TQ-BACQUANG"} <= set(rep.get("units", {}))
      and sum(rep["dossiers_by_state"].values()) >= 10, (st, rep))
st, h, data = request(P, "GET", "/api/v1/report?format=xlsx&expiring_within=30", user=AUDITOR, raw=True)
cells = xlsx_cells(data) if st == 200 else {}
units = cells.get("Theo đơn vị", [[]])
check("the auditor's spreadsheet: an attachment, every unit, the report's totals",
      st == 200 and h.get("content-type") == XLSX and re.fullmatch(r'attachment; filename="bao-cao-ocop-\d{4}-\d\d-\d\d\.xlsx"', h.get("content-disposition", ""))
      and {"TQ-HUNGAN", "TQ-BACQUANG"} <= {r[0] for r in units[1:]}
      and units[-1][units[0].index("Tổng số hồ sơ")] == sum(rep["dossiers_by_state"].values()), (st, h))
st, h, data = request(P, "GET", "/api/v1/report?format=pdf&expiring_within=30", user=AUDITOR, raw=True)
check("the auditor's yearly report: a PDF attachment",
      st == 200 and h.get("content-type") == "application/pdf" and data[:5] == b"%PDF-"
      and re.fullmatch(r'attachment; filename="bao-cao-ocop-\d{4}-\d\d-\d\d\.pdf"', h.get("content-disposition", "")),
      (st, h, data[:40]))
is_problem("a report in an unknown format", request(P, "GET", "/api/v1/report?format=docx", user=AUDITOR), 400, "bad_input")
is_problem("expiring_within without xlsx", request(P, "GET", "/api/v1/report?expiring_within=5", user=AUDITOR), 400, "bad_input")
is_problem("expiring_within out of range", request(P, "GET", "/api/v1/report?format=xlsx&expiring_within=99999", user=AUDITOR), 400, "bad_input")
st, _, v = request(P, "GET", "/api/v1/audit/verify", user=AUDITOR)
check("the auditor verifies the chain", st == 200 and v["valid"] is True, (st, v))
st, _, data = request(P, "GET", "/api/v1/audit/export", user=AUDITOR, raw=True)
cli = ocop("audit", "export")
check("the auditor exports the whole chain", st == 200 and data.decode().splitlines() == cli.stdout.splitlines(),
      (st, len(data.decode().splitlines()), len(cli.stdout.splitlines())))
st, _, j = request(P, "GET", "/api/v1/audit/verify?anchor=" + v.get("head", ""), user=AUDITOR)
check("the auditor verifies against an anchor", st == 200 and j["valid"] is True, (st, j))
st, _, j = request(P, "GET", "/api/v1/dossiers/user:%s/history" % OTHER, user=AUDITOR)
check("the auditor reads an account's records", st == 200 and len(j) >= 1, (st, j))
is_problem("a user reads no one else's account records",
           request(P, "GET", "/api/v1/dossiers/user:%s/history" % OTHER, user=PRODUCER), 404, "not_found")
# A user whose unit has ended reads nothing.
r = ocop("token", "create", GONE, "--expires", "1", "--json")
if check("a token for a user whose unit has ended", r.returncode == 0, r.stderr):
    _tokens[GONE] = json.loads(r.stdout)["token"]
    is_problem("a user whose unit has ended: list", request(P, "GET", "/api/v1/dossiers", user=GONE), 403, "forbidden")
    is_problem("a user whose unit has ended: a dossier", request(P, "GET", "/api/v1/dossiers/" + D, user=GONE), 403, "forbidden")

# --- operators ---------------------------------------------------------------------------------------------
is_problem("tick by a non-operator", request(P, "POST", "/api/v1/tick?dry_run=true", "", user=OFFICER), 403, "forbidden")
is_problem("outbox by a non-operator", request(P, "GET", "/api/v1/outbox", user=OFFICER), 403, "forbidden")
st, _, j = request(P, "POST", "/api/v1/tick?dry_run=true", "", user=OPERATOR)
check("tick dry run by the scheduler", st == 200 and j["dry_run"] is True, (st, j))
st, _, j = request(P, "GET", "/api/v1/outbox", user=OPERATOR)
check("outbox", st == 200 and isinstance(j, list), (st, j))
is_problem("retry an unknown message", request(P, "POST", "/api/v1/outbox/999999/retry", "", user=OPERATOR), 404)
is_problem("retry a message id that is not a number", request(P, "POST", "/api/v1/outbox/abc/retry", "", user=OPERATOR), 400)
st, _, j = request(P, "POST", "/api/v1/deliver?limit=1", "", user=OPERATOR)
check("deliver", st == 200 and "sent" in j, (st, j))
st, _, j = request(P, "POST", "/api/v1/inspections/plan", {"year": 2026, "share": 10, "due": "2026-11-13"}, user="inspector.tq.khoa")
check("inspections plan as the signed-in inspector", st == 200 and j["planned"] == 0, (st, j))
is_problem("inspections plan for another actor", request(P, "POST", "/api/v1/inspections/plan",
                                                        {"year": 2026, "share": 10, "due": "2026-11-13", "actor": COORD}, user="inspector.tq.khoa"), 403)

# --- the outbox's depth in /metrics: a count by state, counted again within seconds --------------------------
def outbox_by_state():
    r = ocop("--json", "outbox")
    counts = {"pending": 0, "sending": 0, "sent": 0, "dead": 0}
    for m in json.loads(r.stdout):
        counts[m["state"]] = counts.get(m["state"], 0) + 1
    return counts


def metrics_outbox():
    m = metrics(P)
    return {k[len('ocop_outbox_messages{state="'):-2]: v for k, v in m.items() if k.startswith("ocop_outbox_messages{")}


st, _, body = request(P, "GET", "/metrics", raw=True)
check("metrics: ocop_outbox_messages typed once, a line per state",
      body.count(b"# TYPE ocop_outbox_messages gauge") == 1 and set(metrics_outbox()) >= {"pending", "sending", "sent", "dead"},
      [x for x in body.decode().splitlines() if "outbox" in x])
check("metrics: the outbox's counts are the database's", metrics_outbox() == outbox_by_state(), (metrics_outbox(), outbox_by_state()))
d = json.loads(json.dumps(idea))
d["data"]["product"] = "Trả lại để đếm"
st, _, j = request(P, "POST", "/api/v1/events", d, user=PRODUCER)
st, _, j = request(P, "POST", "/api/v1/events", {"event": "return_idea", "dossier": j["id"], "data": {"reason": "thiếu mô tả"}}, user=OFFICER)
check("a returned idea queues its producer's message", st == 200, (st, j))
after = outbox_by_state()
check("metrics: a new message is counted within seconds (the counts are cached at most 5 s)",
      wait_for("the new counts", lambda: metrics_outbox() == after, timeout=30), (metrics_outbox(), after))

# --- search, rounds and the published configuration (issue 12) -----------------------------------------------
def found(user, query):
    st, _, j = request(P, "GET", "/api/v1/dossiers?" + urllib.parse.urlencode(query), user=user)
    return st, (j if st != 200 else (j["count"], sorted(d["id"] for d in j["items"]), j))


cam = sorted(i for i in [D, same.get("id") if isinstance(same, dict) else None] if i)
st, got = found(OFFICER, {"q": "cam sanh"})
check("q: 'cam sanh' finds 'Cam sành Bắc Quang', and only those", st == 200 and got[0] == 2
      and all(d["product"] == "Cam sành Bắc Quang" for d in got[2]["items"]), (st, got))
st2, got2 = found(OFFICER, {"q": "  CAM   SÀNH "})
check("q: case, marks and spaces do not matter", st2 == 200 and got2[:2] == got[:2], (st2, got2))
st, got = found(OFFICER, {"q": "htx cam bac quang", "limit": 500})
check("q: the producer's name is searched too", st == 200 and got[0] == len(got[1]) >= 9
      and all(d["producer"] == "HTX Cam Bắc Quang" for d in got[2]["items"])
      and "Sản phẩm 3" in [d["product"] for d in got[2]["items"]], (st, got))
st, got = found(OFFICER, {"q": "san pham 3"})
check("q: every word must occur", st == 200 and got[0] == 1 and got[2]["items"][0]["product"] == "Sản phẩm 3", (st, got))
st, got = found(OFFICER, {"q": "cam sanh", "limit": 1})
st2, got2 = (found(OFFICER, {"q": "cam sanh", "limit": 1, "cursor": got[2]["next_cursor"]}) if st == 200 and got[2]["next_cursor"]
             else (0, None))
check("q: pages by the cursor over the matches", st == 200 and got[0] == 2 and st2 == 200 and got2[0] == 2
      and len(got[1]) == len(got2[1]) == 1 and got[1] != got2[1] and got2[2]["next_cursor"] is None, (st, got, st2, got2))
st, got = found(OFFICER, {"q": "che shan tuyet"})
check("q: another commune's dossier is not found (scope)", st == 200 and got[0] == 0, (st, got))
st, got = found(OTHER, {"q": "che shan tuyet"})
check("q: 'che shan tuyet' finds 'Chè Shan tuyết Hùng An' for its commune", st == 200 and got[1] == [DH], (st, got))
st, got = found(AUDITOR, {"q": "chè hùng an"})
check("q: the province finds it", st == 200 and DH in got[1], (st, got))
st, got = found(OFFICER, {"q": "%"})
check("q: % is a character, not a wildcard", st == 200 and got[0] == 0, (st, got))
st, got = found(OFFICER, {"q": "cam", "state": "idea_accepted"})
check("q: with the other filters", st == 200 and got[1] == [D], (st, got))
is_problem("q: more than 8 words", request(P, "GET", "/api/v1/dossiers?q=" + "+".join("a" * 9), user=OFFICER), 422, "bad_input")
is_problem("q: longer than 200 bytes", request(P, "GET", "/api/v1/dossiers?q=" + "a" * 201, user=OFFICER), 422, "bad_input")
is_problem("q: not UTF-8", request(P, "GET", "/api/v1/dossiers?q=%FF%FE", user=OFFICER), 422, "bad_input")
st, got = found(OFFICER, {"round": "2026-1"})
check("round: no dossier is in a round yet", st == 200 and got[0] == 0, (st, got))

st, _, cfg = request(P, "GET", "/api/v1/config", user=OFFICER)
units = {u["code"]: u for u in cfg.get("units", [])} if st == 200 else {}
check("config: 200 for a signed-in user", st == 200 and cfg["province"]["code"] == "TQ" and len(units) > 100, (st, str(cfg)[:300]))
check("config: units with names, levels, parents and the reader's scope",
      units.get("TQ-BACQUANG", {}).get("name") == "Xã Bắc Quang" and units["TQ-BACQUANG"]["level"] == "commune"
      and units["TQ-BACQUANG"]["parent"] == "TQ" and units["TQ-BACQUANG"]["in_scope"] is True
      and units["TQ-HUNGAN"]["in_scope"] is False and units["TQ"]["parent"] is not None or units["TQ"]["level"] == "province",
      {k: units.get(k) for k in ("TQ-BACQUANG", "TQ-HUNGAN", "TQ")})
check("config: a merged unit names its successor and the unit it is today",
      units.get("HG-BQ-VIETQUANG", {}).get("successor") == "TQ-BACQUANG" and units["HG-BQ-VIETQUANG"]["valid_to"] == "2025-06-30"
      and units["HG-BQ-VIETQUANG"]["unit_now"] == "TQ-BACQUANG" and units["HG-BQ-VIETQUANG"]["in_scope"] is True,
      units.get("HG-BQ-VIETQUANG"))
rs = cfg.get("rule_set") or {}
check("config: the rule set's parts, bands and council quorum",
      rs.get("parts") == {"A": 40, "B": 25, "C": 35} and [b["min"] for b in rs.get("stars", [])] == [0, 30, 50, 70, 90]
      and any(lv["kind"] == "council" and lv["quorum"] == 5 for lv in rs.get("levels", [])), rs)
check("config: document kinds with their Vietnamese names",
      any(k["kind"] == "business_plan" and k["name"] for k in cfg.get("document_kinds", [])), cfg.get("document_kinds"))
check("config: rounds, calendar, roles, overdue thresholds",
      [r["id"] for r in cfg.get("rounds", []) if r["year"] == 2026] == ["2026-1", "2026-2", "2026-C"]
      and "2026-09-02" in cfg["calendar"]["holidays"] and cfg["calendar"]["weekend"] == [6, 7]
      and "2026-01-10" in cfg["calendar"]["working_days"] and "score" in cfg["roles"]["council_member"]
      and cfg["overdue_after_days"].get("submitted") == 10, (cfg.get("rounds"), cfg.get("calendar"), cfg.get("overdue_after_days")))
check("config: no users, addresses or channels", "@" not in json.dumps(cfg) and "users" not in cfg and "channels" not in cfg,
      [k for k in cfg])
is_problem("config: an unknown query parameter", request(P, "GET", "/api/v1/config?all=1", user=OFFICER), 400)
st, _, j = request(P, "GET", "/api/v1/config", user=GONE)
check("config: a user whose unit ended is refused (403)", st == 403, (st, j))

# --- sessions and CSRF ---------------------------------------------------------------------------------------
PASSWORD = "correct horse battery"
r = ocop("user", "password", COORD, stdin=PASSWORD + "\n")
check("ocop user password", r.returncode == 0, r.stderr)
st, h, j = request(P, "POST", "/api/v1/session", {"user": COORD, "password": "wrong password!"})
is_problem("login with a wrong password", (st, h, j), 401)
st, h, j = request(P, "POST", "/api/v1/session", {"user": COORD, "password": PASSWORD})
cookie = h.get("set-cookie", "")
check("login sets the __Host- cookie", st == 200 and cookie.startswith("__Host-ocop_session=") and "Secure" in cookie
      and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie, (st, cookie, j))
sess = cookie.split(";")[0]
host = "127.0.0.1:%d" % P
st, _, j = request(P, "GET", "/api/v1/me", headers={"Cookie": sess})
check("the cookie authenticates a read", st == 200 and j["user"] == COORD and j["via"] == "session", (st, j))
# The user's own sessions and tokens (issue 12's account screen).
st2, h2, _ = request(P, "POST", "/api/v1/session", {"user": COORD, "password": PASSWORD})
sess2 = h2.get("set-cookie", "").split(";")[0]
st, _, j = request(P, "GET", "/api/v1/me/sessions", headers={"Cookie": sess})
check("me/sessions: both sessions, this one marked current, no secret", st == 200 and len(j) == 2
      and sorted(x["current"] for x in j) == [False, True] and all(len(x["id"]) == 16 for x in j)
      and sess.split("=", 1)[1] not in json.dumps(j), (st, j))
st, _, j = request(P, "GET", "/api/v1/me/sessions", user=COORD)
check("me/sessions with a token: none is current", st == 200 and len(j) == 2 and not any(x["current"] for x in j), (st, j))
r = ocop("token", "create", COORD, "--expires", "1", "--note", "máy tính bảng", "--json")
tok = json.loads(r.stdout) if r.returncode == 0 else {}
st, _, j = request(P, "GET", "/api/v1/me/tokens", headers={"Cookie": sess})
mine = {t["id"]: t for t in j} if st == 200 else {}
check("me/tokens: the user's own tokens, no secret", st == 200 and tok.get("id") in mine and mine[tok["id"]]["note"] == "máy tính bảng"
      and mine[tok["id"]]["revoked"] is False and tok.get("token", "?") not in json.dumps(j), (st, j))
st, _, j = request(P, "GET", "/api/v1/me/tokens", user=OFFICER)
check("me/tokens: another user sees only their own", st == 200 and tok.get("id") not in {t["id"] for t in j}, (st, j))
is_problem("me/tokens: revoking another user's token is 404",
           request(P, "DELETE", "/api/v1/me/tokens/" + tok.get("id", "x"), user=OFFICER), 404, "not_found")
is_problem("me/tokens: revoking with the cookie and no Origin (CSRF)",
           request(P, "DELETE", "/api/v1/me/tokens/" + tok.get("id", "x"), headers={"Cookie": sess}), 403)
st, _, _ = request(P, "DELETE", "/api/v1/me/tokens/" + tok.get("id", "x"), headers={"Cookie": sess, "Origin": "http://127.0.0.1:%d" % P}, raw=True)
check("me/tokens: revoking one's own: 204", st == 204, st)
is_problem("me/tokens: the revoked token no longer authenticates",
           request(P, "GET", "/api/v1/me", headers={"Authorization": "Bearer " + tok.get("token", "x")}), 401)
is_problem("me/tokens: revoking it twice is 409",
           request(P, "DELETE", "/api/v1/me/tokens/" + tok.get("id", "x"), user=COORD), 409, "refused")
is_problem("me/tokens: an unknown token is 404", request(P, "DELETE", "/api/v1/me/tokens/nope", user=COORD), 404, "not_found")
st, _, j = request(P, "GET", "/api/v1/me/tokens", user=COORD)
check("me/tokens: listed as revoked", st == 200 and any(t["id"] == tok.get("id") and t["revoked"] for t in j), (st, j))
st, _, hist = request(P, "GET", "/api/v1/dossiers/user:%s/history" % COORD, user=COORD)
check("me/tokens: the revocation is an audit record by the user", st == 200 and any(
    r["event"] == "token_revoked" and r["actor"] == COORD for r in hist), (st, hist if st != 200 else [r["event"] for r in hist]))
st, _, _ = request(P, "DELETE", "/api/v1/session", headers={"Cookie": sess2, "Origin": "http://127.0.0.1:%d" % P}, raw=True)
check("the second session signs out", st == 204, st)
note2 = {"event": "annotate", "dossier": D, "data": {"note": "từ trình duyệt"}}
is_problem("CSRF: an unsafe request with the cookie and no Origin", request(P, "POST", "/api/v1/events", note2, headers={"Cookie": sess}), 403)
is_problem("CSRF: another site's Origin", request(P, "POST", "/api/v1/events", note2, headers={"Cookie": sess, "Origin": "https://evil.example"}), 403)
is_problem("CSRF: Sec-Fetch-Site cross-site", request(P, "POST", "/api/v1/events", note2, headers={"Cookie": sess, "Sec-Fetch-Site": "cross-site"}), 403)
st, _, j = request(P, "POST", "/api/v1/events", note2, headers={"Cookie": sess, "Origin": "http://" + host})
check("same Origin with the cookie", st == 200, (st, j))
st, _, j = request(P, "POST", "/api/v1/events", note2, headers={"Cookie": sess, "Sec-Fetch-Site": "same-origin"})
check("Sec-Fetch-Site same-origin with the cookie", st == 200, (st, j))
is_problem("login from another site", request(P, "POST", "/api/v1/session", {"user": COORD, "password": PASSWORD},
                                              headers={"Origin": "https://evil.example"}), 403)
st, h, _ = request(P, "DELETE", "/api/v1/session", headers={"Cookie": sess, "Origin": "http://" + host}, raw=True)
check("logout: 204, cookie cleared", st == 204 and "Max-Age=0" in h.get("set-cookie", ""), (st, h))
is_problem("the session after logout", request(P, "GET", "/api/v1/me", headers={"Cookie": sess}), 401)

# Throttling: lockout_failures (5) wrong passwords in a row lock the account; the right one then fails too,
# with the same answer.
COORD2 = "coordinator.tq.hung"
r = ocop("user", "password", COORD2, stdin=PASSWORD + "\n")
for i in range(5):
    request(P, "POST", "/api/v1/session", {"user": COORD2, "password": "not the password %d" % i})
got = request(P, "POST", "/api/v1/session", {"user": COORD2, "password": PASSWORD})
is_problem("a locked account: the right password is refused too", got, 401)
check("a locked account says nothing more than a wrong password", "sign-in failed" in got[2].get("detail", ""), got[2])

# --- limits: oversized body, headers, slow clients ------------------------------------------------------------
s = socket.create_connection(("127.0.0.1", P))
s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token(PRODUCER).encode() +
          b"\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n")
s.settimeout(5)
resp = s.recv(4096)
check("a 100 MB body is refused at once: 413", resp.startswith(b"HTTP/1.1 413"), resp[:100])
s.close()
s = socket.create_connection(("127.0.0.1", P))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
s.settimeout(5)
resp = s.recv(4096)
check("40 KB of headers: 431", resp.startswith(b"HTTP/1.1 431"), resp[:100])
s.close()

s = socket.create_connection(("127.0.0.1", P))
s.sendall(b"POST /api/v1/dossiers/x/documents?kind=business_plan&name=a.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + token(PRODUCER).encode() + b"\r\nContent-Length: 22020096\r\n\r\n")
s.settimeout(5)
resp = s.recv(4096)
check("an upload over documents.max_bytes: 413 at once", resp.startswith(b"HTTP/1.1 413"), resp[:100])
s.close()
st, h, body = request(P, "HEAD", "/healthz", raw=True)
check("HEAD: headers, no body", st == 200 and body == b"" and h.get("content-length") == "16", (st, h, body))

slow = [socket.create_connection(("127.0.0.1", P)) for _ in range(8)]
for c in slow:
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
t0 = time.time()
ok_meanwhile = True
while time.time() - t0 < 2.5:
    for c in slow:
        try:
            c.send(b"X-Slow: 1\r\n")
        except OSError:
            pass
    st, _, _ = request(P, "GET", "/healthz")
    ok_meanwhile = ok_meanwhile and st == 200
    time.sleep(0.25)
check("slow-headers clients do not hold the server", ok_meanwhile)
closed = 0
for c in slow:
    c.settimeout(3)
    try:
        data = c.recv(4096)
        closed += 1 if (data == b"" or data.startswith(b"HTTP/1.1 408")) else 0
    except (socket.timeout, OSError):
        closed += 1 if False else 0
    c.close()
check("slow-headers clients are cut off after the read timeout", closed == len(slow), closed)

# --- group commit: concurrent events share transactions; each is answered after its commit ---------------------
def burst(n):
    d = json.loads(json.dumps(idea))
    d["data"]["product"] = "Nhóm %d" % n
    return request(P, "POST", "/api/v1/events", d, user=PRODUCER)[0]


results = []
threads = [threading.Thread(target=lambda n=n: results.append(burst(n))) for n in range(24)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
check("24 events at once: all 200", results.count(200) == 24, results)
st, _, body = request(P, "GET", "/metrics", raw=True)
m_commits = re.search(rb"^ocop_event_commits_total (\d+)", body, re.M)
m_events = re.search(rb"^ocop_event_committed_requests_total (\d+)", body, re.M)
check("metrics: commits and the events in them", m_commits and m_events and int(m_events.group(1)) >= int(m_commits.group(1)) > 0,
      (m_commits and m_commits.group(0), m_events and m_events.group(0)))
check("the chain holds after concurrent events", ocop("audit", "verify").returncode == 0)

# --- SIGTERM while requests are in flight ------------------------------------------------------------------
answered, lock, stop_flag = [], threading.Lock(), threading.Event()


def writer(n):
    i = 0
    while not stop_flag.is_set():
        i += 1
        key = "term-%d-%d" % (n, i)
        d = json.loads(json.dumps(idea))
        d["data"]["product"] = "Tải %d-%d" % (n, i)
        try:
            st, _, j = request(P, "POST", "/api/v1/events", d, user=PRODUCER, headers={"Idempotency-Key": key})
        except (OSError, http.client.HTTPException):
            return
        if st == 200:
            with lock:
                answered.append((key, j["id"]))


threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
time.sleep(1.5)
code = srv.stop(signal.SIGTERM)
stop_flag.set()
for t in threads:
    t.join(30)
check("SIGTERM: serve exits 0", code == 0, code)
check("SIGTERM: requests were answered before it", len(answered) > 5, len(answered))
logs = srv.logs()
check("access log lines are JSON", all(json.loads(x).get("ts") for x in logs.splitlines() if x.startswith("{")), logs[-500:])
check("the access log has the user", '"user":"%s"' % PRODUCER in logs, logs[-500:])
missing = sorted({d for _, d in answered} - stored_ids(d for _, d in answered))
check("every 2xx answered is in the database", not missing, missing[:5])
r = ocop("audit", "verify")
check("audit verify after SIGTERM", r.returncode == 0, r.stderr)

# --- SIGKILL during requests, and a restart: nothing answered 2xx is lost ------------------------------------
srv = Server()
P = srv.port
answered.clear()
stop_flag.clear()
threads = [threading.Thread(target=writer, args=(n + 10,)) for n in range(4)]
for t in threads:
    t.start()
time.sleep(1.5)
srv.stop(signal.SIGKILL)
stop_flag.set()
for t in threads:
    t.join(30)
check("SIGKILL: requests were answered before it", len(answered) > 5, len(answered))
missing = sorted({d for _, d in answered} - stored_ids(d for _, d in answered))
check("SIGKILL: every 2xx answered is in the database", not missing, missing[:5])
r = ocop("audit", "verify")
check("audit verify after SIGKILL", r.returncode == 0, r.stderr)
srv = Server()
P = srv.port
st, _, j = request(P, "GET", "/api/v1/dossiers?limit=1", user=OFFICER)
check("restarted after SIGKILL: serving", st == 200, (st, j))
check("SIGTERM after the restart: exits 0", srv.stop() == 0)

# --- SIGHUP: a bad file keeps the configuration, a good one is taken ------------------------------------------
cfg = os.path.join(WORK, "config.yaml")
with open(CONFIG) as f:
    good = f.read()
with open(cfg, "w") as f:
    f.write(good)
srv = Server(config=cfg)
P = srv.port
with open(cfg, "w") as f:
    f.write(good.replace("province: {", "province: {bogus_key: 1, ", 1).replace("max_attempts: 5", "max_attempts: many"))
srv.proc.send_signal(signal.SIGHUP)
time.sleep(1)
st, _, j = request(P, "GET", "/api/v1/me", user=OFFICER)
check("SIGHUP with a bad file: still serving", st == 200, (st, j))
logs = srv.logs()
problems = [json.loads(x) for x in logs.splitlines() if "reload refused" in x]
check("SIGHUP with a bad file: every problem logged", len(problems) >= 2 and all(p.get("problem") for p in problems), logs[-1500:])
with open(cfg, "w") as f:
    f.write(good)
srv.proc.send_signal(signal.SIGHUP)
time.sleep(1)
check("SIGHUP with a good file: reloaded", "configuration reloaded" in srv.logs(), srv.logs()[-500:])
st, _, body = request(P, "GET", "/metrics", raw=True)
check("metrics count the reloads", b'ocop_config_reloads_total{result="failed"} 1' in body and b'ocop_config_reloads_total{result="ok"} 1' in body)
check("SIGINT: exits 0", srv.stop(signal.SIGINT) == 0)

# --- the connection limit ---------------------------------------------------------------------------------------
srv = Server("--max-connections", "3")
P = srv.port
held = [socket.create_connection(("127.0.0.1", P)) for _ in range(3)]
time.sleep(0.3)
try:
    st, h, j = request(P, "GET", "/healthz")
    check("over --max-connections: 503 with Retry-After", st == 503 and h.get("retry-after") == "1", (st, j))
except (OSError, http.client.HTTPException) as e:
    check("over --max-connections: 503", False, e)
for c in held:
    c.close()
time.sleep(0.3)
st, _, _ = request(P, "GET", "/healthz")
check("below the limit again: 200", st == 200, st)
check("SIGTERM with idle connections: exits 0", srv.stop() == 0)

# --- listening ---------------------------------------------------------------------------------------------------
r = subprocess.run([OCOP, "serve", "--listen", "0.0.0.0:0"], env=ENV, capture_output=True, text=True, timeout=30)
check("a non-loopback address is refused without --allow-remote", r.returncode == 2 and "loopback" in r.stderr, r.stderr[-300:])
r = subprocess.run([OCOP, "serve", "--listen", "localhost"], env=ENV, capture_output=True, text=True, timeout=30)
check("--listen without a port is refused", r.returncode == 2, r.stderr[-300:])

# --- sessions past their idle and absolute timeouts: 401 ------------------------------------------------------
# A simulation database (its clock is --now), the sample with sessions of 30 idle minutes and 1
# hour at most, and cheaper password hashing; each step is a serve started at a later --now.
SIM_CFG = os.path.join(WORK, "sessions.yaml")
with open(CONFIG) as f:
    text = f.read()
for a, b in [("absolute_hours: 12", "absolute_hours: 1"), ("password_hashing: moderate", "password_hashing: interactive")]:
    check("the test configuration has " + a, a in text)
    text = text.replace(a, b, 1)
with open(SIM_CFG, "w") as f:
    f.write(text)
SIM_ENV = dict(ENV, OCOP_DB=SIM_DB, OCOP_CONFIG=SIM_CFG)
check("init --simulation", ocop("init", "--simulation", env=SIM_ENV).returncode == 0)
check("a password", ocop("user", "password", COORD, stdin=PASSWORD + "\n", env=SIM_ENV).returncode == 0)


def at(minutes):
    t = 8 * 60 + minutes
    return "2026-03-02T%02d:%02d:00+07:00" % (t // 60, t % 60)


def me(srv, cookie):
    return request(srv.port, "GET", "/api/v1/me", headers={"Cookie": cookie})


srv = Server("--now", at(0), config=SIM_CFG, env=SIM_ENV)
cookies = []
for _ in range(2):
    st, h, j = request(srv.port, "POST", "/api/v1/session", {"user": COORD, "password": PASSWORD})
    cookies.append(h.get("set-cookie", "").split(";")[0])
    check("signed in at 08:00", st == 200 and cookies[-1].startswith("__Host-ocop_session="), (st, j))
kept, idle = cookies
check("08:00: the session serves", me(srv, kept)[0] == 200)
srv.stop()
for minutes, cookie, status, what in [(25, kept, 200, "08:25: used within its idle time"),
                                      (31, idle, 401, "08:31: unused for 31 minutes (idle 30): 401"),
                                      (31, kept, 200, "08:31: used 6 minutes ago: still serves"),
                                      (55, kept, 200, "08:55: used 24 minutes ago: still serves"),
                                      (61, kept, 401, "09:01: past its absolute hour though used 6 minutes ago: 401")]:
    srv = Server("--now", at(minutes), config=SIM_CFG, env=SIM_ENV)
    got = me(srv, cookie)
    if status == 401:
        is_problem(what, got, 401, "unauthenticated")
    else:
        check(what, got[0] == status, got)
    srv.stop()
srv = Server("--now", at(62), config=SIM_CFG, env=SIM_ENV)
is_problem("an expired session stays expired", me(srv, idle), 401)
st, h, j = request(srv.port, "POST", "/api/v1/session", {"user": COORD, "password": PASSWORD})
check("signing in again gives a new session that serves", st == 200 and me(srv, h.get("set-cookie", "").split(";")[0])[0] == 200, (st, j))
srv.stop()

sys.exit(summary())
