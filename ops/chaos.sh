#!/usr/bin/env bash
# Chaos run (issue 10, item 7): the adapter as a real process (Release, `dotnet <dll>`, Redis stores) against the
# simulator through a loopback TCP proxy it can command, under a steady load with receipts, with ONE fault injected
# per row. For each row it prints what the harness counted from the events it consumed off the broker: commands
# published (confirmed by the broker), outcomes (submitted / rejected), segments the SMSC accepted more than once
# (the simulator's GET /accepted-segments, per command and segment whatever the UDH reference), receipts matched, and
# commands lost (confirmed, no outcome when the row ends). Not part of ops/test.sh. Stops only what it started.
#
# Everything breakable is private to this script: the broker is the node chaos1@localhost (AMQP 127.0.0.1:5811,
# distribution 25811, /var/lib/rabbitmq/instasent-chaos, made by ops/lib/rabbitmq-cluster.sh), Redis runs on 6391.
# The row cluster-node has a 3-node cluster of its own, chaosc1..3@localhost (AMQP 127.0.0.1:5821-5823, distribution
# 25821-25823, /var/lib/rabbitmq/instasent-chaos-cluster), started only when that row runs. The shared broker on 5672,
# the test cluster on 5701-5703 and Redis on 6379 are not touched.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/processes.sh"
# The two private brokers, as ops/lib/rabbitmq-cluster.sh names them (prefix, port base, directory): use_broker picks one.
SINGLE_BROKER=("${CHAOS_RABBIT_PREFIX:-chaos}" "${CHAOS_RABBIT_PORT_BASE:-5810}" "${CHAOS_RABBIT_BASE:-/var/lib/rabbitmq/instasent-chaos}")
CLUSTER_BROKER=("${CHAOS_CLUSTER_PREFIX:-chaosc}" "${CHAOS_CLUSTER_PORT_BASE:-5820}" "${CHAOS_CLUSTER_BASE:-/var/lib/rabbitmq/instasent-chaos-cluster}")
export RABBIT_CLUSTER_PREFIX=${SINGLE_BROKER[0]} RABBIT_CLUSTER_PORT_BASE=${SINGLE_BROKER[1]} RABBIT_CLUSTER_BASE=${SINGLE_BROKER[2]}
. "$(dirname "$0")/lib/rabbitmq-cluster.sh"
REDIS_PORT=${CHAOS_REDIS_PORT:-6391}
. "$(dirname "$0")/lib/redis.sh"
ROOT=$(repo_root)
cd "$ROOT"

