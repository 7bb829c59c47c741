#!/usr/bin/env bash
# Compares one SMPP session's submit_sm throughput, same window, same submit_sm, in one run:
#   1. our session      vs our simulator     (receipts off)
#   2. our session      vs node-smpp's server (tests/interop/smsc-server.js)
#   3. node-smpp client vs node-smpp's server (tests/interop/esme-client.js)
#   4. node-smpp client vs our simulator (receipts off): the two clients against a server that is not the bottleneck
#   5. ceiling client   vs node-smpp's server (node/ceiling-client.js: pre-encoded PDUs, no SMPP library): the most
#      any client can get from that server with this window, so "ceiling / row 3" is the largest ratio any client
#      could show against node-smpp's server on this machine.
# Each REPEATS times (2, 3 and 5 alternate against one node-smpp server, warmed up first); prints every run with the
# node-smpp server's CPU use during it (share of a core, µs per submit_sm), the medians, the ratios and the load
# average (the machine may be shared).
# Loopback only; everything started here is stopped on exit.
#
#   tests/Instasent.SmppAdapter.Benchmarks/compare-session.sh [--window 50] [--duration 5] [--repeats 3]
set -euo pipefail

WINDOW=50
DURATION=5
REPEATS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --window) WINDOW=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
USER_ID=myuser
PASSWORD=mypass
TEXT="session-load benchmark message" # what session-load sends; the node clients send the same
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits (at most 30 s) until something accepts connections on 127.0.0.1:$1.
wait_listening() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listening on port $1 after 30 s" >&2
  return 1
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "building (Release)"
dotnet build tests/Instasent.SmppAdapter.Benchmarks -c Release -nologo -v quiet >/dev/null
dotnet build src/Instasent.SmppAdapter.Simulator -c Release -nologo -v quiet >/dev/null
[ -d tests/interop/node_modules/smpp ] || (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
BENCH="dotnet tests/Instasent.SmppAdapter.Benchmarks/bin/Release/net10.0/Instasent.SmppAdapter.Benchmarks.dll"
SIMULATOR="dotnet src/Instasent.SmppAdapter.Simulator/bin/Release/net10.0/Instasent.SmppAdapter.Simulator.dll"

# session-load prints "submit_sm/s: N"; this prints N.
ours() {
  $BENCH session-load --host 127.0.0.1 --port "$1" --system-id $USER_ID --password $PASSWORD \
    --window "$WINDOW" --duration "$DURATION" | tee -a "$WORK/ours.log" | awk '/^submit_sm\/s:/ { print $2 }'
}

# Both node clients print JSON lines, one of them {"event":"summary","submit_sm_per_s":N,...}; this prints N (and
# the summary's error, if any, on stderr).
summary_rate() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){try{const o=JSON.parse(l);if(o.event!=="summary")continue;if(o.error)console.error("'"$1"': "+o.error);console.log(o.submit_sm_per_s)}catch{}}})'
}

# esme-client.js runs for --duration with more messages than it can send, and reports its rate.
node_client() {
  (cd tests/interop && node esme-client.js --host 127.0.0.1 --port "$1" --system-id $USER_ID --password $PASSWORD \
    --count 10000000 --window "$WINDOW" --duration "$DURATION" --text "$TEXT" || true) | summary_rate "node-smpp client"
}

ceiling_client() {
  (node tests/Instasent.SmppAdapter.Benchmarks/node/ceiling-client.js --host 127.0.0.1 --port "$1" \
    --system-id $USER_ID --password $PASSWORD --window "$WINDOW" --duration "$DURATION" --text "$TEXT" || true) \
    | summary_rate "ceiling client"
}

# CPU time (user + system, in clock ticks) the process $1 has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# Runs "$1 $NODE_PORT" and prints "<rate> <node-smpp server CPU %>" (the server's share of one core during the run).
against_node_server() {
  local before after started ended rate
  before=$(cpu_ticks "$NODE_SERVER_PID"); started=$(date +%s%N)
  rate=$("$1" "$NODE_PORT")
  after=$(cpu_ticks "$NODE_SERVER_PID"); ended=$(date +%s%N)
  echo "$rate $(awk -v t=$((after - before)) -v hz="$TICKS" -v ns=$((ended - started)) 'BEGIN { printf "%.0f", 100 * t / hz / (ns / 1e9) }')"
}

# "<rate> <cpu %>" -> "node-smpp server at C% of a core, U µs of its CPU per submit_sm"
server_use() { awk -v r="$1" -v c="$2" 'BEGIN { printf "node-smpp server at %s%% of a core, %.0f µs of its CPU per submit_sm", c, (r > 0 ? c * 1e4 / r : 0) }'; }

