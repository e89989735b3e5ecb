#!/usr/bin/env python3
"""Checks a database that `ocop serve` filled from an event file against the one `ocop import`
made from the same file (bench/serve.sh): dossiers by state and certificates by stars as the
generator computed them (OUTCOME.json), every certificate, and every dossier's audit records
(time, actor, role, event, states, level, data: in the order they were appended to the dossier;
the chain's order across dossiers differs, since several connections write at once), and that
the chain verifies. Uses the ocop binary $OCOP_BIN. Prints one line; exits 1 on a difference.

    serve_verify.py IMPORT_DB_URL SERVE_DB_URL OUTCOME.json
"""
import collections
import json
import os
import subprocess
import sys

OCOP = os.environ.get("OCOP_BIN", "build/ocop")


def ocop(db, *args):
    r = subprocess.run([OCOP, "--db", db, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("FAIL: ocop %s: %s" % (" ".join(args), r.stderr[-500:]))
    return r.stdout


def state(db, dossiers):
    report = json.loads(ocop(db, "--json", "report"))
    certificates = sorted(json.dumps(c, sort_keys=True) for c in json.loads(ocop(db, "--json", "certificates")))
    trails = collections.defaultdict(list)
    for line in ocop(db, "audit", "export", "--format", "jsonl").splitlines():
        r = json.loads(line)
        if r["dossier"] in dossiers:
            trails[r["dossier"]].append((r["at"], r["actor"], r["role"], r["event"], r["from"], r["to"], r["level"],
                                         json.dumps(r.get("data"), sort_keys=True)))
    verify = json.loads(ocop(db, "--json", "audit", "verify"))
    return report, certificates, trails, verify


def main():
    imported_db, served_db, outcome = sys.argv[1:4]
    want = json.load(open(outcome))
    ids = {d["id"] for d in json.loads(ocop(imported_db, "--json", "list"))}
    ri, ci, ti, vi = state(imported_db, ids)
    rs, cs, ts, vs = state(served_db, ids)
    problems = []
    stars = {str(k): v for k, v in rs["certificates_by_stars"].items()}
    if rs["dossiers_by_state"] != want["dossiers_by_state"] or stars != want["certificates_by_stars"]:
        problems.append("not the generator's outcome: %s" % rs["dossiers_by_state"])
    if rs["dossiers_by_state"] != ri["dossiers_by_state"]:
        problems.append("dossiers by state differ from the import's")
    if cs != ci:
        problems.append("certificates differ (%d against %d)" % (len(cs), len(ci)))
    differ = [d for d in ids if ts.get(d) != ti.get(d)]
    if differ:
        problems.append("%d dossiers' audit records differ, e.g. %s" % (len(differ), sorted(differ)[:3]))
    if not vs.get("valid"):
        problems.append("the chain does not verify: %s" % vs)
    records = sum(len(t) for t in ts.values())
    if problems:
        print("FAIL: " + "; ".join(problems))
        sys.exit(1)
    print("same as the import: %d dossiers %s, %d certificates, %d audit records of dossiers; chain valid (%d records)"
          % (len(ids), dict(sorted(rs["dossiers_by_state"].items())), len(cs), records, vs.get("records", 0)))


if __name__ == "__main__":
    main()
