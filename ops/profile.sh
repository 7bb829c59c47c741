#!/usr/bin/env bash
# Profile run: where the adapter's and the broker's CPU per command goes, with receipts. Starts the simulator and one
# adapter (Sessions 2 x WindowSize 50, DOTNET_PerfMapEnabled=1) on a virtual host of its own with RabbitMQ's firehose
# on, warms up, then during one `bus-load --receipts` run records:
#   perf.adapter.txt / perf.broker.txt  `perf record -g` of the adapter and of beam.smp: CPU by DSO and top symbols
#   counters.csv                        dotnet-counters (System.Runtime: allocations, GC, thread pool, contention)
#   broker-trace.txt                    every publish and delivery of the run by exchange/queue, per command, sizes
#   segments.txt                        TCP segments the adapter sent per command on each connection (ss -ti)
# The firehose and perf cost CPU themselves: read counts, sizes and shares from this run, timings from ops/load.sh.
# Stops only what it started. Not part of ops/test.sh.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/processes.sh"
ROOT=$(repo_root)
cd "$ROOT"

COUNT=${1:-10000} WARMUP=${2:-3000}
[[ $COUNT =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[1-9][0-9]*$ ]] || die "usage: ops/profile.sh [COUNT (10000)] [WARMUP (3000)]"
SIM_PORT=${PROFILE_SIMULATOR_PORT:-12776} SIM_CONTROL_PORT=${PROFILE_SIMULATOR_CONTROL_PORT:-18777} ADAPTER_PORT=${PROFILE_ADAPTER_PORT:-18082}
VHOST=smpp-profile-$(date +%Y%m%d%H%M%S)-$$
# No user or password here: this URI reaches the bench tools' command lines. Every client (MassTransit, RabbitMQ.Client)
# then logs in as guest, the local broker's loopback-only default user.
BROKER=amqp://127.0.0.1:5672
TOOLS=$ROOT/.artifacts/tools
OUT=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-profile.XXXXXX")
SIMULATOR_PID="" ADAPTER_PID="" TRACE_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$TRACE_PID" ] && stop_pid broker-trace "$TRACE_PID" 10
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  vhosts_delete
  rabbitmq_stop_if_ours
  log "output: $OUT"
  exit "$status"
}
on_exit cleanup

command -v perf >/dev/null || apt_install linux-perf
[ -x "$TOOLS/dotnet-counters" ] || dotnet tool install --tool-path "$TOOLS" dotnet-counters --version 10.0.750501 >/dev/null
require_free_port 127.0.0.1 "$SIM_PORT" "the simulator (PROFILE_SIMULATOR_PORT)"
require_free_port 127.0.0.1 "$ADAPTER_PORT" "the adapter (PROFILE_ADAPTER_PORT)"
rabbitmq_ensure
vhost_create "$VHOST"
rmqctl trace_on -p "$VHOST" >/dev/null
build_release "$OUT/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks

start_bg simulator "$OUT/simulator.log" dotnet src/Instasent.SmppAdapter.Simulator/$BIN/Instasent.SmppAdapter.Simulator.dll --port "$SIM_PORT" \
  --account load:load123:10 --control-port "$SIM_CONTROL_PORT" --receipt-delay 100ms
SIMULATOR_PID=$BG_PID
wait_port 127.0.0.1 "$SIM_PORT" 30 "$SIMULATOR_PID" || die "the simulator is not listening"
# W^X off as well: with it on, JIT code runs from an anonymous double mapping that perf cannot name.
# The SMPP password through the environment of start_bg (bash exports it to the function's children), not env's arguments.
Smpp__Connections__0__Password=load123 start_bg adapter "$OUT/adapter.log" env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  RabbitMq__Uri="$BROKER/$VHOST" Http__Urls="http://127.0.0.1:$ADAPTER_PORT" \
  Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
  Smpp__Connections__0__SystemId=load \
  Smpp__Connections__0__Sessions=2 Smpp__Connections__0__WindowSize=50 Smpp__Connections__0__MaxSubmitsPerSecond=0 \
  Logging__LogLevel__Microsoft.AspNetCore=Warning dotnet src/Instasent.SmppAdapter/$BIN/Instasent.SmppAdapter.dll
ADAPTER_PID=$BG_PID
wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/ready" 60 "$ADAPTER_PID" || die "the adapter is not ready ($OUT/adapter.log)"
BROKER_PID=$(ss -ltnpH 'sport = :5672' | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)

log "warm-up: $WARMUP SendSms with receipts"
dotnet "$BENCH_DLL" bus-load --rabbitmq "$BROKER/$VHOST" --count "$WARMUP" --label warmup --receipts >"$OUT/warmup.log" 2>&1