log "1 and 4. our session and node-smpp's client, alternately, vs our simulator (receipts off)"
SIM_PORT=$(free_port)
$SIMULATOR --port "$SIM_PORT" --account "$USER_ID:$PASSWORD" >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
wait_listening "$SIM_PORT"
: >"$WORK/ours-sim"
: >"$WORK/node-sim"
for i in $(seq 1 "$REPEATS"); do
  rate=$(ours "$SIM_PORT"); echo "   run $i, our session:      $rate submit_sm/s" >&2; echo "$rate" >>"$WORK/ours-sim"
  rate=$(node_client "$SIM_PORT"); echo "   run $i, node-smpp client: $rate submit_sm/s" >&2; echo "$rate" >>"$WORK/node-sim"
done
kill "${PIDS[-1]}" 2>/dev/null || true

log "2, 3 and 5. our session, node-smpp's client and the ceiling client, alternately, vs one node-smpp server"
mkfifo "$WORK/node-server.out" "$WORK/node-server.in"
# Its stdin is a pipe nobody writes to and this script holds open: it waits on it (and exits when this script goes
# away) without spending CPU. (Not /dev/zero: reading that endlessly took CPU the server's event loop needs.)
exec 9<>"$WORK/node-server.in"
(cd tests/interop && exec node smsc-server.js --port 0 --system-id $USER_ID --password $PASSWORD) \
  >"$WORK/node-server.out" 2>"$WORK/node-server.err" <&9 &
NODE_SERVER_PID=$!
PIDS+=($NODE_SERVER_PID)
read -r line <"$WORK/node-server.out" || { echo "node-smpp server did not start" >&2; cat "$WORK/node-server.err" >&2; exit 1; }
NODE_PORT=${line#LISTENING }
# Keep draining its stdout so it never blocks on a full pipe.
cat "$WORK/node-server.out" >/dev/null &
PIDS+=($!)
# One discarded run warms the server's JIT, so no client gets a cold server; then the clients alternate.
(cd tests/interop && node esme-client.js --host 127.0.0.1 --port "$NODE_PORT" --system-id $USER_ID --password $PASSWORD \
  --count 10000000 --window "$WINDOW" --duration 2 >/dev/null || true)
: >"$WORK/ours-node"
: >"$WORK/node-node"
: >"$WORK/ceiling-node"
for i in $(seq 1 "$REPEATS"); do
  read -r rate cpu < <(against_node_server ours)
  echo "   run $i, our session:      $rate submit_sm/s ($(server_use "$rate" "$cpu"))" >&2; echo "$rate" >>"$WORK/ours-node"
  read -r rate cpu < <(against_node_server node_client)
  echo "   run $i, node-smpp client: $rate submit_sm/s ($(server_use "$rate" "$cpu"))" >&2; echo "$rate" >>"$WORK/node-node"
  read -r rate cpu < <(against_node_server ceiling_client)
  echo "   run $i, ceiling client:   $rate submit_sm/s ($(server_use "$rate" "$cpu"))" >&2; echo "$rate" >>"$WORK/ceiling-node"
done

OURS_SIM=$(median <"$WORK/ours-sim")
OURS_NODE=$(median <"$WORK/ours-node")
NODE_NODE=$(median <"$WORK/node-node")
NODE_SIM=$(median <"$WORK/node-sim")
CEILING_NODE=$(median <"$WORK/ceiling-node")
ALLOC=$(awk '/^allocated bytes per submit:/ { print $5 }' "$WORK/ours.log" | median)
echo
echo "window $WINDOW, $DURATION s per run, median of $REPEATS runs (submit_sm/s); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-38s %10.0f\n' "our session vs our simulator" "$OURS_SIM"
printf '  %-38s %10.0f\n' "our session vs node-smpp server" "$OURS_NODE"
printf '  %-38s %10.0f\n' "node-smpp client vs node-smpp server" "$NODE_NODE"
printf '  %-38s %10.0f\n' "node-smpp client vs our simulator" "$NODE_SIM"
printf '  %-38s %10.0f\n' "ceiling client vs node-smpp server" "$CEILING_NODE"
printf '  %-38s %10.0f\n' "our session: allocated bytes/submit" "$ALLOC"
awk -v a="$OURS_NODE" -v b="$NODE_NODE" 'BEGIN { if (b > 0) printf "ratio, ours / node-smpp client (same node-smpp server): %.2f\n", a / b }'
awk -v a="$OURS_SIM" -v b="$NODE_SIM" 'BEGIN { if (b > 0) printf "ratio, ours / node-smpp client (same simulator): %.2f\n", a / b }'
awk -v a="$CEILING_NODE" -v b="$NODE_NODE" 'BEGIN { if (b > 0) printf "ratio, ceiling client / node-smpp client (same node-smpp server): %.2f, the most any client could show here\n", a / b }'
