"""The public face end to end (driven by public_test.sh; docs/public.md). Prints one line per
failed check and "N passed, M failed"; exits 1 on any failure."""
import datetime
import html
import json
import os
import re
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from serve_lib import Server, check, request, summary  # noqa: E402

OCOP, REPO, WORK, DB = sys.argv[1:5]
NOW = ["--now", "2026-12-31T10:00:00+07:00"]
ENV = dict(os.environ, OCOP_DB=DB, OCOP_CONFIG=os.path.join(REPO, "config", "sample.yaml"), OCOP_WEB_DIR="")
CODE = re.compile(r"^[A-Z2-7]{20}$")


def ocop(*args, now=True):
    return subprocess.run([OCOP, *args, *(NOW if now else [])], env=ENV, capture_output=True, text=True)


def sql(q):
    if DB.startswith("sqlite:"):
        out = subprocess.run(["sqlite3", DB[len("sqlite:"):], q], capture_output=True, text=True)
    else:
        out = subprocess.run(["psql", "-qAt", "-F|", DB, "-c", q], capture_output=True, text=True)
    return [line.split("|") for line in out.stdout.splitlines()]


def zbar(path):
    out = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True, text=True)
    return out.stdout.strip()


# --- migration 9 gave the certificates issued before it their codes ---------------------------------------
r = ocop("init", now=False)
check("init applies migration 9", r.returncode == 0, r.stderr)
rows = sql("SELECT id, verification_code FROM certificates")
codes = [c for _, c in rows]
check("100 certificates, each with a code", len(rows) == 100 and all(CODE.match(c) for c in codes), rows[:3])
check("codes are unique", len(set(codes)) == len(codes))
secret = sql("SELECT value FROM meta WHERE key = 'verification_secret'")
check("a 256-bit secret", len(secret) == 1 and re.fullmatch(r"[0-9a-f]{64}", secret[0][0]), secret)
check("the secret is nowhere in the audit trail",
      sql("SELECT COUNT(*) FROM audit WHERE data LIKE '%" + secret[0][0][:16] + "%'") == [["0"]])
check("no code is in the audit trail", sql("SELECT COUNT(*) FROM audit WHERE data LIKE '%" + codes[0] + "%'") == [["0"]])
r = ocop("audit", "verify", now=False)
check("the chain verifies after the migration", r.returncode == 0, r.stdout + r.stderr)

certs = json.loads(ocop("certificates", "--json").stdout)
active = [c for c in certs if c["state"] == "active" and c["level"] == "province" and c["stars"] == 4]
superseded = [c for c in certs if c["state"] == "superseded"]
check("the sample has a 4-star provincial certificate and a superseded one", active and superseded)
cert, old = active[0], superseded[0]
code = dict(rows)[cert["id"]]
dossier = json.loads(ocop("show", cert["dossier"], "--json").stdout)

# --- the service, and the QR code followed to it -----------------------------------------------------------
srv = Server(OCOP, ENV, WORK, *NOW)
P = srv.port
BASE = "http://127.0.0.1:%d" % P
URL = BASE + "/verify/" + code

png, svg, pdf = (os.path.join(WORK, "label." + e) for e in ("png", "svg", "pdf"))
r = ocop("certificate", "qr", cert["id"], "--output", png, "--base-url", BASE, "--json")
check("qr PNG: exit 0", r.returncode == 0, r.stderr)
out = json.loads(r.stdout or "{}")
check("qr --json: the code and URL", out.get("code") == code and out.get("url") == URL, out)
check("zbarimg reads the PNG's URL", zbar(png) == URL, zbar(png))
r = ocop("certificate", "qr", cert["id"], "--output", svg, "--base-url", BASE)
check("qr SVG: exit 0", r.returncode == 0, r.stderr)
try:
    root = ET.parse(svg).getroot()
    check("the SVG is an svg with the modules as one path", root.tag.endswith("svg") and
          len(root.findall("{http://www.w3.org/2000/svg}path")) == 1)
except ET.ParseError as e:
    check("the SVG parses", False, e)

r = ocop("certificate", "pdf", cert["id"], "--output", pdf, "--base-url", BASE)
check("pdf: exit 0", r.returncode == 0, r.stderr)
subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", pdf, os.path.join(WORK, "sheet")], capture_output=True)
check("zbarimg reads the URL from the printed PDF", zbar(os.path.join(WORK, "sheet.png")) == URL,
      zbar(os.path.join(WORK, "sheet.png")))