ALL_ROWS=(baseline smsc-kill link-cut link-stall throttle-resp throttle-nack slow-resp missing-resp malformed-resp binds-refused adapter-kill broker-restart cluster-node memory-alarm)
usage() {
  cat <<USAGE
Usage: ops/chaos.sh [--rows ROW,ROW...] [--rate N] [--seconds S] [--drain S] [--keep-broker] [--help]

  --rows      which rows, in this order (default: all): ${ALL_ROWS[*]}
  --rate      SendSms per second during a row (default 40; every 4th is two segments)
  --seconds   how long each row publishes (default 60); the fault starts 10 s in
  --drain     seconds after the last publish to wait for every outcome and receipt (default 150)
  --keep-broker  leave the private broker node (and cluster) running at the end (stopped when this script started them)

Rows (the fault; everything else stays healthy):
  baseline        none
  smsc-kill       the simulator SIGKILLed at 10 s, started again 15 s later (its accepted segments are read just before)
  link-cut        every TCP connection adapter<->SMSC reset by the proxy at 10, 20 and 30 s
  link-stall      the proxy stops forwarding (sockets open) for 20 s
  throttle-resp   the SMSC allows 70% of the offered segment rate, answering the rest ESME_RTHROTTLED in submit_sm_resp, 30 s
  throttle-nack   30% of submit_sm answered generic_nack ESME_RTHROTTLED, 30 s
  slow-resp       every submit_sm_resp 7 s late (the adapter's response timeout is 5 s), 20 s
  missing-resp    submit_sm never answered (not accepted either), 20 s
  malformed-resp  submit_sm accepted but answered with a 70-octet message_id (undecodable), 20 s
  binds-refused   binds refused (ESME_RBINDFAIL) for 20 s and every connection dropped
  adapter-kill    the adapter SIGKILLed at 10 s and started again
  broker-restart  the broker node stopped at 10 s and started again
  cluster-node    on a 3-node cluster of its own, quorum queues, the adapter given all three nodes: the node leading
                  smpp-send-sms SIGKILLed at 10 s and started again 15 s later (the load is on another node)
  memory-alarm    the broker's memory high watermark set to 0.0001 for 30 s (publishers blocked), then 0.4

Ports: simulator 12790 (control 18790), proxy 12791 (control 18792), adapter HTTP 18791, Redis 6391, broker 5811,
cluster (row cluster-node) 5821-5823.
USAGE
}

ROWS=("${ALL_ROWS[@]}") RATE=40 SECONDS_PER_ROW=60 DRAIN=150 KEEP_BROKER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) IFS=, read -r -a ROWS <<<"${2:-}"; shift 2 ;;
    --rate) positive "$1" "${2:-}"; RATE=$2; shift 2 ;;
    --seconds) positive "$1" "${2:-}"; SECONDS_PER_ROW=$2; shift 2 ;;
    --drain) positive "$1" "${2:-}"; DRAIN=$2; shift 2 ;;
    --keep-broker) KEEP_BROKER=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for row in "${ROWS[@]}"; do [[ " ${ALL_ROWS[*]} " == *" $row "* ]] || die "unknown row '$row' (rows: ${ALL_ROWS[*]})"; done

SIM_PORT=12790 SIM_CONTROL_PORT=18790 PROXY_PORT=12791 PROXY_CONTROL_PORT=18792 ADAPTER_PORT=18791
BROKER_PORT=$(rabbitmq_cluster_amqp_port 1)
SESSIONS=2 WINDOW=10 RESPONSE_TIMEOUT=00:00:05
FAULT_AT=10
RUN_ID=$(date +%Y%m%d%H%M%S)
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-chaos.XXXXXX")
ADAPTER_PID="" SIMULATOR_PID="" PROXY_PID="" LOAD_PID="" BROKER_STARTED=0 CLUSTER_STARTED=0 VHOST="" ROW_DIR=""
BROKER=single LOAD_NODE=1

