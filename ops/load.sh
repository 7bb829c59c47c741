#!/usr/bin/env bash
# Load run: the adapter's end-to-end throughput on this machine, compared in the same run with the bare broker doing
# the same message work. Publishes N SendSms (plain JSON, GSM 7-bit, 160 characters, publisher confirms, as fast as
# the confirms allow) and reads the outcome events back, in three variants, interleaved, REPEATS times each:
#   adapter+receipts  the adapter and the simulator (receipts 100 ms after submit_sm); waits for every receipt too
#   adapter           the same, requestDeliveryReport false (no receipts)
#   bare broker       `bus-load baseline`: smpp-send-sms -> smpp-send-sms.instasent -> SmsSubmitted published with
#                     confirms (the adapter's hops, MassTransit, same prefetch and concurrency), no SMPP
# Each variant has its own RabbitMQ virtual host (created here, deleted at the end), so nothing else consuming
# smpp-send-sms on this broker takes part. Prints every run, then medians, ratios, CPU per process and load average.
# Stops only what it started. Not part of ops/test.sh.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/processes.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/load.sh [--count N] [--repeats R] [--warmup N] [--timeout SECONDS] [--adapter-env NAME=VALUE] [--help]

  --count N          SendSms per run (default 20000)
  --repeats R        runs of each variant; the table shows medians (default 3)
  --warmup N         SendSms per variant before the measured runs, not counted (default 5000: the JIT needs a few thousand to settle)
  --timeout SECONDS  bound of each run, first publish to last event (default 300)
  --adapter-env NAME=VALUE
                     also run a second adapter with this environment variable (its own virtual host and
                     LOAD_ADAPTER_ENV_PORT 18081) as the variant adapter+env (no receipts), interleaved with the
                     others: a tuning knob compared side by side in one run

Ports (must be free; not those of ops/run.sh and CI): LOAD_SIMULATOR_PORT 12775, LOAD_SIMULATOR_CONTROL_PORT 18775,
LOAD_ADAPTER_PORT 18080. The broker is the local one on 127.0.0.1:5672 (started if none answers, as ops/run.sh does);
its virtual hosts are managed with rabbitmqctl.
USAGE
}

