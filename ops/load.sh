#!/usr/bin/env bash
# Load run: the adapter's end-to-end throughput on this machine, compared in the same run with the bare broker doing
# the same message work (and, with --kannel, with Kannel). Publishes N SendSms (plain JSON, GSM 7-bit, 160
# characters, publisher confirms, as fast as the confirms allow) and reads the outcome events back, in these
# variants, interleaved (every other time in reverse order), REPEATS times each:
#   adapter+receipts  the adapter and the simulator (receipts 100 ms after submit_sm); waits for every receipt too
#   adapter           the same, requestDeliveryReport false (no receipts)
#   bare broker       `bus-load baseline`: smpp-send-sms -> smpp-send-sms.instasent -> SmsSubmitted published with
#                     confirms (the adapter's hops, MassTransit, same prefetch and concurrency), no SMPP
#   bare-one-hop      `bus-load baseline --hops 1`: smpp-send-sms consumed and one SmsSubmitted published, nothing
#                     else: the ceiling of any MassTransit service that consumes one command and publishes one event
#   bare-one-hop+receipts  the same service, asked for receipts: each command answered with SmsSubmitted and one
#                     SmsDeliveryReported (published through the bus, confirmed): the floor of any MassTransit adapter
#                     with receipts (one command consumed, two events published), no SMPP
#   bare-client+receipts the same floor on RabbitMQ.Client alone (`--client rabbitmq`: no MassTransit; the same
#                     MassTransit-shaped envelope, persistent publishes, the adapter's own confirm counting and
#                     coalesced acks; the command acknowledged once its outcome is confirmed, its receipt event
#                     published 100 ms later on its own, as the simulator's receipt reaches the adapter; see
#                     LOAD_CLIENT_RECEIPT_DELAY_MS): the least the adapter's hot path could cost without SMPP.
#                     (`bus-load baseline --raw-events true` still measures MassTransit with
#                     raw JSON events: no cheaper than the envelope, docs/performance.md "Session 9".)
#   bare-hybrid+receipts  MassTransit consumes, RabbitMQ.Client publishes both events (`--client hybrid`): what
#                     moving only the adapter's publishes off MassTransit would leave
#   adapter+redis     (--redis) a second adapter with Stores__Provider=Redis (a private Redis started here), with and
#                     without receipts: the Redis stores' cost per command beside the in-memory ones, in the same run;
#                     the summary adds adapter CPU per command with Redis vs in memory, Redis' own CPU per command,
#                     the adapter's Redis round trips per command (by operation) and Redis commands per command
#   kannel            (--kannel) Debian's Kannel, bearerbox + smsbox, against the same simulator (its own account, the
#                     same binds and window); N messages over HTTP sendsms with dlr-mask=1 and a dlr-url to a small
#                     receiver (`kannel-load`), timed from the first injection to the last delivery report
# Each variant has its own RabbitMQ virtual host (created here, deleted at the end), so nothing else consuming
# smpp-send-sms on this broker takes part. Prints every run, then medians, ratios, CPU per process and load average.
# Stops only what it started. Not part of ops/test.sh.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/processes.sh"
. "$(dirname "$0")/lib/kannel.sh"
. "$(dirname "$0")/lib/redis.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/load.sh [--count N] [--repeats R] [--warmup N] [--timeout SECONDS] [--adapter-env NAME=VALUE]... [--redis]
                   [--env-policy JSON] [--kannel] [--latency N] [--rate R] [--variants LIST] [--help]

  --count N          SendSms per run (default 20000)
  --repeats R        runs of each variant; the table shows medians (default 3)
  --warmup N         SendSms per variant before the measured runs, not counted (default 5000: the JIT needs a few thousand to settle;
                     on a busy machine it was still compiling after 3000, see docs/performance.md)
  --timeout SECONDS  bound of each run, first publish to last event (default 300)
  --adapter-env NAME=VALUE
                     also run a second adapter with this environment variable (its own virtual host and
                     LOAD_ADAPTER_ENV_PORT 18081) as the variants adapter+env and adapter+env+receipts, interleaved
                     with the others: a tuning knob compared side by side in one run. LOAD_ADAPTER_ENV_DLL runs another
                     build as the second adapter (e.g. main's, built elsewhere): a before/after in one run.
                     Repeat it for several variables
  --redis            the second adapter uses the Redis stores (Stores__Provider=Redis, a private Redis on
                     LOAD_REDIS_PORT 6394, started here when none answers there; keys under a prefix of this run), as the
                     variants adapter+redis and adapter+redis+receipts; combines with --adapter-env
  --env-policy JSON  the second adapter's virtual host gets this RabbitMQ policy on its smpp-send-sms queues (e.g.
                     '{"queue-version":2}'): a broker setting compared side by side. Without --adapter-env the second
                     adapter is the same build with the same settings, so the policy is the only difference
  --kannel           also run Kannel (installs Debian's kannel if missing) as the variant kannel, interleaved with the
                     others; its configuration and logs are in the run's log directory
  --rate R           every bus-load run publishes at R SendSms/s on a fixed schedule instead of as fast as the confirms
                     allow, and kannel-load injects at R sendsms/s: CPU per command compared at one rate (a variant
                     that runs slower otherwise pays more per command only for being slower); R must be below every
                     variant's maximum, or the run lags behind
  --variants LIST    run only these variants (comma-separated names as the table prints them, e.g.
                     adapter+receipts,adapter+env+receipts): a quicker A/B; the machine is quieter, so compare only
                     figures from the same run
  --latency N        after the runs, N more SendSms with receipts to the adapter at a fixed rate, half the median
                     adapter+receipts rate: publish -> SmsSubmitted latency below saturation (p50/p95/p99), and the
                     adapter's resident memory after every command of the whole run

Ports (must be free; not those of ops/run.sh and CI): LOAD_SIMULATOR_PORT 12775, LOAD_SIMULATOR_CONTROL_PORT 18775,
LOAD_ADAPTER_PORT 18080; with --kannel LOAD_KANNEL_ADMIN_PORT 13100, LOAD_KANNEL_BOX_PORT 13101,
LOAD_KANNEL_SENDSMS_PORT 13113, LOAD_KANNEL_DLR_PORT 18776 (LOAD_KANNEL_CONNECTIONS, default 64, keep-alive
connections to sendsms: smsbox answers each in about 40 ms, so fewer connections limit Kannel, not its work).
The broker is the local one on 127.0.0.1:5672 (started if none answers, as ops/run.sh does); its virtual hosts are
managed with rabbitmqctl.
USAGE
}

