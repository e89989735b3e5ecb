# Real receivers for the delivery tests (sourced; not a test itself): an aiosmtpd SMTP server
# whose mail lands in the Maildir $WORK/mail, and lib/webhook_receiver.py, which checks each
# request's HMAC with the secret in $OCOP_TEST_SECRET and logs it to $WORK/hook.log. The script
# sets WORK, PY (a python3 with aiosmtpd) and LIB, and SMTP_PID= HOOK_PID= for its cleanup.
# After start_receivers: SMTP_PORT, HOOK_PORT, SMTP_PID, HOOK_PID are set.

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
