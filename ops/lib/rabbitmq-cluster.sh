# A 3-node RabbitMQ cluster on loopback for quorum-queue tests and chaos runs (Debian's rabbitmq-server, no Docker).
# Source it after common.sh, or run it: ops/lib/rabbitmq-cluster.sh start|stop|stop-node N|start-node N|leader QUEUE.
#
# Node N is rabbitN@localhost, AMQP on 127.0.0.1:570N, distribution on 2570N, everything under
# $RABBIT_CLUSTER_BASE/rabbitN (owned by rabbitmq). Names, ports and directories differ from the single broker on
# 5672 (rabbit@localhost, /var/lib/rabbitmq/mnesia) that the rest of the suite uses, which is left alone; the nodes
# share its Erlang cookie (/var/lib/rabbitmq/.erlang.cookie) and epmd.
# shellcheck shell=bash

# RABBIT_CLUSTER_PREFIX and RABBIT_CLUSTER_PORT_BASE make another cluster beside this one (ops/chaos.sh: chaosN@localhost
# on 5811-5813, distribution 25811-25813, its own directories); the defaults are the cluster described above.
RABBIT_CLUSTER_PREFIX=${RABBIT_CLUSTER_PREFIX:-rabbit}
RABBIT_CLUSTER_PORT_BASE=${RABBIT_CLUSTER_PORT_BASE:-5700}
RABBIT_CLUSTER_BASE=${RABBIT_CLUSTER_BASE:-/var/lib/rabbitmq/instasent-cluster}
RABBIT_CLUSTER_NODES=3
RABBIT_CLUSTER_TIMEOUT=${RABBIT_CLUSTER_TIMEOUT:-90}

rabbitmq_cluster_node_name() { echo "$RABBIT_CLUSTER_PREFIX$1@localhost"; }
rabbitmq_cluster_amqp_port() { echo $((RABBIT_CLUSTER_PORT_BASE + $1)); }

# _rabbitmq_cluster_env N: the environment that makes node N (both for rabbitmq-server and rabbitmqctl).
_rabbitmq_cluster_env() {
  local n=$1 dir="$RABBIT_CLUSTER_BASE/$RABBIT_CLUSTER_PREFIX$1"
  echo "RABBITMQ_NODENAME=$RABBIT_CLUSTER_PREFIX$n@localhost" "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1" \
    "RABBITMQ_NODE_PORT=$((RABBIT_CLUSTER_PORT_BASE + n))" "RABBITMQ_DIST_PORT=$((20000 + RABBIT_CLUSTER_PORT_BASE + n))" \
    "RABBITMQ_MNESIA_BASE=$dir/mnesia" "RABBITMQ_LOG_BASE=$dir/log" "RABBITMQ_PID_FILE=$dir/rabbit.pid" \
    "RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf" "RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins" \
    "ERL_EPMD_ADDRESS=127.0.0.1" "HOME=/var/lib/rabbitmq"
}

# _rabbitmq_cluster_ctl N ARGS...: rabbitmqctl against node N.
_rabbitmq_cluster_ctl() {
  local n=$1
  shift
  # shellcheck disable=SC2046
  as_root env $(_rabbitmq_cluster_env "$n") /usr/sbin/rabbitmqctl -n "$RABBIT_CLUSTER_PREFIX$n@localhost" "$@"
}

rabbitmq_cluster_node_up() { port_open 127.0.0.1 $((RABBIT_CLUSTER_PORT_BASE + $1)); }

# rabbitmq_cluster_start_node N: starts node N (its directory and config are made when missing) and waits for it.
rabbitmq_cluster_start_node() {
  local n=$1 dir="$RABBIT_CLUSTER_BASE/$RABBIT_CLUSTER_PREFIX$1"
  if rabbitmq_cluster_node_up "$n"; then log "$RABBIT_CLUSTER_PREFIX$n@localhost already answers on 127.0.0.1:$((RABBIT_CLUSTER_PORT_BASE + n))"; return 0; fi
  as_root mkdir -p "$dir/mnesia" "$dir/log"
  # No plugins: the management UI of three nodes would fight the single broker's 15672.
  echo '[].' | as_root tee "$dir/enabled_plugins" >/dev/null
  as_root tee "$dir/rabbitmq.conf" >/dev/null <<CONF
listeners.tcp.default = 127.0.0.1:$((RABBIT_CLUSTER_PORT_BASE + n))
loopback_users.guest = true
CONF
  # The distribution port (inter-node traffic) on loopback too; by default Erlang listens on every interface.
  echo '[{kernel, [{inet_dist_use_interface, {127,0,0,1}}]}].' | as_root tee "$dir/advanced.config" >/dev/null
  as_root chown -R rabbitmq:rabbitmq "$RABBIT_CLUSTER_BASE"
  log "starting $RABBIT_CLUSTER_PREFIX$n@localhost on 127.0.0.1:$((RABBIT_CLUSTER_PORT_BASE + n)) (detached; $dir)"
  # shellcheck disable=SC2046
  as_root env $(_rabbitmq_cluster_env "$n") rabbitmq-server -detached >/dev/null 2>&1 || true
  _rabbitmq_cluster_ctl "$n" wait --timeout "$RABBIT_CLUSTER_TIMEOUT" "$dir/rabbit.pid" >/dev/null \
    || die "$RABBIT_CLUSTER_PREFIX$n@localhost did not start within ${RABBIT_CLUSTER_TIMEOUT}s (logs in $dir/log)"
}