COUNT=20000 REPEATS=3 WARMUP=5000 TIMEOUT=300 ADAPTER_ENVS=() REDIS=0 KANNEL=0 LATENCY=0 RATE=0 ENV_POLICY="" ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --count) positive "$1" "${2:-}"; COUNT=$2; shift 2 ;;
    --repeats) positive "$1" "${2:-}"; REPEATS=$2; shift 2 ;;
    --warmup) positive "$1" "${2:-}"; WARMUP=$2; shift 2 ;;
    --timeout) positive "$1" "${2:-}"; TIMEOUT=$2; shift 2 ;;
    --adapter-env) [[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "--adapter-env needs NAME=VALUE (was '${2:-}')"; ADAPTER_ENVS+=("$2"); shift 2 ;;
    --redis) REDIS=1; shift ;;
    --env-policy) [[ ${2:-} == \{*\} ]] || die "--env-policy needs a JSON object (was '${2:-}')"; ENV_POLICY=$2; shift 2 ;;
    --kannel) KANNEL=1; shift ;;
    --latency) positive "$1" "${2:-}"; LATENCY=$2; shift 2 ;;
    --rate) positive "$1" "${2:-}"; RATE=$2; shift 2 ;;
    --variants) [[ ${2:-} =~ ^[a-z+,-]+$ ]] || die "--variants needs comma-separated variant names (was '${2:-}')"; ONLY=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

RUN_ID=$(date +%Y%m%d%H%M%S)-$$
REDIS_PORT=${LOAD_REDIS_PORT:-6394}
if [ "$REDIS" = 1 ]; then
  ADAPTER_ENVS+=(Stores__Provider=Redis "Stores__Redis__Configuration=127.0.0.1:$REDIS_PORT" "Stores__Redis__KeyPrefix=load-$RUN_ID:")
  ENV_VARIANT=adapter+redis
else
  ENV_VARIANT=adapter+env
