# A workload for the scheduler tests (sourced; not a test itself). The script sets WORK, PY (a
# python3 with aiosmtpd), REPO, and has started the receivers (lib/receivers.sh: SMTP_PORT,
# HOOK_PORT).
#
# tick_workload DOSSIERS: writes $WORK/events.jsonl, a generated workload (bench/gen_workload.py,
# 5 communes) in which one dossier in five stops after `register`, so that it sits in
# `submitted` from 2026 on and is due for the stalled digests and their escalations, and
# $WORK/province.yaml, the tests' copy of the generated configuration
# (tests/data/config/gen_workload.yaml: 5 communes plus the scheduler's user) with SMTP on the
# receiver's port and a webhook signed with $OCOP_TEST_SECRET; exports OCOP_CONFIG and TOTAL
# (the events' count).
tick_workload() {
  python3 "$REPO/bench/gen_workload.py" --dossiers "$1" --communes 5 --events "$WORK/all.jsonl" --config "$WORK/gen.yaml" >/dev/null
  "$PY" - "$REPO/tests/data/config/gen_workload.yaml" "$WORK/province.yaml" "$SMTP_PORT" "$HOOK_PORT" <<'PY'
import re, sys
src, dst, smtp, hook = sys.argv[1:]
text = open(src, encoding="utf-8").read()
text, n = re.subn(r"(?m)^  smtp: \{url: \"smtp://127\.0\.0\.1:2525\", (from: [^}]*)\}$",
                  f'  smtp: {{url: "smtp://127.0.0.1:{smtp}", \\1}}\n'
                  f'  webhook: {{url: "http://127.0.0.1:{hook}/ok", secret_env: OCOP_TEST_SECRET}}', text)
assert n == 1, "no channels.smtp line to replace"
open(dst, "w", encoding="utf-8").write(text)
PY
  export OCOP_CONFIG="$WORK/province.yaml"
  python3 - "$WORK/all.jsonl" "$WORK/events.jsonl" <<'PY'
import json, sys
stopped, done = set(), set()
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        e = json.loads(line)
        d = e.get("dossier") or e.get("data", {}).get("id")
        if int(d.rsplit("-", 1)[1]) % 5 == 0:
            if d in done: continue
            if e["event"] == "register": done.add(d)
        out.write(line)
PY
  TOTAL=$(wc -l <"$WORK/events.jsonl")
}
