#!/usr/bin/env python3
"""Reads `ocop report --format pdf` with poppler (pdftotext -layout, pdfinfo) and compares every
number of its tables and charts with the engine's JSON.

Usage: report_pdf_check.py FILE.pdf REPORT.json EXPIRING.json AS_OF DAYS
(REPORT: `ocop --json report`; EXPIRING: `ocop --json certificates --expiring-within DAYS`; on
the same database and day). Prints "ok" and exits 0, or lists every difference and exits 1.

The stages and the funnel are recomputed here from the report's dossiers by state (the rule of
engine/ocop/app.hpp's stage_of and stage_reached, written again independently).
"""
import datetime
import json
import re
import subprocess
import sys

path, report_path, expiring_path, as_of, days = sys.argv[1:6]
report = json.load(open(report_path))
expiring = json.load(open(expiring_path))
as_of = datetime.date.fromisoformat(as_of)
days = int(days)
problems = []


def expect(what, got, want):
    if got != want:
        problems.append("%s: %r, expected %r" % (what, got, want))


text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], check=True, capture_output=True).stdout.decode()
info = subprocess.run(["pdfinfo", path], check=True, capture_output=True).stdout.decode()
pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))

# --- the document as a whole ---------------------------------------------------------------------
expect("pages: more than one", pages > 1, True)
expect("page feeds", text.count("\f"), pages)
for n in range(1, pages + 1):
    expect("page %d numbered" % n, ("Trang %d/%d" % (n, pages)) in text.split("\f")[n - 1], True)
for phrase in ["BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH OCOP NĂM %d" % as_of.year, "Tổng cộng", "3 sao",
               "Tuyên Quang, ngày %02d tháng %02d năm %d" % (as_of.day, as_of.month, as_of.year),
               "Phễu chu trình OCOP", "Xúc tiến thương mại"]:
    expect("the text has %r" % phrase, phrase in " ".join(text.split()), True)
bad = [c for c in text if ord(c) < 32 and c not in "\n\f"]
expect("no control characters in the text", bad, [])

# --- its parts: from one caption ("Bảng n." / "Biểu đồ n.") or section to the next -----------------
lines = text.split("\n")
regions, current = {}, None
for line in lines:
    m = re.match(r"\s*(Bảng|Biểu đồ) (\d+)\.", line)
    if m:
        current = "%s %s" % (m.group(1), m.group(2))
        regions[current] = []
        continue
    if re.match(r"\s*(I|II|III|IV|V|VI)\. [A-ZĐÂ]", line):
        current = None
        continue
    if current:
        regions[current].append(line)
for want in ["Bảng %d" % i for i in range(1, 9)] + ["Biểu đồ %d" % i for i in range(1, 4)]:
    expect("a part " + want, want in regions, True)

NUM = re.compile(r"^-?\d{1,3}(?:\.\d{3})*$")


def ints(tokens):
    return [int(t.replace(".", "")) for t in tokens if NUM.match(t)]


def row_after(region, label):
    """The tokens after `label` on the first line of the region that starts with it (2+ spaces after)."""
    for line in regions.get(region, []):
        s = line.strip()
        if s == label or s.startswith(label + "  ") or s.startswith(label + " "):
            rest = s[len(label):]
            if rest and not rest.startswith("  ") and not rest.strip()[:1].isdigit():
                continue
            return rest.split()
    return None


def rows_by_code(region, codes):
    out = {}
    for line in regions.get(region, []):
        tok = line.split()
        if tok and tok[0] in codes:
            out.setdefault(tok[0], tok[1:])
    return out


def total(m):
    return sum(m.values())


units = report.get("units", {})
by_state = report["dossiers_by_state"]
stars = report["certificates_by_stars"]
promo = report["promotion"]