# use_broker single|cluster: the private broker that rmqctl, the adapter and the load talk to from now on.
use_broker() {
  local -n chosen="${1^^}_BROKER"
  BROKER=$1 RABBIT_CLUSTER_PREFIX=${chosen[0]} RABBIT_CLUSTER_PORT_BASE=${chosen[1]} RABBIT_CLUSTER_BASE=${chosen[2]}
  BROKER_PORT=$(rabbitmq_cluster_amqp_port 1)
}
# rmqctl ARGS: rabbitmqctl against the first node of the current broker that answers (a cluster node may be down).
rmqctl() {
  local n
  for n in 1 2 3; do rabbitmq_cluster_node_up "$n" && { _rabbitmq_cluster_ctl "$n" -q "$@"; return; }; done
  return 1
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_row_processes
  [ -n "$VHOST" ] && { rmqctl delete_vhost "$VHOST" >/dev/null 2>&1 || true; }
  if [ "$BROKER_STARTED" = 1 ] && [ "$KEEP_BROKER" = 0 ]; then use_broker single; rabbitmq_cluster_stop_node 1; fi
  if [ "$CLUSTER_STARTED" = 1 ] && [ "$KEEP_BROKER" = 0 ]; then use_broker cluster; rabbitmq_cluster_stop; fi
  redis_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
stop_row_processes() {
  [ -n "$LOAD_PID" ] && stop_pid chaos-load "$LOAD_PID" 10
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  [ -n "$PROXY_PID" ] && stop_pid tcp-proxy "$PROXY_PID" 10
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  LOAD_PID="" ADAPTER_PID="" PROXY_PID="" SIMULATOR_PID=""
}
on_exit cleanup
log "logs: $LOGS"

# --- build once, private broker and Redis ---------------------------------------------------------------------
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
for p in "$SIM_PORT:the simulator" "$SIM_CONTROL_PORT:the simulator's control API" "$PROXY_PORT:the TCP proxy" \
  "$PROXY_CONTROL_PORT:the TCP proxy's control port" "$ADAPTER_PORT:the adapter's HTTP endpoint"; do
  require_free_port 127.0.0.1 "${p%%:*}" "${p#*:}"
done
log "building the adapter, the simulator and the benchmarks (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator tests/Instasent.SmppAdapter.Benchmarks
redis_ensure
# Each private broker only when a row needs it.
if printf '%s\n' "${ROWS[@]}" | grep -qvx cluster-node; then
  use_broker single
  if ! rabbitmq_cluster_node_up 1; then
    apt_install rabbitmq-server
    rabbitmq_cluster_start_node 1
    BROKER_STARTED=1
  fi
  log "broker: $(rabbitmq_cluster_node_name 1) on 127.0.0.1:$BROKER_PORT"
fi
if printf '%s\n' "${ROWS[@]}" | grep -qx cluster-node; then
  use_broker cluster
  rabbitmq_cluster_node_up 1 && rabbitmq_cluster_node_up 2 && rabbitmq_cluster_node_up 3 || CLUSTER_STARTED=1
  rabbitmq_cluster_start
  log "cluster: $(rabbitmq_cluster_node_name 1)..3 on 127.0.0.1:$(rabbitmq_cluster_amqp_port 1)-$(rabbitmq_cluster_amqp_port 3)"
fi

# --- the processes of one row ------------------------------------------------------------------------------------
start_simulator() {
  start_bg simulator "$ROW_DIR/simulator.log" dotnet "$SIMULATOR_DLL" --port "$SIM_PORT" --account chaos:chaos123:4 \
    --control-port "$SIM_CONTROL_PORT" --receipt-delay 1s --deliver-attempts 300 --deliver-retry-delay 1s
  SIMULATOR_PID=$BG_PID
  wait_port 127.0.0.1 "$SIM_CONTROL_PORT" 60 "$SIMULATOR_PID" || { show_log_tail simulator "$ROW_DIR/simulator.log"; die "the simulator is not listening after 60 s"; }
}
start_adapter() {
  local -x RabbitMq__Uri="amqp://guest:guest@127.0.0.1:$BROKER_PORT/$VHOST" Smpp__Connections__0__Password=chaos123
  local cluster=()
  # On the cluster: quorum queues, and every node to connect to (node 1 first).
  [ "$BROKER" = cluster ] && cluster=(RabbitMq__QueueType=quorum
    "RabbitMq__ClusterNodes__0=127.0.0.1:$(rabbitmq_cluster_amqp_port 1)" "RabbitMq__ClusterNodes__1=127.0.0.1:$(rabbitmq_cluster_amqp_port 2)"
    "RabbitMq__ClusterNodes__2=127.0.0.1:$(rabbitmq_cluster_amqp_port 3)")
  start_bg adapter "$ROW_DIR/adapter.log" env "${cluster[@]}" \
    Http__Urls="http://127.0.0.1:$ADAPTER_PORT" \
    Smpp__Connections__0__Name=instasent Smpp__Connections__0__Host=127.0.0.1 Smpp__Connections__0__Port="$PROXY_PORT" \
    Smpp__Connections__0__SystemId=chaos Smpp__Connections__0__Sessions=$SESSIONS Smpp__Connections__0__WindowSize=$WINDOW \
    Smpp__Connections__0__ResponseTimeout=$RESPONSE_TIMEOUT Smpp__Connections__0__EnquireLinkInterval=00:00:05 \
    Smpp__Connections__0__ReconnectDelayMax=00:00:05 Smpp__Connections__0__BindFailureDelay=00:00:05 \
    Stores__Provider=Redis Stores__Redis__Configuration="127.0.0.1:$REDIS_PORT" Stores__Redis__KeyPrefix="chaos-$RUN_ID-$ROW:" \
    Stores__ClaimLease=00:00:30 Adapter__RetryBudget=00:00:15 Adapter__ShutdownTimeout=00:00:10 \
    Logging__LogLevel__Microsoft.AspNetCore=Warning \
    dotnet "$ADAPTER_DLL"
  ADAPTER_PID=$BG_PID
}
wait_adapter_ready() {
  wait_http_ok "http://127.0.0.1:$ADAPTER_PORT/health/ready" "$1" "$ADAPTER_PID" \
    || { show_log_tail adapter "$ROW_DIR/adapter.log"; die "the adapter is not ready after $1 s"; }
}
proxy() { # proxy COMMAND: one line to the proxy's control port, its answer logged
  local answer
  answer=$(exec 3<>"/dev/tcp/127.0.0.1/$PROXY_CONTROL_PORT" && printf '%s\n' "$1" >&3 && timeout 10 head -n 1 <&3) || answer="no answer"
  log "proxy: $answer"
}
faults() { curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$SIM_CONTROL_PORT/faults" >/dev/null \
  || log "the simulator's control API refused $1"; log "simulator faults: $1"; }
after() { sleep "$1"; }  # the row's timeline: a fault's steps are seconds apart, not events to wait for

# inject ROW: the row's fault, from FAULT_AT seconds into the load; returns when the fault is over.
inject() {
  case "$1" in
    baseline) ;;
    smsc-kill)
      # Stall the link first, so nothing reaches the simulator between reading its counts and killing it.
      proxy stall; after 1
      curl -fsS --max-time 10 "http://127.0.0.1:$SIM_CONTROL_PORT/accepted-segments" >"$ROW_DIR/snapshots/before-kill.json"
      log "SIGKILL simulator (pid $SIMULATOR_PID; $(jq length "$ROW_DIR/snapshots/before-kill.json") segment keys read)"
      kill -KILL "$SIMULATOR_PID"; wait "$SIMULATOR_PID" 2>/dev/null || true; SIMULATOR_PID=""
      proxy resume; after 15
      log "starting the simulator again"; start_simulator ;;
    link-cut) proxy cut; after 10; proxy cut; after 10; proxy cut ;;
    link-stall) proxy stall; after 20; proxy resume ;;
    throttle-resp)
      local segments_per_s=$((RATE + RATE / 4))
      faults "{\"maxSubmitsPerSecond\": $((segments_per_s * 7 / 10))}"; after 30; faults '{"maxSubmitsPerSecond": 0}' ;;
    throttle-nack) faults '{"genericNackShare": 0.3, "genericNackStatus": "ESME_RTHROTTLED"}'; after 30; faults '{"genericNackShare": 0}' ;;
    slow-resp) faults '{"responseDelay": "00:00:07"}'; after 20; faults '{"responseDelay": "00:00:00"}' ;;
    missing-resp) faults '{"dropResponses": true}'; after 20; faults '{"dropResponses": false}' ;;
    malformed-resp) faults '{"overlongMessageIds": true}'; after 20; faults '{"overlongMessageIds": false}' ;;
    binds-refused)
      faults '{"refuseBindsFor": "00:00:20"}'
      curl -fsS --max-time 10 -X POST "http://127.0.0.1:$SIM_CONTROL_PORT/drop-connections" >/dev/null; log "simulator: connections dropped"
      after 20 ;;
    adapter-kill)
      log "SIGKILL adapter (pid $ADAPTER_PID)"
      kill -KILL "$ADAPTER_PID"; wait "$ADAPTER_PID" 2>/dev/null || true
      mv "$ROW_DIR/adapter.log" "$ROW_DIR/adapter-killed.log"
      start_adapter; wait_adapter_ready 90; log "adapter ready again (pid $ADAPTER_PID)" ;;
    broker-restart)
      rabbitmq_cluster_stop_node 1; log "broker stopped"
      rabbitmq_cluster_start_node 1; log "broker up again" ;;
    cluster-node)
      local leader pid_file
      leader=$(leader_node) || die "smpp-send-sms of $VHOST has no leader"
      [ "$leader" != "$LOAD_NODE" ] || die "smpp-send-sms moved to node $LOAD_NODE, the node the load is on"
      pid_file="$RABBIT_CLUSTER_BASE/$RABBIT_CLUSTER_PREFIX$leader/rabbit.pid"
      log "SIGKILL $(rabbitmq_cluster_node_name "$leader"), the leader of smpp-send-sms (pid $(as_root cat "$pid_file"))"
      as_root kill -KILL "$(as_root cat "$pid_file")"; as_root rm -f "$pid_file"
      after 15
      rabbitmq_cluster_start_node "$leader"
      log "$(rabbitmq_cluster_node_name "$leader") up again; smpp-send-sms now led by node $(leader_node || echo '?')" ;;
    memory-alarm)
      rmqctl set_vm_memory_high_watermark 0.0001 >/dev/null; log "broker: memory high watermark 0.0001 (alarm)"; after 30
      rmqctl set_vm_memory_high_watermark 0.4 >/dev/null; log "broker: memory high watermark 0.4" ;;
  esac
}

