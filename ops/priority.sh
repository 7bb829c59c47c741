#!/usr/bin/env bash
# Priority lane run: does a `priority: high` SendSms overtake a connection's backlog? For each scenario, with the
# connection's SMSC away, publishes N normal commands (plain JSON to smpp-send-sms) and waits until the router has
# parked them all in smpp-send-sms.instasent; then starts the simulator and measures, from the bind:
#   queued    the M high commands were published behind the backlog before the bind (parked in smpp-send-sms.instasent.high)
#   draining  the M high commands are published once K outcomes are in, the backlog draining (part of it prefetched)
# and prints when the last high command got its SmsSubmitted (seconds, and its position among all outcomes) against
# when the backlog drained. Each scenario has its own RabbitMQ virtual host and fresh adapter and simulator processes.
# Stops only what it started. Not part of ops/test.sh.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/processes.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/priority.sh [--normal N] [--high M] [--high-after K] [--timeout SECONDS] [--help]

  --normal N       normal commands in the backlog (default 50000)
  --high M         high commands (default 100)
  --high-after K   outcomes before the draining scenario publishes its high commands (default 5000)
  --timeout SEC    bound of each scenario, first publish to last outcome (default 900)

Ports (must be free): PRIORITY_SIMULATOR_PORT 12780, PRIORITY_SIMULATOR_CONTROL_PORT 18781, PRIORITY_ADAPTER_PORT 18780.
The adapter runs with Sessions 2 x WindowSize 50 and the default HighPriorityWindowShare (0.2). The broker is the
local one on 127.0.0.1:5672 (started if none answers); its virtual hosts are managed with rabbitmqctl.
USAGE
}

NORMAL=50000 HIGH=100 HIGH_AFTER=5000 TIMEOUT=900
while [ $# -gt 0 ]; do
  case "$1" in
    --normal) positive "$1" "${2:-}"; NORMAL=$2; shift 2 ;;
    --high) positive "$1" "${2:-}"; HIGH=$2; shift 2 ;;
    --high-after) positive "$1" "${2:-}"; HIGH_AFTER=$2; shift 2 ;;
    --timeout) positive "$1" "${2:-}"; TIMEOUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ "$HIGH_AFTER" -lt "$NORMAL" ] || die "--high-after must be below --normal"

SIM_PORT=${PRIORITY_SIMULATOR_PORT:-12780}
SIM_CONTROL_PORT=${PRIORITY_SIMULATOR_CONTROL_PORT:-18781}
ADAPTER_PORT=${PRIORITY_ADAPTER_PORT:-18780}
SESSIONS=2 WINDOW=50
RUN_ID=$(date +%Y%m%d%H%M%S)-$$
BROKER=amqp://guest:guest@127.0.0.1:5672


LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-priority.XXXXXX")
ADAPTER_PID="" SIMULATOR_PID="" LOAD_PID=""
stop_scenario() {
  [ -n "$LOAD_PID" ] && stop_pid priority-load "$LOAD_PID" 10
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  LOAD_PID="" ADAPTER_PID="" SIMULATOR_PID=""
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$ADAPTER_PID$SIMULATOR_PID$LOAD_PID" ] && log "stopping what this script started"
  stop_scenario
  vhosts_delete
  rabbitmq_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
on_exit cleanup
log "logs: $LOGS"

require_free_port 127.0.0.1 "$SIM_PORT" "the SMSC simulator (PRIORITY_SIMULATOR_PORT)"
require_free_port 127.0.0.1 "$SIM_CONTROL_PORT" "the simulator's control API (PRIORITY_SIMULATOR_CONTROL_PORT)"
require_free_port 127.0.0.1 "$ADAPTER_PORT" "the adapter's HTTP endpoint (PRIORITY_ADAPTER_PORT)"
rabbitmq_ensure
[ -x /usr/sbin/rabbitmqctl ] || die "rabbitmqctl is needed to create the run's virtual hosts (a broker in Docker is not supported here)"

log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks

# scenario NAME HIGH_AFTER: one measured run on its own virtual host; prints priority-load's figures.
scenario() {
  local name=$1 high_after=$2 vhost=smpp-priority-$RUN_ID-$1 status=0
  vhost_create "$vhost"

  log "$name: starting the adapter with no SMSC to bind to (http://127.0.0.1:$ADAPTER_PORT)"
  # Credentials through the environment (local -x: exported to this function's children only), not on command lines.
  local -x RabbitMq__Uri="$BROKER/$vhost" RABBITMQ_URI="$BROKER/$vhost" Smpp__Connections__0__Password=load123
  start_bg adapter "$LOGS/$name-adapter.log" env \
    Http__Urls="http://127.0.0.1:$ADAPTER_PORT" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$SIM_PORT" \
    Smpp__Connections__0__SystemId=load Smpp__Connections__0__Sessions=$SESSIONS Smpp__Connections__0__WindowSize=$WINDOW \
    Smpp__Connections__0__ReconnectDelayMin=00:00:00.100 Smpp__Connections__0__ReconnectDelayMax=00:00:00.500 \
    Logging__LogLevel__Default=Warning \
    dotnet "$ADAPTER_DLL"
  ADAPTER_PID=$BG_PID
  wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/live" 60 "$ADAPTER_PID" \
    || { show_log_tail adapter "$LOGS/$name-adapter.log"; die "the adapter is not live after 60 s"; }

  log "$name: queuing $NORMAL normal commands$([ "$high_after" = 0 ] && echo ", then $HIGH high ones,") while the SMSC is away"
  start_bg priority-load "$LOGS/$name-load.log" timeout $((TIMEOUT + 60)) dotnet "$BENCH_DLL" priority-load \
    --normal "$NORMAL" --high "$HIGH" --high-after "$high_after" --timeout "$TIMEOUT"
  LOAD_PID=$BG_PID
  wait_file_line "$LOGS/$name-load.log" '^queued:' "$TIMEOUT" "$LOAD_PID" \
    || { show_log_tail priority-load "$LOGS/$name-load.log"; die "$name: the commands were not queued within $TIMEOUT s"; }

  log "$name: starting the simulator on 127.0.0.1:$SIM_PORT: the session binds and the backlog drains"
  start_bg simulator "$LOGS/$name-simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account load:load123:10 \
    --control-port "$SIM_CONTROL_PORT"
  SIMULATOR_PID=$BG_PID
  wait "$LOAD_PID" || status=$?
  LOAD_PID=""
  sed -n '/^from the bind/,$p' "$LOGS/$name-load.log" | sed "s/^/  [$name] /"
  [ "$status" -eq 0 ] || { show_log_tail priority-load "$LOGS/$name-load.log"; die "$name: priority-load failed (exit $status)"; }
  stop_scenario
}

echo "Priority lane: $NORMAL normal SendSms queued on one connection (Sessions $SESSIONS x WindowSize $WINDOW,"
echo "HighPriorityWindowShare 0.2), $HIGH high ones; simulator on loopback, load average $(cut -d' ' -f1-3 /proc/loadavg)"
scenario queued 0
scenario draining "$HIGH_AFTER"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
