#!/usr/bin/env python3
"""Writes a national-scale configuration and fills a database initialised with it (bench/tick.sh):
34 provinces and 3,321 communes under central, 100,000 dossiers (50,000 still moving, 50,000
recognised) and 50,000 certificates whose valid_until spreads over three years from DAY. Rows are
written directly with SQL (importing events for them would take minutes and is measured by
bench/run.sh). Deterministic (seed 2026).

    national.py config OUT.yaml [--users]
    national.py fill DB.sqlite DAY

--users adds people as tests/data/config/gen_workload.yaml has them: 21 coordinators, signers,
council chairs and members and an auditor at P01 and VN, and an officer and a producer (with an
e-mail) per commune: 6,664 users with the scheduler (bench/show.sh).
"""
import datetime as dt
import random
import sqlite3
import sys

PROVINCES, COMMUNES, MOVING, CERTIFICATES = 34, 3321, 50_000, 50_000


def communes():
    out = []
    for i in range(COMMUNES):
        p = i % PROVINCES + 1
        out.append((f"P{p:02d}", f"P{p:02d}-C{i + 1:04d}"))
    return out


def users():
    out = ['  - {id: scheduler, name: "Bộ lập lịch", roles: [scheduler], unit: VN}']
    for who, name, role, unit in [("coordinator", "Điều phối viên tỉnh", "coordinator", "P01"),
                                  ("central.coordinator", "Điều phối viên TW", "coordinator", "VN"),
                                  ("signer", "Chủ tịch UBND tỉnh", "signer", "P01"),
                                  ("central.signer", "Bộ trưởng", "signer", "VN"),
                                  ("chair", "Chủ tịch hội đồng tỉnh", "council_chair", "P01"),
                                  ("central.chair", "Chủ tịch hội đồng TW", "council_chair", "VN"),
                                  ("auditor", "Thanh tra", "auditor", "P01")]:
        out.append(f'  - {{id: {who}, name: "{name}", roles: [{role}], unit: {unit}}}')
    for prefix, unit in (("member", "P01"), ("central.member", "VN")):
        for i in range(1, 8):
            out.append(f'  - {{id: {prefix}.{i}, name: "Thành viên {prefix}.{i}", roles: [council_member], unit: {unit}}}')
    for _, c in communes():
        out.append(f'  - {{id: officer.{c.lower()}, name: "Cán bộ {c}", roles: [screener], unit: {c}}}')
        out.append(f'  - {{id: producer.{c.lower()}, name: "Chủ thể {c}", roles: [producer], unit: {c},'
                   f' email: producer.{c.lower()}@example.vn}}')
    return out


ROLES = ["  producer: [submit_idea, resubmit_idea, submit_plan, resubmit_plan, register, resubmit, withdraw, attach, annotate]",
         "  screener: [accept_idea, return_idea, approve_plan, return_plan, reject, return_dossier, accept_dossier, assess, forward, annotate]",
         "  coordinator: [submit_idea, register, accept_dossier, return_dossier, forward, withdraw, attach, annotate]",
         "  council_member: [score, annotate]",
         "  council_chair: [close_scoring, not_recognize, annotate]",
         "  signer: [recognize, not_recognize, revoke, annotate]",
         "  auditor: []"]