# leader_node: the node (1..3) of the current broker leading smpp-send-sms of $VHOST.
leader_node() {
  local name n
  name=$(rabbitmq_cluster_queue_leader smpp-send-sms "$VHOST") || return 1
  for n in 1 2 3; do [ "$name" = "$(rabbitmq_cluster_node_name "$n")" ] && { echo "$n"; return 0; }; done
  return 1
}

# --- the rows ---------------------------------------------------------------------------------------------------
RESULTS="$LOGS/results.txt"
: >"$RESULTS"
field() { sed -nE "s/^row .*\\b$1=([^ ]+).*/\\1/p" "$2"; }
for ROW in "${ROWS[@]}"; do
  ROW_DIR="$LOGS/$ROW"
  mkdir -p "$ROW_DIR/snapshots"
  VHOST="chaos-$RUN_ID-$ROW"
  if [ "$ROW" = cluster-node ]; then use_broker cluster; else use_broker single; fi
  LOAD_NODE=1
  log "row $ROW: vhost $VHOST, logs $ROW_DIR"
  rmqctl add_vhost "$VHOST" >/dev/null
  rmqctl set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
  start_simulator
  start_bg tcp-proxy "$ROW_DIR/proxy.log" dotnet "$BENCH_DLL" tcp-proxy --listen "$PROXY_PORT" --target "127.0.0.1:$SIM_PORT" --control "$PROXY_CONTROL_PORT"
  PROXY_PID=$BG_PID
  wait_file_line "$ROW_DIR/proxy.log" '^tcp-proxy ready' 60 "$PROXY_PID" || { show_log_tail tcp-proxy "$ROW_DIR/proxy.log"; die "the proxy did not start"; }
  start_adapter
  wait_adapter_ready 120
  if [ "$BROKER" = cluster ]; then
    # The load publishes and listens on a node that will stay up: not the one leading the command queue.
    LOAD_NODE=$(leader_node) || die "smpp-send-sms of $VHOST has no leader"
    LOAD_NODE=$((LOAD_NODE % 3 + 1))
    log "row $ROW: smpp-send-sms led by node $(leader_node); the load is on node $LOAD_NODE"
  fi
  started=$(date +%s)
  start_bg chaos-load "$ROW_DIR/load.log" timeout $((SECONDS_PER_ROW + DRAIN + 120)) dotnet "$BENCH_DLL" chaos-load \
    --rabbitmq "amqp://127.0.0.1:$(rabbitmq_cluster_amqp_port "$LOAD_NODE")/$VHOST" --rate "$RATE" --seconds "$SECONDS_PER_ROW" --drain "$DRAIN" \
    --label "$ROW" --simulator "http://127.0.0.1:$SIM_CONTROL_PORT" --snapshots "$ROW_DIR/snapshots" --progress 15
  LOAD_PID=$BG_PID
  after "$FAULT_AT"
  log "row $ROW: injecting the fault"
  inject "$ROW"
  log "row $ROW: fault over at $(($(date +%s) - started)) s; waiting for the load to end (drain up to $DRAIN s)"
  wait "$LOAD_PID" || log "chaos-load exited with $?"
  LOAD_PID=""
  curl -fsS --max-time 10 "http://127.0.0.1:$SIM_CONTROL_PORT/stats" >"$ROW_DIR/simulator-stats.json" 2>/dev/null || echo '{}' >"$ROW_DIR/simulator-stats.json"
  cat "$ROW_DIR/load.log" | grep -v '^progress' | sed 's/^/    /' >&2
  grep '^row ' "$ROW_DIR/load.log" >>"$RESULTS" || { show_log_tail chaos-load "$ROW_DIR/load.log"; echo "row label=$ROW failed=1" >>"$RESULTS"; }
  jq -c '{submitsAccepted, submitsRefused, genericNacksSent, submitsUnanswered, bindsRefused, connectionsDropped}' "$ROW_DIR/simulator-stats.json" \
    | sed "s/^/simulator $ROW: /" >>"$LOGS/simulator-stats.txt" || true
  stop_row_processes
  rmqctl delete_vhost "$VHOST" >/dev/null 2>&1 || log "could not delete vhost $VHOST"
  VHOST=""