start_bg broker-trace "$OUT/broker-trace.txt" dotnet "$BENCH_DLL" broker-trace --rabbitmq "$BROKER/$VHOST" --commands "$COUNT" --seconds 900
TRACE_PID=$BG_PID
wait_file_line "$OUT/broker-trace.txt" '^broker-trace ready' 30 "$TRACE_PID" || die "broker-trace did not start"
log "profiling one run of $COUNT SendSms with receipts (adapter $ADAPTER_PID, broker $BROKER_PID)"
# perf samples a fixed PERF_SECONDS from the start of the run (which lasts longer), so it ends by itself, cleanly: an
# interrupted `perf record -p` of the adapter has left unreadable files behind.
PERF_SECONDS=${PROFILE_PERF_SECONDS:-20}
(perf record -F 499 -g -o "$OUT/perf.adapter.data" -p "$ADAPTER_PID" -- sleep "$PERF_SECONDS"; echo "perf record exit status $?") >"$OUT/perf.adapter.log" 2>&1 &
PERF_ADAPTER=$!
(perf record -F 499 -g -o "$OUT/perf.broker.data" -p "$BROKER_PID" -- sleep "$PERF_SECONDS"; echo "perf record exit status $?") >"$OUT/perf.broker.log" 2>&1 &
PERF_BROKER=$!
timeout 600 "$TOOLS/dotnet-counters" collect -p "$ADAPTER_PID" --counters System.Runtime --refresh-interval 1 --format csv -o "$OUT/counters.csv" >/dev/null 2>&1 &
COUNTERS=$!
ss -tinpH >"$OUT/sockets.before"
dotnet "$BENCH_DLL" bus-load --rabbitmq "$BROKER/$VHOST" --count "$COUNT" --label profile --receipts >"$OUT/run.log" 2>&1 || log "the run failed: $OUT/run.log"
ss -tinpH >"$OUT/sockets.after"
kill -INT "$COUNTERS" 2>/dev/null || true
for pid in "$PERF_ADAPTER" "$PERF_BROKER" "$COUNTERS"; do wait "$pid" 2>/dev/null || true; done
stop_pid broker-trace "$TRACE_PID" 10
TRACE_PID=""

# perf_top FILE SORT LINES: perf's flat report (self time), without comments; the head ends the pipe early, so || true.
perf_top() { perf report -i "$1" --no-children --sort "$2" --stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$' | head -n "$3" || true; }
for who in adapter broker; do
  { echo "# CPU by DSO"; perf_top "$OUT/perf.$who.data" dso 15; echo "# top symbols (self)"; perf_top "$OUT/perf.$who.data" dso,sym 80; } >"$OUT/perf.$who.txt"
done
# The adapter's self time grouped by the assembly of JIT-compiled frames ("[.] object [MassTransit] ...") or the DSO.
perf report -i "$OUT/perf.adapter.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$' | awk '
{ pct = $1; sub(/%/, "", pct); group = $2
  if ($2 == "[JIT]") {
    rest = $0; sub(/^.*\[\.\] /, "", rest)
    if (match(rest, /^[^[(]*\[[^]]+\]/)) { g = substr(rest, RSTART, RLENGTH); sub(/^.*\[/, "", g); sub(/\]$/, "", g); group = g } else group = "JIT stubs"
  }
  sum[group] += pct }
END { for (g in sum) printf "%6.2f%%  %s\n", sum[g], g }' | sort -rn | head -n 25 >"$OUT/perf.adapter.groups.txt" || true
# The adapter's allocations, GCs and thread-pool work over the run (dotnet-counters' rates summed over its 1 s samples).
awk -F, -v n="$COUNT" '$3 ~ /total_allocated|gc.collections|work_item.count|lock_contentions|cpu.time/ { s[$3] += $5 }
  END { for (k in s) printf "%-70s %14.1f  per command %10.2f\n", k, s[k], s[k] / n }' "$OUT/counters.csv" | sort >"$OUT/counters.txt"
# TCP segments the adapter sent per command on each of its connections (the kernel's counters, from ss -ti): how many
# sends a command costs, and what the peer has to read. Sockets opened during the run are not counted.
sockets() { awk -v pid="pid=$ADAPTER_PID," '/^[A-Z]/ { key = ""; if (index($0, pid)) key = $4 " " $5; next }
  key != "" { so = 0; b = 0; for (i = 1; i <= NF; i++) { if ($i ~ /^segs_out:/) so = substr($i, 10); if ($i ~ /^bytes_sent:/) b = substr($i, 12) }
    print key, so, b; key = "" }' "$1"; }
join <(sockets "$OUT/sockets.before" | awk '{ print $1 "|" $2, $3, $4 }' | sort) <(sockets "$OUT/sockets.after" | awk '{ print $1 "|" $2, $3, $4 }' | sort) |
  awk -v n="$COUNT" -v sim=":$SIM_PORT" '{ split($1, ends, "|"); segs = $4 - $2; bytes = $5 - $3; if (segs < n / 100) next
    peer = ends[2] ~ /:5672$/ ? "broker" : (index(ends[2], sim) ? "simulator" : ends[2])
    printf "%-10s %-28s segments per command %5.2f  bytes per segment %6.0f\n", peer, ends[1], segs / n, bytes / segs }' >"$OUT/segments.txt" || true
cat "$OUT/run.log"
echo "--- broker: every publish and delivery during the run ---"
cat "$OUT/broker-trace.txt"
echo "--- adapter: TCP segments sent per command, by connection ---"; cat "$OUT/segments.txt"
echo "--- adapter: dotnet-counters over the run ---"; cat "$OUT/counters.txt"
echo "--- adapter: perf, self time by assembly or DSO ---"; cat "$OUT/perf.adapter.groups.txt"
echo "--- adapter: perf ---"; head -n 50 "$OUT/perf.adapter.txt"
echo "--- broker: perf ---"; head -n 40 "$OUT/perf.broker.txt"
