#!/usr/bin/env python3
"""The project's workload generator: a configuration and a JSONL event file (spec §5, §9) for
the tests and benchmarks, at any size. Python 3 standard library only; the same arguments give
byte-identical files (tests/cli/generator_test.sh checks it).

    gen_workload.py --dossiers 10000 --events events.jsonl --config bench.yaml
    gen_workload.py --dossiers 3000 --years 2026-2028 --communes 40 --events e.jsonl --config c.yaml
    gen_workload.py --provinces 34 --communes 3321 --dossiers 0 --config national.yaml

The shape: one province (BX, communes BX-C0001...) or, with --provinces N > 1, a national tree
(VN over P01...PNN, communes P01-C0001... dealt round-robin), with a screener and a producer per
commune, a coordinator, a signer, a council chair and --members council members per province
and at central. The workload: each dossier runs one cycle of spec §2 under rule set R148_1489.
Most take the development track (idea, plan, development; some returned, some rejected), the
rest register straight for evaluation; from the second year some of those are upgrades of an
earlier 3-4 star certificate, and from the fourth re-evaluations of one about to expire. The
commune screens (some dossiers returned for a missing document), the provincial coordinator
accepts into the year's round (a few returned), five or more council members score at the
round's meeting (now and then one corrects a sheet), the chair closes (a few with a failed
mandatory criterion), the signer recognises on the round's decision date or the dossier is not
recognised; the best are forwarded to central, which recognises some five stars (superseding
the province's certificate). A few producers withdraw at any stage; some attach further
documents and officials annotate. Officials act on working days in office hours; producers on
any day. --summary writes the outcome that importing the events must give, computed here.

With --promotion ACTIVITIES,PARTICIPATIONS (and --fair N, --inspections N) the events after
recognition (spec §10) follow every dossier event in the file, up to a tick day (the first
working day after the last dossier event; the summary's promotion.tick_day): trade-promotion
activities in every state on that day, applications with certificates in force and their
selection and outcomes, inspections (class Promotion). The configuration then also has the
organisers, inspectors, scheduler, promotion policy and reminders (--promotion 0,0: only that);
without the option nothing changes.

    gen_workload.py --provinces 34 --communes 3321 --dossiers 100000 --years 2026-2027 \
        --promotion 1000,20000 --fair 2000 --inspections 300 --events e.jsonl --config c.yaml --summary s.json
"""
import argparse
import bisect
import datetime as dt
import heapq
import itertools
import hashlib
import json
import os
import random
import sys

