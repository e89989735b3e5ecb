#!/usr/bin/env python3
"""feed_test.sh's checks (see there). Usage: feed_test.py OCOP REPO WORK (OCOP_DB, OCOP_CONFIG set)."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

OCOP, REPO, WORK = sys.argv[1:4]
sys.path.insert(0, os.path.join(REPO, "tests", "cli", "lib"))
import serve_lib  # noqa: E402
from serve_lib import check, summary  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"


def ocop(*args):
    return subprocess.run([OCOP, *args], capture_output=True, text=True)


def get(port, path):
    return serve_lib.request(port, "GET", path, raw=True)


def atom(port, path):
    st, h, body = get(port, path)
    if st != 200:
        return st, h, None
    return st, h, ET.fromstring(body)


records = [json.loads(x) for x in ocop("audit", "export").stdout.splitlines()]
recognitions = [r for r in records if r["event"] == "recognize"]
check("the sample recognises products", len(recognitions) >= 10, len(recognitions))
public = [r for r in records if r["event"] in ("recognize", "revoke", "expire")]  # the sample revokes one too

srv = serve_lib.Server(OCOP, os.environ.copy(), WORK)
P = srv.port

# --- Atom: every recognition, newest first, paged -----------------------------------------------------
st, h, feed = atom(P, "/feeds/certificates.atom?limit=200")
check("the Atom feed without signing in", st == 200 and h.get("content-type", "").startswith("application/atom+xml"), (st, h))
entries = feed.findall(ATOM + "entry") if feed is not None else []
ids = [e.find(ATOM + "id").text for e in entries]
want = ["urn:ocop:TQ:audit:%d" % r["seq"] for r in reversed(public)]
check("every recognition and revocation, newest first", ids == want, (len(ids), len(want), ids[:3], want[:3]))
first = entries[0] if entries else None
newest = public[-1]
check("an entry's title, time and category", first is not None
      and first.find(ATOM + "title").text.startswith({"recognize": "Công nhận", "revoke": "Thu hồi"}[newest["event"]] + " sản phẩm OCOP")
      and first.find(ATOM + "category").get("term") == newest["event"]
      and first.find(ATOM + "updated").text.endswith("+07:00"), ET.tostring(first)[:400] if first is not None else None)
check("the feed's own id, title and updated", feed is not None and feed.find(ATOM + "id").text == "urn:ocop:TQ:certificates"
      and feed.find(ATOM + "updated").text == (first.find(ATOM + "updated").text if first is not None else None))

paged, path, pages = [], "/feeds/certificates.atom?limit=7", 0
while path and pages < 100:
    st, _, f = atom(P, path)
    if st != 200:
        break
    paged += [e.find(ATOM + "id").text for e in f.findall(ATOM + "entry")]
    nxt = [l.get("href") for l in f.findall(ATOM + "link") if l.get("rel") == "next"]
    path, pages = (nxt[0] if nxt else None), pages + 1
check("paged by 7 with rel=next: the same entries, each once", paged == want and pages == (len(want) + 6) // 7, (len(paged), pages))

# --- JSON Feed: the same entries, with the certificate -------------------------------------------------
st, h, body = get(P, "/feeds/certificates.json?limit=200")
j = json.loads(body) if st == 200 else {}
check("the JSON feed", st == 200 and h.get("content-type", "").startswith("application/feed+json")
      and j.get("version") == "https://jsonfeed.org/version/1.1" and [i["id"] for i in j["items"]] == want, (st, j.get("version")))
certs = {c["id"]: c for c in json.loads(ocop("--json", "certificates").stdout)}
item = j["items"][0] if j.get("items") else {}
cert = item.get("_ocop", {}).get("certificate", {})
check("an item carries the certificate as `ocop certificates --json`", cert == certs.get(cert.get("id")), (cert, certs.get(cert.get("id"))))
check("... its record's seq and hash", item.get("_ocop", {}).get("hash") == newest["hash"]
      and item["_ocop"]["seq"] == newest["seq"], item.get("_ocop"))
text = json.dumps(j, ensure_ascii=False)
check("nothing private: no scores, e-mail addresses or reasons", "score" not in text and "@" not in text and "reason" not in text,
      [w for w in ("score", "@", "reason") if w in text])

# --- a revocation, then a tick three years on ---------------------------------------------------------
target = json.loads(ocop("--json", "certificates", "--state", "active").stdout)[0]
r = ocop("--json", "fire", "revoke", target["id"], "--actor", "signer.tq.ngoc",
         "--data", json.dumps({"ground": "food_safety", "decision_no": "15/QĐ-UBND"}))
check("revoke a certificate", r.returncode == 0, r.stderr)
st, _, f = atom(P, "/feeds/certificates.atom?limit=1")
top = f.find(ATOM + "entry") if f is not None else None
check("the revocation is the newest entry at once", top is not None and top.find(ATOM + "category").get("term") == "revoke"
      and "Vi phạm quy định về an toàn thực phẩm" in top.find(ATOM + "summary").text
      and target["product"] in top.find(ATOM + "title").text, ET.tostring(top)[:500] if top is not None else st)
hooks = [json.loads(m["body"]) for m in json.loads(ocop("--json", "outbox").stdout) if m["channel"] == "webhook"]
revoked = [b for b in hooks if b.get("type") == "certificate.revoked" and b["certificate"]["id"] == target["id"]]
check("a certificate.revoked webhook", len(revoked) == 1
      and revoked[0]["certificate"]["state"] == "revoked" and revoked[0]["certificate"]["revocation"]["ground"] == "food_safety",
      revoked)
in_force = json.loads(ocop("--json", "certificates", "--state", "active").stdout)
r = ocop("--json", "--now", "2030-01-02T08:00:00+07:00", "tick")
check("a tick three years on", r.returncode == 0, r.stderr)
st, _, body = get(P, "/feeds/certificates.json?limit=200")
items = json.loads(body)["items"] if st == 200 else []
expired = [i for i in items if i["_ocop"]["event"] == "expire"]
check("every certificate in force expired, in the feed", sorted(i["_ocop"]["certificate"]["id"] for i in expired)
      == sorted(c["id"] for c in in_force) and all(i["_ocop"]["certificate"]["state"] == "expired" for i in expired),
      (len(expired), len(in_force)))
check("... above the revocation and the recognitions", [i["_ocop"]["event"] for i in items[:len(expired) + 1]]
      == ["expire"] * len(expired) + ["revoke"], [i["_ocop"]["event"] for i in items[:5]])
hooks = [json.loads(m["body"]) for m in json.loads(ocop("--json", "outbox").stdout) if m["channel"] == "webhook"]
check("a certificate.expired webhook for each", sorted(b["certificate"]["id"] for b in hooks if b.get("type") == "certificate.expired")
      == sorted(c["id"] for c in in_force), len(hooks))
r = ocop("--json", "--now", "2030-01-02T08:00:00+07:00", "tick")
hooks2 = [m for m in json.loads(ocop("--json", "outbox").stdout) if m["channel"] == "webhook"]
check("the same tick again queues nothing twice", len(hooks2) == len(hooks), (len(hooks2), len(hooks)))

# --- hostile parameters ----------------------------------------------------------------------------------
for q in ("limit=0", "limit=201", "limit=x", "before=-1", "before=99999999999999999999", "after=3"):
    st, h, body = get(P, "/feeds/certificates.atom?" + q)
    check("?%s refused with a problem" % q, st == 400 and h.get("content-type", "").startswith("application/problem+json"), (st, body[:200]))
st, _, body = get(P, "/feeds/certificates.atom?before=1")
check("before the first record: an empty feed", st == 200 and ET.fromstring(body).find(ATOM + "entry") is None, body[:300])

srv.stop()
sys.exit(summary())
