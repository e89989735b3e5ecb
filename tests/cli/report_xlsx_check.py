#!/usr/bin/env python3
"""Reads `ocop report --format xlsx` with openpyxl and compares it with the engine's JSON.

Usage: report_xlsx_check.py FILE.xlsx REPORT.json CERTIFICATES.json EXPIRING.json AS_OF DAYS OCOP
(REPORT: `ocop --json report`; CERTIFICATES: `ocop --json certificates`; EXPIRING: `ocop --json
certificates --expiring-within DAYS`; all on the same database and day; OCOP: the binary, whose
`--json show DOSSIER` gives each product's producer). Prints "ok" and exits 0, or lists every
difference and exits 1.
"""
import datetime
import json
import subprocess
import sys

import openpyxl

path, report_path, certs_path, expiring_path, as_of, days, ocop = sys.argv[1:8]
report = json.load(open(report_path))
certs = json.load(open(certs_path))
expiring = json.load(open(expiring_path))
as_of = datetime.date.fromisoformat(as_of)
problems = []


def expect(what, got, want):
    if got != want:
        problems.append("%s: %r, expected %r" % (what, got, want))


wb = openpyxl.load_workbook(path)
expect("sheets", wb.sheetnames, ["Theo đơn vị", "Sản phẩm OCOP", "Sắp hết hạn", "Xúc tiến thương mại"])
expect("title", wb.properties.title, "Báo cáo kết quả Chương trình OCOP ngày %s" % as_of.isoformat())
for ws in wb.worksheets:
    expect(ws.title + ": frozen header row", ws.freeze_panes, "A2")
    last_total = ws.title in ("Theo đơn vị", "Xúc tiến thương mại")
    last = ws.max_row - (1 if last_total else 0)
    want_ref = "A1:%s%d" % (openpyxl.utils.get_column_letter(ws.max_column), max(last, 1))
    expect(ws.title + ": autofilter", ws.auto_filter.ref, want_ref)


def rows(title):
    ws = wb[title]
    all_rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return all_rows[0], all_rows[1:]


def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool)


# --- per unit: every state's count, the totals, the stars ------------------------------------------
STATES = ["idea_submitted", "idea_returned", "idea_accepted", "plan_submitted", "plan_returned", "in_development",
          "submitted", "returned", "under_review", "scored", "recognized", "not_recognized", "rejected", "withdrawn"]
head, body = rows("Theo đơn vị")
expect("per unit: columns", len(head), 2 + len(STATES) + 1 + 3 + 1)
expect("per unit: a Vietnamese header", head[:3], ["Mã đơn vị", "Đơn vị", "Ý tưởng chờ xét"])
units = report["units"]
want_units = sorted(u for u, v in units.items() if v.get("dossiers_by_state") or v.get("certificates_by_stars"))
expect("per unit: the units, then the total", [r[0] for r in body], want_units + ["Tổng cộng"])
for r in body:
    src = report if r[0] == "Tổng cộng" else units.get(r[0], {})
    by_state = src.get("dossiers_by_state", {})
    by_stars = src.get("certificates_by_stars", {})
    values = r[2:]
    if not all(is_count(v) for v in values):
        problems.append("per unit %s: a count that is not a number: %r" % (r[0], values))
        continue
    expect("%s: by state" % r[0], values[:len(STATES)], [by_state.get(s, 0) for s in STATES])
    expect("%s: dossiers" % r[0], values[len(STATES)], sum(by_state.values()))
    expect("%s: stars" % r[0], values[len(STATES) + 1:len(STATES) + 4], [by_stars.get(k, 0) for k in ("3", "4", "5")])
    expect("%s: products" % r[0], values[-1], sum(by_stars.values()))


# --- the products in force and those ending soon ----------------------------------------------------
def date_of(v):
    return v.date() if isinstance(v, datetime.datetime) else v


producers = {}


