"""Helpers for the tests that run `ocop serve` (imported; not a test itself): the counters and
check(), a serve process on an ephemeral port, HTTP requests, and /metrics read as numbers.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import time

passed = 0
failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, str(detail)[:600])
    return ok


def summary():
    """Prints "N passed, M failed"; the exit code for the script."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


class Server:
    """`ocop serve` on 127.0.0.1:0 with `extra` arguments; its log (stderr) in a file under `work`."""

    def __init__(self, ocop, env, work, *extra, config=None):
        self.log = open(os.path.join(work, "serve-%d.log" % time.time_ns()), "w+")
        cfg = ["--config", config] if config else []
        self.proc = subprocess.Popen(
            [ocop, "serve", *cfg, "--listen", "127.0.0.1:0", "--read-timeout-ms", "1500",
             "--idle-timeout-ms", "4000", *extra],
            env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.log.seek(0)
            raise SystemExit("serve did not start: %r %s" % (line, self.log.read()[-2000:]))
        self.port = int(m.group(1))

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "hung"


def request(port, method, path, body=None, headers=None, raw=False, bearer=None):
    """One request on a fresh connection: (status, lower-cased headers, JSON or text or bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if bearer:
        h["Authorization"] = "Bearer " + bearer
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    if raw:
        return r.status, hdrs, data
    try:
        j = json.loads(data) if data else None
    except ValueError:
        j = data.decode("utf-8", "replace")
    return r.status, hdrs, j


def metrics(port):
    """GET /metrics as {'name' or 'name{labels}': value}."""
    st, _, body = request(port, "GET", "/metrics", raw=True)
    if st != 200:
        raise RuntimeError("/metrics answered %d" % st)
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def wait_for(what, condition, timeout=60, every=0.2):
    """Polls condition() until it is true (returns True) or `timeout` seconds pass (False).
    A bound for a test that would otherwise hang, never a measurement."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return True
        except (OSError, http.client.HTTPException, RuntimeError, KeyError):
            pass
        time.sleep(every)
    print("(gave up waiting for %s after %d s)" % (what, timeout))
    return False
