#!/usr/bin/env bash
# Replica run (issue 11, item 4, the long version): three adapter replicas (Release, `dotnet <dll>`,
# Stores__Provider=Redis) on ONE simulator account, under a stream of SendSms with receipts and long inbound SMS
# injected by the simulator's control API. At half the stream one replica is SIGKILLed and started again, then the two
# others are restarted one by one (SIGTERM, start), then Redis is restarted (its append-only file keeps the data).
# After the stream, completed messageIds are published again. `replica-load` (tests/Instasent.SmppAdapter.Benchmarks)
# publishes, counts what it consumes off the broker and what the simulator accepted, and prints one line per goal:
# one distinct outcome per messageId, every receipt matched, every inbound SMS published under one stable id, segments
# accepted twice within sessions x window of the killed replica, nothing submitted again when republished, the
# account's binds within MaxBinds and its submits per second within MaxSubmitsPerSecond, the latter judged on a loopback
# capture of the simulator's port (dumpcap, tshark). Exits non-zero when a goal fails.
# Not part of ops/test.sh. Stops only what it started.
#
# The broker is the shared one on 127.0.0.1:5672 with a virtual host of its own (created here, deleted at the end);
# Redis is private to this run (started here on 6393, so it can be restarted; append-only, data in the log directory).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/processes.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/redis.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/replicas.sh [--count N] [--rate N] [--inbound N] [--republish N] [--max-submits-per-second N]
                       [--window N] [--receipt-delay S] [--drain S] [--help]

  --count                   SendSms in the stream (default 20000; every 4th is two segments, receipts asked)
  --rate                    SendSms published per second (default 150: above the budget, so the budget paces)
  --inbound                 long inbound SMS (3 parts each) injected during the stream (default 500)
  --republish               completed messageIds published again after the stream (default 1000)
  --max-submits-per-second  the account's MaxSubmitsPerSecond, shared by the replicas (default 100)
  --window                  WindowSize of each session (default 10)
  --receipt-delay           seconds from submit_sm to its receipt (default 5)
  --drain                   seconds to wait for every outcome, receipt and inbound SMS after the stream (default 600)

Each replica asks for 2 sessions; the account's MaxBinds is 4 (the simulator would accept 10), so the budget, not the
SMSC, is what holds the binds. Ports: simulator 12895 (control 18895), replicas' HTTP 18891-18893, Redis 6393; the
shared broker on 5672 (a private vhost).
USAGE
}

COUNT=20000 RATE=150 INBOUND=500 REPUBLISH=1000 MAX_RATE=100 WINDOW=10 RECEIPT_DELAY=5 DRAIN=600
while [ $# -gt 0 ]; do
  case "$1" in
    --count) positive "$1" "${2:-}"; COUNT=$2; shift 2 ;;
    --rate) positive "$1" "${2:-}"; RATE=$2; shift 2 ;;
    --inbound) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--inbound needs a whole number"; INBOUND=$2; shift 2 ;;
    --republish) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--republish needs a whole number"; REPUBLISH=$2; shift 2 ;;
    --max-submits-per-second) positive "$1" "${2:-}"; MAX_RATE=$2; shift 2 ;;
    --window) positive "$1" "${2:-}"; WINDOW=$2; shift 2 ;;
    --receipt-delay) positive "$1" "${2:-}"; RECEIPT_DELAY=$2; shift 2 ;;
    --drain) positive "$1" "${2:-}"; DRAIN=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

SIM_PORT=12895 SIM_CONTROL_PORT=18895 REPLICA_PORTS=(18891 18892 18893) REDIS_PORT=6393
SESSIONS=2 MAX_BINDS=4 ACCOUNT=replicas
SUBMIT_BATCH=$((MAX_RATE / 20 > 0 ? MAX_RATE / 20 : 1))  # the adapter's default batch (Stores__SubmitTokenBatch 0)
# The inbound SMS are spread over the stream as the budget paces it: the segments (every 4th command two) at MAX_RATE.
INBOUND_SECONDS=$(((COUNT + COUNT / 4) / MAX_RATE > COUNT / RATE ? (COUNT + COUNT / 4) / MAX_RATE : COUNT / RATE + 1))
RUN_ID=$(date +%Y%m%d%H%M%S)
VHOST=smpp-replicas-$RUN_ID
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-replicas.XXXXXX")
REPLICA_PIDS=("" "" "") REPLICA_STARTS=(0 0 0) SIMULATOR_PID="" REDIS_PID="" LOAD_PID="" CAPTURE_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local i
  [ -n "$LOAD_PID" ] && stop_pid replica-load "$LOAD_PID" 10
  [ -n "$CAPTURE_PID" ] && stop_pid dumpcap "$CAPTURE_PID" 10
  for i in 0 1 2; do [ -n "${REPLICA_PIDS[$i]}" ] && stop_pid "replica $((i + 1))" "${REPLICA_PIDS[$i]}" 45; done
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  [ -n "$REDIS_PID" ] && stop_pid redis "$REDIS_PID" 10
  vhosts_delete
  log "logs: $LOGS"
  exit "$status"
}
on_exit cleanup
log "logs: $LOGS"