# --- Bảng 1: the totals ------------------------------------------------------------------------------
want = {
    "Tổng số hồ sơ": total(by_state),
    "Hồ sơ được công nhận": by_state.get("recognized", 0),
    "Sản phẩm OCOP còn hiệu lực": total(stars),
    "Sản phẩm hạng 3 sao": stars.get("3", 0),
    "Sản phẩm hạng 4 sao": stars.get("4", 0),
    "Sản phẩm hạng 5 sao": stars.get("5", 0),
    "Giấy chứng nhận hết hạn trong %d ngày tới" % days: len(expiring),
    "Hoạt động xúc tiến thương mại": promo["activities"],
    "Lượt tham gia được chọn": promo["participations_selected"],
    "Kinh phí hỗ trợ (đồng)": promo["support_vnd"],
    "Doanh thu (đồng)": promo["revenue_vnd"],
    "Hợp đồng ký kết": promo["contracts"],
}
got = {}
for line in regions.get("Bảng 1", []):
    m = re.match(r"\s*(\d+)\s+(.+?)\s{2,}(-?[\d.]+)\s*$", line)
    if m:
        got[m.group(2)] = int(m.group(3).replace(".", ""))
expect("Bảng 1: the totals", got, want)

# --- the stages (engine/ocop/app.hpp) ---------------------------------------------------------------------
STAGE = {"idea_submitted": 0, "idea_returned": 0, "idea_accepted": 0, "plan_submitted": 1, "plan_returned": 1,
         "in_development": 2, "submitted": 3, "returned": 3, "under_review": 3, "scored": 3, "recognized": 4,
         "not_recognized": 5, "rejected": 5, "withdrawn": 5}
REACHED = dict(STAGE, not_recognized=3, rejected=0, withdrawn=0)
STAGES = ["Ý tưởng", "Phương án", "Phát triển sản phẩm", "Đánh giá, phân hạng", "Được công nhận"]


def stages(m):
    out = [0] * 6
    for s, n in m.items():
        if s in STAGE:
            out[STAGE[s]] += n
    return out


funnel = [sum(n for s, n in by_state.items() if s in REACHED and REACHED[s] >= k) for k in range(5)]
expect("the funnel starts with every dossier", funnel[0], sum(n for s, n in by_state.items() if s in STAGE))


def vn(n):  # 12500000 -> "12.500.000"
    return "{:,}".format(n).replace(",", ".")


def pct(part, whole):
    return ("%.1f" % (100.0 * part / whole)).replace(".", ",") if whole else "–"


# --- Biểu đồ 1 and Bảng 2: the funnel --------------------------------------------------------------------
for k, label in enumerate(STAGES):
    expect("Biểu đồ 1: %s" % label, ints(row_after("Biểu đồ 1", label) or [])[-1:], [funnel[k]])
    expect("Bảng 2: %s" % label, row_after("Bảng 2", label), [vn(funnel[k]), pct(funnel[k], funnel[0])])

# --- Biểu đồ 2 and Bảng 3: dossiers by unit and stage ----------------------------------------------------------
with_dossiers = {u for u, v in units.items() if v.get("dossiers_by_state")}
rows = rows_by_code("Bảng 3", with_dossiers)
expect("Bảng 3: the units with dossiers", set(rows), with_dossiers)
for u in sorted(with_dossiers):
    s = stages(units[u]["dossiers_by_state"])
    expect("Bảng 3: %s" % u, ints(rows.get(u, []))[-7:], s + [sum(s)])
tot = stages(by_state)
expect("Bảng 3: Tổng cộng", ints(row_after("Bảng 3", "Tổng cộng") or []), tot + [sum(tot)])
chart2 = " ".join(regions.get("Biểu đồ 2", []))
for name in STAGES + ["Kết thúc, không công nhận"]:
    expect("Biểu đồ 2: the legend has %s" % name, name in chart2, True)
# A bar's line: its label (text), then its total; the scale's line is numbers only.
bars = []
for line in regions.get("Biểu đồ 2", []):
    tok = line.split()
    if len(tok) >= 2 and not NUM.match(tok[0]) and NUM.match(tok[-1]):
        bars.append(ints(tok[-1:])[0])
unit_totals = sorted((sum(stages(units[u]["dossiers_by_state"])) for u in with_dossiers), reverse=True)
if len(unit_totals) > 21:  # the 20 units with the most dossiers, then the others together
    unit_totals = unit_totals[:20] + [sum(unit_totals[20:])]
expect("Biểu đồ 2: a bar per unit with its dossiers", sorted(bars), sorted(unit_totals))

