#!/usr/bin/env bash
# Checks the README's run command without a terminal: `ops/run.sh --no-wait` must bring everything up, show every
# sample's outcome and receipts and the inbound message, exit 0 and leave nothing it started behind; and a busy
# port must stop it at once with a line naming the port. Needs the ports run.sh uses (2775, 8775, 8080) free.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/processes.sh"
ROOT=$(repo_root)
cd "$ROOT"

OUT=$(mktemp)
HOLDER_PID=""
trap 'rm -f "$OUT"; [ -z "$HOLDER_PID" ] || kill "$HOLDER_PID" 2>/dev/null || true' EXIT
failures=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
count() { grep -cE "$1" "$OUT" || true; }

log "ops/run.sh --no-wait (bounded to 5 minutes)"
status=0
timeout 300 ops/run.sh --no-wait >"$OUT" 2>&1 || status=$?
sed 's/^/    /' "$OUT"

check "exits 0" test "$status" -eq 0
check "prints where its logs are" grep -q '^==> logs: ' "$OUT"
check "shows both sessions bound" test "$(count ' session-bound +instasent ')" -ge 2
for sample in gsm7 latin9 ucs2; do
  check "$sample: submitted in 1 segment" test "$(count " submitted +demo-[0-9]+-$sample segments=1 ")" -eq 1
  check "$sample: its receipt, DELIVRD" test "$(count " delivery +demo-[0-9]+-$sample DELIVRD .*segment=1/1 ")" -eq 1
done
check "long: submitted in 3 segments" test "$(count ' submitted +demo-[0-9]+-long segments=3 ')" -eq 1
check "long: a receipt per segment" test "$(count ' delivery +demo-[0-9]+-long DELIVRD .*segment=[123]/3 ')" -eq 3
check "the inbound message" test "$(count ' inbound .* text="Got it, thanks! \(an inbound SMS\)"')" -eq 1
# Stopped on SIGTERM by run.sh's cleanup: a host that throws on its way out (as one did when it read a disposed
# service provider after the run) would exit non-zero with the run itself still green.
LOGDIR=$(sed -n 's/^==> logs: //p' "$OUT" | head -n 1)
check "the adapter stopped on SIGTERM without an unhandled exception" \
  bash -c "[ -s '$LOGDIR/adapter.log' ] && ! grep -q 'Unhandled exception' '$LOGDIR/adapter.log'"
for port in 2775 8775 8080; do
  check "nothing left on port $port" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
done

log "ops/run.sh with port 8080 taken"
python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",8080)); s.listen(); time.sleep(120)' &
HOLDER_PID=$!
for _ in $(seq 1 50); do port_open 127.0.0.1 8080 && break; sleep 0.1; done
status=0
timeout 60 ops/run.sh --no-wait >"$OUT" 2>&1 || status=$?
sed 's/^/    /' "$OUT"
check "a busy port fails the run" test "$status" -ne 0
check "the error names the port and its user" grep -q 'port 127.0.0.1:8080 (needed by the adapter.s HTTP endpoint (Http__Urls)) is already in use' "$OUT"
check "nothing was started before it failed" bash -c "! grep -q 'starting the' '$OUT'"

[ "$failures" -eq 0 ] && log "all checks passed" || die "$failures check(s) failed"
