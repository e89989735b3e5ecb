"""`ocop serve --scheduler` processes sharing one database (driven by serve_scheduler_test.sh).

Usage: serve_scheduler_test.py OCOP WORK DB REF
DB holds the imported workload (a simulation database); REF is a copy of it, ticked by `ocop
tick` for the expected result. The receivers of lib/receivers.sh log to WORK/mail and
WORK/hook.log. Prints one line per failed check and "N passed, M failed"; exits 1 on any failure.
"""
import collections
import email
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from serve_lib import Server, check, metrics, summary, wait_for  # noqa: E402

OCOP, WORK, DB, REF = sys.argv[1:5]
ENV = dict(os.environ, OCOP_DB=DB)
DAY1 = "2029-10-01T07:00:00+07:00"  # expiry notices, digests, the 2026 cycle's close
DAY2 = "2029-10-30T07:00:00+07:00"  # expiries
FAST = ["--scheduler", "--tick-every", "1s", "--deliver-every", "1s", "--lease-retry", "1s"]
OK = 'ocop_scheduler_ticks_total{result="ok"}'


def ocop(db, *args):
    return subprocess.run([OCOP, "--db", db, *args], env=ENV, capture_output=True, text=True)


def ticks(m):
    return sum(v for k, v in m.items() if k.startswith("ocop_scheduler_ticks_total"))


def deliveries(m):
    return sum(v for k, v in m.items() if k.startswith("ocop_scheduler_deliveries_total"))


def leader(s):
    return metrics(s.port).get("ocop_scheduler_leader") == 1


def outbox(db):
    r = ocop(db, "--json", "outbox")
    return json.loads(r.stdout) if r.returncode == 0 else []


def trail(db):
    """The audit records as (time, object, event, from, to, certificate), sorted."""
    out = []
    for line in ocop(db, "audit", "export", "--format", "jsonl").stdout.splitlines():
        r = json.loads(line)
        d = r.get("data") or {}
        if isinstance(d, str):
            d = json.loads(d)
        out.append((r["at"], r["dossier"], r["event"], r["from"], r["to"], d.get("certificate", "")))
    return sorted(out)


def same_as_ocop_tick(what):
    keys, ref_keys = sorted(m["dedupe_key"] for m in outbox(DB)), sorted(m["dedupe_key"] for m in outbox(REF))
    check("%s: the outbox holds exactly what `ocop tick` queued on the copy (%d keys)" % (what, len(ref_keys)),
          keys == ref_keys and ref_keys, (len(keys), len(ref_keys), sorted(set(keys) ^ set(ref_keys))[:3]))
    t, ref_t = trail(DB), trail(REF)
    check("%s: the audit trail holds the records `ocop tick` wrote on the copy (%d)" % (what, len(ref_t)),
          t == ref_t, sorted(set(t) ^ set(ref_t))[:3])


def all_delivered():
    msgs = outbox(DB)
    return msgs and all(m["state"] == "sent" for m in msgs)


# --- the options ----------------------------------------------------------------------------------------------
for args, what in [(["--scheduler", "--tick-every", "5x"], "a malformed --tick-every"),
                   (["--scheduler", "--deliver-every", "0s"], "a zero --deliver-every"),
                   (["--scheduler", "--lease-retry", "10ms"], "a --lease-retry under 100ms"),
                   (["--scheduler", "--tick-from", "25:00"], "a --tick-from that is no time of day"),
                   (["--tick-every", "1s"], "--tick-every without --scheduler")]:
    r = subprocess.run([OCOP, "serve", "--listen", "127.0.0.1:0", *args], env=ENV, capture_output=True, text=True,
                       timeout=30)
    check("%s is refused (exit 2)" % what, r.returncode == 2 and "error:" in r.stderr, (r.returncode, r.stderr[-300:]))

# --- two processes: one holds the lease and ticks, the other waits ---------------------------------------------
ref1 = json.loads(ocop(REF, "--json", "--now", DAY1, "tick").stdout)
check("the copy's tick queued messages and fired transitions", ref1["queued"] > 0 and ref1["transitions"], ref1["counts"])
again = json.loads(ocop(REF, "--json", "--now", DAY1, "tick").stdout)  # what a second tick of the day finds
check("the copy's second tick queues and fires nothing", again["queued"] == 0 and not again["transitions"], again["counts"])
a = Server(OCOP, ENV, WORK, *FAST, "--now", DAY1)
b = Server(OCOP, ENV, WORK, *FAST, "--now", DAY1)
servers = [a, b]
check("a holder ticks (twice)", wait_for("a holder that ticked twice",
                                         lambda: any(leader(s) and metrics(s.port).get(OK, 0) >= 2 for s in servers)))
ms = {s: metrics(s.port) for s in servers}
holders = [s for s in servers if ms[s]["ocop_scheduler_leader"] == 1]
check("exactly one process holds the lease", len(holders) == 1, [ms[s]["ocop_scheduler_leader"] for s in servers])
holder = holders[0] if holders else a
standby = b if holder is a else a
mh, mw = ms[holder], ms[standby]
check("metrics: the holder's ticks, its last tick's time and results",
      mh[OK] >= 2 and mh["ocop_scheduler_last_tick_timestamp_seconds"] > 1.7e9 and mh["ocop_scheduler_enabled"] == 1
      and mh["ocop_scheduler_last_tick_queued"] == 0 and mh["ocop_scheduler_last_tick_already_queued"] == again["already_queued"],
      {k: v for k, v in mh.items() if "scheduler" in k})