fi
# A policy alone still needs the second adapter: a variable the adapter does not read names it.
[ -n "$ENV_POLICY" ] && [ ${#ADAPTER_ENVS[@]} -eq 0 ] && ADAPTER_ENVS+=(LOAD_VARIANT=policy)
ADAPTER_ENV="${ADAPTER_ENVS[*]}"
SIM_PORT=${LOAD_SIMULATOR_PORT:-12775}
SIM_CONTROL_PORT=${LOAD_SIMULATOR_CONTROL_PORT:-18775}
ADAPTER_PORT=${LOAD_ADAPTER_PORT:-18080}
ADAPTER_ENV_PORT=${LOAD_ADAPTER_ENV_PORT:-18081}
SESSIONS=2 WINDOW=50
VHOST_ADAPTER=smpp-load-$RUN_ID-adapter
VHOST_BASELINE=smpp-load-$RUN_ID-baseline
VHOST_ADAPTER_ENV=smpp-load-$RUN_ID-adapter-env
VHOST_ONE_HOP=smpp-load-$RUN_ID-one-hop
VHOST_CLIENT=smpp-load-$RUN_ID-client
VHOST_HYBRID=smpp-load-$RUN_ID-hybrid
KANNEL_CONNECTIONS=${LOAD_KANNEL_CONNECTIONS:-64}
# No user or password here: this URI reaches the bench tools' command lines. Every client (MassTransit, RabbitMQ.Client)
# then logs in as guest, the local broker's loopback-only default user.
BROKER=amqp://127.0.0.1:5672

ADAPTER_ENV_DLL=${LOAD_ADAPTER_ENV_DLL:-$ADAPTER_DLL}

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-load.XXXXXX")
ADAPTER_PID="" ADAPTER_ENV_PID="" SIMULATOR_PID="" BASELINE_PID="" ONE_HOP_PID="" CLIENT_PID="" HYBRID_PID="" BEARERBOX_PID="" SMSBOX_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$ADAPTER_PID$ADAPTER_ENV_PID$SIMULATOR_PID$BASELINE_PID$ONE_HOP_PID$CLIENT_PID$HYBRID_PID$BEARERBOX_PID$SMSBOX_PID" ] && log "stopping what this script started"
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$ADAPTER_ENV_PID" ] && stop_pid "$ENV_VARIANT" "$ADAPTER_ENV_PID" 45
  [ -n "$BASELINE_PID" ] && stop_pid baseline "$BASELINE_PID" 20
  [ -n "$ONE_HOP_PID" ] && stop_pid bare-one-hop "$ONE_HOP_PID" 20
  [ -n "$CLIENT_PID" ] && stop_pid bare-client "$CLIENT_PID" 20
  [ -n "$HYBRID_PID" ] && stop_pid bare-hybrid "$HYBRID_PID" 20
  # smsbox first, so bearerbox does not queue for a box that is gone.
  [ -n "$SMSBOX_PID" ] && stop_pid smsbox "$SMSBOX_PID" 10
  [ -n "$BEARERBOX_PID" ] && stop_pid bearerbox "$BEARERBOX_PID" 15
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  vhosts_delete
  rabbitmq_stop_if_ours
  redis_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
on_exit cleanup
log "logs: $LOGS"

# --- ports, broker, vhosts, build ------------------------------------------------------------------------------
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
require_free_port 127.0.0.1 "$SIM_PORT" "the SMSC simulator (LOAD_SIMULATOR_PORT)"
require_free_port 127.0.0.1 "$SIM_CONTROL_PORT" "the simulator's control API (LOAD_SIMULATOR_CONTROL_PORT)"
require_free_port 127.0.0.1 "$ADAPTER_PORT" "the adapter's HTTP endpoint (LOAD_ADAPTER_PORT)"
[ -z "$ADAPTER_ENV" ] || require_free_port 127.0.0.1 "$ADAPTER_ENV_PORT" "the second adapter's HTTP endpoint (LOAD_ADAPTER_ENV_PORT)"
if [ "$KANNEL" = 1 ]; then
  apt_install kannel
  kannel_require_ports
fi
rabbitmq_ensure
[ -x /usr/sbin/rabbitmqctl ] || die "rabbitmqctl is needed to create the load run's virtual hosts (a broker in Docker is not supported here)"
for vhost in "$VHOST_ADAPTER" "$VHOST_BASELINE" "$VHOST_ONE_HOP" "$VHOST_CLIENT" "$VHOST_HYBRID" ${ADAPTER_ENV:+"$VHOST_ADAPTER_ENV"}; do
  vhost_create "$vhost"
done
log "virtual hosts: ${VHOSTS_CREATED[*]}"
if [ -n "$ENV_POLICY" ]; then
  rmqctl set_policy -p "$VHOST_ADAPTER_ENV" load-env-policy '^smpp-send-sms' "$ENV_POLICY" --apply-to queues >/dev/null \
    || die "could not set the policy $ENV_POLICY on $VHOST_ADAPTER_ENV"
  log "policy on $VHOST_ADAPTER_ENV's smpp-send-sms queues: $ENV_POLICY"
fi
REDIS_PID=""
if [ "$REDIS" = 1 ]; then
  command -v redis-cli >/dev/null || apt_install redis-tools
  redis_ensure
  if [ "$REDIS_STARTED_BY_US" = 1 ]; then REDIS_PID=$(cat "$REDIS_PIDFILE"); else
    REDIS_PID=$(ss -ltnpH "sport = :$REDIS_PORT" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
  fi
  log "Redis for adapter+redis: 127.0.0.1:$REDIS_PORT (pid ${REDIS_PID:-unknown}$([ "$REDIS_STARTED_BY_US" = 1 ] || echo ', not started here: its CPU and commands include any other client'))"
fi

log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks

# --- the processes under test ----------------------------------------------------------------------------------
log "starting the simulator on 127.0.0.1:$SIM_PORT (receipts 100 ms after submit_sm, control API on $SIM_CONTROL_PORT)"
# One account per gateway: the simulator sends an account's receipts to any of its sessions, so the second adapter
# and Kannel have their own.
start_bg simulator "$LOGS/simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account load:load123:10 --account loadenv:load123:10 \
  --account kannel:load123:10 --control-port "$SIM_CONTROL_PORT" --receipt-delay 100ms
SIMULATOR_PID=$BG_PID
wait_port 127.0.0.1 "$SIM_PORT" 30 "$SIMULATOR_PID" || { show_log_tail simulator "$LOGS/simulator.log"; die "the simulator is not listening after 30 s"; }

# start_adapter NAME VHOST PORT DLL [NAME=VALUE...]: an adapter on its own virtual host; sets BG_PID.
start_adapter() {
  local name=$1 vhost=$2 port=$3 dll=$4
  shift 4
  # The credentials go through the environment (local -x: exported to this call's children only), not env's arguments.
  local -x RabbitMq__Uri="$BROKER/$vhost" Smpp__Connections__0__Password=load123
  start_bg "$name" "$LOGS/$name.log" env \
    Http__Urls="http://127.0.0.1:$port" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
    Smpp__Connections__0__SystemId=load \
    Smpp__Connections__0__Sessions=$SESSIONS Smpp__Connections__0__WindowSize=$WINDOW Smpp__Connections__0__MaxSubmitsPerSecond=0 \
    Logging__LogLevel__Microsoft.AspNetCore=Warning "$@" \
    dotnet "$dll"
}
log "starting the adapter (Sessions $SESSIONS, WindowSize $WINDOW, no rate limit, http://127.0.0.1:$ADAPTER_PORT)"
start_adapter adapter "$VHOST_ADAPTER" "$ADAPTER_PORT" "$ADAPTER_DLL"
ADAPTER_PID=$BG_PID
if [ -n "$ADAPTER_ENV" ]; then
  log "starting a second adapter, $ENV_VARIANT, with $ADAPTER_ENV (http://127.0.0.1:$ADAPTER_ENV_PORT, $ADAPTER_ENV_DLL)"
  [ -f "$ADAPTER_ENV_DLL" ] || die "LOAD_ADAPTER_ENV_DLL: no such file '$ADAPTER_ENV_DLL'"
  start_adapter "$ENV_VARIANT" "$VHOST_ADAPTER_ENV" "$ADAPTER_ENV_PORT" "$ADAPTER_ENV_DLL" Smpp__Connections__0__SystemId=loadenv "${ADAPTER_ENVS[@]}"
  ADAPTER_ENV_PID=$BG_PID
fi

# start_baseline NAME VHOST ARGS...: one `bus-load baseline` process on its virtual host, with the adapter's prefetch
# and concurrency and the thread-pool setting its runtimeconfig has (so only the work differs); its pid in BG_PID.
start_baseline() {
  local name=$1 vhost=$2
  shift 2
  start_bg "$name" "$LOGS/$name.log" env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 dotnet "$BENCH_DLL" bus-load baseline \
    --rabbitmq "$BROKER/$vhost" --concurrency $((SESSIONS * WINDOW)) "$@"
}
# wait_baseline NAME PID: until it says it is ready (30 s), or the run ends showing its log.
wait_baseline() {
  wait_file_line "$LOGS/$1.log" '^baseline ready' 30 "$2" || { show_log_tail "$1" "$LOGS/$1.log"; die "$1 did not start within 30 s"; }
}
log "starting the bare-broker baseline (bus-load baseline, prefetch and concurrency $((SESSIONS * WINDOW)))"
start_baseline baseline "$VHOST_BASELINE"
BASELINE_PID=$BG_PID
log "starting the bare MassTransit ceiling (bus-load baseline --hops 1)"
start_baseline bare-one-hop "$VHOST_ONE_HOP" --hops 1
ONE_HOP_PID=$BG_PID
log "starting the same floor on RabbitMQ.Client alone (bus-load baseline --client rabbitmq)"
# LOAD_CLIENT_RECEIPT_DELAY_MS: the floor publishes each receipt event that much after the outcome, on its own, as
# the adapter does when the simulator's receipt arrives (default 100, the simulator's receipt delay; 0: right after
# the outcome and acknowledged after both, as before Session 19, which saves the broker 5-10 %: docs/performance.md).
start_baseline bare-client "$VHOST_CLIENT" --client rabbitmq --receipt-delay "${LOAD_CLIENT_RECEIPT_DELAY_MS:-100}"
CLIENT_PID=$BG_PID
log "starting the same floor with MassTransit consuming and RabbitMQ.Client publishing (bus-load baseline --client hybrid)"
start_baseline bare-hybrid "$VHOST_HYBRID" --hops 1 --client hybrid
HYBRID_PID=$BG_PID

if [ "$KANNEL" = 1 ]; then
  log "starting Kannel: bearerbox + smsbox, $SESSIONS transceiver binds of window $WINDOW ($LOGS/kannel)"
  mkdir -p "$LOGS/kannel"
  kannel_write_config "$LOGS/kannel/kannel.conf" "$LOGS/kannel" "$SIM_PORT" kannel load123 "$SESSIONS" "$WINDOW"
  # Console at panic level only: the log files (warning level) are what the run reads.
  start_bg bearerbox "$LOGS/kannel/bearerbox.out" /usr/sbin/bearerbox -v 4 "$LOGS/kannel/kannel.conf"
  BEARERBOX_PID=$BG_PID
  wait_port 127.0.0.1 "$KANNEL_BOX_PORT" 30 "$BEARERBOX_PID" || { show_log_tail bearerbox "$LOGS/kannel/bearerbox.log"; die "bearerbox is not listening after 30 s"; }
  start_bg smsbox "$LOGS/kannel/smsbox.out" /usr/sbin/smsbox -v 4 "$LOGS/kannel/kannel.conf"
  SMSBOX_PID=$BG_PID
fi

wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/ready" 60 "$ADAPTER_PID" \
  || { show_log_tail adapter "$LOGS/adapter.log"; die "the adapter is not ready after 60 s"; }
if [ -n "$ADAPTER_ENV" ]; then
  wait_http_ok "http://127.0.0.1:$ADAPTER_ENV_PORT/health/ready" 60 "$ADAPTER_ENV_PID" \
    || { show_log_tail "$ENV_VARIANT" "$LOGS/$ENV_VARIANT.log"; die "the second adapter is not ready after 60 s"; }
fi
wait_baseline baseline "$BASELINE_PID"
wait_baseline bare-one-hop "$ONE_HOP_PID"
wait_baseline bare-client "$CLIENT_PID"
wait_baseline bare-hybrid "$HYBRID_PID"
if [ "$KANNEL" = 1 ]; then
  kannel_wait_ready "$SESSIONS" 60 "$BEARERBOX_PID" "$SMSBOX_PID" \
    || { show_log_tail bearerbox "$LOGS/kannel/bearerbox.log"; show_log_tail smsbox "$LOGS/kannel/smsbox.log"; die "Kannel is not bound and listening after 60 s"; }
fi
log "ready: every process under test"

# --- measuring -------------------------------------------------------------------------------------------------
# The broker this run uses: the process listening on 5672 (other RabbitMQ nodes may run on this machine).
BROKER_PID=$(ss -ltnpH 'sport = :5672' 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$BROKER_PID" ] || BROKER_PID=$(pgrep -o -x beam.smp || true)
log "broker process: ${BROKER_PID:-unknown} ($(ps -o user=,comm= -p "${BROKER_PID:-0}" 2>/dev/null || echo '?'))"
# The Erlang memory allocator's flags the broker runs with (RabbitMQ's defaults, or what RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS
# added when it was started) and its scheduler threads: both change its CPU per message (docs/performance.md, sessions
# 20 and 21), so every table says them.
BROKER_ALLOC=$( { tr '\0' ' ' <"/proc/${BROKER_PID:-0}/cmdline" | grep -oE -- '[-+]M[A-Za-z]+ [^ ]+' | tr '\n' ' ' | sed 's/ $//'; } 2>/dev/null || true)
BROKER_SCHEDULERS=$( { cat /proc/"${BROKER_PID:-0}"/task/*/comm | grep -cx '[0-9]*_scheduler'; } 2>/dev/null || true)
CLK_TCK=$(getconf CLK_TCK)
# cpu_ticks PID...: user + system ticks of these processes together (0 for none or gone).
cpu_ticks() { local pid sum=0 t; for pid in "$@"; do t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0); sum=$((sum + t)); done; echo "$sum"; }
submits_accepted() { curl -fsS --max-time 5 "http://127.0.0.1:$SIM_CONTROL_PORT/stats" | jq -r '.submitsAccepted'; }
field() { sed -nE "s/^result .*\\b$1=([^ ]+).*/\\1/p" "$2"; }

# run_variant NAME LOGFILE COUNT: one bus-load (or kannel-load) run; appends a line of figures to $LOGS/results.tsv:
#  1 variant  2 per_s  3-5 p50/p95/p99 ms  6 receipts/s  7 submit_sm  8-11 % of a core: service, simulator, broker,
#  load generator  12 load average  13 ok  14 receipts unmatched  15-18 CPU us per command: service, simulator,
#  broker, load generator  19-21 (Redis variants) Redis CPU us per command, Redis commands per command, the adapter's
#  Redis round trips per command  22 (adapter variants) commands the router forwarded to the connection's queue (a
#  second broker hop: smpp_adapter_commands_forwarded_total over the run)
declare -A VHOST=([adapter+receipts]=$VHOST_ADAPTER [adapter]=$VHOST_ADAPTER [$ENV_VARIANT]=$VHOST_ADAPTER_ENV [$ENV_VARIANT+receipts]=$VHOST_ADAPTER_ENV [bare-broker]=$VHOST_BASELINE [bare-one-hop]=$VHOST_ONE_HOP [bare-one-hop+receipts]=$VHOST_ONE_HOP [bare-client+receipts]=$VHOST_CLIENT [bare-hybrid+receipts]=$VHOST_HYBRID)
RATE_ARGS=()
if [ "$RATE" -gt 0 ]; then RATE_ARGS=(--rate "$RATE"); fi
# The load generators (bus-load, kannel-load) are a new process each run, too short-lived for tiered compilation to pay
# for itself: with it off they spent ~14 % less CPU per command (docs/performance.md, session 16). The services under
# test (adapter, floors, Kannel, simulator) keep the runtime's defaults.
LOADGEN=(env DOTNET_TieredCompilation=0 dotnet "$BENCH_DLL")
declare -A EXTRA=([adapter+receipts]=--receipts [adapter]="" [$ENV_VARIANT]="" [$ENV_VARIANT+receipts]=--receipts [bare-broker]="" [bare-one-hop]="" [bare-one-hop+receipts]=--receipts [bare-client+receipts]=--receipts [bare-hybrid+receipts]=--receipts)
declare -A SERVICE=([adapter+receipts]=ADAPTER_PID [adapter]=ADAPTER_PID [$ENV_VARIANT]=ADAPTER_ENV_PID [$ENV_VARIANT+receipts]=ADAPTER_ENV_PID [bare-broker]=BASELINE_PID [bare-one-hop]=ONE_HOP_PID [bare-one-hop+receipts]=ONE_HOP_PID [bare-client+receipts]=CLIENT_PID [bare-hybrid+receipts]=HYBRID_PID [kannel]=KANNEL_PIDS)
# The Redis figures of a run of the Redis variants: Redis' CPU ticks, the commands it processed (those a script runs
# included), and the adapter's own count of Redis round trips by operation (smpp.adapter.redis.duration on /metrics).
redis_variant() { [ "$REDIS" = 1 ] && [[ $1 == "$ENV_VARIANT"* ]]; }
# forwarded NAME: the commands this variant's adapter has forwarded so far (every reason), or nothing for other variants.
forwarded() {
  local port
  case $1 in "$ENV_VARIANT"*) port=$ADAPTER_ENV_PORT ;; adapter*) port=$ADAPTER_PORT ;; *) return 0 ;; esac
  curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" 2>/dev/null \
    | awk '/^smpp_adapter_commands_forwarded_total/ { s += $NF } END { printf "%.0f", s }'
}
redis_commands() { redis-cli -p "$REDIS_PORT" info stats 2>/dev/null | tr -d '\r' | sed -n 's/^total_commands_processed://p'; }
# redis_round_trips FILE: the adapter's Redis operations so far, "operation count" per line.
redis_round_trips() {
  curl -fsS --max-time 5 "http://127.0.0.1:$ADAPTER_ENV_PORT/metrics" 2>/dev/null \
    | sed -nE 's/^smpp_adapter_redis_duration_seconds_count\{.*redis_operation="([^"]+)".*\} ([0-9.e+]+).*/\1 \2/p' | sort >"$1" || true
}
KANNEL_PIDS="$BEARERBOX_PID $SMSBOX_PID"
run_variant() {
  local name=$1 out=$2 count=$3 sim_before sim_after svc0 svc1 sim0 sim1 brk0 brk1 unmatched0=0 unmatched="-" status=0
  local service_var=${SERVICE[$name]} service_pids
  read -r -a service_pids <<<"${!service_var}"
  sim_before=$(submits_accepted)
  [ "$name" = kannel ] && unmatched0=$(kannel_unmatched "$LOGS/kannel/bearerbox.log")
  svc0=$(cpu_ticks "${service_pids[@]}") sim0=$(cpu_ticks "$SIMULATOR_PID") brk0=$(cpu_ticks "$BROKER_PID")
  local rds0=0 rds1=0 cmd0=0 cmd1=0 fwd0 fwd1
  fwd0=$(forwarded "$name")
  if redis_variant "$name"; then rds0=$(cpu_ticks "$REDIS_PID") cmd0=$(redis_commands); redis_round_trips "${out%.log}.redis-before"; fi
  # The busiest processes over one second, a few seconds in (top's second frame: the first averages since boot).
  (sleep 4; top -b -d 1 -n 2 -c -w 220 | awk '/^top -/ { frame++ } frame == 2' | head -n 14) >"${out%.log}.top" 2>&1 &
  local top_pid=$!
  if [ "$name" = kannel ]; then
    # The password through the environment (kannel-load reads KANNEL_PASSWORD), not the command line.
    KANNEL_PASSWORD=$KANNEL_PASSWORD timeout $((TIMEOUT + 30)) "${LOADGEN[@]}" kannel-load --sendsms "http://127.0.0.1:$KANNEL_SENDSMS_PORT/cgi-bin/sendsms" \
      --user "$KANNEL_USER" --dlr-port "$KANNEL_DLR_PORT" --connections "$KANNEL_CONNECTIONS" \
      --count "$count" --label "$name" --timeout "$TIMEOUT" ${RATE_ARGS[@]+"${RATE_ARGS[@]}"} >"$out" 2>&1 || status=$?
  else
    # shellcheck disable=SC2086
    timeout $((TIMEOUT + 30)) "${LOADGEN[@]}" bus-load --rabbitmq "$BROKER/${VHOST[$name]}" --count "$count" \
      --label "$name" --timeout "$TIMEOUT" ${EXTRA[$name]} ${RATE_ARGS[@]+"${RATE_ARGS[@]}"} >"$out" 2>&1 || status=$?
  fi
  wait "$top_pid" 2>/dev/null || true
  fwd1=$(forwarded "$name")
  svc1=$(cpu_ticks "${service_pids[@]}") sim1=$(cpu_ticks "$SIMULATOR_PID") brk1=$(cpu_ticks "$BROKER_PID")
  local redis_us=- redis_cmds=- round_trips=-
  if redis_variant "$name"; then
    rds1=$(cpu_ticks "$REDIS_PID") cmd1=$(redis_commands)
    redis_round_trips "${out%.log}.redis-after"
    # Round trips per command by operation over this run (the after count minus the before count), then their sum.
    join -a 2 -e 0 -o 2.1,1.2,2.2 "${out%.log}.redis-before" "${out%.log}.redis-after" \
      | awk -v n="$count" '{ printf "%s %.2f\n", $1, ($3 - $2) / n }' >"${out%.log}.redis-per-command"
    round_trips=$(awk '{ s += $2 } END { printf "%.2f", s }' "${out%.log}.redis-per-command")
    redis_cmds=$(awk -v a="$cmd0" -v b="$cmd1" -v n="$count" 'BEGIN { printf "%.2f", (b - a) / n }')
  fi
  sim_after=$(submits_accepted)
  if [ "$status" -ne 0 ] || ! grep -q '^result ' "$out"; then
    sed 's/^/    /' "$out" >&2
    die "$name run failed (exit $status); see $out"
  fi
  if [ "$name" = kannel ]; then
    unmatched=$(($(kannel_unmatched "$LOGS/kannel/bearerbox.log") - unmatched0))
  elif [ -n "${EXTRA[$name]}" ]; then
    unmatched=$((count - $(field receipts "$out")))
  fi
  # CPU of each process as a share of one core over the measured span (first publish to last event): outside it
  # the services are idle and the load generator is starting, so the whole wall time would understate the load.
  # CPU per command is the process's whole CPU of the run over the commands, independent of the span.
  local wall loadgen_s
  wall=$(field span_s "$out") loadgen_s=$(field loadgen_cpu_s "$out")
  share() { awk -v t="$1" -v w="$wall" -v k="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * t / k / w }'; }
  per_command() { awk -v t="$1" -v n="$count" -v k="$CLK_TCK" 'BEGIN { printf "%.0f", 1e6 * t / k / n }'; }
  redis_variant "$name" && redis_us=$(per_command $((rds1 - rds0)))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
    "$(field per_s "$out")" "$(field p50_ms "$out")" "$(field p95_ms "$out")" "$(field p99_ms "$out")" \
    "$(field receipts_per_s "$out")" "$((sim_after - sim_before))" \
    "$(share $((svc1 - svc0)))" "$(share $((sim1 - sim0)))" "$(share $((brk1 - brk0)))" \
    "$(awk -v c="$loadgen_s" -v w="$wall" 'BEGIN { printf "%.0f", 100 * c / w }')" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$(field ok "$out")" "$unmatched" \
    "$(per_command $((svc1 - svc0)))" "$(per_command $((sim1 - sim0)))" "$(per_command $((brk1 - brk0)))" \
    "$(awk -v c="$loadgen_s" -v n="$count" 'BEGIN { printf "%.0f", 1e6 * c / n }')" "$redis_us" "$redis_cmds" "$round_trips" \
    "$([ -n "$fwd0" ] && echo $((fwd1 - fwd0)) || echo -)" >>"$LOGS/results.tsv"
}

VARIANTS=(adapter+receipts ${ADAPTER_ENV:+"$ENV_VARIANT+receipts"} adapter ${ADAPTER_ENV:+"$ENV_VARIANT"} bare-broker bare-one-hop bare-one-hop+receipts bare-client+receipts bare-hybrid+receipts)
[ "$KANNEL" = 1 ] && VARIANTS=(kannel "${VARIANTS[@]}")
if [ -n "$ONLY" ]; then
  IFS=, read -r -a wanted <<<"$ONLY"
  for v in "${wanted[@]}"; do [[ " ${VARIANTS[*]} " == *" $v "* ]] || die "--variants: no variant '$v' in this run (${VARIANTS[*]})"; done
  VARIANTS=("${wanted[@]}")
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "warm-up: $WARMUP SendSms per variant, not counted"
for v in "${VARIANTS[@]}"; do run_variant "$v" "$LOGS/warmup-$v.log" "$WARMUP"; done
: >"$LOGS/results.tsv"

receipts_variant() { [[ $1 == *receipts* || $1 == kannel ]]; }
smpp_variant() { [[ $1 == adapter* || $1 == kannel ]]; }
log "measuring: $COUNT SendSms per run, $REPEATS runs per variant, interleaved, every other run in reverse order (load average before: $LOAD_BEFORE)"
printf '%-22s %3s %9s %8s %8s %8s %10s %10s %10s %5s\n' variant run "cmds/s" "p50 ms" "p95 ms" "p99 ms" "receipts/s" "unmatched" "submit_sm" "load"
for ((r = 1; r <= REPEATS; r++)); do
  # Every other run in the reverse order: each two neighbouring variants run in both orders, so neither always follows
  # the other (or Kannel): 3-4 % between the first and the second of two identical adapters on this machine (Session 19).
  order=("${VARIANTS[@]}")
  if ((r % 2 == 0)); then
    order=()
    for ((i = ${#VARIANTS[@]} - 1; i >= 0; i--)); do order+=("${VARIANTS[i]}"); done
  fi
  for v in "${order[@]}"; do
    run_variant "$v" "$LOGS/run-$r-$v.log" "$COUNT"
    tail -n 1 "$LOGS/results.tsv" | awk -F'\t' -v r="$r" -v receipts="$(receipts_variant "$v" && echo 1)" -v smpp="$(smpp_variant "$v" && echo 1)" \
      '{ printf "%-22s %3d %9d %8d %8d %8d %10s %10s %10s %5s\n", $1, r, $2, $3, $4, $5, (receipts ? $6 : "-"), $14, (smpp ? $7 : "-"), $12 }'
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the summary -----------------------------------------------------------------------------------------------
col() { awk -F'\t' -v v="$1" -v c="$2" '$1 == v { print $c }' "$LOGS/results.tsv"; }
BASE=$(col bare-broker 2 | median)
KANNEL_RATE=$([ "$KANNEL" = 1 ] && col kannel 2 | median || echo "")
echo
echo "Load run: $COUNT SendSms per run (GSM 7-bit, 160 chars, plain JSON, publisher confirms$( [ "$RATE" -gt 0 ] && echo ", published at a fixed $RATE/s"), median of $REPEATS runs;"
echo "adapter: Sessions $SESSIONS x WindowSize $WINDOW against the simulator on loopback; bare broker: the same hops without SMPP;"
echo "broker: RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?'), Erlang allocator flags: ${BROKER_ALLOC:-unknown}; scheduler threads: ${BROKER_SCHEDULERS:-unknown}"
echo "bare-one-hop: one command consumed, one event published (MassTransit, no SMPP); +receipts: and one SmsDeliveryReported; bare-client: the same on RabbitMQ.Client, no MassTransit; bare-hybrid: MassTransit consumes, RabbitMQ.Client publishes"
[ -z "$ADAPTER_ENV" ] || echo "$ENV_VARIANT, $ENV_VARIANT+receipts: the adapter $ADAPTER_ENV_DLL with $ADAPTER_ENV${ENV_POLICY:+, its smpp-send-sms queues with the policy $ENV_POLICY}"
[ "$KANNEL" = 1 ] && echo "kannel: Kannel $(dpkg-query -W -f='${Version}' kannel) bearerbox + smsbox, the same binds and window; cmds/s are messages with receipts/s (first sendsms to last dlr-url callback), latency sendsms -> callback; $KANNEL_CONNECTIONS keep-alive sendsms connections"
printf '%-22s %9s %11s %7s %9s %8s %8s %8s %10s %10s %16s %10s\n' variant "cmds/s" "min-max" "ratio" "vs kannel" "p50 ms" "p95 ms" "p99 ms" "receipts/s" "unmatched" "submit_sm/sent" "forwarded"
for v in "${VARIANTS[@]}"; do
  per_s=$(col "$v" 2 | median)
  printf '%-22s %9.0f %11s %7s %9s %8.0f %8.0f %8.0f %10s %10s %16s %10s\n' "$v" "$per_s" \
    "$(col "$v" 2 | sort -g | sed -n '1p;$p' | paste -sd-)" \
    "$(awk -v a="$per_s" -v b="$BASE" 'BEGIN { printf "%.2f", a / b }')" \
    "$([ -n "$KANNEL_RATE" ] && awk -v a="$per_s" -v b="$KANNEL_RATE" 'BEGIN { printf "%.2f", a / b }' || echo -)" \
    "$(col "$v" 3 | median)" "$(col "$v" 4 | median)" "$(col "$v" 5 | median)" \
    "$(receipts_variant "$v" && col "$v" 6 | median || echo -)" \
    "$(receipts_variant "$v" && col "$v" 14 | awk '{ s += $1 } END { print s }' || echo -)" \
    "$(smpp_variant "$v" && echo "$(col "$v" 7 | awk '{ s += $1 } END { print s }')/$((COUNT * REPEATS))" || echo -)" \
    "$([[ $v == adapter* || ( -n "$ENV_VARIANT" && $v == "$ENV_VARIANT"* ) ]] && col "$v" 22 | awk -v n=$((COUNT * REPEATS)) '{ s += $1 } END { printf "%.0f%%", 100 * s / n }' || echo -)"
done
echo "(forwarded: commands the adapter's router sent on to the connection's queue, a second broker hop each, over all runs)"
echo "(unmatched: receipts that reached no message, summed over the runs: Kannel's '$KANNEL_UNMATCHED', or receipts the adapter did not publish)"
echo
echo "CPU during the runs, % of one core (median; the machine has $(nproc) cores), and CPU per command in us (median;"
echo "the process's CPU over the run / commands, independent of what the other processes left over):"
printf '%-22s %8s %9s %7s %8s | %8s %7s %8s | %9s %8s\n' variant service simulator broker loadgen "service" broker "gateway" simulator loadgen
for v in "${VARIANTS[@]}"; do
  if [ "$v" = kannel ]; then broker_us=- gateway_us=$(col "$v" 15 | median); else
    broker_us=$(col "$v" 17 | median)
    gateway_us=$(awk -F'\t' -v v="$v" '$1 == v { print $15 + $17 }' "$LOGS/results.tsv" | median)
  fi
  printf '%-22s %8s %9s %7s %8s | %8s %7s %8s | %9s %8s\n' "$v" "$(col "$v" 8 | median)" "$(smpp_variant "$v" && col "$v" 9 | median || echo -)" \
    "$(col "$v" 10 | median)" "$(col "$v" 11 | median)" "$(col "$v" 15 | median)" "$broker_us" "$gateway_us" \
    "$(smpp_variant "$v" && col "$v" 16 | median || echo -)" "$(col "$v" 18 | median)"
done
echo "(service: the adapter, bus-load baseline for the bare variants, bearerbox + smsbox for kannel; gateway: service + broker,"
echo " what a deployment pays per command; simulator and load generator (bus-load, or kannel-load's injector + dlr receiver)"
echo " are the harness and share the same cores; the broker is shared with anything else using it, Kannel does not use it)"
spread=$(for v in "${VARIANTS[@]}"; do col "$v" 2 | sort -g | awk -v v="$v" '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; printf "%s %.0f%%, ", v, 100 * (a[NR] - a[1]) / m }'; done)
echo "noise: spread (max-min)/median of cmds/s: ${spread%, }"
echo "load average (1/5/15 min): before $LOAD_BEFORE, after $LOAD_AFTER"
if [ "$REDIS" = 1 ]; then
  echo
  echo "Redis stores vs in memory (medians of $REPEATS interleaved runs; adapter CPU per command in us; per run: the run's"
  echo "Redis variant over the in-memory run just before it; goal of issue 11: within 15 %):"
  printf '%-16s %8s %8s %7s %16s %10s %12s %11s\n' "" memory redis ratio "ratio per run" "redis us" "round trips" "redis cmds"
  for memory in adapter+receipts adapter; do
    redis_v=${memory/adapter/$ENV_VARIANT}
    m=$(col "$memory" 15 | median) r=$(col "$redis_v" 15 | median)
    per_run=$(paste <(col "$memory" 15) <(col "$redis_v" 15) | awk '{ printf "%.2f ", $2 / $1 }')
    printf '%-16s %8s %8s %7s %16s %10s %12s %11s\n' "$([[ $memory == *receipts ]] && echo "with receipts" || echo "no receipts")" "$m" "$r" \
      "$(awk -v a="$r" -v b="$m" 'BEGIN { printf "%.2f", a / b }')" "${per_run% }" "$(col "$redis_v" 19 | median)" \
      "$(col "$redis_v" 21 | median)" "$(col "$redis_v" 20 | median)"
  done
  echo "(redis us: redis-server's CPU per command; round trips: the adapter's Redis operations per command, from its"
  echo " smpp.adapter.redis.duration count; redis cmds: commands Redis processed per command, those run inside scripts included)"
  for v in "$ENV_VARIANT+receipts" "$ENV_VARIANT"; do
    echo "round trips per command by operation, $v (last run): $(tr '\n' ' ' <"$LOGS/run-$REPEATS-$v.redis-per-command" 2>/dev/null | sed 's/ \([0-9.]*\) / \1, /g')"
  done
fi
all_ok=$(awk -F'\t' '$13 != 1 { bad++ } END { print bad + 0 }' "$LOGS/results.tsv")
if [ "$all_ok" -eq 0 ]; then
  echo "every messageId got exactly one outcome (and exactly one receipt when asked) in every run"
else
  echo "$all_ok run(s) did not get exactly one outcome per messageId: see $LOGS/run-*.log"
  exit 1
fi
echo "top snapshots (5 s into each run): $LOGS/run-*.top"

# --- latency below saturation, and memory (--latency) ----------------------------------------------------------
if [ "$LATENCY" -gt 0 ]; then
  rate=$(col adapter+receipts 2 | median | awk '{ printf "%d", ($1 > 1 ? $1 / 2 : 1) }')
  log "latency: $LATENCY SendSms with receipts to the adapter at $rate/s (half its median rate with receipts)"
  rss_before=$(awk '/^VmRSS/ { print $2 }' "/proc/$ADAPTER_PID/status")
  # The second adapter has had the same commands as the first by now when both ran the same variants: its memory
  # beside the first's is a side-by-side comparison of the two builds or settings.
  rss_env=$([ -n "$ADAPTER_ENV_PID" ] && awk '/^VmRSS/ { print $2 }' "/proc/$ADAPTER_ENV_PID/status" 2>/dev/null || true)
  timeout $((TIMEOUT + LATENCY / rate + 60)) "${LOADGEN[@]}" bus-load --rabbitmq "$BROKER/$VHOST_ADAPTER" --count "$LATENCY" \
    --label latency --receipts --rate "$rate" --timeout $((TIMEOUT + LATENCY / rate)) >"$LOGS/latency.log" 2>&1 \
    || { sed 's/^/    /' "$LOGS/latency.log" >&2; die "the latency run failed; see $LOGS/latency.log"; }
  rss_after=$(awk '/^VmRSS/ { print $2 }' "/proc/$ADAPTER_PID/status")
  with_receipts=$((WARMUP + COUNT * REPEATS + LATENCY)) without=$((WARMUP + COUNT * REPEATS))
  echo
  echo "Latency at a fixed $rate SendSms/s with receipts ($LATENCY commands; publish -> SmsSubmitted, ms):"
  grep -E '^(latency|outcomes|receipts|throughput)' "$LOGS/latency.log" | sed 's/^/  /'
  awk -v b="$rss_before" -v a="$rss_after" -v r="$with_receipts" -v n="$without" 'BEGIN {
    printf "adapter resident memory: %.0f MB after %d commands with receipts and %d without (%.0f MB before the latency run)\n", a / 1024, r, n, b / 1024 }'
  [ -z "$rss_env" ] || awk -v e="$rss_env" -v b="$rss_before" -v v="$ENV_VARIANT" 'BEGIN {
    printf "%s resident memory before the latency run: %.0f MB (adapter: %.0f MB; the same commands when both ran the same variants)\n", v, e / 1024, b / 1024 }'
  grep -q ' ok=1 ' "$LOGS/latency.log" || die "the latency run did not get exactly one outcome and one receipt per messageId"
fi
