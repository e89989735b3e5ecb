#!/usr/bin/env python3
"""Writes a national-scale configuration (with bench/gen_workload.py's national shape) and fills a
database initialised with it (bench/tick.sh):
34 provinces and 3,321 communes under central, 100,000 dossiers (50,000 still moving, 50,000
recognised) and 50,000 certificates whose valid_until spreads over three years from DAY. Rows are
written directly with SQL (importing events for them would take minutes and is measured by
bench/run.sh). Deterministic (seed 2026).

    national.py config OUT.yaml [--users] [--promotion]
    national.py fill DB.sqlite DAY
    national.py promotion EVENTS.jsonl DAY ACTIVITIES,PARTICIPATIONS FAIR INSPECTIONS [SUMMARY.json]

--users adds people as tests/data/config/gen_workload.yaml has them: 21 coordinators, signers,
council chairs and members and an auditor at P01 and VN, and an officer and a producer (with an
e-mail) per commune: 6,664 users with the scheduler (bench/show.sh). --promotion adds what the
events after recognition need (gen_workload.py --promotion: an organiser and an inspector per
province and at central, the promotion policy and reminders).

`promotion` writes bench/gen_workload.py's events after recognition (its Promotion) over the
50,000 certificates `fill` writes for the same DAY: activities, applications and inspections up
to DAY (the tick day), to import into the filled database (bench/promotion.sh); SUMMARY gets
their states.
"""
import datetime as dt
import json
import random
import sqlite3
import sys
import unicodedata

from gen_workload import Calendar, Promotion, Shape, config_yaml, jsonl

PROVINCES, COMMUNES, MOVING, CERTIFICATES = 34, 3321, 50_000, 50_000
SHAPE = Shape(COMMUNES, PROVINCES)  # VN over P01..P34, communes P01-C0001.. dealt round-robin


def tick_rounds(year):  # two provincial rounds: the second's cut-off falls in the benchmark's weeks
    return [(f"{year}-1", "province", dt.date(year, 6, 30), dt.date(year, 7, 15)),
            (f"{year}-2", "province", dt.date(year, 11, 27), dt.date(year, 12, 10))]


TICK_REMINDERS = [
    "{id: stalled-submitted, kind: stalled, state: submitted, after_days: 10, to: unit, escalate_after_days: 5}",
    "{id: stalled-returned, kind: stalled, state: returned, after_days: 10, to: unit}",
    "{id: stalled-review, kind: stalled, state: under_review, after_days: 20, to: parent}",
    "{id: round-cutoff, kind: before_milestone, milestone: round_cutoff, days_before: 7, to: unit}",
    "{id: expiry, kind: certificate_expiry}",
    "{id: kickoff, kind: cycle_start, to: unit}",
]


def config(path, with_users=False, promotion=False):
    """The national tree of bench/gen_workload.py with the scheduler's user (and, with_users,
    the generator's people: officers and producers of every commune, councils, signers; with
    promotion, the organisers and inspectors, policy and reminders after recognition), the tick
    benchmark's rounds and reminders, and a make-up working day."""
    text = config_yaml(SHAPE, [2026], staff=with_users, rounds=tick_rounds, reminders=TICK_REMINDERS,
                       extra_holidays=["2026-01-02"], working_days=["2026-01-10"], scheduler="scheduler",
                       channels=False, promotion=promotion,
                       header="# bench/national.py: 34 provinces and 3,321 communes, for the tick benchmark")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def ts(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows_for(day):
    """The dossiers' and certificates' rows `fill` writes for DAY (deterministic)."""
    rng = random.Random(2026)
    day = dt.date.fromisoformat(day)
    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=tz)
    span = (dt.datetime.combine(day, dt.time(7), tz) - start).total_seconds()
    units = [c for c, _ in SHAPE.communes]
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
    return rows, certs


def fold(text):
    """Vietnamese marks removed, đ as d, lower case: ocop's fold_text for these names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def fill(db, day):
    rows, certs = rows_for(day)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    with con:
        con.executemany("INSERT INTO dossiers (id, state, version, unit, product, product_set, producer, year,"
                        " rule_set, level_index, level, registration_type, certificate, created_at, updated_at,"
                        " state_since) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        # The list's search reads names_folded (migration 12), which ocop writes when it files a
        # dossier (the engine's fold_text): the rows inserted here get it as the migration gave
        # existing ones, through a Python ocop_fold that folds these names as fold_text does.
        con.create_function("ocop_fold", 1, fold, deterministic=True)
        con.execute("UPDATE dossiers SET names_folded = ocop_fold(product || ' ' || producer)")
        con.executemany("INSERT INTO certificates (id, dossier, product, product_set, unit, stars, level, decision_no,"
                        " decision_date, issued_on, valid_until, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", certs)
    con.execute("ANALYZE")
    con.close()
    print(f"{len(rows)} dossiers ({MOVING} moving), {len(certs)} certificates, {COMMUNES} communes")


class Filled:
    """What gen_workload.Promotion asks of its generator, for the certificates `fill` writes."""

    def __init__(self, day):
        self.shape = SHAPE
        self.cal = Calendar([2026])
        self.cal.holidays.add(dt.date(2026, 1, 2))  # as the configuration's calendar
        _, certs = rows_for(day)
        self.certs, self.cert_info = {}, {}
        for cert, did, _, _, unit, stars, level, _, issued, _, _, _ in certs:
            self.certs[cert] = stars
            self.cert_info[cert] = (did, unit, f"HTX {int(did.rsplit('-', 1)[1])}",
                                    dt.date.fromisoformat(issued), level)


def promotion(events, day, counts, fair, inspections, summary=None):
    activities, participations = (int(x) for x in counts.split(","))
    day = dt.date.fromisoformat(day)
    pro = Promotion(Filled(day.isoformat()), activities, participations, int(fair), int(inspections), 2026)
    out = pro.run(None, tick_day=day)
    with open(events, "w", encoding="utf-8", newline="\n") as f:
        f.write(jsonl(out))
    if summary:
        with open(summary, "w", encoding="utf-8") as f:
            json.dump(dict(pro.outcome, tick_day=day.isoformat(), events=len(out)), f, indent=1, sort_keys=True)
            f.write("\n")
    print(f"{len(out)} events after recognition up to {day} -> {events}")


if __name__ == "__main__":
    if sys.argv[1] == "config":
        config(sys.argv[2], "--users" in sys.argv[3:], "--promotion" in sys.argv[3:])
    elif sys.argv[1] == "promotion":
        promotion(*sys.argv[2:])
    else:
        fill(sys.argv[2], sys.argv[3])
