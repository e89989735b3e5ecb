#!/usr/bin/env python3
"""The whole-year tick test (tests/cli/year_test.sh): drives `ocop import` and `ocop tick` one
day at a time and checks the totals against a model of spec §3, §4 and §7 written here from
the event file and the configuration, without the engine's code.

The model, as docs/design.md states the rules: ticks at 07:00 see the events before 07:00;
`stalled` digests go out on working days, one per responsible unit (the commune at the commune
level, the province at the province level, central at central) for dossiers that have sat in
`submitted` more than after_days working days (at least after_days whole working days lie
between the entry day and the tick's day, neither counted), and one escalation per parent for
those that waited after_days + escalate_after_days; the round
cut-off reminder goes out on the days_before-th working day before the cut-off to the units
with dossiers heading for that round; notices go out expiry_notice_days calendar days before
valid_until (to the unit and to the producer), expiries on valid_until; superseded certificates
get neither."""
import datetime as dt
import json
import re
import subprocess
import sys

OCOP, WORK = sys.argv[1], sys.argv[2]
TZ = dt.timezone(dt.timedelta(hours=7))
FIRST, LAST = dt.date(2026, 1, 1), dt.date(2027, 1, 10)
MONTHS = 2  # certificate_months in this test's configuration
NOTICE = 30

# --- the configuration: the generated one, plus a scheduler, producers' e-mails, short certificates
cfg = open(f"{WORK}/gen.yaml", encoding="utf-8").read()
cfg = cfg.replace("certificate_months: 36", f"certificate_months: {MONTHS}")
cfg = re.sub(r"(\{id: (producer\.[a-z0-9-]+), [^}]*)\}", r"\1, email: \2@bx.example.vn}", cfg)
cfg = cfg.replace("users:\n", 'users:\n  - {id: scheduler, name: "Bộ lập lịch", roles: [scheduler], unit: BX}\n', 1)
cfg = cfg.replace("  auditor: []\n", "  auditor: []\n  scheduler: [notice, expire]\n", 1)
cfg += "scheduler: {actor: scheduler}\n"
# The generated dossiers rarely wait long: remind after 2 working days, escalate 1 later, and
# remind of the round cut-offs 60 working days ahead, so that every kind fires often.
cfg = cfg.replace("after_days: 10, to: unit, escalate_after_days: 5", "after_days: 2, to: unit, escalate_after_days: 1")
cfg = cfg.replace("days_before: 7", "days_before: 60")
open(f"{WORK}/year.yaml", "w", encoding="utf-8").write(cfg)

holidays = {dt.date.fromisoformat(d) for d in re.search(r"holidays: \[([^\]]*)\]", cfg).group(1).split(", ")}
communes = re.findall(r"\{code: (BX-C\d+),", cfg)
rounds = [(m.group(1), m.group(2), dt.date.fromisoformat(m.group(3)))
          for m in re.finditer(r"\{id: ([^,]+), level: (\w+), cutoff: ([\d-]+)", cfg)]
stalled_after, escalate_after, cutoff_before = 2, 1, 60
assert "after_days: 2" in cfg and "escalate_after_days: 1" in cfg and "days_before: 60" in cfg


def working(d):
    return d.weekday() < 5 and d not in holidays


def waited(since, day):  # the whole working days strictly between the two days
    n, d = 0, since + dt.timedelta(days=1)
    while d < day:
        n += working(d)
        d += dt.timedelta(days=1)
    return n


def before(day, n):
    d = day
    while n:
        d -= dt.timedelta(days=1)
        n -= working(d)
    return d


def add_months(d, m):
    y, mo = divmod(d.month - 1 + m, 12)
    return dt.date(d.year + y, mo + 1, d.day)  # the generator's decision dates fall on the 28th or earlier


LEVELS = ["commune", "province", "central"]
UNIT_OF_LEVEL = {"province": "BX", "central": "VN"}
PARENT = {"BX": "VN", "VN": None}
TO = {"submit_idea": "idea_submitted", "accept_idea": "idea_accepted", "return_idea": "idea_returned",
      "resubmit_idea": "idea_submitted", "reject": "rejected", "submit_plan": "plan_submitted",
      "return_plan": "plan_returned", "resubmit_plan": "plan_submitted", "approve_plan": "in_development",
      "register": "submitted", "return_dossier": "returned", "resubmit": "submitted",
      "accept_dossier": "under_review", "close_scoring": "scored", "forward": "submitted",
      "recognize": "recognized", "not_recognize": "not_recognized", "withdraw": "withdrawn"}

events = [json.loads(l) for l in open(f"{WORK}/events.jsonl", encoding="utf-8")]
for e in events:
    e["t"] = dt.datetime.fromisoformat(e["at"])


class D:
    pass


dossiers, certs = {}, {}