FIRST_YEAR, LAST_YEAR = 2026, 2035
# Public holidays per year (Tết, Hùng Kings, 30/4, 1/5, National Day; Tết moves every year).
# 2031 - 2035 (for bench/decade.sh) follow the lunar calendar's Tết and Hùng Kings days; the
# government's exact bridging days for those years are not decided yet.
HOLIDAYS = {
    2026: ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-04-27",
           "2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02"],
    2027: ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-04-16",
           "2027-04-30", "2027-05-03", "2027-09-02", "2027-09-03"],
    2028: ["2028-01-03", "2028-01-24", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28", "2028-04-04",
           "2028-05-01", "2028-05-02", "2028-09-01", "2028-09-04"],
    2029: ["2029-01-01", "2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15", "2029-02-16", "2029-04-23",
           "2029-04-30", "2029-05-01", "2029-09-03", "2029-09-04"],
    2030: ["2030-01-01", "2030-02-01", "2030-02-04", "2030-02-05", "2030-02-06", "2030-02-07", "2030-04-12",
           "2030-04-30", "2030-05-01", "2030-09-02", "2030-09-03"],
    2031: ["2031-01-01", "2031-01-22", "2031-01-23", "2031-01-24", "2031-01-27", "2031-01-28", "2031-04-02",
           "2031-04-30", "2031-05-01", "2031-09-01", "2031-09-02"],
    2032: ["2032-01-01", "2032-02-10", "2032-02-11", "2032-02-12", "2032-02-13", "2032-02-16", "2032-04-20",
           "2032-04-30", "2032-05-03", "2032-09-02", "2032-09-03"],
    2033: ["2033-01-03", "2033-01-31", "2033-02-01", "2033-02-02", "2033-02-03", "2033-02-04", "2033-04-11",
           "2033-05-02", "2033-05-03", "2033-09-01", "2033-09-02"],
    2034: ["2034-01-02", "2034-02-17", "2034-02-20", "2034-02-21", "2034-02-22", "2034-02-23", "2034-04-28",
           "2034-05-01", "2034-05-02", "2034-09-01", "2034-09-04"],
    2035: ["2035-01-01", "2035-02-07", "2035-02-08", "2035-02-09", "2035-02-12", "2035-02-13", "2035-04-17",
           "2035-04-30", "2035-05-01", "2035-09-03", "2035-09-04"],
}
PRODUCT_SETS = {  # a subset of the national product sets: code -> (group, name)
    "fresh_produce": ("food", "Rau, củ, quả, hạt tươi"),
    "rice_cereals": ("food", "Gạo, ngũ cốc"),
    "honey": ("food", "Mật ong, sản phẩm từ mật ong"),
    "processed_produce": ("food", "Chế biến từ rau, củ, quả, hạt"),
    "processed_meat": ("food", "Chế biến từ thịt, trứng, sữa"),
    "sauces": ("food", "Tương, nước mắm, gia vị dạng lỏng"),
    "tea": ("food", "Chè tươi, chè chế biến"),
    "herbal_tea": ("food", "Trà thảo mộc"),
    "coffee_cocoa": ("food", "Cà phê, ca cao"),
    "spirits": ("beverage", "Rượu trắng"),
    "herbal_medicine": ("herbal", "Thực phẩm chức năng, thuốc dược liệu"),
    "essential_oils": ("herbal", "Tinh dầu và thảo dược khác"),
    "handicrafts": ("handicraft", "Thủ công mỹ nghệ gia dụng, trang trí"),
    "textiles": ("handicraft", "Vải, may mặc"),
    "community_tourism": ("tourism", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"),
}
PRODUCTS = [  # (product, product set)
    ("Chè Shan tuyết cổ thụ", "tea"), ("Chè xanh móc câu", "tea"), ("Trà hoa vàng", "herbal_tea"),
    ("Trà giảo cổ lam", "herbal_tea"), ("Mật ong hoa bạc hà", "honey"), ("Mật ong rừng", "honey"),
    ("Cam sành", "fresh_produce"), ("Bưởi đỏ", "fresh_produce"), ("Gạo nếp cái hoa vàng", "rice_cereals"),
    ("Gạo tẻ Séng Cù", "rice_cereals"), ("Miến dong", "processed_produce"), ("Hồng không hạt sấy", "processed_produce"),
    ("Thịt trâu gác bếp", "processed_meat"), ("Lạp xưởng hun khói", "processed_meat"), ("Tương bần", "sauces"),
    ("Nước mắm cá cơm", "sauces"), ("Cà phê Arabica", "coffee_cocoa"), ("Rượu ngô men lá", "spirits"),
    ("Rượu thóc", "spirits"), ("Cao Tam thất", "herbal_medicine"), ("Tinh dầu quế", "essential_oils"),
    ("Tinh dầu sả chanh", "essential_oils"), ("Mây tre đan", "handicrafts"), ("Khăn thổ cẩm", "textiles"),
    ("Homestay bản làng", "community_tourism"),
]
PRODUCER_KINDS = ["HTX", "Tổ hợp tác", "Hộ kinh doanh", "Công ty TNHH"]
QUORUM, PARTS = 5, {"A": 40, "B": 25, "C": 35}
REGISTER_DOCS = ["registration_form", "self_assessment"]
TZ = "+07:00"


def fail(msg, code=2):
    print(f"gen_workload.py: error: {msg}", file=sys.stderr)
    sys.exit(code)


# --- the shape: units and users ----------------------------------------------------------------

class Shape:
    """Units and users of a province (provinces == 1) or of a national tree (provinces > 1)."""

    def __init__(self, communes, provinces=1, members=7):
        self.members = members
        if provinces == 1:
            self.provinces = [("BX", "Tỉnh Thử Nghiệm")]
            self.communes = [(f"BX-C{i:04d}", "BX") for i in range(1, communes + 1)]
        else:
            self.provinces = [(f"P{p:02d}", f"Tỉnh {p:02d}") for p in range(1, provinces + 1)]
            w = max(4, len(str(communes)))
            self.communes = [(f"P{(i - 1) % provinces + 1:02d}-C{i:0{w}d}", f"P{(i - 1) % provinces + 1:02d}")
                             for i in range(1, communes + 1)]
        self.single = provinces == 1

    def domain(self, province):
        return f"{province.lower()}.example.vn"

    # The provincial staff: the historical names (coordinator, member.1...) in a single province.
    def staff(self, province, role):
        return role if self.single else f"{role}.{province.lower()}"

    def council(self, province):
        return [f"{self.staff(province, 'member')}.{i}" for i in range(1, self.members + 1)]

    def central_council(self):
        return [f"central.member.{i}" for i in range(1, self.members + 1)]


def unit_lines(shape):
    out = ['  - {code: VN, name: "Trung ương", level: central, email: vpdp@tw.example.vn}']
    for code, name in shape.provinces:
        out.append(f'  - {{code: {code}, name: "{name}", level: province, parent: VN, email: vpdp@{shape.domain(code)}}}')
    for code, province in shape.communes:
        out.append(f'  - {{code: {code}, name: "Xã {code.split("-", 1)[1]}", level: commune, parent: {province},'
                   f' email: {code.lower()}@{shape.domain(province)}}}')
    return out


def user_lines(shape):
    def user(uid, name, role, unit):
        return f'  - {{id: {uid}, name: "{name}", roles: [{role}], unit: {unit}}}'

    out = []
    for code, _ in shape.provinces:
        suffix = "" if shape.single else f" {code}"
        out.append(user(shape.staff(code, "coordinator"), f"Điều phối viên tỉnh{suffix}", "coordinator", code))
        if shape.single:
            out.append(user("central.coordinator", "Điều phối viên TW", "coordinator", "VN"))
        out.append(user(shape.staff(code, "signer"), f"Chủ tịch UBND tỉnh{suffix}", "signer", code))
        if shape.single:
            out.append(user("central.signer", "Bộ trưởng", "signer", "VN"))
        out.append(user(shape.staff(code, "chair"), f"Chủ tịch hội đồng tỉnh{suffix}", "council_chair", code))
        if shape.single:
            out.append(user("central.chair", "Chủ tịch hội đồng TW", "council_chair", "VN"))
            out.append(user("auditor", "Thanh tra", "auditor", code))
    if not shape.single:
        out.append(user("central.coordinator", "Điều phối viên TW", "coordinator", "VN"))
        out.append(user("central.signer", "Bộ trưởng", "signer", "VN"))
        out.append(user("central.chair", "Chủ tịch hội đồng TW", "council_chair", "VN"))
        out.append(user("auditor", "Thanh tra", "auditor", "VN"))
    for code, _ in shape.provinces:
        out += [user(m, f"Thành viên {m}", "council_member", code) for m in shape.council(code)]
    out += [user(m, f"Thành viên {m}", "council_member", "VN") for m in shape.central_council()]
    for code, _ in shape.communes:
        out.append(user(f"officer.{code.lower()}", f"Cán bộ {code}", "screener", code))
        out.append(user(f"producer.{code.lower()}", f"Chủ thể {code}", "producer", code))
    return out


# The roles, as config/sample.yaml has them (but for `revoke` and `migrate`): after recognition
# (spec §10) producers and coordinators apply to promotion activities, an organiser runs them,
# inspectors plan and record inspections, signers close them. Users hold `organiser` and
# `inspector` only with --promotion (promotion_user_lines).
ROLES = [
    "  producer: [submit_idea, resubmit_idea, submit_plan, resubmit_plan, register, resubmit, withdraw, attach, annotate,"
    " apply, withdraw_application, report_outcome]",
    "  screener: [accept_idea, return_idea, approve_plan, return_plan, reject, return_dossier, accept_dossier, assess, forward, annotate]",
    "  coordinator: [submit_idea, register, accept_dossier, return_dossier, forward, withdraw, attach, annotate,"
    " apply, withdraw_application, report_outcome, plan_inspection]",
    "  council_member: [score, annotate]",
    "  council_chair: [close_scoring, not_recognize, annotate]",
    "  signer: [recognize, not_recognize, annotate, close_inspection]",
    "  organiser: [plan_activity, open_registration, close_registration, cancel_activity, close_activity, select,"
    " waitlist, decline, mark_no_show]",
    "  inspector: [plan_inspection, record_inspection, confirm_remedy]",
    "  auditor: []",
]
# What the scheduler's user fires (`ocop tick`): certificate notices and expiries, and the
# activities' and inspections' scheduled events.
SCHEDULER_ROLE = ("  scheduler: [notice, expire, open_registration, close_registration, start_activity, finish_activity,"
                  " remedy_overdue]")
WORKLOAD_REMINDERS = [
    "{id: stalled-submitted, kind: stalled, state: submitted, after_days: 10, to: unit, escalate_after_days: 5}",
    "{id: round-cutoff, kind: before_milestone, milestone: round_cutoff, days_before: 7, to: unit}",
    "{id: expiry, kind: certificate_expiry}",
    "{id: kickoff, kind: cycle_start, to: unit}",
]


# With --promotion: the reminders after recognition (as config/sample.yaml has them), the policy,
# and the people who run activities and inspections: an organiser and an inspector per province
# (`organiser`, `inspector` in a single province) and at central.
PROMOTION_REMINDERS = [
    "{id: promotion-outcome, kind: promotion_outcome, after_days: 10, escalate_after_days: 10}",
    "{id: inspection-due, kind: inspection_due, days_before: 5}",
    "{id: remedy-due, kind: remedy_due, days_before: 5}",
]
PROMOTION_POLICY = [
    "promotion:",
    "  min_stars: 3",
    "  max_booths_per_producer: 2",
    "  booth_fee_vnd: 4000000",
    "  support_percent: 50",
    "  support_cap_vnd: 10000000",
]


def promotion_user_lines(shape):
    def user(uid, name, role, unit):
        return f'  - {{id: {uid}, name: "{name}", roles: [{role}], unit: {unit}}}'

    out = []
    for code, _ in shape.provinces:
        suffix = "" if shape.single else f" {code}"
        out.append(user(shape.staff(code, "organiser"), f"Trung tâm Xúc tiến thương mại tỉnh{suffix}", "organiser", code))
        out.append(user(shape.staff(code, "inspector"), f"Đoàn hậu kiểm tỉnh{suffix}", "inspector", code))
    out.append(user("central.organiser", "Cục Xúc tiến thương mại", "organiser", "VN"))
    out.append(user("central.inspector", "Đoàn hậu kiểm TW", "inspector", "VN"))
    return out


def rounds_of(year):
    """The year's evaluation rounds: (id, level, cut-off, meeting)."""
    return [(f"{year}-1", "province", dt.date(year, 9, 30), dt.date(year, 10, 15)),
            (f"{year}-C", "central", dt.date(year, 11, 15), dt.date(year, 11, 30))]


def config_yaml(shape, years, *, staff=True, rounds=rounds_of, reminders=WORKLOAD_REMINDERS,
                extra_holidays=(), working_days=(), scheduler=None, channels=True, header=None, promotion=False):
    """The configuration as YAML text. bench/national.py passes its own rounds, reminders and
    calendar for the tick benchmark; the defaults are the workload's (tests/data/config/gen_workload.yaml).
    promotion: also the users, reminders, policy and scheduler of the events after recognition
    (--promotion; the scheduler's user is then `scheduler`, at VN)."""
    if promotion:
        scheduler = scheduler or "scheduler"
        reminders = list(reminders) + PROMOTION_REMINDERS
    home = shape.provinces[0]
    lines = [header or "# generated by bench/gen_workload.py: a synthetic " + ("province" if shape.single else "country") +
             " for tests and benchmarks",
             f'province: {{code: {home[0]}, name: "{home[1]}", timezone: Asia/Ho_Chi_Minh}}',
             "units:"]
    lines += unit_lines(shape)
    lines.append("users:")
    if scheduler:
        lines.append(f'  - {{id: {scheduler}, name: "Bộ lập lịch", roles: [scheduler], unit: VN}}')
    if staff:
        lines += user_lines(shape)
    if promotion:
        lines += promotion_user_lines(shape)
    lines.append("product_sets:")
    lines += [f'  {code}: {{group: {group}, name: "{name}"}}' for code, (group, name) in PRODUCT_SETS.items()]
    lines.append("roles:")
    lines += ROLES if staff else []
    if scheduler:
        lines.append(SCHEDULER_ROLE)
    lines += [
        "rule_sets:",
        "  - id: R148_1489",
        "    effective_from: 2025-07-06",
        "    parts: {" + ", ".join(f"{p}: {m}" for p, m in PARTS.items()) + "}",
        "    stars: [{stars: 1, min: 0}, {stars: 2, min: 30}, {stars: 3, min: 50}, {stars: 4, min: 70}, {stars: 5, min: 90}]",
        "    rounding: none",
        "    certificate_months: 36",
        "    expiry_notice_days: 30",
        "    mandatory: {3: [food_safety], 4: [food_safety, traceability], 5: [food_safety, traceability]}",
        "    levels:",
        "      - {level: commune, kind: screen}",
        f"      - {{level: province, kind: council, quorum: {QUORUM}, recognizes: [3, 4], forward_min: 90}}",
        f"      - {{level: central, kind: council, quorum: {QUORUM}, recognizes: [5]}}",
        "    documents: {register: [" + ", ".join(REGISTER_DOCS) + "]}",
        "calendar:",
        "  weekend: [sat, sun]",
        "  holidays: [" + ", ".join(sorted(set(d for y in years for d in HOLIDAYS[y]) | set(extra_holidays))) + "]",
        "  working_days: [" + ", ".join(working_days) + "]",
        "cycles:",
    ]
    for y in years:
        lines += [f"  {y}:", f"    milestones: {{ideas_close: {y}-04-30, plans_close: {y}-07-31}}", "    rounds:"]
        for rid, level, cutoff, meeting in rounds(y):
            lines.append(f"      - {{id: {rid}, level: {level}, cutoff: {cutoff}, meeting: {meeting}}}")
    lines.append("reminders:")
    lines += [f"  - {r}" for r in reminders]
    if promotion:
        lines += PROMOTION_POLICY
    if channels:
        lines += ["channels:", f'  smtp: {{url: "smtp://127.0.0.1:2525", from: "ocop@{shape.domain(home[0])}"}}']
    if scheduler:
        lines.append(f"scheduler: {{actor: {scheduler}}}")
    return "\n".join(lines) + "\n"


# --- the calendar of the events ----------------------------------------------------------------

class Calendar:
    def __init__(self, years):
        self.holidays = {dt.date.fromisoformat(d) for y in years for d in HOLIDAYS[y]}

    def working(self, day):
        return day.weekday() < 5 and day not in self.holidays

    def on_or_before(self, day):  # the last working day on or before `day`
        while not self.working(day):
            day -= dt.timedelta(days=1)
        return day


def decision_date(cal, round_meeting, level):
    """A round's decisions are signed together: the province about two weeks after its meeting,
    central about three (always a working day between the 1st and the 28th)."""
    day = round_meeting + dt.timedelta(days=13 if level == "province" else 18)
    return cal.on_or_before(day if day.day <= 28 else day.replace(day=28))


# --- one dossier's events ----------------------------------------------------------------------

def document(kind, name):
    return {"kind": kind, "name": name, "sha256": hashlib.sha256(name.encode()).hexdigest(), "bytes": 20_000 + len(name) * 37}


class Dossier:
    def __init__(self, rng, cal, did, start):
        self.rng, self.cal, self.id, self.t = rng, cal, did, start
        self.events = []

    def _office(self, t):  # officials: working days, 07:30 to 17:00
        if t.time() > dt.time(17, 0):
            t = dt.datetime.combine(t.date() + dt.timedelta(days=1), dt.time(0))
        if not self.cal.working(t.date()) or t.time() < dt.time(7, 30):
            day = t.date()
            while not self.cal.working(day):
                day += dt.timedelta(days=1)
            t = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(minutes=self.rng.uniform(0, 240))
        return t

    def _anytime(self, t):  # producers: any day, 07:30 to 21:30
        if t.time() > dt.time(21, 30):
            t = dt.datetime.combine(t.date() + dt.timedelta(days=1), dt.time(0))
        if t.time() < dt.time(7, 30):
            t = dt.datetime.combine(t.date(), dt.time(7, 30)) + dt.timedelta(minutes=self.rng.uniform(0, 300))
        return t

    def add(self, event, actor, data=None, days=(0.05, 2.0), office=True, at=None, new=False):
        t = self.t + dt.timedelta(days=self.rng.uniform(*days))
        if at is not None and at > t:
            t = at
        t = (self._office if office else self._anytime)(t).replace(microsecond=0)
        if t <= self.t:
            t = self.t + dt.timedelta(seconds=1)
        self.t = t
        e = {"event": event, "actor": actor}
        if not new:
            e["dossier"] = self.id
        e["at"] = t
        if data:
            e["data"] = data
        self.events.append(e)


class Generator:
    def __init__(self, shape, years, seed):
        self.shape, self.years, self.rng = shape, years, random.Random(seed)
        self.cal = Calendar(years)
        # in force province certificates of 3-4 stars, by the year they were issued in, each list in
        # the order they were issued: year -> [(year, cert, commune, product, set)]
        self.upgradable = {}
        self.outcome = {"dossiers_by_state": {}, "certificates": 0, "superseded": 0, "certificates_by_stars": {},
                        "registrations": {}, "superseded_by_later_dossiers": 0}
        self.certs = {}  # id -> stars, of certificates in force
        self.cert_info = {}  # id -> (dossier, commune, producer, decision date, level), of every certificate

    def sheets(self, d, members, quality, meeting):
        """Five or more members score at the round's meeting (or as soon as the dossier gets
        there, if later); now and then one corrects a sheet, which replaces the first. Returns
        the sum of the final totals in tenths of a point and the number of sheets: the engine
        averages exactly that."""
        rng = self.rng
        chosen = members[:QUORUM] + [m for m in members[QUORUM:] if rng.random() < 0.5]
        final = {}
        opening = dt.datetime.combine(meeting, dt.time(8, 0)) + dt.timedelta(minutes=rng.uniform(0, 120))
        for k, m in enumerate(chosen):
            for _ in range(2 if rng.random() < 0.03 else 1):
                q = min(1.0, max(0.0, rng.gauss(quality, 0.035)))
                sheet = {p: round(mx * min(1.0, max(0.0, rng.gauss(q, 0.02))), 1) for p, mx in PARTS.items()}
                final[m] = sum(round(v * 10) for v in sheet.values())
                d.add("score", m, sheet, days=(0.001, 0.01), at=opening if k == 0 else None)
        return sum(final.values()), len(final)

    @staticmethod
    def at_least(total_tenths, n, points):  # average >= points, exactly
        return total_tenths >= points * 10 * n

    def stars(self, total, n, failed):
        s = max(k for k, lo in ((1, 0), (2, 30), (3, 50), (4, 70), (5, 90)) if self.at_least(total, n, lo))
        if "food_safety" in failed and s >= 3:
            s = 2
        if "traceability" in failed and s >= 4:
            s = 3
        return s

    def finish(self, state):
        c = self.outcome["dossiers_by_state"]
        c[state] = c.get(state, 0) + 1

    def issue(self, cert, stars, supersedes, info=None):
        self.outcome["certificates"] += 1
        self.certs[cert] = stars
        if info:
            self.cert_info[cert] = info
        for old in supersedes:
            if old in self.certs:
                del self.certs[old]
                self.outcome["superseded"] += 1
                if old.split("/")[0] != cert.split("/")[0]:
                    self.outcome["superseded_by_later_dossiers"] += 1

    def registered(self, kind):
        r = self.outcome["registrations"]
        r[kind] = r.get(kind, 0) + 1

    def dossier(self, n, year):
        rng, shape, cal = self.rng, self.shape, self.cal
        commune, province = rng.choice(shape.communes)
        base = None  # (kind, certificate) of an upgrade or re-evaluation
        if year > self.years[0] and rng.random() < 0.12:
            due = self.upgradable.get(year - 3)
            pool = [due] if due and rng.random() < 0.5 else \
                [lst for y, lst in sorted(self.upgradable.items()) if y < year and lst]
            total = sum(len(lst) for lst in pool)
            if total:  # the k-th of the pool's certificates in the order they were issued
                k = rng.randrange(total)
                for lst in pool:
                    if k < len(lst):
                        break
                    k -= len(lst)
                u = lst.pop(k)
                base = ("re_evaluation" if u[0] == year - 3 else "upgrade", u[1])
                _, _, commune, product, pset = u
                province = commune.split("-")[0]
        if base is None:
            product, pset = rng.choice(PRODUCTS)
            product = f"{product} {commune.split('-', 1)[1]}-{n}"
        did = f"{province}-{year}-{n:06d}"
        officer, producer = f"officer.{commune.lower()}", f"producer.{commune.lower()}"
        coordinator, signer, chair = (shape.staff(province, r) for r in ("coordinator", "signer", "chair"))
        created = {"id": did, "product": product, "product_set": pset,
                   "producer": f"{rng.choice(PRODUCER_KINDS)} {product}", "unit": commune}
        docs = [document(k, f"{did}-{k}.pdf") for k in REGISTER_DOCS]
        start = dt.datetime(year, 1, 5, 8, 0) + dt.timedelta(days=rng.uniform(0, 110))
        d = Dossier(rng, cal, did, start)

        def withdrawn(p):
            if rng.random() < p:
                d.add("withdraw", producer, {"reason": "chủ thể rút hồ sơ"}, days=(1, 20), office=False)
                self.finish("withdrawn")
                return True
            return False

        def extra(p):  # further documents or a note along the way
            r = rng.random()
            if r < p:
                kind = rng.choice(["food_safety_test", "trademark", "traceability_label", "photo"])
                d.add("attach", producer, document(kind, f"{did}-{kind}-{len(d.events)}.pdf"), days=(0.1, 3), office=False)
            elif r < 2 * p:
                d.add("annotate", officer, {"note": "đã liên hệ chủ thể, hồ sơ đầy đủ"}, days=(0.05, 1))

        # --- development track, or straight to registration
        if base is None and rng.random() < 0.6:
            d.add("submit_idea", producer, created, days=(0, 0), office=False, new=True)
            if rng.random() < 0.1:
                d.add("return_idea", officer, {"reason": "bổ sung mô tả sản phẩm"}, days=(2, 8))
                d.add("resubmit_idea", producer, days=(1, 10), office=False)
            if rng.random() < 0.05:
                d.add("reject", officer, {"reason": "ý tưởng không phù hợp với chương trình"}, days=(2, 8))
                self.finish("rejected")
                return d
            d.add("accept_idea", officer, days=(2, 10))
            if withdrawn(0.01):
                return d
            d.add("submit_plan", producer, days=(10, 60), office=False)
            if rng.random() < 0.1:
                d.add("return_plan", officer, {"reason": "phương án chưa rõ thị trường"}, days=(2, 8))
                d.add("resubmit_plan", producer, days=(3, 15), office=False)
            if rng.random() < 0.03:
                d.add("reject", officer, {"reason": "phương án không khả thi"}, days=(2, 8))
                self.finish("rejected")
                return d
            d.add("approve_plan", officer, days=(2, 10))
            extra(0.05)
            d.add("register", producer, {"registration_type": "new", "documents": docs}, days=(20, 80), office=False)
            self.registered("new")
        else:
            data = dict(created, registration_type=base[0] if base else "new", documents=docs)
            if base:
                data["certificate"] = base[1]
            d.add("register", producer, data, days=(60, 140), office=False, new=True)
            self.registered(data["registration_type"])
        # --- the commune screens
        if rng.random() < 0.1:
            d.add("return_dossier", officer, {"reason": "thiếu phiếu kết quả kiểm nghiệm", "missing": ["test_report"]},
                  days=(1, 5))
            d.add("resubmit", producer, {"documents": [document("test_report", f"{did}-test_report.pdf")]},
                  days=(2, 12), office=False)
        d.add("accept_dossier", officer, days=(1, 5))
        d.add("assess", officer, {"locality": {"origin": rng.choice([1, 2]), "local_labour": rng.choice([1, 2]),
                                               "idea_origin": 1, "local_identity": rng.choice([1, 2])}}, days=(0.05, 2))
        extra(0.04)
        d.add("forward", officer, days=(0.05, 1))
        if withdrawn(0.01):
            return d
        # --- the provincial council
        (r1, _, _, meeting), (rc, _, _, central_meeting) = rounds_of(year)
        if rng.random() < 0.05:
            d.add("return_dossier", coordinator, {"reason": "hồ sơ chưa đúng mẫu", "missing": ["self_assessment"]},
                  days=(1, 4))
            d.add("resubmit", producer, {"documents": [document("self_assessment", f"{did}-self_assessment-2.pdf")]},
                  days=(2, 10), office=False)
        d.add("accept_dossier", coordinator, {"round": r1}, days=(1, 6))
        quality = rng.choices([0.4, 0.58, 0.78, 0.95], weights=[7, 50, 35, 8])[0]
        if base:  # an improved product comes back for more
            quality = rng.choices([0.58, 0.78, 0.95], weights=[15, 60, 25])[0]
        total, n_sheets = self.sheets(d, shape.council(province), quality, meeting)
        r = rng.random()
        failed = ["food_safety"] if r < 0.015 else ["traceability"] if r < 0.05 else []
        d.add("close_scoring", chair, {"failed_criteria": failed} if failed else None, days=(0.1, 0.3))
        stars = self.stars(total, n_sheets, failed)
        if stars < 3:
            d.add("not_recognize", chair, {"reason": "chưa đạt 3 sao" if not failed else "không đạt tiêu chí bắt buộc"},
                  days=(1, 5))
            self.finish("not_recognized")
            return d
        decided = decision_date(cal, meeting, "province")
        d.add("recognize", signer, {"decision_no": f"{n}/QĐ-UBND", "decision_date": decided.isoformat()},
              days=(0, 3), at=dt.datetime.combine(decided, dt.time(8, 0)))
        cert = f"{did}/province"
        self.issue(cert, min(stars, 4), [base[1]] if base else [],
                   (did, commune, created["producer"], decided, "province"))
        if stars < 5 or not self.at_least(total, n_sheets, 90):
            self.upgradable.setdefault(year, []).append((year, cert, commune, product, pset))
            self.finish("recognized")
            return d
        # --- the best are forwarded to central for five stars
        d.add("forward", coordinator, days=(1, 8))
        d.add("accept_dossier", "central.coordinator", {"round": rc}, days=(1, 5))
        total, n_sheets = self.sheets(d, shape.central_council(), quality, central_meeting)
        d.add("close_scoring", "central.chair", days=(0.1, 0.3))
        if self.at_least(total, n_sheets, 90) and rng.random() < 0.6:
            decided = decision_date(cal, central_meeting, "central")
            d.add("recognize", "central.signer", {"decision_no": f"{n}/QĐ-BNNMT", "decision_date": decided.isoformat()},
                  days=(0, 3), at=dt.datetime.combine(decided, dt.time(8, 0)))
            self.issue(f"{did}/central", 5, [cert], (did, commune, created["producer"], decided, "central"))
        else:
            d.add("not_recognize", "central.chair", {"reason": "chưa đạt yêu cầu tối thiểu 5 sao"}, days=(1, 5))
            self.upgradable.setdefault(year, []).append((year, cert, commune, product, pset))
        self.finish("recognized")
        return d

    def run(self, dossiers):
        """The dossiers' events in the order of (time, dossier, step), generated and yielded a
        year at a time so that memory holds about two years of events, not all of them (a decade
        of national data is millions). The outcome is complete once the last event is taken."""
        per_year = [dossiers // len(self.years) + (i < dossiers % len(self.years)) for i in range(len(self.years))]
        key = lambda x: x[:3]  # noqa: E731
        pending, n, count, last = [], 0, 0, None
        for year, number in zip(self.years, per_year):
            batch = []
            for _ in range(number):
                n += 1
                for i, e in enumerate(self.dossier(n, year).events):
                    batch.append((e["at"], n, i, e))
            if not batch:
                continue
            batch.sort(key=key)
            # A later year's dossiers start after this year's first event, so what comes before
            # it in the pending years is final; the rest merges with this year's.
            cut = bisect.bisect_left(pending, batch[0][:3], key=key)
            for x in pending[:cut]:
                last, count = x[:3], count + 1
                yield x[3]
            pending = list(heapq.merge(pending[cut:], batch, key=key))
        for x in pending:
            if last is not None and x[:3] < last:
                raise AssertionError(f"events out of order at {x[3]['dossier'] if 'dossier' in x[3] else x[1]}")
            last, count = x[:3], count + 1
            yield x[3]
        by_stars = {}
        for stars in self.certs.values():
            by_stars[str(stars)] = by_stars.get(str(stars), 0) + 1
        self.outcome["certificates_by_stars"] = dict(sorted(by_stars.items()))
        for k in ("dossiers_by_state", "registrations"):
            self.outcome[k] = dict(sorted(self.outcome[k].items()))
        self.outcome["dossiers"], self.outcome["events"] = dossiers, count


# --- after recognition (spec §10): activities, participations, inspections (--promotion) ----------

ACTIVITY_KINDS = [  # kind, weight, days it runs, name
    ("fair", 40, (3, 7), "Hội chợ OCOP"), ("exhibition", 20, (3, 5), "Triển lãm sản phẩm OCOP"),
    ("point_of_sale", 20, (30, 120), "Điểm giới thiệu và bán sản phẩm OCOP"),
    ("ecommerce", 20, (7, 30), "Tuần lễ OCOP trên sàn thương mại điện tử"),
]


def add_working_days(cal, day, n):  # the n-th working day after `day`, as the engine counts
    while n > 0:
        day += dt.timedelta(days=1)
        n -= cal.working(day)
    return day


class Promotion:
    """Events after the recognitions (appended to the file after every dossier event, so that
    every certificate they name exists and no later event of the dossiers changes it): ACTIVITIES
    trade-promotion activities with PARTICIPATIONS applications in all, and INSPECTIONS
    inspections, up to the tick day - the first working day after the last dossier event - with
    the scheduler's days already fired, so that on that day activities are in every state.

    Activities are organised by the provinces (open to the province, the default) and a few by
    central (open to three to eight provinces); with FAIR > 0 one of them is a national fair
    (central, open to all) with FAIR of the applications, FAIR booths and 5 % more, finished a
    week before the tick day. Only certificates in force at the end of the dossiers' events
    (never superseded) apply, after their decision date, valid beyond the activity's end; 1 or 2
    booths, at most 2 per producer and activity, a dossier once per activity; a few withdraw. The
    organiser selects within the booths, waitlists or declines the rest before the start
    (start_activity declines what is left); 82 % of the selected report their outcome during the
    activity or in the 25 days after it, the organiser marks the others no-shows 20 to 60 days
    after the end, so that those of recent activities still owe it on the tick day
    (promotion_outcome reminders); a finished activity whose participations are all settled is
    closed 25 to 40 days after its end (or after the last of them); 2 % are cancelled.
    Inspections by the inspector of the certificate's issuing level: planned, recorded (compliant
    or remedy required), remedied or overdue by the tick day, or still due."""

    def __init__(self, gen, activities, participations, fair, inspections, seed):
        self.gen, self.shape, self.cal = gen, gen.shape, gen.cal
        self.rng = random.Random(seed * 1_000_003 + 10)  # not the dossiers' generator: they stay as they are
        self.n_act, self.n_par, self.fair, self.n_ins = activities, participations, fair, inspections
        self.events = []  # (at, order, event)
        self.ids = {}
        self.outcome = {"activities_by_state": {}, "participations_by_state": {}, "inspections_by_state": {}}
        self.clock = Dossier(self.rng, self.cal, "", None)  # its office hours and producers' hours

    def office(self, t):
        return self.clock._office(t).replace(microsecond=0)

    def anytime(self, t):
        return self.clock._anytime(t).replace(microsecond=0)

    def at_day(self, day, seconds):  # the scheduler: just after midnight
        return dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(seconds=seconds)

    def add(self, at, event, actor, target=None, data=None):
        e = {"event": event, "actor": actor}
        if target:
            e["dossier"] = target
        e["at"] = at
        if data:
            e["data"] = data
        self.events.append((at, len(self.events), e))

    def new_id(self, prefix, year):
        k = self.ids.get((prefix, year), 0) + 1
        self.ids[(prefix, year)] = k
        return f"{prefix}-{year}-{k:03d}"

    def count(self, what, state, n=1):
        c = self.outcome[what]
        c[state] = c.get(state, 0) + n

    def run(self, last_at, tick_day=None):
        """The events, up to tick_day (by default the first working day after last_at)."""
        rng, cal = self.rng, self.cal
        day = tick_day
        if day is None:
            day = last_at.date() + dt.timedelta(days=1)
            while not cal.working(day):
                day += dt.timedelta(days=1)
        self.tick_day = day
        self.horizon = dt.datetime.combine(self.tick_day, dt.time(0, 0))  # every event before it
        # The certificates that may apply: in force when the dossiers' events end.
        certs = [(cid, self.gen.certs[cid]) + self.gen.cert_info[cid] for cid in self.gen.certs]
        if not certs:
            fail("--promotion: the dossiers' events recognise no certificate to apply with")
        self.first_issue = min(c[5] for c in certs)
        by_province = {}
        for c in certs:
            by_province.setdefault(c[3].split("-")[0], []).append(c)
        self.certs, self.by_province = certs, by_province
        specs = ([self.national_fair()] if self.fair else []) + \
            [self.draw() for _ in range(self.n_act - (1 if self.fair else 0))]
        # The applications, spread unevenly over the activities whose registration opens before the
        # tick day (the national fair has its own number).
        taking = [k for k, sp in enumerate(specs) if sp["opens"] < day and not sp["national"]]
        rest = self.n_par - self.fair
        if rest and not taking:
            fail("--promotion: no activity opens its registration before the tick day")
        weights = [rng.lognormvariate(0, 0.8) for _ in taking]
        sizes = [int(rest * w / sum(weights)) for w in weights]
        for i in range(rest - sum(sizes)):  # the remainder, one each
            sizes[i % len(sizes)] += 1
        for k, n in zip(taking, sizes):
            specs[k]["apps"] = n
        for sp in specs:
            if not sp["national"]:
                sp["booths"] = max(1, round(sp["apps"] * rng.uniform(0.6, 1.0))) if sp["apps"] else rng.randint(10, 60)
            self.plan(**sp)
        self.inspections()
        for k in self.outcome:
            self.outcome[k] = dict(sorted(self.outcome[k].items()))
        self.events.sort(key=lambda x: x[:2])
        return [e for _, _, e in self.events]

    def eligible(self, provinces, opens, ends):
        """Certificates of those provinces (None: all) issued before registration opens and valid
        beyond the activity's end (36 months from the decision; a month's margin)."""
        pool = self.certs if provinces is None else [c for p in provinces for c in self.by_province.get(p, [])]
        return [c for c in pool if c[5] < opens and c[5] + dt.timedelta(days=3 * 365 - 31) > ends]

    def national_fair(self):
        t = self.tick_day
        ends = t - dt.timedelta(days=7)
        starts = ends - dt.timedelta(days=4)
        closes = starts - dt.timedelta(days=6)
        opens = max(closes - dt.timedelta(days=35), self.first_issue + dt.timedelta(days=2))
        return dict(provinces=None, unit="VN", kind="fair", title="Hội chợ OCOP", opens=opens, closes=closes,
                    starts=starts, ends=ends, apps=self.fair, booths=self.fair + self.fair // 20, national=True)

    def draw(self):
        rng, t = self.rng, self.tick_day
        kind, _, run_days, title = rng.choices(ACTIVITY_KINDS, weights=[k[1] for k in ACTIVITY_KINDS])[0]
        earliest = max(dt.date(t.year, 1, 20), self.first_issue + dt.timedelta(days=50))
        latest = t + dt.timedelta(days=45)
        starts = earliest + dt.timedelta(days=rng.randrange(max(1, (latest - earliest).days)))
        ends = starts + dt.timedelta(days=rng.randint(*run_days) - 1)
        closes = starts - dt.timedelta(days=rng.randint(5, 12))
        opens = max(closes - dt.timedelta(days=rng.randint(15, 35)), self.first_issue + dt.timedelta(days=2))
        opens = min(opens, closes)
        if self.shape.single or rng.random() < 0.9:
            province = rng.choice(self.shape.provinces)[0]
            unit, open_to, provinces = province, None, [province]
        else:
            n = min(len(self.shape.provinces), rng.randint(3, 8))
            provinces = sorted(p for p, _ in rng.sample(self.shape.provinces, n))
            unit, open_to = "VN", provinces
        return dict(provinces=provinces, unit=unit, kind=kind, title=title, opens=opens, closes=closes,
                    starts=starts, ends=ends, apps=0, booths=0, open_to=open_to, national=False)

    def plan(self, provinces, unit, kind, title, opens, closes, starts, ends, apps, booths, open_to=None,
             national=False):
        rng, h = self.rng, self.horizon
        organiser = "central.organiser" if unit == "VN" else self.shape.staff(unit, "organiser")
        coordinator = None if unit == "VN" else self.shape.staff(unit, "coordinator")
        aid = self.new_id(f"{unit}-XT", starts.year)
        where = "toàn quốc" if national else ("khu vực" if unit == "VN" else f"tỉnh {unit}")
        data = {"id": aid, "name": f"{title} {where} {starts.strftime('%m/%Y')}", "kind": kind, "unit": unit,
                "venue": "Sàn thương mại điện tử" if kind == "ecommerce" else f"Trung tâm Hội chợ {unit}",
                "registration_opens": opens.isoformat(), "registration_closes": closes.isoformat(),
                "starts": starts.isoformat(), "ends": ends.isoformat(), "booths": booths}
        if open_to:
            data["open_to"] = open_to
        planned_at = self.office(dt.datetime.combine(opens - dt.timedelta(days=rng.randint(15, 40)), dt.time(8)))
        planned_at = min(planned_at, h - dt.timedelta(hours=14))
        self.add(planned_at, "plan_activity", organiser, data=data)
        state = "planned"
        day_at = lambda d, s: self.at_day(d, s)
        open_at = day_at(opens, rng.randint(10, 300))
        close_at = day_at(closes + dt.timedelta(days=1), rng.randint(10, 300))
        start_at = day_at(starts, rng.randint(10, 300))
        finish_at = day_at(ends + dt.timedelta(days=1), rng.randint(10, 300))
        cancel_at = None
        if not national and rng.random() < 0.02:
            cancel_at = self.office(open_at + dt.timedelta(days=rng.uniform(1, max(1.5, (starts - opens).days))))
            if cancel_at >= min(start_at, h):
                cancel_at = None
        if open_at >= h:
            self.count("activities_by_state", state)
            return
        open_at = max(open_at, planned_at + dt.timedelta(minutes=1))
        self.add(open_at, "open_registration", "scheduler", aid)
        state = "registration_open"

        # Applications, each before registration closes and before the tick day.
        pool = self.eligible(provinces, opens, ends)
        rng.shuffle(pool)
        last_apply = min(dt.datetime.combine(closes, dt.time(21, 0)), h - dt.timedelta(hours=3),
                         cancel_at or h)
        held, parts = {}, []
        for c in pool:
            if len(parts) >= apps or last_apply <= open_at:
                break
            cid, stars, did, commune, producer, decided, level = c
            b = 2 if rng.random() < 0.2 else 1
            if national:
                b = 1
            if held.get(producer, 0) + b > 2:
                continue
            held[producer] = held.get(producer, 0) + b
            at = open_at + dt.timedelta(seconds=rng.uniform(600, (last_apply - open_at).total_seconds()))
            at = self.anytime(at)
            if at >= last_apply:
                at = last_apply - dt.timedelta(seconds=rng.randint(60, 3000))
            actor = f"producer.{commune.lower()}"
            if coordinator and rng.random() < 0.1:
                actor = self.shape.staff(unit, "coordinator")
            parts.append({"id": f"{aid}/{did}", "at": at, "booths": b, "actor": actor, "state": "applied",
                          "commune": commune})
            self.add(at, "apply", actor, data={"activity": aid, "certificate": cid, "booths": b})
        if len(parts) < apps:
            fail(f"--promotion: activity {aid} found {len(parts)} certificates that may apply, not {apps}:"
                 " more dossiers, or fewer participations")

        # Decisions: a few withdraw first; the organiser decides from a few days before registration
        # closes until the day before the start.
        decide_from = dt.datetime.combine(closes, dt.time(8)) - dt.timedelta(days=3)
        decide_to = start_at - dt.timedelta(hours=8)
        used = 0
        for p in sorted(parts, key=lambda p: (p["at"], p["id"])):
            if rng.random() < 0.03:
                w = self.anytime(p["at"] + dt.timedelta(days=rng.uniform(0.3, 5)))
                if w < min(h, start_at, cancel_at or h):
                    self.add(w, "withdraw_application", p["actor"], p["id"], {"reason": "chủ thể không tham gia được"})
                    p["state"] = "withdrawn"
                continue
            at = self.office(max(decide_from, p["at"]) + dt.timedelta(days=rng.uniform(0.1, 3)))
            if at >= min(decide_to, h, cancel_at or h):
                continue
            if used + p["booths"] <= booths:
                self.add(at, "select", organiser, p["id"])
                p["state"], used = "selected", used + p["booths"]
            elif rng.random() < 0.5:
                self.add(at, "waitlist", organiser, p["id"])
                p["state"] = "waitlisted"
            else:
                self.add(at, "decline", organiser, p["id"], {"reason": "đã đủ gian hàng"})
                p["state"] = "declined"
        if cancel_at:
            self.add(cancel_at, "cancel_activity", organiser, aid, {"reason": "không đủ điều kiện tổ chức"})
            for p in parts:
                if p["state"] in ("applied", "waitlisted", "selected"):
                    p["state"] = "cancelled"
            return self.settle("cancelled", parts)
        if close_at < h:
            self.add(close_at, "close_registration", "scheduler", aid)
            state = "registration_closed"
        if start_at >= h:
            return self.settle(state, parts)
        self.add(start_at, "start_activity", "scheduler", aid)
        state = "running"
        for p in parts:  # the start declines what was not selected
            if p["state"] in ("applied", "waitlisted"):
                p["state"] = "declined"
        finished = finish_at < h
        if finished:
            self.add(finish_at, "finish_activity", "scheduler", aid)
            state = "finished"
        # Outcomes: most report during the activity or in the weeks after it.
        settled_at = finish_at
        for p in parts:
            if p["state"] != "selected":
                continue
            if rng.random() < 0.82:
                at = self.anytime(start_at + dt.timedelta(days=rng.uniform(0.5, (ends - starts).days + 25)))
                if at < h:
                    self.add(at, "report_outcome", p["actor"], p["id"],
                             {"revenue_vnd": rng.randrange(5, 900) * 1_000_000, "contracts": rng.randint(0, 6),
                              "buyers": rng.randint(0, 300)})
                    p["state"] = "reported"
                    settled_at = max(settled_at, at)
            elif finished:  # no report: the organiser marks a no-show some weeks after the end
                at = self.office(finish_at + dt.timedelta(days=rng.uniform(20, 60)))
                if at < h:
                    self.add(at, "mark_no_show", organiser, p["id"])
                    p["state"] = "no_show"
                    settled_at = max(settled_at, at)
        if finished and all(p["state"] != "selected" for p in parts):
            at = self.office(max(settled_at, finish_at + dt.timedelta(days=rng.uniform(25, 40))) +
                             dt.timedelta(hours=1))
            if at < h:
                self.add(at, "close_activity", organiser, aid)
                state = "closed"
        return self.settle(state, parts)

    def settle(self, state, parts):
        self.count("activities_by_state", state)
        for p in parts:
            self.count("participations_by_state", p["state"])

    def inspections(self):
        rng, cal, h, t = self.rng, self.cal, self.horizon, self.tick_day
        pool = [c for c in self.certs if c[5] + dt.timedelta(days=30) < t]
        if self.n_ins > len(pool):
            fail(f"--inspections {self.n_ins}: only {len(pool)} certificates in force to inspect")
        for c in rng.sample(pool, self.n_ins):
            cid, stars, did, commune, producer, decided, level = c
            inspector = "central.inspector" if level == "central" else self.shape.staff(commune.split("-")[0], "inspector")
            first = max(decided + dt.timedelta(days=20), t - dt.timedelta(days=240))
            planned_at = self.office(dt.datetime.combine(first, dt.time(8)) +
                                     dt.timedelta(days=rng.uniform(0, max(1, (t - first).days - 1))))
            if planned_at >= h:
                planned_at = self.office(dt.datetime.combine(t - dt.timedelta(days=3), dt.time(8)))
            due = planned_at.date() + dt.timedelta(days=rng.randint(15, 90))
            iid = self.new_id(f"{commune}-HK", due.year)
            self.add(planned_at, "plan_inspection", inspector,
                     data={"id": iid, "certificate": cid, "due": due.isoformat(),
                           "criteria": ["an toàn thực phẩm", "truy xuất nguồn gốc", "bao bì, nhãn mác"],
                           "team": "Đoàn hậu kiểm"})
            recorded = self.office(dt.datetime.combine(due, dt.time(8)))
            if recorded >= h:
                self.count("inspections_by_state", "planned")
                continue
            if rng.random() < 0.65:
                self.add(recorded, "record_inspection", inspector, iid, {"result": "compliant", "findings": []})
                self.count("inspections_by_state", "compliant")
                continue
            days = rng.randint(10, 30)
            self.add(recorded, "record_inspection", inspector, iid,
                     {"result": "remedy_required", "remedy_days": days,
                      "findings": [{"criterion": "bao bì, nhãn mác", "note": "nhãn chưa ghi hạn sử dụng"}]})
            remedy_due = add_working_days(cal, recorded.date(), days)
            overdue_at = self.at_day(add_working_days(cal, remedy_due, 1), rng.randint(10, 300))
            confirm = None
            if rng.random() < 0.6:
                confirm = self.office(recorded + dt.timedelta(days=rng.uniform(2, days * 1.6)))
            state = "remedy_required"
            if overdue_at < min(h, confirm or h):
                self.add(overdue_at, "remedy_overdue", "scheduler", iid)
                state = "overdue"
            if confirm and confirm < h:
                self.add(confirm, "confirm_remedy", inspector, iid, {"note": "đã khắc phục, có ảnh nhãn mới"})
                state = "compliant"
            self.count("inspections_by_state", state)


def jsonl(events):
    """The events as JSON lines, one string per line, numbered with idempotency keys."""
    for k, e in enumerate(events, 1):
        line = {"key": f"e-{k:08d}"}
        line.update(e)
        line["at"] = e["at"].isoformat(timespec="seconds") + TZ
        yield json.dumps(line, ensure_ascii=False) + "\n"


def parse_years(text):
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            years = list(range(int(a), int(b) + 1))
        else:
            years = sorted({int(y) for y in text.split(",")})
    except ValueError:
        fail(f"--years {text!r}: expected YEAR, FIRST-LAST or YEAR,YEAR,...")
    if not years or years[0] < FIRST_YEAR or years[-1] > LAST_YEAR:
        fail(f"--years {text!r}: the calendar knows the years {FIRST_YEAR}-{LAST_YEAR}")
    return years


def write_all(files):
    """Writes every (path, content) or none: each to a temporary file beside it, then all renamed.
    A content is text, or a function called when its file is written that returns text or an
    iterable of text (streamed: the events are never one string)."""
    done = []
    try:
        for path, content in files:
            tmp = f"{path}.tmp{os.getpid()}"
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                done.append(tmp)
                text = content() if callable(content) else content
                f.write(text) if isinstance(text, str) else f.writelines(text)
    except OSError as e:
        for tmp in done:
            os.unlink(tmp)
        fail(f"cannot write {path}: {e.strerror}", 1)
    except BaseException:
        for tmp in done:
            os.unlink(tmp)
        raise
    for (path, _), tmp in zip(files, done):
        os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=1000, help="dossiers, spread evenly over the years (1000)")
    ap.add_argument("--seed", type=int, default=2026, help="the random seed (2026)")
    ap.add_argument("--years", "--year", default=str(FIRST_YEAR), help=f"YEAR or FIRST-LAST ({FIRST_YEAR})")
    ap.add_argument("--communes", type=int, default=124, help="communes (124; 3321 is national scale)")
    ap.add_argument("--provinces", type=int, default=1, help="1: one province BX; more: a national tree")
    ap.add_argument("--members", type=int, default=7, help=f"members of each council (7, at least the quorum {QUORUM})")
    ap.add_argument("--promotion", metavar="ACTIVITIES,PARTICIPATIONS",
                    help="append events after recognition (spec §10): that many promotion activities and"
                         " applications to them, up to the tick day (the summary's promotion.tick_day); the"
                         " configuration gains the organisers, inspectors, scheduler, policy and reminders"
                         " (0,0: that configuration, no such event)")
    ap.add_argument("--fair", type=int, default=0, metavar="APPLICATIONS",
                    help="with --promotion: one of the activities is a national fair with that many of the"
                         " applications (0)")
    ap.add_argument("--inspections", type=int, default=0, help="with --promotion: inspections to plan (0)")
    ap.add_argument("--events", help="where to write the JSONL events")
    ap.add_argument("--config", help="where to write the matching configuration")
    ap.add_argument("--summary", help="where to write the outcome the import must give (JSON)")
    a = ap.parse_args(argv)
    years = parse_years(a.years)
    if a.dossiers < 0:
        fail(f"--dossiers {a.dossiers}: must be 0 or more")
    if not 1 <= a.provinces <= 99:
        fail(f"--provinces {a.provinces}: must be 1 to 99")
    if a.communes < a.provinces:
        fail(f"--communes {a.communes}: needs at least one per province ({a.provinces})")
    if a.members < QUORUM:
        fail(f"--members {a.members}: a council needs at least its quorum, {QUORUM}")
    if not (a.events or a.config or a.summary):
        fail("nothing to write: give --events, --config and/or --summary")
    promotion = None
    if a.promotion is not None:
        try:
            promotion = [int(x) for x in a.promotion.split(",")]
        except ValueError:
            promotion = []
        if len(promotion) != 2 or min(promotion) < 0:
            fail(f"--promotion {a.promotion!r}: expected ACTIVITIES,PARTICIPATIONS (two counts, 0 or more)")
        if promotion[1] and not promotion[0]:
            fail(f"--promotion {a.promotion!r}: participations need an activity")
        if not 0 <= a.fair <= promotion[1] or (a.fair and a.fair == promotion[1] and promotion[0] > 1):
            fail(f"--fair {a.fair}: must be 0 to the participations of --promotion, and leave some for the"
                 " other activities")
        if a.inspections < 0:
            fail(f"--inspections {a.inspections}: must be 0 or more")
    elif a.fair or a.inspections:
        fail("--fair and --inspections go with --promotion")
    shape = Shape(a.communes, a.provinces, a.members)
    gen = Generator(shape, years, a.seed)
    tail = {"at": None, "count": 0}  # the last dossier event's time, and how many there were

    def dossier_events():
        for e in gen.run(a.dossiers):
            tail["at"] = e["at"]
            tail["count"] += 1
            yield e

    def promotion_events():  # after every dossier event: Promotion starts from the generator's end state
        if promotion and (promotion[0] or a.inspections):
            if not tail["count"]:
                fail("--promotion: no dossier events to follow (--dossiers 0)")
            pro = Promotion(gen, promotion[0], promotion[1], a.fair, a.inspections, a.seed)
            more = pro.run(tail["at"])
            gen.outcome["promotion"] = dict(pro.outcome, tick_day=pro.tick_day.isoformat(),
                                            dossier_events=tail["count"], events=len(more),
                                            activities=promotion[0], participations=promotion[1],
                                            inspections=a.inspections)
            gen.outcome["events"] = tail["count"] + len(more)
            yield from more
        elif promotion:
            gen.outcome["promotion"] = {"activities": 0, "participations": 0, "inspections": 0, "events": 0}

    events = itertools.chain(dossier_events(), promotion_events()) if (a.events or a.summary) else iter(())
    written = {"events": 0}

    def counted(lines):
        for line in lines:
            written["events"] += 1
            yield line

    def summary():
        for _ in events:  # without --events: the outcome still needs every event generated
            written["events"] += 1
        return json.dumps(gen.outcome, indent=1, sort_keys=True) + "\n"

    write_all(([(a.config, config_yaml(shape, years, promotion=promotion is not None))] if a.config else []) +
              ([(a.events, lambda: counted(jsonl(events)))] if a.events else []) +
              ([(a.summary, summary)] if a.summary else []))
    done = ([f"{a.dossiers} dossiers, {written['events']} events -> {a.events}"] if a.events else []) + \
        ([f"configuration -> {a.config}"] if a.config else []) + ([f"outcome -> {a.summary}"] if a.summary else [])
    print("; ".join(done))

if __name__ == "__main__":
    main()