text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout


def dmy(iso):
    y, m, d = iso.split("-")
    return "%s/%s/%s" % (d, m, y)


for what, needle in [("title", "GIẤY CHỨNG NHẬN"), ("subtitle", "SẢN PHẨM OCOP"), ("product", cert["product"]),
                     ("producer", dossier["producer"]), ("stars", "4 sao"), ("decision", cert["decision_no"]),
                     ("issued dd/mm/yyyy", dmy(cert["issued_on"])), ("valid until dd/mm/yyyy", dmy(cert["valid_until"])),
                     ("province", "Tuyên Quang"), ("code", code), ("level", "Cấp tỉnh")]:
    check("pdftotext finds the %s (%s)" % (what, needle), needle in text, text[:800])


def page(c):
    st, h, body = request(P, "GET", "/verify/" + c, raw=True)
    return st, h, body.decode("utf-8")


def status_of(body):
    m = re.search(r'data-status="([a-z_]+)"', body)
    return m.group(1) if m else None


st, h, body = page(code)
check("the page: 200 HTML", st == 200 and h.get("content-type", "").startswith("text/html"), (st, h))
check("in force", status_of(body) == "in_force" and "Còn hiệu lực" in body, body[:400])
for what, needle in [("product", cert["product"]), ("producer", dossier["producer"]), ("stars", "4 sao"),
                     ("decision", cert["decision_no"]), ("valid until", dmy(cert["valid_until"])), ("level", "Cấp tỉnh")]:
    check("the page shows the %s" % what, html.escape(needle, quote=True) in body or needle in body, needle)
check("no script, no inline style (the CSP allows neither)", "<script" not in body and "style=" not in body)
check("a stylesheet of the same origin", 'href="/public/style.css"' in body)
check("the CSP header", "default-src 'self'" in h.get("content-security-policy", ""))
check("not cached (a revocation shows at once)", "no-store" in h.get("cache-control", ""), h.get("cache-control"))
st, h, css = request(P, "GET", "/public/style.css", raw=True)
check("the stylesheet", st == 200 and h.get("content-type", "").startswith("text/css") and b"max-width" in css)
check("a code typed in lower case with dashes", status_of(page(code[:10].lower() + "-" + code[10:])[2]) == "in_force")

st, _, j = request(P, "GET", "/api/v1/public/certificates/" + code)
check("the API: 200 JSON", st == 200 and isinstance(j, dict), (st, j))
public = {"code", "certificate", "status", "in_force", "days_left", "product", "product_set", "product_set_name",
          "producer", "unit", "unit_name", "stars", "level", "decision_no", "decision_date", "issued_on",
          "valid_until", "revocation", "superseded_by", "url"}
check("only the public fields", set(j) == public, sorted(set(j) ^ public))
check("the API's facts", j["status"] == "in_force" and j["in_force"] is True and j["stars"] == 4 and
      j["producer"] == dossier["producer"] and j["decision_no"] == cert["decision_no"], j)
check("nothing of scores, reasons, documents or people", not re.search(r"score|reason|document|actor|email|address",
                                                                        json.dumps(j, ensure_ascii=False)), j)

# --- unknown codes ------------------------------------------------------------------------------------------
for bad in ["AAAAAAAAAAAAAAAAAAAA", "not-a-code", "%3Cscript%3Ex%3C%2Fscript%3E"]:
    st, h, body = page(bad)
    check("404 page for %r" % bad, st == 404 and h.get("content-type", "").startswith("text/html") and
          "Không tìm thấy" in body and "<script>" not in body, (st, body[:300]))
st, h, j = request(P, "GET", "/api/v1/public/certificates/AAAAAAAAAAAAAAAAAAAA")
check("the API: 404 problem", st == 404 and isinstance(j, dict) and j.get("code") == "not_found", (st, j))

# --- superseded: the page names the certificate that replaced it, with a link ---------------------------------
old_code = dict(rows)[old["id"]]
new_code = dict(rows).get(old["superseded_by"])
st, _, body = page(old_code)
check("superseded", status_of(body) == "superseded" and "/verify/%s" % new_code in body, body[-900:])