def config(path, with_users=False):
    lines = ['# bench/national.py: 34 provinces and 3,321 communes, for the tick benchmark',
             'province: {code: P01, name: "Tỉnh 01", timezone: Asia/Ho_Chi_Minh}',
             "units:",
             '  - {code: VN, name: "Trung ương", level: central, email: vpdp@tw.example.vn}']
    for p in range(1, PROVINCES + 1):
        lines.append(f'  - {{code: P{p:02d}, name: "Tỉnh {p:02d}", level: province, parent: VN, email: vpdp@p{p:02d}.example.vn}}')
    for p, c in communes():
        lines.append(f'  - {{code: {c}, name: "Xã {c}", level: commune, parent: {p}, email: {c.lower()}@example.vn}}')
    lines += ["users:"]
    lines += users() if with_users else ['  - {id: scheduler, name: "Bộ lập lịch", roles: [scheduler], unit: VN}']
    lines += ["roles:", "  scheduler: [notice, expire]"] + (ROLES if with_users else [])
    lines += ["rule_sets:",
              "  - id: R148_1489",
              "    effective_from: 2025-07-06",
              "    parts: {A: 40, B: 25, C: 35}",
              "    stars: [{stars: 1, min: 0}, {stars: 2, min: 30}, {stars: 3, min: 50}, {stars: 4, min: 70}, {stars: 5, min: 90}]",
              "    levels:",
              "      - {level: commune, kind: screen}",
              "      - {level: province, kind: council, quorum: 5, recognizes: [3, 4], forward_min: 90}",
              "      - {level: central, kind: council, quorum: 5, recognizes: [5]}",
              "calendar:",
              "  weekend: [sat, sun]",
              "  holidays: [2026-01-01, 2026-01-02, 2026-02-16, 2026-02-17, 2026-02-18, 2026-02-19, 2026-02-20, 2026-04-27, 2026-04-30, 2026-05-01, 2026-09-01, 2026-09-02]",
              "  working_days: [2026-01-10]",
              "cycles:",
              "  2026:",
              "    milestones: {ideas_close: 2026-04-30, plans_close: 2026-07-31}",
              "    rounds:",
              '      - {id: "2026-1", level: province, cutoff: 2026-06-30, meeting: 2026-07-15}',
              '      - {id: "2026-2", level: province, cutoff: 2026-11-27, meeting: 2026-12-10}',
              "reminders:",
              "  - {id: stalled-submitted, kind: stalled, state: submitted, after_days: 10, to: unit, escalate_after_days: 5}",
              "  - {id: stalled-returned, kind: stalled, state: returned, after_days: 10, to: unit}",
              "  - {id: stalled-review, kind: stalled, state: under_review, after_days: 20, to: parent}",
              "  - {id: round-cutoff, kind: before_milestone, milestone: round_cutoff, days_before: 7, to: unit}",
              "  - {id: expiry, kind: certificate_expiry}",
              "  - {id: kickoff, kind: cycle_start, to: unit}",
              "scheduler: {actor: scheduler}"]
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")


def ts(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fill(db, day):
    rng = random.Random(2026)
    day = dt.date.fromisoformat(day)
    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=tz)
    span = (dt.datetime.combine(day, dt.time(7), tz) - start).total_seconds()
    units = [c for _, c in communes()]
    moving = [("idea_submitted", -1, None), ("idea_accepted", -1, None), ("plan_submitted", -1, None),
              ("in_development", -1, None), ("submitted", 0, "commune"), ("returned", 0, "commune"),
              ("under_review", 0, "commune"), ("submitted", 1, "province"), ("under_review", 1, "province"),
              ("scored", 1, "province")]
    rows, certs = [], []
    for n in range(1, MOVING + CERTIFICATES + 1):
        unit = rng.choice(units)
        since = start + dt.timedelta(seconds=rng.uniform(0, span))
        created = since - dt.timedelta(days=rng.uniform(0, 30))
        did = f"P01-2026-{n:06d}"
        if n <= MOVING:
            state, li, level = rng.choice(moving)
            cert = None
        else:
            state, li, level = "recognized", 1, "province"
            cert = f"{did}/province"
            until = day + dt.timedelta(days=rng.randrange(0, 3 * 365))
            issued = until - dt.timedelta(days=3 * 365)
            certs.append((cert, did, f"Sản phẩm {n}", "tea", unit, rng.choice([3, 4]), "province",
                          f"{n}/QĐ-UBND", issued.isoformat(), issued.isoformat(), until.isoformat(), "active"))
        rows.append((did, state, 1, unit, f"Sản phẩm {n}", "tea", f"HTX {n}", 2026,
                     "R148_1489" if li >= 0 else None, li, level, "new" if li >= 0 else None, cert,
                     ts(created), ts(since), ts(since)))
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    with con:
        con.executemany("INSERT INTO dossiers (id, state, version, unit, product, product_set, producer, year,"
                        " rule_set, level_index, level, registration_type, certificate, created_at, updated_at,"
                        " state_since) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        con.executemany("INSERT INTO certificates (id, dossier, product, product_set, unit, stars, level, decision_no,"
                        " decision_date, issued_on, valid_until, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", certs)
    con.execute("ANALYZE")
    con.close()
    print(f"{len(rows)} dossiers ({MOVING} moving), {len(certs)} certificates, {COMMUNES} communes")


if __name__ == "__main__":
    if sys.argv[1] == "config":
        config(sys.argv[2], "--users" in sys.argv[3:])
    else:
        fill(sys.argv[2], sys.argv[3])
