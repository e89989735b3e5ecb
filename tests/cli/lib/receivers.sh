# Real receivers for the delivery tests (sourced; not a test itself): an aiosmtpd SMTP server
# whose mail lands in the Maildir $WORK/mail, and lib/webhook_receiver.py, which checks each
# request's HMAC with the secret in $OCOP_TEST_SECRET and logs it to $WORK/hook.log. The script
# sets LIB, sources this file before it makes WORK (without aiosmtpd the script ends here,
# skipped: 77), and calls stop_receivers in its cleanup. PY is Debian's python3, the one that
# sees python3-aiosmtpd. After start_receivers: SMTP_PORT, HOOK_PORT, SMTP_PID, HOOK_PID are set.
PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  echo "SKIP: $PY cannot import aiosmtpd (install python3-aiosmtpd: scripts/setup.sh)"
  exit 77
fi
SMTP_PID=
HOOK_PID=

stop_receivers() {
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null
  [ -n "$HOOK_PID" ] && kill "$HOOK_PID" 2>/dev/null
  wait 2>/dev/null
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_receivers() {
  mkdir -p "$WORK/hook"  # not mail/: aiosmtpd makes its Maildir (new/, cur/, tmp/) only when it is absent
  for _try in 1 2 3; do
    SMTP_PORT=$(free_port)
    "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/mail" 2>"$WORK/smtp.err" &
    SMTP_PID=$!
    for _ in $(seq 50); do
      "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 0.2)" 2>/dev/null && break
      sleep 0.1
    done
    kill -0 "$SMTP_PID" 2>/dev/null && break
    SMTP_PID=
  done
  if [ -z "$SMTP_PID" ]; then echo "FAIL: aiosmtpd did not start"; cat "$WORK/smtp.err"; exit 1; fi
  "$PY" "$LIB/webhook_receiver.py" --port-file "$WORK/hook.port" --log "$WORK/hook.log" --state "$WORK/hook" \
    --secret-env OCOP_TEST_SECRET &
  HOOK_PID=$!
  for _ in $(seq 50); do [ -s "$WORK/hook.port" ] && break; sleep 0.1; done
  HOOK_PORT=$(cat "$WORK/hook.port")
  touch "$WORK/hook.log"
}