# --- ports, build, broker, Redis, simulator ------------------------------------------------------------------
command -v curl >/dev/null || apt_install curl
command -v redis-server >/dev/null || apt_install redis-server
command -v tshark >/dev/null && command -v dumpcap >/dev/null || apt_install tshark
for p in "$SIM_PORT:the simulator" "$SIM_CONTROL_PORT:the simulator's control API" "$REDIS_PORT:this run's Redis" \
  "${REPLICA_PORTS[0]}:replica 1's HTTP endpoint" "${REPLICA_PORTS[1]}:replica 2's HTTP endpoint" "${REPLICA_PORTS[2]}:replica 3's HTTP endpoint"; do
  require_free_port 127.0.0.1 "${p%%:*}" "${p#*:}"
done
log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks
rabbitmq_ensure
vhost_create "$VHOST"

mkdir -p "$LOGS/redis"
REDIS_STARTS=0
start_redis() {
  REDIS_STARTS=$((REDIS_STARTS + 1))
  # In the foreground (tracked by pid, stopped by SIGTERM, which writes the append-only file out); fsync every second.
  start_bg redis "$LOGS/redis/redis.$REDIS_STARTS.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --appendonly yes \
    --appendfsync everysec --save "" --dir "$LOGS/redis"
  REDIS_PID=$BG_PID
  local i
  for ((i = 0; i < 100; i++)); do redis_ping 127.0.0.1 "$REDIS_PORT" && return 0; is_running "$REDIS_PID" || break; sleep 0.1; done
  show_log_tail redis "$LOGS/redis/redis.$REDIS_STARTS.log"
  die "Redis did not answer PING on 127.0.0.1:$REDIS_PORT within 10 s"
}
redis_keys() { redis-cli -p "$REDIS_PORT" dbsize 2>/dev/null || echo "?"; }
start_redis
log "Redis on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID, append-only, $LOGS/redis)"

start_bg simulator "$LOGS/simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account replicas:rep123:10 \
  --control-port "$SIM_CONTROL_PORT" --receipt-delay "${RECEIPT_DELAY}s" --deliver-attempts 600 --deliver-retry-delay 1s
SIMULATOR_PID=$BG_PID
wait_port 127.0.0.1 "$SIM_CONTROL_PORT" 60 "$SIMULATOR_PID" || { show_log_tail simulator "$LOGS/simulator.log"; die "the simulator is not listening after 60 s"; }

# start_replica N (0-based): the adapter with the Redis stores and the account's budgets; its log is replica-N.K.log.
start_replica() {
  local n=$1
  REPLICA_STARTS[$n]=$((REPLICA_STARTS[n] + 1))
  local -x RabbitMq__Uri="amqp://guest:guest@127.0.0.1:5672/$VHOST" Smpp__Connections__0__Password=rep123
  start_bg "replica $((n + 1))" "$LOGS/replica-$((n + 1)).${REPLICA_STARTS[$n]}.log" env \
    Http__Urls="http://127.0.0.1:${REPLICA_PORTS[$n]}" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
    Smpp__Connections__0__SystemId=$ACCOUNT Smpp__Connections__0__Sessions=$SESSIONS Smpp__Connections__0__WindowSize="$WINDOW" \
    Smpp__Connections__0__MaxBinds=$MAX_BINDS Smpp__Connections__0__MaxSubmitsPerSecond="$MAX_RATE" \
    Smpp__Connections__0__ResponseTimeout=00:00:05 Smpp__Connections__0__EnquireLinkInterval=00:00:05 \
    Smpp__Connections__0__ReconnectDelayMax=00:00:05 Smpp__Connections__0__BindFailureDelay=00:00:05 \
    Stores__Provider=Redis Stores__Redis__Configuration="127.0.0.1:$REDIS_PORT" Stores__Redis__KeyPrefix="replicas-$RUN_ID:" \
    Stores__ClaimLease=00:00:30 Adapter__RetryBudget=00:00:15 Adapter__ShutdownTimeout=00:00:10 \
    Logging__LogLevel__Microsoft.AspNetCore=Warning \
    dotnet "$ADAPTER_DLL"
  REPLICA_PIDS[$n]=$BG_PID
}
# wait_replica_ready N: /health/ready answers 200 (Healthy, or Degraded while it waits for a bind slot).
wait_replica_ready() {
  local n=$1
  wait_http_ok "http://127.0.0.1:${REPLICA_PORTS[$n]}/health/ready" 180 "${REPLICA_PIDS[$n]}" \
    || { show_log_tail "replica $((n + 1))" "$LOGS/replica-$((n + 1)).${REPLICA_STARTS[$n]}.log"; die "replica $((n + 1)) is not ready after 180 s"; }
}
for n in 0 1 2; do start_replica "$n"; done
for n in 0 1 2; do wait_replica_ready "$n"; done
log "3 replicas ready (pids ${REPLICA_PIDS[*]}): Sessions $SESSIONS x WindowSize $WINDOW each, MaxBinds $MAX_BINDS, MaxSubmitsPerSecond $MAX_RATE"