check("the other process neither ticked nor delivered nor held the lease",
      mw["ocop_scheduler_leader"] == 0 and ticks(mw) == 0 and deliveries(mw) == 0
      and mw["ocop_scheduler_lease_acquired_total"] == 0, {k: v for k, v in mw.items() if "scheduler" in k})
check("the holder logged the lease acquired", "scheduler lease acquired" in holder.logs(), holder.logs()[-800:])
check("the other did not", "scheduler lease acquired" not in standby.logs(), standby.logs()[-800:])
same_as_ocop_tick(DAY1[:10])
r = ocop(DB, "--json", "--now", DAY1, "tick")
j = json.loads(r.stdout) if r.returncode == 0 else {}
check("`ocop tick` after the service's ticks queues and fires nothing (idempotent)",
      j.get("queued") == 0 and j.get("already_queued") == again["already_queued"] and not j.get("transitions"),
      (r.returncode, r.stdout[:300]))
check("the holder delivers every message", wait_for("the outbox delivered", all_delivered))

# --- SIGKILL the holder: the other takes over --------------------------------------------------------------------
t0 = time.monotonic()
holder.stop(signal.SIGKILL)
took_over = wait_for("the other process to take over", lambda: leader(standby) and metrics(standby.port).get(OK, 0) >= 1)
print("takeover after SIGKILL of the holder: %.1f s (--lease-retry 1s)" % (time.monotonic() - t0))
check("after SIGKILL of the holder, the other holds the lease and ticks", took_over)
check("it logged the lease acquired", "scheduler lease acquired" in standby.logs(), standby.logs()[-800:])

# --- a third process waits while the holder lives, and takes over from a SIGTERM -----------------------------------
c = Server(OCOP, ENV, WORK, *FAST, "--now", DAY2)
time.sleep(3)  # three of its lease retries
mc = metrics(c.port)
check("a third process waits while the holder lives", mc["ocop_scheduler_leader"] == 0 and ticks(mc) == 0, mc.get(OK))
check("SIGTERM: the holder exits 0", standby.stop() == 0)
check("it logged the lease released", "scheduler stopped; lease released" in standby.logs(), standby.logs()[-800:])
check("the third takes over and ticks", wait_for("the third to tick", lambda: leader(c) and metrics(c.port).get(OK, 0) >= 1))
ref2 = json.loads(ocop(REF, "--json", "--now", DAY2, "tick").stdout)
check("the copy's second tick expired certificates", ref2["counts"].get("expire", 0) > 0, ref2["counts"])
same_as_ocop_tick(DAY2[:10])
check("the third delivers every message", wait_for("the outbox delivered", all_delivered))
n_sent = len(outbox(DB))
check("metrics: the outbox by state, counted again within seconds",
      wait_for("the outbox's counts", lambda: metrics(c.port).get('ocop_outbox_messages{state="sent"}') == n_sent
               and metrics(c.port)['ocop_outbox_messages{state="pending"}'] == 0
               and metrics(c.port)['ocop_outbox_messages{state="dead"}'] == 0, timeout=30))
mc = metrics(c.port)
check("metrics: deliveries counted", mc['ocop_scheduler_delivered_messages_total{result="sent"}'] > 0
      and mc['ocop_scheduler_deliveries_total{result="ok"}'] > 0, {k: v for k, v in mc.items() if "deliver" in k})
check("SIGTERM: the third exits 0", c.stop() == 0)

# Every message once: sent after one attempt, each e-mail and webhook call received once.
msgs = outbox(DB)
check("every message sent after one attempt", msgs and all(m["state"] == "sent" and m["attempts"] == 1 for m in msgs),
      collections.Counter((m["state"], m["attempts"]) for m in msgs))
mail = collections.Counter()
for name in os.listdir(os.path.join(WORK, "mail", "new")):
    with open(os.path.join(WORK, "mail", "new", name), "rb") as f:
        mail[email.message_from_bytes(f.read())["X-OCOP-Outbox-Id"]] += 1
want_mail = {str(m["id"]) for m in msgs if m["channel"] == "email"}
check("each e-mail arrived once", set(mail) == want_mail and all(n == 1 for n in mail.values()),
      (len(mail), len(want_mail), [k for k, n in mail.items() if n > 1][:3]))
with open(os.path.join(WORK, "hook.log"), encoding="utf-8") as f:
    hooks = collections.Counter(json.loads(x)["key"] for x in f)
want_hooks = {"ocop-%d" % m["id"] for m in msgs if m["channel"] == "webhook"}
check("each webhook call arrived once", set(hooks) == want_hooks and want_hooks and all(n == 1 for n in hooks.values()),
      (len(hooks), len(want_hooks)))

# --- --tick-from: no tick before that time of day; at it, one -----------------------------------------------------
EARLY = "2029-10-31T05:00:00+07:00"
d = Server(OCOP, ENV, WORK, *FAST, "--tick-from", "06:00", "--now", EARLY)
check("before --tick-from: the holder delivers", wait_for("a delivery run", lambda: leader(d) and deliveries(metrics(d.port)) >= 2))
check("before --tick-from: it does not tick", ticks(metrics(d.port)) == 0, metrics(d.port).get(OK))
check("SIGTERM: exits 0", d.stop() == 0)
e = Server(OCOP, ENV, WORK, *FAST, "--tick-from", "04:30", "--now", EARLY)
check("after --tick-from: it ticks", wait_for("a tick", lambda: leader(e) and metrics(e.port).get(OK, 0) >= 1))
check("SIGTERM: exits 0", e.stop() == 0)

r = ocop(DB, "--json", "audit", "verify")
check("the chain verifies", r.returncode == 0 and json.loads(r.stdout)["valid"], r.stdout[:300])
sys.exit(summary())