# --- Biểu đồ 3, Bảng 4 and Bảng 5: products in force by stars ----------------------------------------------------
all_stars = total(stars)
for k in ("3", "4", "5"):
    expect("Biểu đồ 3: %s sao" % k, ints(row_after("Biểu đồ 3", k + " sao") or [])[-1:], [stars.get(k, 0)])
    expect("Bảng 4: %s sao" % k, row_after("Bảng 4", k + " sao"), [vn(stars.get(k, 0)), pct(stars.get(k, 0), all_stars)])
expect("Bảng 4: Tổng cộng", ints(row_after("Bảng 4", "Tổng cộng") or [])[:1], [all_stars])
with_stars = {u for u, v in units.items() if v.get("certificates_by_stars")}
rows = rows_by_code("Bảng 5", with_stars)
expect("Bảng 5: the units with products", set(rows), with_stars)
for u in sorted(with_stars):
    m = units[u]["certificates_by_stars"]
    expect("Bảng 5: %s" % u, ints(rows.get(u, []))[-4:], [m.get("3", 0), m.get("4", 0), m.get("5", 0), total(m)])
expect("Bảng 5: Tổng cộng", ints(row_after("Bảng 5", "Tổng cộng") or []),
       [stars.get("3", 0), stars.get("4", 0), stars.get("5", 0), all_stars])

# --- Bảng 6: the certificates ending within the days, soonest first -------------------------------------------------
ROW = re.compile(r"^\s*(\d+)\s+(.+?)\s+([1-5])\s+(\d\d)/(\d\d)/(\d{4})\s+(-?[\d.]+)\s*$")
listed = []
for line in regions.get("Bảng 6", []):
    m = ROW.match(line)
    if m:
        end = datetime.date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
        listed.append((int(m.group(1)), m.group(2), int(m.group(3)), end, int(m.group(7).replace(".", ""))))
expect("Bảng 6: STT 1..n", [r[0] for r in listed], list(range(1, len(expiring) + 1)))
want_rows = sorted(((datetime.date.fromisoformat(c["valid_until"]), c["stars"]) for c in expiring))
expect("Bảng 6: every certificate (end, stars)", sorted((r[3], r[2]) for r in listed), want_rows)
expect("Bảng 6: soonest first", [r[3] for r in listed], sorted(r[3] for r in listed))
for r in listed:
    expect("Bảng 6 row %d: days left" % r[0], r[4], (r[3] - as_of).days)
    expect("Bảng 6 row %d: within the days" % r[0], 0 <= r[4] <= days, True)
firsts = [c["product"].split()[0] for c in expiring if c["product"].split()]
for r in listed:  # the product's name starts the row (its first word; the name may go on below)
    if not any(r[1].startswith(w) for w in firsts):
        problems.append("Bảng 6 row %d: %r starts with no product's name" % (r[0], r[1]))
sentence = ("%d giấy chứng nhận còn hiệu lực hết hạn trong %d ngày tới" % (len(expiring), days)) if expiring else \
           ("Không có giấy chứng nhận nào hết hạn trong %d ngày tới" % days)
expect("the sentence before Bảng 6", sentence in " ".join(text.split()), True)

# --- Bảng 7 and Bảng 8: trade promotion ---------------------------------------------------------------------
with_promo = {u for u, v in units.items() if "promotion" in v}
rows = rows_by_code("Bảng 7", with_promo)
expect("Bảng 7: the units with promotion", set(rows), with_promo)
KEYS = ["activities", "participations_selected", "support_vnd", "revenue_vnd", "contracts"]
for u in sorted(with_promo):
    p = units[u]["promotion"]
    expect("Bảng 7: %s" % u, ints(rows.get(u, []))[-5:], [p[k] for k in KEYS])
expect("Bảng 7: Tổng cộng", ints(row_after("Bảng 7", "Tổng cộng") or []), [promo[k] for k in KEYS])
insp = promo.get("inspections_by_result", {})
counts = []
for line in regions.get("Bảng 8", []):
    m = re.match(r"\s*Hậu kiểm: .+?\s{2,}([\d.]+)\s*$", line)
    if m:
        counts.append(int(m.group(1).replace(".", "")))
expect("Bảng 8: the inspections by result", sorted(counts), sorted(insp.values()))
expect("Bảng 8: Tổng cộng", ints(row_after("Bảng 8", "Tổng cộng") or []), [total(insp)])

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")
