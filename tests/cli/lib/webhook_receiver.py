"""A real HTTP receiver for the notification tests (standard library only; not a test itself).

Listens on 127.0.0.1 on a free port (written to --port-file once it listens) and appends one
JSON line per request to --log: path, Idempotency-Key, whether the X-OCOP-Signature header is the
HMAC-SHA256 of the body under the secret in the environment variable --secret-env, how many
times this key was seen (a repeat is recognised by its key, as a real receiver would dedupe),
the status answered and the body. What it answers depends on the path:

  /ok      200
  /flaky   503 for the first two requests of a key, then 200
  /down    500, until the file STATE/recovered exists, then 200
  /slow    the first request of a key is logged, then answered 200 only after 4 seconds (the
           test kills the sender meanwhile); later requests of that key at once
  other    404
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
seen = {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):  # quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        key = self.headers.get("Idempotency-Key", "")
        sig = self.headers.get("X-OCOP-Signature", "")
        secret = os.environ.get(args.secret_env, "").encode()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        with lock:
            seen[(self.path, key)] = seen.get((self.path, key), 0) + 1
            n = seen[(self.path, key)]
        if self.path == "/ok":
            status = 200
        elif self.path == "/flaky":
            status = 503 if n < 3 else 200
        elif self.path == "/down":
            status = 200 if os.path.exists(os.path.join(args.state, "recovered")) else 500
        elif self.path == "/slow":
            status = 200
        else:
            status = 404
        try:
            text = body.decode("utf-8")
            parsed = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            parsed = None
        record = {"path": self.path, "key": key, "n": n, "status": status,
                  "signature_ok": bool(secret) and hmac.compare_digest(sig, expected),
                  "content_type": self.headers.get("Content-Type", ""), "body": parsed}
        with lock, open(args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.path == "/slow" and n == 1:
            time.sleep(4)
        reply = b"ok" if status == 200 else b"unavailable"
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--secret-env", required=True)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