# --- the stream and the timeline -------------------------------------------------------------------------------
STARTED=$(date +%s)
since() { echo "$(($(date +%s) - STARTED)) s ($(date -u +%H:%M:%S) UTC)"; }
RESUME_FILE="$LOGS/restarts-done"
# The account's submits per second are judged on the wire: a loopback capture of the simulator's port, timestamped by
# the kernel as each submit_sm arrives (the simulator's own count is taken when it processes a PDU, which a busy
# simulator does late and in bursts: it once counted 127 in a second the capture shows held 114).
CAPTURE="$LOGS/smsc.pcapng"
start_bg dumpcap "$LOGS/dumpcap.log" dumpcap -q -i lo -f "tcp port $SIM_PORT" -w "$CAPTURE"
CAPTURE_PID=$BG_PID
for ((i = 0; i < 100; i++)); do grep -q "^Capturing on" "$LOGS/dumpcap.log" 2>/dev/null && break; is_running "$CAPTURE_PID" || break; sleep 0.1; done
is_running "$CAPTURE_PID" || { show_log_tail dumpcap "$LOGS/dumpcap.log"; die "dumpcap could not capture on lo"; }
start_bg replica-load "$LOGS/load.log" timeout $((COUNT / RATE + 2 * DRAIN + 1800)) dotnet "$BENCH_DLL" replica-load \
  --rabbitmq "amqp://127.0.0.1:5672/$VHOST" --simulator "http://127.0.0.1:$SIM_CONTROL_PORT" --system-id "$ACCOUNT" \
  --count "$COUNT" --rate "$RATE" --inbound "$INBOUND" --inbound-seconds "$INBOUND_SECONDS" --republish "$REPUBLISH" --resume-file "$RESUME_FILE" --drain "$DRAIN" \
  --max-binds "$MAX_BINDS" --max-submits-per-second "$MAX_RATE" --submit-batch "$SUBMIT_BATCH" --submits-judged-on-wire --duplicate-bound $((SESSIONS * WINDOW))
LOAD_PID=$BG_PID
log "stream: $COUNT SendSms at $RATE/s and $INBOUND long inbound SMS (replica-load pid $LOAD_PID, $LOGS/load.log)"

# Half: half of the commands have an outcome (read from the load's progress lines, every 2 s).
outcomes() { sed -nE 's/^progress .*outcomes=([0-9]+).*/\1/p' "$LOGS/load.log" | tail -n 1; }
half_bound=$((COUNT * 4 / RATE + 600))
for ((i = 0; i < half_bound; i++)); do
  [ "$(outcomes || echo 0)" -ge $((COUNT / 2)) ] 2>/dev/null && break
  is_running "$LOAD_PID" || { show_log_tail replica-load "$LOGS/load.log"; die "replica-load ended before half the stream"; }
  sleep 1
done
[ "$(outcomes || echo 0)" -ge $((COUNT / 2)) ] 2>/dev/null || die "half the stream had no outcome after $half_bound s"
TIMELINE=()
curl -fsS --max-time 5 "http://127.0.0.1:${REPLICA_PORTS[0]}/sessions" >"$LOGS/replica-1-sessions-before-kill.json" 2>/dev/null || true
kill -KILL "${REPLICA_PIDS[0]}"; wait "${REPLICA_PIDS[0]}" 2>/dev/null || true
TIMELINE+=("$(since): replica 1 SIGKILLed at $(outcomes) outcomes")
log "${TIMELINE[-1]}"
start_replica 0; wait_replica_ready 0
TIMELINE+=("$(since): replica 1 ready again")
log "${TIMELINE[-1]}"
for n in 1 2; do
  stop_pid "replica $((n + 1))" "${REPLICA_PIDS[$n]}" 60
  TIMELINE+=("$(since): replica $((n + 1)) stopped (SIGTERM)")
  log "${TIMELINE[-1]}"
  start_replica "$n"; wait_replica_ready "$n"
  TIMELINE+=("$(since): replica $((n + 1)) ready again")
  log "${TIMELINE[-1]}"
