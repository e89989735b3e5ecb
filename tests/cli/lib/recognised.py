"""Writes an event file (spec §9) that takes dossiers from `register` to a province certificate.

For the CLI scripts after recognition (sourced by none; run as a program):
    python3 recognised.py OUT.jsonl '[{"id": ..., "unit": ..., "producer": ..., "stars": 3|4}, ...]'
Each dossier goes register -> accept_dossier (commune) -> forward -> accept_dossier (province,
round 2026-1) -> score by five members -> close_scoring -> recognize, as tests/integration's
certificate_for does, in the test province (tests/data/config/gen_workload.yaml). Events are ten
minutes apart from 2026-03-02 08:00 (+07:00); the certificate is issued on 2026-03-10 (the
decision's date) and is valid until 2029-03-10. A 4★ dossier scores 80 points, a 3★ one 60.
"""
import datetime
import json
import sys

POINTS = {3: {"A": 25, "B": 15, "C": 20}, 4: {"A": 32, "B": 20, "C": 28}}
DOCS = [{"kind": k, "name": k + ".pdf", "sha256": str(i) * 64, "bytes": 10}
        for i, k in enumerate(["registration_form", "self_assessment"], 1)]


def main(out_path, spec):
    lines = []
    start = datetime.datetime(2026, 3, 2, 8, 0)

    def ev(event, actor, dossier=None, data=None):
        at = start + datetime.timedelta(minutes=10 * len(lines))
        e = {"key": "r-%05d" % len(lines), "event": event, "actor": actor, "at": at.isoformat() + "+07:00"}
        if dossier:
            e["dossier"] = dossier
        if data is not None:
            e["data"] = data
        lines.append(e)

    for d in spec:
        c = d["unit"].lower()
        ev("register", "producer." + c, data={
            "id": d["id"], "product": d.get("product", "Sản phẩm " + d["id"]), "product_set": "tea",
            "producer": d["producer"], "unit": d["unit"], "registration_type": "new", "documents": DOCS})
        ev("accept_dossier", "officer." + c, d["id"])
        ev("forward", "officer." + c, d["id"])
        ev("accept_dossier", "coordinator", d["id"], {"round": "2026-1"})
        for m in range(1, 6):
            ev("score", "member.%d" % m, d["id"], POINTS[d.get("stars", 4)])
        ev("close_scoring", "chair", d["id"])
        ev("recognize", "signer", d["id"], {"decision_no": "1187/QĐ-UBND", "decision_date": "2026-03-10"})
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines))
    print(len(lines))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