COUNT=20000 REPEATS=3 WARMUP=5000 TIMEOUT=300 ADAPTER_ENV=""
positive() { [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number (was '${2:-}')"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) positive "$1" "${2:-}"; COUNT=$2; shift 2 ;;
    --repeats) positive "$1" "${2:-}"; REPEATS=$2; shift 2 ;;
    --warmup) positive "$1" "${2:-}"; WARMUP=$2; shift 2 ;;
    --timeout) positive "$1" "${2:-}"; TIMEOUT=$2; shift 2 ;;
    --adapter-env) [[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "--adapter-env needs NAME=VALUE (was '${2:-}')"; ADAPTER_ENV=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

SIM_PORT=${LOAD_SIMULATOR_PORT:-12775}
SIM_CONTROL_PORT=${LOAD_SIMULATOR_CONTROL_PORT:-18775}
ADAPTER_PORT=${LOAD_ADAPTER_PORT:-18080}
ADAPTER_ENV_PORT=${LOAD_ADAPTER_ENV_PORT:-18081}
SESSIONS=2 WINDOW=50
RUN_ID=$(date +%Y%m%d%H%M%S)-$$
VHOST_ADAPTER=smpp-load-$RUN_ID-adapter
VHOST_BASELINE=smpp-load-$RUN_ID-baseline
VHOST_ADAPTER_ENV=smpp-load-$RUN_ID-adapter-env
BROKER=amqp://guest:guest@127.0.0.1:5672

BIN=bin/Release/net10.0
ADAPTER_DLL=src/Instasent.SmppAdapter/$BIN/Instasent.SmppAdapter.dll
SIMULATOR_DLL=src/Instasent.SmppAdapter.Simulator/$BIN/Instasent.SmppAdapter.Simulator.dll
BENCH_DLL=tests/Instasent.SmppAdapter.Benchmarks/$BIN/Instasent.SmppAdapter.Benchmarks.dll

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-load.XXXXXX")
ADAPTER_PID="" ADAPTER_ENV_PID="" SIMULATOR_PID="" BASELINE_PID="" VHOSTS_CREATED=()
rmqctl() { as_root env RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=127.0.0.1 /usr/sbin/rabbitmqctl -q "$@"; }
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$ADAPTER_PID$ADAPTER_ENV_PID$SIMULATOR_PID$BASELINE_PID" ] && log "stopping what this script started"
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$ADAPTER_ENV_PID" ] && stop_pid adapter+env "$ADAPTER_ENV_PID" 45
  [ -n "$BASELINE_PID" ] && stop_pid baseline "$BASELINE_PID" 20
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  for vhost in "${VHOSTS_CREATED[@]}"; do rmqctl delete_vhost "$vhost" >/dev/null 2>&1 || log "could not delete vhost $vhost"; done
  rabbitmq_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log "logs: $LOGS"

# --- ports, broker, vhosts, build ------------------------------------------------------------------------------
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
require_free_port 127.0.0.1 "$SIM_PORT" "the SMSC simulator (LOAD_SIMULATOR_PORT)"
require_free_port 127.0.0.1 "$SIM_CONTROL_PORT" "the simulator's control API (LOAD_SIMULATOR_CONTROL_PORT)"
require_free_port 127.0.0.1 "$ADAPTER_PORT" "the adapter's HTTP endpoint (LOAD_ADAPTER_PORT)"
[ -z "$ADAPTER_ENV" ] || require_free_port 127.0.0.1 "$ADAPTER_ENV_PORT" "the second adapter's HTTP endpoint (LOAD_ADAPTER_ENV_PORT)"
rabbitmq_ensure
[ -x /usr/sbin/rabbitmqctl ] || die "rabbitmqctl is needed to create the load run's virtual hosts (a broker in Docker is not supported here)"
for vhost in "$VHOST_ADAPTER" "$VHOST_BASELINE" ${ADAPTER_ENV:+"$VHOST_ADAPTER_ENV"}; do
  rmqctl add_vhost "$vhost" >/dev/null || die "could not create the virtual host $vhost with rabbitmqctl"
  VHOSTS_CREATED+=("$vhost")
  rmqctl set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
done
log "virtual hosts: ${VHOSTS_CREATED[*]}"

log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
for project in src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks; do
  if ! dotnet build "$project/$(basename "$project").csproj" -c Release -nologo -v quiet >>"$LOGS/build.log" 2>&1; then
    show_log_tail build "$LOGS/build.log" 40
    die "building $project failed"
  fi
done

# --- the processes under test ----------------------------------------------------------------------------------
log "starting the simulator on 127.0.0.1:$SIM_PORT (receipts 100 ms after submit_sm, control API on $SIM_CONTROL_PORT)"
# Two accounts: the simulator sends an account's receipts to any of its sessions, so the second adapter has its own.
start_bg simulator "$LOGS/simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account load:load123:10 --account loadenv:load123:10 \
  --control-port "$SIM_CONTROL_PORT" --receipt-delay 100ms
SIMULATOR_PID=$BG_PID
wait_port 127.0.0.1 "$SIM_PORT" 30 "$SIMULATOR_PID" || { show_log_tail simulator "$LOGS/simulator.log"; die "the simulator is not listening after 30 s"; }

# start_adapter NAME VHOST PORT [NAME=VALUE...]: an adapter on its own virtual host; sets BG_PID.
start_adapter() {
  local name=$1 vhost=$2 port=$3
  shift 3
  # The credentials go through the environment (local -x: exported to this call's children only), not env's arguments.
  local -x RabbitMq__Uri="$BROKER/$vhost" Smpp__Connections__0__Password=load123
  start_bg "$name" "$LOGS/$name.log" env \
    Http__Urls="http://127.0.0.1:$port" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
    Smpp__Connections__0__SystemId=load \
    Smpp__Connections__0__Sessions=$SESSIONS Smpp__Connections__0__WindowSize=$WINDOW Smpp__Connections__0__MaxSubmitsPerSecond=0 \
    Logging__LogLevel__Microsoft.AspNetCore=Warning "$@" \
    dotnet "$ADAPTER_DLL"
}
log "starting the adapter (Sessions $SESSIONS, WindowSize $WINDOW, no rate limit, http://127.0.0.1:$ADAPTER_PORT)"
start_adapter adapter "$VHOST_ADAPTER" "$ADAPTER_PORT"
ADAPTER_PID=$BG_PID
if [ -n "$ADAPTER_ENV" ]; then
  log "starting a second adapter with $ADAPTER_ENV (http://127.0.0.1:$ADAPTER_ENV_PORT)"
  start_adapter adapter+env "$VHOST_ADAPTER_ENV" "$ADAPTER_ENV_PORT" Smpp__Connections__0__SystemId=loadenv "$ADAPTER_ENV"
  ADAPTER_ENV_PID=$BG_PID
fi

log "starting the bare-broker baseline (bus-load baseline, prefetch and concurrency $((SESSIONS * WINDOW)))"
# With the thread-pool setting the adapter's runtimeconfig has, so only the SMPP work differs.
start_bg baseline "$LOGS/baseline.log" env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 dotnet "$BENCH_DLL" bus-load baseline --rabbitmq "$BROKER/$VHOST_BASELINE" \
  --concurrency $((SESSIONS * WINDOW))
BASELINE_PID=$BG_PID

wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/ready" 60 "$ADAPTER_PID" \
  || { show_log_tail adapter "$LOGS/adapter.log"; die "the adapter is not ready after 60 s"; }
if [ -n "$ADAPTER_ENV" ]; then
  wait_http_ok "http://127.0.0.1:$ADAPTER_ENV_PORT/health/ready" 60 "$ADAPTER_ENV_PID" \
    || { show_log_tail adapter+env "$LOGS/adapter+env.log"; die "the second adapter is not ready after 60 s"; }
fi
wait_file_line "$LOGS/baseline.log" '^baseline ready' 30 "$BASELINE_PID" \
  || { show_log_tail baseline "$LOGS/baseline.log"; die "the baseline did not start within 30 s"; }
log "ready: every process under test"

# --- measuring -------------------------------------------------------------------------------------------------
BROKER_PID=$(pgrep -o -x beam.smp || true)
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
submits_accepted() { curl -fsS --max-time 5 "http://127.0.0.1:$SIM_CONTROL_PORT/stats" | jq -r '.submitsAccepted'; }
field() { sed -nE "s/^result .*\\b$1=([^ ]+).*/\\1/p" "$2"; }

# run_variant NAME LOGFILE: one bus-load run; appends a line of figures to $LOGS/results.tsv.
declare -A VHOST=([adapter+receipts]=$VHOST_ADAPTER [adapter]=$VHOST_ADAPTER [adapter+env]=$VHOST_ADAPTER_ENV [bare-broker]=$VHOST_BASELINE)
declare -A EXTRA=([adapter+receipts]=--receipts [adapter]="" [adapter+env]="" [bare-broker]="")
declare -A SERVICE=([adapter+receipts]=ADAPTER_PID [adapter]=ADAPTER_PID [adapter+env]=ADAPTER_ENV_PID [bare-broker]=BASELINE_PID)
run_variant() {
  local name=$1 out=$2 count=$3 service_pid sim_before sim_after svc0 svc1 sim0 sim1 brk0 brk1 status=0
  local service_var=${SERVICE[$name]}
  service_pid=${!service_var}
  sim_before=$(submits_accepted)
  svc0=$(cpu_ticks "$service_pid") sim0=$(cpu_ticks "$SIMULATOR_PID") brk0=$(cpu_ticks "$BROKER_PID")
  # The busiest processes over one second, a few seconds in (top's second frame: the first averages since boot).
  (sleep 4; top -b -d 1 -n 2 -c -w 220 | awk '/^top -/ { frame++ } frame == 2' | head -n 14) >"${out%.log}.top" 2>&1 &
  local top_pid=$!
  # shellcheck disable=SC2086
  timeout $((TIMEOUT + 30)) dotnet "$BENCH_DLL" bus-load --rabbitmq "$BROKER/${VHOST[$name]}" --count "$count" \
    --label "$name" --timeout "$TIMEOUT" ${EXTRA[$name]} >"$out" 2>&1 || status=$?
  wait "$top_pid" 2>/dev/null || true
  svc1=$(cpu_ticks "$service_pid") sim1=$(cpu_ticks "$SIMULATOR_PID") brk1=$(cpu_ticks "$BROKER_PID")
  sim_after=$(submits_accepted)
  if [ "$status" -ne 0 ] || ! grep -q '^result ' "$out"; then
    sed 's/^/    /' "$out" >&2
    die "$name run failed (exit $status); see $out"
  fi
  # CPU of each process as a share of one core over the measured span (first publish to last event): outside it
  # the services are idle and the load generator is starting, so the whole wall time would understate the load.
  local wall
  wall=$(field span_s "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
    "$(field per_s "$out")" "$(field p50_ms "$out")" "$(field p95_ms "$out")" "$(field p99_ms "$out")" \
    "$(field receipts_per_s "$out")" "$((sim_after - sim_before))" \
    "$(awk -v t=$((svc1 - svc0)) -v w="$wall" -v k="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * t / k / w }')" \
    "$(awk -v t=$((sim1 - sim0)) -v w="$wall" -v k="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * t / k / w }')" \
    "$(awk -v t=$((brk1 - brk0)) -v w="$wall" -v k="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * t / k / w }')" \
    "$(awk -v c="$(field loadgen_cpu_s "$out")" -v w="$wall" 'BEGIN { printf "%.0f", 100 * c / w }')" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$(field ok "$out")" >>"$LOGS/results.tsv"
}

VARIANTS=(adapter+receipts adapter ${ADAPTER_ENV:+adapter+env} bare-broker)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "warm-up: $WARMUP SendSms per variant, not counted"
for v in "${VARIANTS[@]}"; do run_variant "$v" "$LOGS/warmup-$v.log" "$WARMUP"; done
: >"$LOGS/results.tsv"

log "measuring: $COUNT SendSms per run, $REPEATS runs per variant, interleaved (load average before: $LOAD_BEFORE)"
printf '%-17s %3s %9s %8s %8s %8s %10s %10s %5s\n' variant run "cmds/s" "p50 ms" "p95 ms" "p99 ms" "receipts/s" "submit_sm" "load"
for ((r = 1; r <= REPEATS; r++)); do
  for v in "${VARIANTS[@]}"; do
    run_variant "$v" "$LOGS/run-$r-$v.log" "$COUNT"
    tail -n 1 "$LOGS/results.tsv" | awk -F'\t' -v r="$r" \
      '{ printf "%-17s %3d %9d %8d %8d %8d %10s %10s %5s\n", $1, r, $2, $3, $4, $5, ($1 ~ /receipts/ ? $6 : "-"), ($1 ~ /adapter/ ? $7 : "-"), $12 }'
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the summary -----------------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v v="$1" -v c="$2" '$1 == v { print $c }' "$LOGS/results.tsv"; }
BASE=$(col bare-broker 2 | median)
echo
echo "Load run: $COUNT SendSms per run (GSM 7-bit, 160 chars, plain JSON, publisher confirms), median of $REPEATS runs;"
echo "adapter: Sessions $SESSIONS x WindowSize $WINDOW against the simulator on loopback; bare broker: the same hops without SMPP"
[ -z "$ADAPTER_ENV" ] || echo "adapter+env: the same adapter (no receipts) with $ADAPTER_ENV"
printf '%-17s %9s %11s %7s %8s %8s %8s %10s %16s\n' variant "cmds/s" "min-max" "ratio" "p50 ms" "p95 ms" "p99 ms" "receipts/s" "submit_sm/sent"
for v in "${VARIANTS[@]}"; do
  per_s=$(col "$v" 2 | median)
  printf '%-17s %9.0f %11s %7s %8.0f %8.0f %8.0f %10s %16s\n' "$v" "$per_s" \
    "$(col "$v" 2 | sort -g | sed -n '1p;$p' | paste -sd-)" \
    "$(awk -v a="$per_s" -v b="$BASE" 'BEGIN { printf "%.2f", a / b }')" \
    "$(col "$v" 3 | median)" "$(col "$v" 4 | median)" "$(col "$v" 5 | median)" \
    "$([[ $v == *receipts* ]] && col "$v" 6 | median || echo -)" \
    "$([[ $v == adapter* ]] && echo "$(col "$v" 7 | awk '{ s += $1 } END { print s }')/$((COUNT * REPEATS))" || echo -)"
done
echo
echo "CPU during the runs, % of one core (median; the machine has $(nproc) cores), and CPU per command:"
printf '%-17s %8s %10s %8s %14s %16s %15s\n' variant service simulator broker "load generator" "service us/cmd" "broker us/cmd"
# CPU microseconds per command: % of a core / 100 / (commands/s), per run, then the median; it does not depend on
# how much of the machine the other processes left over.
per_cmd() { awk -F'\t' -v v="$1" -v c="$2" '$1 == v { printf "%.0f\n", $c * 10000 / $2 }' "$LOGS/results.tsv" | median; }
for v in "${VARIANTS[@]}"; do
  printf '%-17s %8s %10s %8s %14s %16s %15s\n' "$v" "$(col "$v" 8 | median)" "$([[ $v == adapter* ]] && col "$v" 9 | median || echo -)" \
    "$(col "$v" 10 | median)" "$(col "$v" 11 | median)" "$(per_cmd "$v" 8)" "$(per_cmd "$v" 10)"
done
echo "(service: the adapter, or bus-load baseline for the bare broker; the simulator and the load generator share the same cores)"
spread=$(for v in "${VARIANTS[@]}"; do col "$v" 2 | sort -g | awk -v v="$v" '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; printf "%s %.0f%%, ", v, 100 * (a[NR] - a[1]) / m }'; done)
echo "noise: spread (max-min)/median of cmds/s: ${spread%, }"
echo "load average (1/5/15 min): before $LOAD_BEFORE, after $LOAD_AFTER"
all_ok=$(awk -F'\t' '$13 != 1 { bad++ } END { print bad + 0 }' "$LOGS/results.tsv")
if [ "$all_ok" -eq 0 ]; then
  echo "every messageId got exactly one outcome (and exactly one receipt when asked) in every run"
else
  echo "$all_ok run(s) did not get exactly one outcome per messageId: see $LOGS/run-*.log"
  exit 1
fi
echo "top snapshots (5 s into each run): $LOGS/run-*.top"
