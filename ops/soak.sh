#!/usr/bin/env bash
# Soak run (issue 10, item 8): the adapter as a real process (Release, `dotnet <dll>`, Redis stores) against the
# simulator, at a steady rate with receipts for --minutes (default 10), sampling every ~30 s the adapter's RSS,
# threads, open file descriptors (/proc) and GC heap (the runtime metrics on its /metrics endpoint). Prints the
# samples, the slopes of RSS and GC heap over the second half (least squares, MiB per 10 minutes) and a verdict, and
# the load's own counts (published, outcomes, receipts, lost). Not part of ops/test.sh. Stops only what it started.
#
# The broker is the shared one on 127.0.0.1:5672 with a virtual host of its own (created here, deleted at the end);
# Redis is a private one on 6392 (so the adapter's stores live outside the process, as in production).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/processes.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
REDIS_PORT=${SOAK_REDIS_PORT:-6392}
. "$(dirname "$0")/lib/redis.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/soak.sh [--minutes M] [--rate N] [--interval S] [--max-slope MIB] [--help]

  --minutes    how long the load runs (default 10)
  --rate       SendSms per second (default 20; every 4th is two segments; receipts 1 s after submit)
  --interval   seconds between samples (default 30)
  --max-slope  the verdict's bound on the RSS and GC heap slopes over the second half, MiB per 10 minutes (default 10)

Ports: simulator 12795 (control 18795), adapter HTTP 18796, Redis 6392; the shared broker on 5672 (a private vhost).
USAGE
}

MINUTES=10 RATE=20 INTERVAL=30 MAX_SLOPE=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) positive "$1" "${2:-}"; MINUTES=$2; shift 2 ;;
    --rate) positive "$1" "${2:-}"; RATE=$2; shift 2 ;;
    --interval) positive "$1" "${2:-}"; INTERVAL=$2; shift 2 ;;
    --max-slope) positive "$1" "${2:-}"; MAX_SLOPE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

SIM_PORT=12795 SIM_CONTROL_PORT=18795 ADAPTER_PORT=18796
RUN_ID=$(date +%Y%m%d%H%M%S)
VHOST=smpp-soak-$RUN_ID
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-soak.XXXXXX")
ADAPTER_PID="" SIMULATOR_PID="" LOAD_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$LOAD_PID" ] && stop_pid chaos-load "$LOAD_PID" 10
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  vhosts_delete
  redis_stop_if_ours
  rabbitmq_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
on_exit cleanup
log "logs: $LOGS"

command -v curl >/dev/null || apt_install curl
require_free_port 127.0.0.1 "$SIM_PORT" "the simulator"
require_free_port 127.0.0.1 "$SIM_CONTROL_PORT" "the simulator's control API"
require_free_port 127.0.0.1 "$ADAPTER_PORT" "the adapter's HTTP endpoint"
log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks
rabbitmq_ensure
redis_ensure
vhost_create "$VHOST"

start_bg simulator "$LOGS/simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account soak:soak123:4 \
  --control-port "$SIM_CONTROL_PORT" --receipt-delay 1s --deliver-attempts 300 --deliver-retry-delay 1s
SIMULATOR_PID=$BG_PID
wait_port 127.0.0.1 "$SIM_CONTROL_PORT" 60 "$SIMULATOR_PID" || { show_log_tail simulator "$LOGS/simulator.log"; die "the simulator is not listening after 60 s"; }
start_adapter() {
  # The credentials go through the environment (local -x: exported to this call's children only), not env's arguments.
  local -x RabbitMq__Uri="amqp://guest:guest@127.0.0.1:5672/$VHOST" Smpp__Connections__0__Password=soak123
  start_bg adapter "$LOGS/adapter.log" env Http__Urls="http://127.0.0.1:$ADAPTER_PORT" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
    Smpp__Connections__0__SystemId=soak Smpp__Connections__0__Sessions=2 Smpp__Connections__0__WindowSize=10 \
    Stores__Provider=Redis Stores__Redis__Configuration="127.0.0.1:$REDIS_PORT" Stores__Redis__KeyPrefix="soak-$RUN_ID:" \
    Logging__LogLevel__Microsoft.AspNetCore=Warning dotnet "$ADAPTER_DLL"
  ADAPTER_PID=$BG_PID
}
start_adapter
wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/ready" 120 "$ADAPTER_PID" || { show_log_tail adapter "$LOGS/adapter.log"; die "the adapter is not ready after 120 s"; }
log "adapter ready (pid $ADAPTER_PID); load: $RATE SendSms/s for $MINUTES min"