def apply(e):
    ev, data = e["event"], e.get("data", {})
    if "dossier" not in e:
        d = dossiers[data["id"]] = D()
        d.unit, d.state, d.level, d.since, d.cert = data["unit"], None, -1, None, None
    else:
        d = dossiers[e["dossier"]]
    new = TO.get(ev, d.state)
    if ev == "register":
        d.level = 0
    elif ev == "forward":
        d.level += 1
    elif ev == "not_recognize" and d.cert and certs[d.cert]["state"] in ("active", "expiring"):
        new = "recognized"
    elif ev == "recognize":
        cid = f"{data.get('id', e.get('dossier'))}/{LEVELS[d.level]}"
        if d.cert and certs[d.cert]["state"] in ("active", "expiring"):
            certs[d.cert]["state"] = "superseded"
        certs[cid] = {"until": add_months(dt.date.fromisoformat(data["decision_date"]), MONTHS), "state": "active",
                      "unit": d.unit}
        d.cert = cid
    if new != d.state:
        d.state, d.since = new, e["t"].astimezone(TZ).date()


def responsible(d):
    return d.unit if d.level <= 0 else UNIT_OF_LEVEL[LEVELS[d.level]]


expected = {k: 0 for k in ("stalled", "escalation", "before_milestone", "cycle_start", "cycle_open", "cycle_report", "cycle_close",
                           "certificate_notice", "notice", "expire")}
got = dict(expected)
subprocess.run([OCOP, "init", "--simulation"], check=True, capture_output=True,
               env={"OCOP_DB": f"sqlite:{WORK}/year.db", "OCOP_CONFIG": f"{WORK}/year.yaml", "PATH": "/usr/bin:/bin"})
env = {"OCOP_DB": f"sqlite:{WORK}/year.db", "OCOP_CONFIG": f"{WORK}/year.yaml", "PATH": "/usr/bin:/bin"}
i, day = 0, FIRST
repeat_checked = 0
while day <= LAST:
    now = dt.datetime.combine(day, dt.time(7, 0), TZ)
    batch = []
    while i < len(events) and events[i]["t"] < now:
        batch.append(events[i])
        apply(events[i])
        i += 1
    if batch:
        with open(f"{WORK}/day.jsonl", "w", encoding="utf-8") as f:
            for e in batch:
                f.write(json.dumps({k: v for k, v in e.items() if k != "t"}, ensure_ascii=False) + "\n")
        r = subprocess.run([OCOP, "--json", "import", "--batch", "100", f"{WORK}/day.jsonl"], env=env,
                           capture_output=True, text=True)
        out = json.loads(r.stdout)
        assert r.returncode == 0 and out["refused"] == 0, (day, r.stdout, r.stderr)
    # --- the model's expectations for this day
    if day == FIRST:
        expected["cycle_start"] += len(communes)
        expected["cycle_open"] += 1
    if day == dt.date(2027, 1, 1):
        expected["cycle_close"] += 1
        expected["cycle_report"] += 1
    for cid, c in sorted(certs.items()):
        if c["state"] in ("active", "expiring") and day >= c["until"]:
            c["state"] = "expired"
            expected["expire"] += 1
        elif c["state"] == "active" and day >= c["until"] - dt.timedelta(days=NOTICE):
            c["state"] = "expiring"
            expected["notice"] += 1
            expected["certificate_notice"] += 2  # the unit and the producer
    if working(day):  # stalled dossiers are reminded whatever their cycle's state
        units, parents = set(), set()
        for d in dossiers.values():
            if d.state != "submitted":
                continue
            w = waited(d.since, day)
            if w >= stalled_after:
                units.add(responsible(d))
            if w >= stalled_after + escalate_after:
                p = "BX" if d.level <= 0 else PARENT[responsible(d)]
                if p:
                    parents.add(p)
        expected["stalled"] += len(units)
        expected["escalation"] += len(parents)
    for rid, level, cutoff in rounds:
        if day != before(cutoff, cutoff_before) or day.year != 2026:
            continue
        at = LEVELS.index(level)
        units = set()
        for d in dossiers.values():
            heading = (d.level == at and d.state in ("submitted", "returned")) or (
                d.level == at - 1 and d.state in ("submitted", "returned", "under_review", "scored"))
            if d.level >= 0 and heading:
                units.add(responsible(d))
        expected["before_milestone"] += len(units)
    # --- the engine
    r = subprocess.run([OCOP, "--json", "--now", now.isoformat(), "tick"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, (day, r.stdout, r.stderr)
    out = json.loads(r.stdout)
    for k, v in out["counts"].items():
        got[k] = got.get(k, 0) + v
    if out["queued"] and repeat_checked < 5:  # the same day again sends nothing
        again = json.loads(subprocess.run([OCOP, "--json", "--now", now.isoformat(), "tick"], env=env,
                                          capture_output=True, text=True, check=True).stdout)
        assert again["queued"] == 0 and not again["transitions"], (day, again)
        assert again["already_queued"] == out["queued"] - out["counts"].get("cycle_start", 0) \
            - out["counts"].get("cycle_report", 0) - out["counts"].get("certificate_notice", 0), (day, out, again)
        repeat_checked += 1
    day += dt.timedelta(days=1)

r = subprocess.run([OCOP, "audit", "verify"], env=env, capture_output=True, text=True)
assert r.returncode == 0, r.stdout + r.stderr
print("expected", expected)
print("got     ", {k: got.get(k, 0) for k in expected})
bad = [k for k in expected if expected[k] != got.get(k, 0)]
assert not bad, f"mismatch in {bad}"
assert expected["stalled"] > 0 and expected["escalation"] > 0 and expected["before_milestone"] > 0
assert expected["notice"] > 0 and expected["expire"] > 0
print("1 passed, 0 failed")