def producer(dossier):
    if dossier not in producers:
        out = subprocess.run([ocop, "--json", "show", dossier], capture_output=True, text=True, check=True).stdout
        producers[dossier] = json.loads(out)["producer"]
    return producers[dossier]


def compare_products(title, want, extra):
    head, body = rows(title)
    expect(title + ": header", head[:15], ["STT", "Tên sản phẩm", "Bộ sản phẩm", "Tên bộ sản phẩm", "Chủ thể", "Mã đơn vị", "Đơn vị",
                                       "Hạng sao", "Cấp công nhận", "Số quyết định", "Ngày quyết định", "Ngày cấp",
                                       "Hiệu lực đến", "Trạng thái", "Mã giấy chứng nhận"])
    expect(title + ": rows", [r[14] for r in body], [c["id"] for c in want])
    for n, (r, c) in enumerate(zip(body, want), start=1):
        expect("%s %s: STT" % (title, c["id"]), r[0], n)
        expect("%s %s: product, set, unit" % (title, c["id"]), (r[1], r[2], r[5]), (c["product"], c["product_set"], c["unit"]))
        expect("%s %s: producer" % (title, c["id"]), r[4], producer(c["dossier"]))
        expect("%s %s: stars (a number)" % (title, c["id"]), r[7], c["stars"])
        expect("%s %s: decision" % (title, c["id"]), r[9], c["decision_no"])
        if not isinstance(r[10], datetime.datetime):
            problems.append("%s %s: the decision's date is not a date: %r" % (title, c["id"], r[10]))
        expect("%s %s: issued (a date)" % (title, c["id"]), date_of(r[11]), datetime.date.fromisoformat(c["issued_on"]))
        expect("%s %s: valid until (a date)" % (title, c["id"]), date_of(r[12]), datetime.date.fromisoformat(c["valid_until"]))
        expect("%s %s: state" % (title, c["id"]), r[13], {"active": "Còn hiệu lực", "expiring": "Sắp hết hạn"}[c["state"]])
        if extra:
            left = (datetime.date.fromisoformat(c["valid_until"]) - as_of).days
            expect("%s %s: days left" % (title, c["id"]), r[15], left)
    return body


in_force = [c for c in certs if c["state"] in ("active", "expiring")]
compare_products("Sản phẩm OCOP", in_force, False)
expect("the products in force are the report's stars", len(in_force), sum(report["certificates_by_stars"].values()))
compare_products("Sắp hết hạn", expiring, True)
if not expiring:
    problems.append("no certificate ends within %s days of %s: the test checks nothing there" % (days, as_of))

# --- trade promotion ------------------------------------------------------------------------------
head, body = rows("Xúc tiến thương mại")
expect("promotion: header", head[:7], ["Mã đơn vị", "Đơn vị", "Hoạt động tổ chức", "Lượt tham gia được chọn",
                                       "Kinh phí hỗ trợ (đồng)", "Doanh thu (đồng)", "Hợp đồng"])
results = sorted(report["promotion"]["inspections_by_result"])
expect("promotion: one column per inspection result", len(head), 7 + len(results))
want_units = sorted(u for u, v in units.items() if "promotion" in v)
expect("promotion: the units, then the total", [r[0] for r in body], want_units + ["Tổng cộng"])
for r in body:
    p = report["promotion"] if r[0] == "Tổng cộng" else units[r[0]]["promotion"]
    expect("promotion %s" % r[0], r[2:7], [p["activities"], p["participations_selected"], p["support_vnd"],
                                            p["revenue_vnd"], p["contracts"]])
    expect("promotion %s: inspections" % r[0], r[7:], [p["inspections_by_result"].get(k, 0) for k in results])
if report["promotion"]["support_vnd"] == 0:
    problems.append("the sample has no promotion support: the test checks nothing there")

if problems:
    print("\n".join(problems[:40]))
    sys.exit(1)
print("ok")