start_bg chaos-load "$LOGS/load.log" timeout $((MINUTES * 60 + 300)) dotnet "$BENCH_DLL" chaos-load \
  --rabbitmq "amqp://127.0.0.1:5672/$VHOST" --rate "$RATE" --seconds $((MINUTES * 60)) --drain 120 \
  --label soak --simulator "http://127.0.0.1:$SIM_CONTROL_PORT" --progress 60
LOAD_PID=$BG_PID

# GC heap: the runtime metrics the adapter exports (System.Runtime on .NET 9+: the heap size after the last GC, summed
# over generations; older runtime instrumentation: objects size); empty when neither is there.
gc_heap_bytes() {
  curl -fsS --max-time 5 "http://127.0.0.1:$ADAPTER_PORT/metrics" 2>/dev/null \
    | awk '/^dotnet_gc_last_collection_heap_size_bytes/ { a += $NF; na++ } /^process_runtime_dotnet_gc_objects_size_bytes/ { b += $NF; nb++ }
           END { if (na) printf "%.0f", a; else if (nb) printf "%.0f", b }'
}
SAMPLES="$LOGS/samples.tsv"
: >"$SAMPLES"
printf '%6s %9s %8s %5s %10s\n' "t s" "RSS MiB" threads fds "heap MiB"
started=$(date +%s)
end=$((started + MINUTES * 60))
while is_running "$LOAD_PID" && [ "$(date +%s)" -le "$end" ]; do
  t=$(($(date +%s) - started))
  rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$ADAPTER_PID/status")
  threads=$(awk '/^Threads/ { print $2 }' "/proc/$ADAPTER_PID/status")
  fds=$(find "/proc/$ADAPTER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  heap=$(gc_heap_bytes)
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$rss_kb" "$threads" "$fds" "${heap:-}" >>"$SAMPLES"
  awk -F'\t' -v OFS=' ' 'END { printf "%6d %9.1f %8d %5d %10s\n", $1, $2 / 1024, $3, $4, ($5 == "" ? "-" : sprintf("%.1f", $5 / 1048576)) }' "$SAMPLES"
  sleep "$INTERVAL"
done
log "load published for $MINUTES min; waiting for its outcomes and receipts"
wait "$LOAD_PID" || log "chaos-load exited with $?"
LOAD_PID=""
grep -v '^progress' "$LOGS/load.log"

# slope COLUMN: least-squares slope over the second half of the samples, in MiB per 10 minutes (COLUMN in KiB or bytes).
slope() {
  awk -F'\t' -v c="$1" -v unit="$2" '{ t[NR] = $1; v[NR] = $c } END {
    n = 0; for (i = int(NR / 2) + 1; i <= NR; i++) if (v[i] != "") { n++; x = t[i]; y = v[i] / unit; sx += x; sy += y; sxx += x * x; sxy += x * y }
    if (n < 3 || n * sxx == sx * sx) { print "n/a"; exit }
    printf "%.2f", (n * sxy - sx * sy) / (n * sxx - sx * sx) * 600 }' "$SAMPLES"
}
rss_slope=$(slope 2 1024) heap_slope=$(slope 5 1048576)
range() { awk -F'\t' -v c="$1" 'NR > 1 && $c != "" { if (min == "" || $c < min) min = $c; if ($c > max) max = $c } END { print min "-" max }' "$SAMPLES"; }
echo
echo "Soak $RUN_ID: $RATE SendSms/s for $MINUTES min with receipts, samples every $INTERVAL s ($(wc -l <"$SAMPLES") samples);"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "second half slope, MiB per 10 min: RSS $rss_slope, GC heap $heap_slope (bound: $MAX_SLOPE)"
echo "threads over the run (after the first sample): $(range 3); file descriptors: $(range 4)"
flat() { [ "$1" != n/a ] && awk -v s="$1" -v m="$MAX_SLOPE" 'BEGIN { exit !(s <= m) }'; }
lost=$(sed -nE 's/^row .*\blost=([0-9]+).*/\1/p' "$LOGS/load.log")
if flat "$rss_slope" && flat "$heap_slope" && [ "${lost:-1}" = 0 ]; then
  echo "verdict: FLAT (RSS and GC heap grow less than $MAX_SLOPE MiB per 10 min over the second half; nothing lost)"
else
  echo "verdict: NOT FLAT or something lost (RSS $rss_slope, heap $heap_slope MiB per 10 min; lost ${lost:-unknown})"
  exit 1
fi