# --- revoked: at once ---------------------------------------------------------------------------------------
r = ocop("fire", "revoke", cert["id"], "--actor", "signer.tq.ngoc", "--data",
         json.dumps({"ground": "food_safety", "decision_no": "77/QĐ-UBND", "decision_date": "2026-12-30"}))
check("revoke", r.returncode == 0, r.stdout + r.stderr)
st, _, body = page(code)
check("revoked at once, with its ground and decision", status_of(body) == "revoked" and
      "Vi phạm quy định về an toàn thực phẩm" in body and "77/QĐ-UBND" in body, body[:900])
st, _, j = request(P, "GET", "/api/v1/public/certificates/" + code)
check("the API: revoked", j["status"] == "revoked" and j["in_force"] is False and
      j["revocation"]["ground"] == "food_safety" and j["revocation"]["decision_no"] == "77/QĐ-UBND", j)
srv.stop()

# --- expiring and expired by the day (another active certificate) ------------------------------------------
other = active[1]
ocode = dict(rows)[other["id"]]
vu = datetime.date.fromisoformat(other["valid_until"])
for day, want in [(vu - datetime.timedelta(days=91), "in_force"), (vu - datetime.timedelta(days=60), "expiring"),
                  (vu, "expired")]:
    s2 = Server(OCOP, ENV, WORK, "--now", day.isoformat() + "T09:00:00+07:00")
    st, _, b = request(s2.port, "GET", "/verify/" + ocode, raw=True)
    check("on %s: %s" % (day, want), status_of(b.decode()) == want, status_of(b.decode()))
    s2.stop()

# --- the rate limit ----------------------------------------------------------------------------------------
s3 = Server(OCOP, ENV, WORK, *NOW, "--public-rate", "5")
answers = [request(s3.port, "GET", "/verify/" + ocode) for _ in range(12)]
limited = [a for a in answers if a[0] == 429]
check("over 5 a minute: 429", len(limited) >= 6, [a[0] for a in answers])
if limited:
    st, h, j = limited[0]
    check("429: a problem with Retry-After", isinstance(j, dict) and j.get("status") == 429 and
          int(h.get("retry-after", "0")) >= 1 and "too many requests" in j.get("detail", ""), (h, j))
st, _, _ = request(s3.port, "GET", "/healthz")
check("signed-in and health routes are not limited", st == 200)
m = request(s3.port, "GET", "/metrics", raw=True)[2].decode()
check("429s counted in /metrics", re.search(r"^ocop_http_rate_limited_total [1-9]", m, re.M) is not None)
s3.stop()

# --- the public catalogue (issue 13, item 1) ------------------------------------------------------------------
s4 = Server(OCOP, ENV, WORK, *NOW)


def products(query=""):
    return request(s4.port, "GET", "/api/v1/public/products" + query)


st, _, j = products("?limit=100")
check("catalogue: 200 without sign-in", st == 200 and isinstance(j, dict), (st, j))
in_force = [c for c in json.loads(ocop("certificates", "--json").stdout)
            if c["state"] in ("active", "expiring")]
seen, cursor, pages = [], None, 0
while True:
    st, _, j = products("?limit=30" + ("&cursor=" + cursor if cursor else ""))
    if st != 200:
        check("catalogue paging", False, (st, j))
        break
    seen += j["items"]
    pages += 1
    cursor = j["next_cursor"]
    if not cursor or pages > 10:
        break