done
keys_before=$(redis_keys)
stop_pid redis "$REDIS_PID" 30
TIMELINE+=("$(since): Redis stopped (SIGTERM; $keys_before keys)")
log "${TIMELINE[-1]}"
start_redis
TIMELINE+=("$(since): Redis up again ($(redis_keys) keys loaded from the append-only file)")
log "${TIMELINE[-1]}"
TIMELINE+=("$(since): restarts over at $(outcomes) outcomes (of $COUNT)")
log "${TIMELINE[-1]}"
touch "$RESUME_FILE"

status=0
wait "$LOAD_PID" || status=$?
LOAD_PID=""
ELAPSED=$(since)
stop_pid dumpcap "$CAPTURE_PID" 10
CAPTURE_PID=""

# wire_submit_peaks: "SUBMITS PEAK1 PEAK1_AT PEAK5" from the capture: every submit_sm (command_id 4; a frame may carry
# several), the most in any 1 s and any 5 s sliding window, and when the busiest 1 s window began.
wire_submit_peaks() {
  tshark -r "$CAPTURE" -d "tcp.port==$SIM_PORT,smpp" -Y 'smpp.command_id == 0x00000004' \
    -T fields -e frame.time_epoch -e smpp.command_id -E occurrence=a 2>>"$LOGS/tshark.log" |
    awk -F'\t' '
      { k = split($2, ids, ","); for (i = 1; i <= k; i++) if (ids[i] == "0x00000004") t[n++] = $1 + 0 }
      END {
        for (i = 0; i < n; i++) {
          while (t[i] - t[a] >= 1) a++
          while (t[i] - t[b] >= 5) b++
          if (i - a + 1 > p1) { p1 = i - a + 1; at = t[a] }
          if (i - b + 1 > p5) p5 = i - b + 1
        }
        printf "%d %d %s %d\n", n, p1, strftime("%H:%M:%S", at, 1), p5
      }'
}
read -r WIRE_SUBMITS WIRE_PEAK WIRE_PEAK_AT WIRE_PEAK5 < <(wire_submit_peaks) || true
PEAK_BOUND=$((MAX_RATE + 2 * SUBMIT_BATCH + MAX_RATE / 10))

# --- the report --------------------------------------------------------------------------------------------------
echo
echo "Replica run $RUN_ID ($(date -u +%Y-%m-%dT%H:%M:%SZ)): 3 replicas x Sessions $SESSIONS x WindowSize $WINDOW on one simulator"
echo "account, Stores__Provider=Redis, MaxBinds $MAX_BINDS, MaxSubmitsPerSecond $MAX_RATE (batch $SUBMIT_BATCH); $COUNT SendSms at $RATE/s"
echo "(every 4th two segments, receipts ${RECEIPT_DELAY} s after submit), $INBOUND long inbound SMS of 3 parts; $REPUBLISH republished"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg); took $ELAPSED"
printf '  %s\n' "${TIMELINE[@]}"
grep -v '^progress' "$LOGS/load.log" || true
echo "account submits/s on the wire (capture of the simulator's port, $CAPTURE): ${WIRE_SUBMITS:-?} submit_sm; max in any 1 s window ${WIRE_PEAK:-?} (from ${WIRE_PEAK_AT:-?} UTC), MaxSubmitsPerSecond $MAX_RATE (bound: + 2 batches of $SUBMIT_BATCH + 10 % = $PEAK_BOUND); in any 5 s window ${WIRE_PEAK5:-?}"
if [[ ${WIRE_PEAK:-} =~ ^[0-9]+$ ]] && [ "${WIRE_SUBMITS:-0}" -gt 0 ] && [ "$WIRE_PEAK" -le "$PEAK_BOUND" ]; then
  echo "goal met   : submits per second within MaxSubmitsPerSecond (on the wire)"
else
  echo "goal FAILED: submits per second within MaxSubmitsPerSecond (on the wire; no capture read counts as failed: $LOGS/tshark.log)"
  [ "$status" -ne 0 ] || status=1
fi
echo "result_wire submits=${WIRE_SUBMITS:-0} peak_submits_per_s=${WIRE_PEAK:-?} peak_bound=$PEAK_BOUND peak_submits_per_5s=${WIRE_PEAK5:-?}"
[ "$status" -eq 0 ] || log "replica-load exited with $status, or the wire's submits per second exceeded the bound (a goal failed, or it could not finish)"
exit "$status"