done

# --- the table ---------------------------------------------------------------------------------------------------
echo
echo "Chaos run $RUN_ID: $RATE SendSms/s for $SECONDS_PER_ROW s per row (every 4th two segments, receipts 1 s after submit),"
echo "fault from ${FAULT_AT} s; adapter Sessions $SESSIONS x WindowSize $WINDOW, ResponseTimeout 5 s, MaxUnknownOutcomeResends 2 (default),"
echo "Redis stores; machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-15s %9s %11s %9s %8s %8s %11s %14s %6s %7s\n' row published unconfirmed submitted rejected repeated "dup segs" "receipts" lost drained
while read -r line; do
  f() { sed -nE "s/.*\\b$1=([^ ]+).*/\\1/p" <<<"$line"; }
  printf '%-15s %9s %11s %9s %8s %8s %11s %14s %6s %7s\n' "$(f label)" "$(f published)" "$(f unconfirmed)" "$(f submitted)" "$(f rejected)" \
    "$(f repeated)" "$(f dup_segments)/$(f max_accepts)x" "$(f receipts)" "$(f lost)" "$(f drained)"
done <"$RESULTS"
echo "(published: confirmed by the broker; unconfirmed: a publish not confirmed within 5 s, which may or may not have reached"
echo " the adapter; repeated: outcome events beyond the first per command; dup segs: segments the SMSC accepted more than"
echo " once / the most copies of one segment; receipts: segments with a matched receipt / segments submitted;"
echo " lost: published, no outcome when the row ended)"
cat "$LOGS/simulator-stats.txt" 2>/dev/null || true
lost=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^lost=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$RESULTS")
echo "lost in all rows: $lost"
[ "$lost" -eq 0 ] && ! grep -q 'failed=1' "$RESULTS"