check("every certificate in force, once, by keyset pages of 30", sorted(i["certificate"] for i in seen) ==
      sorted(c["id"] for c in in_force) and pages == -(-len(in_force) // 30), (len(seen), len(in_force), pages))
check("catalogue items: only the public fields", all(set(i) == public for i in seen))
st, _, j = products("?q=" + "che%20shan%20tuyet")
names = [i["product"] for i in j["items"]] if st == 200 else []
check("\"che shan tuyet\" finds every Chè Shan tuyết product in force, and only Shan tuyết ones", names and
      all("Shan tuyết" in n for n in names) and
      {c["product"] for c in in_force if "Chè Shan tuyết" in c["product"]} <= set(names), names)
st, _, j = products("?q=" + urllib.parse.quote("CHÈ SHAN TUYẾT"))
check("upper case and accents too", st == 200 and len(j["items"]) == len(names), (st, j))
st, _, j = products("?stars=5")
check("stars=5: the central certificates", st == 200 and j["items"] and all(i["stars"] == 5 and i["level"] == "central"
                                                                             for i in j["items"]), j)
st, _, j = products("?product_set=tea&year=2026&limit=100")
check("product_set and year", st == 200 and all(i["product_set"] == "tea" and i["decision_date"].startswith("2026")
                                                 for i in j["items"]) and j["items"], j)
st, _, j = products("?group=food&limit=100")
check("group", st == 200 and j["items"] and all(i["product_set"] not in ("handicrafts",) for i in j["items"]), st)
unit = seen[0]["unit"]
st, _, j = products("?unit=" + unit + "&limit=100")
check("unit", st == 200 and j["items"] and all(i["unit"] == unit for i in j["items"]), j)
check("a revoked certificate is not in the catalogue", all(i["certificate"] != cert["id"] for i in seen))
for bad, why in [("?stars=6", "stars"), ("?limit=1000", "limit"), ("?unit=NOWHERE", "unit"), ("?group=x", "group"),
                 ("?cursor=not*a*cursor", "cursor"), ("?sort=x", "unknown")]:
    st, _, j = products(bad)
    check("catalogue refuses %s" % bad, st in (400, 422) and isinstance(j, dict) and why in j.get("detail", ""), (st, j))
st, _, j = request(s4.port, "GET", "/api/v1/public/products/" + ocode)
check("a product: its certificates, newest first", st == 200 and j["product"] == other["product"] and
      j["certificates"] and j["certificates"][0]["code"] == ocode and
      all(set(x) == public for x in j["certificates"]), j)
st, _, j = request(s4.port, "GET", "/api/v1/public/products/AAAAAAAAAAAAAAAAAAAA")
check("an unknown product: 404", st == 404, st)
s4.stop()

# --- refused arguments: what and where, nothing written ----------------------------------------------------
def refused(what, rc, args, needle, output=None):
    r = ocop(*args)
    check("%s: exit %d" % (what, rc), r.returncode == rc and needle in r.stderr, (r.returncode, r.stderr))
    if output:
        check("%s: nothing written" % what, not os.path.exists(output))


refused("unknown certificate", 3, ["certificate", "qr", "NO-SUCH/province", "--output", WORK + "/x.png",
                                   "--base-url", BASE], "not found", WORK + "/x.png")
refused("unknown certificate (pdf)", 3, ["certificate", "pdf", "NO-SUCH/province", "--output", WORK + "/x.pdf",
                                         "--base-url", BASE], "not found", WORK + "/x.pdf")
refused("a .jpg", 2, ["certificate", "qr", cert["id"], "--output", WORK + "/x.jpg", "--base-url", BASE], ".png or .svg",
        WORK + "/x.jpg")
refused("a pdf that is not .pdf", 2, ["certificate", "pdf", cert["id"], "--output", WORK + "/x.png", "--base-url", BASE],
        ".pdf", WORK + "/x.png")
refused("a missing directory", 2, ["certificate", "qr", cert["id"], "--output", WORK + "/nowhere/x.png",
                                   "--base-url", BASE], "no directory")
refused("a directory as the file", 2, ["certificate", "pdf", cert["id"], "--output", WORK, "--base-url", BASE],
        "is a directory")
refused("no public address", 2, ["certificate", "qr", cert["id"], "--output", WORK + "/y.png"], "province.public_url",
        WORK + "/y.png")
refused("a base URL that is not http(s)", 2, ["certificate", "qr", cert["id"], "--output", WORK + "/y.png",
                                              "--base-url", "ftp://x"], "--base-url", WORK + "/y.png")
r = ocop("certificate", "qr", cert["id"])
check("--output is required: exit 2", r.returncode == 2, (r.returncode, r.stderr))
r = subprocess.run([OCOP, "certificate", "pdf", cert["id"], "--output", WORK + "/z.pdf", "--base-url", BASE, *NOW],
                   env=dict(ENV, OCOP_FONT_DIR=WORK + "/no-fonts"), capture_output=True, text=True)
check("no fonts: exit 1, saying which, nothing written", r.returncode == 1 and "cannot load the fonts" in r.stderr and
      "fonts-dejavu-core" in r.stderr and not os.path.exists(WORK + "/z.pdf"), (r.returncode, r.stderr))

sys.exit(summary())