# rabbitmq_cluster_stop_node N: stops node N's Erlang VM and waits until its process has exited.
rabbitmq_cluster_stop_node() {
  local n=$1 dir="$RABBIT_CLUSTER_BASE/$RABBIT_CLUSTER_PREFIX$1"
  [ -f "$dir/rabbit.pid" ] || return 0
  log "stopping $RABBIT_CLUSTER_PREFIX$n@localhost"
  _rabbitmq_cluster_ctl "$n" stop --timeout "$RABBIT_CLUSTER_TIMEOUT" "$dir/rabbit.pid" >/dev/null 2>&1 || true
  as_root rm -f "$dir/rabbit.pid"
}

# rabbitmq_cluster_start: the three nodes, clustered with the first node. A cluster whose three nodes already
# answer is kept as it is; anything less is stopped and started fresh (an empty cluster, so runs do not leak state).
rabbitmq_cluster_start() {
  local n up=0
  for n in 1 2 3; do rabbitmq_cluster_node_up "$n" && up=$((up + 1)); done
  if [ "$up" = "$RABBIT_CLUSTER_NODES" ]; then log "the 3-node RabbitMQ cluster already answers on 127.0.0.1:$((RABBIT_CLUSTER_PORT_BASE + 1))-$((RABBIT_CLUSTER_PORT_BASE + 3))"; return 0; fi
  rabbitmq_cluster_stop
  apt_install rabbitmq-server
  # The nodes boot in parallel (each takes seconds of Erlang start-up), then 2 and 3 join 1.
  local pids=()
  for n in 1 2 3; do (rabbitmq_cluster_start_node "$n") & pids+=($!); done
  for n in "${pids[@]}"; do wait "$n" || die "a cluster node did not start (logs under $RABBIT_CLUSTER_BASE)"; done
  for n in 2 3; do
    log "$RABBIT_CLUSTER_PREFIX$n@localhost joins ${RABBIT_CLUSTER_PREFIX}1@localhost"
    local step out
    for step in stop_app "join_cluster ${RABBIT_CLUSTER_PREFIX}1@localhost" start_app; do
      # The CLI logs harmless errors while a node restarts its app; show its output only when the step fails.
      # shellcheck disable=SC2086
      out=$(_rabbitmq_cluster_ctl "$n" $step 2>&1) || die "rabbitmqctl -n $RABBIT_CLUSTER_PREFIX$n@localhost $step failed: $out"
    done
  done
  _rabbitmq_cluster_ctl 1 await_online_nodes 3 --timeout "$RABBIT_CLUSTER_TIMEOUT" >/dev/null 2>&1 || true
  log "the 3-node RabbitMQ cluster is up on 127.0.0.1:$((RABBIT_CLUSTER_PORT_BASE + 1))-$((RABBIT_CLUSTER_PORT_BASE + 3))"
}

# rabbitmq_cluster_stop: stops every node and deletes the cluster's directories.
rabbitmq_cluster_stop() {
  local n
  for n in 3 2 1; do rabbitmq_cluster_stop_node "$n"; done
  as_root rm -rf "$RABBIT_CLUSTER_BASE"
}

# rabbitmq_cluster_queue_leader QUEUE: the node leading quorum queue QUEUE (vhost /), asked of the first node up.
rabbitmq_cluster_queue_leader() {
  local queue=$1 n
  for n in 1 2 3; do
    rabbitmq_cluster_node_up "$n" || continue
    _rabbitmq_cluster_ctl "$n" list_queues -q --no-table-headers name leader 2>/dev/null \
      | awk -F'\t' -v q="$queue" '$1 == q { print $2; found = 1 } END { exit !found }'
    return
  done
  die "no node of the cluster answers"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
  case "${1:-}" in
    start) rabbitmq_cluster_start ;;
    stop) rabbitmq_cluster_stop ;;
    start-node) [[ ${2:-} =~ ^[123]$ ]] || die "start-node needs 1, 2 or 3"; rabbitmq_cluster_start_node "$2" ;;
    stop-node) [[ ${2:-} =~ ^[123]$ ]] || die "stop-node needs 1, 2 or 3"; rabbitmq_cluster_stop_node "$2" ;;
    leader) [ -n "${2:-}" ] || die "leader needs a queue name"; rabbitmq_cluster_queue_leader "$2" ;;
    *) die "usage: $0 start|stop|start-node N|stop-node N|leader QUEUE" ;;
  esac
fi
