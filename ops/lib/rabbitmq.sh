# Start a local RabbitMQ when none answers on 127.0.0.1:5672. Source it after common.sh.
# Debian's rabbitmq-server starts without systemd; everything listens on loopback only.
# shellcheck shell=bash

RABBIT_PIDFILE=/var/lib/rabbitmq/mnesia/rabbit@localhost.pid
RABBIT_STARTED_BY_US=0
RABBIT_STARTED_WITH=""   # compose | docker | debian

# docker_engine: true when a Docker engine answers (the client alone is not enough).
docker_engine() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

# random_secret: 32 hex characters from the kernel's CSPRNG (safe inside an amqp:// URI).
random_secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# compose_env_ensure: docker-compose.yml takes its RabbitMQ and Grafana credentials from .env; write one with random
# passwords when there is none (mode 600, ignored by git), then export its variables. Never prints a password.
compose_env_ensure() {
  local env_file
  env_file="$(repo_root)/.env"
  if [ ! -f "$env_file" ]; then
    log "writing $env_file with random RabbitMQ and Grafana passwords (docker-compose.yml reads it)"
    (umask 077 && printf 'RABBITMQ_USER=smpp-adapter\nRABBITMQ_PASSWORD=%s\nGRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=%s\n' \
      "$(random_secret)" "$(random_secret)" >"$env_file")
  fi
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
  [ -n "${RABBITMQ_USER:-}" ] && [ -n "${RABBITMQ_PASSWORD:-}" ] \
    || die "$env_file must set RABBITMQ_USER and RABBITMQ_PASSWORD (see .env.example)"
}

rabbitmq_ensure() {
  if port_open 127.0.0.1 5672; then
    log "RabbitMQ already answers on 127.0.0.1:5672"
    return 0
  fi
  if docker_engine && [ -f "$(repo_root)/docker-compose.yml" ] && docker compose version >/dev/null 2>&1; then
    # The same broker service docker-compose.yml runs for the whole stack (management UI on 15672).
    compose_env_ensure
    log "starting RabbitMQ with docker compose (service rabbitmq of docker-compose.yml, credentials from .env)"
    (cd "$(repo_root)" && docker compose up -d --wait rabbitmq) >/dev/null
    RABBIT_STARTED_WITH=compose
  elif docker_engine; then
    compose_env_ensure
    log "starting RabbitMQ in Docker (credentials from .env)"
    # -e NAME without a value passes the variable from this environment: the password stays off the command line.
    RABBITMQ_DEFAULT_USER=$RABBITMQ_USER RABBITMQ_DEFAULT_PASS=$RABBITMQ_PASSWORD \
      docker run -d --rm --name instasent-smpp-rabbitmq -p 127.0.0.1:5672:5672 -p 127.0.0.1:15672:15672 \
      -e RABBITMQ_DEFAULT_USER -e RABBITMQ_DEFAULT_PASS rabbitmq:3.13-management >/dev/null
    RABBIT_STARTED_WITH=docker
  else
    apt_install rabbitmq-server
    as_root mkdir -p /etc/rabbitmq
    as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null <<'CONF'
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
loopback_users.guest = true
CONF
    as_root tee /etc/rabbitmq/rabbitmq-env.conf >/dev/null <<'CONF'
NODENAME=rabbit@localhost
CONF
    # This broker shares the host with the adapter, the simulator and the load tools: half the cores' scheduler threads
    # (one on 2 cores), as Erlang would pick for a container given that share of the CPU. Beside the adapter on 2 cores
    # one scheduler spent 20-31 % less CPU per command than two (fewer cross-scheduler wake-ups) at the same rate
    # (docs/performance.md, Session 21). RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS, when set (even empty: Erlang's defaults),
    # replaces this; passed on explicitly (sudo would drop it). E.g. "+MMscs 2048" (docs/operations.md).
    local schedulers=$(( $(nproc) / 2 )); [ "$schedulers" -ge 1 ] || schedulers=1
    local erl_args=${RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS-"+S $schedulers:$schedulers"}
    log "starting Debian's rabbitmq-server (detached${erl_args:+, Erlang flags $erl_args})"
    as_root env RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=127.0.0.1 HOME=/var/lib/rabbitmq \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$erl_args" \
      rabbitmq-server -detached >/dev/null 2>&1 || true
    as_root env RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=127.0.0.1 \
      /usr/sbin/rabbitmqctl wait --timeout 90 "$RABBIT_PIDFILE" >/dev/null
    RABBIT_STARTED_WITH=debian
  fi
  RABBIT_STARTED_BY_US=1
  local i
  for i in $(seq 1 90); do port_open 127.0.0.1 5672 && break; sleep 1; done
  port_open 127.0.0.1 5672 || die "RabbitMQ did not come up on 127.0.0.1:5672 within 90 s"
  log "RabbitMQ is up on 127.0.0.1:5672"
}

rabbitmq_stop_if_ours() {
  [ "$RABBIT_STARTED_BY_US" = 1 ] || return 0
  log "stopping the RabbitMQ this script started"
  if [ "$RABBIT_STARTED_WITH" = compose ]; then
    (cd "$(repo_root)" && docker compose stop rabbitmq) >/dev/null 2>&1 || true
  elif [ "$RABBIT_STARTED_WITH" = docker ]; then
    docker stop instasent-smpp-rabbitmq >/dev/null 2>&1 || true
  else
    as_root env RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=127.0.0.1 \
      /usr/sbin/rabbitmqctl stop "$RABBIT_PIDFILE" >/dev/null 2>&1 || true
  fi
}

# rmqctl ARGS...: rabbitmqctl, quiet, on the local node (rabbit@localhost). A script on another node (ops/chaos.sh)
# defines its own after sourcing this file.
rmqctl() { as_root env RABBITMQ_NODENAME=rabbit@localhost ERL_EPMD_ADDRESS=127.0.0.1 /usr/sbin/rabbitmqctl -q "$@"; }

# vhost_create NAME: a private virtual host that guest may use, remembered for vhosts_delete (a run's queues never
# meet another run's).
VHOSTS_CREATED=()
vhost_create() {
  rmqctl add_vhost "$1" >/dev/null || die "could not create the virtual host $1 with rabbitmqctl"
  VHOSTS_CREATED+=("$1")
  rmqctl set_permissions -p "$1" guest '.*' '.*' '.*' >/dev/null
}

# vhosts_delete: deletes every virtual host vhost_create made (for a script's cleanup).
vhosts_delete() {
  local vhost
  for vhost in "${VHOSTS_CREATED[@]}"; do rmqctl delete_vhost "$vhost" >/dev/null 2>&1 || log "could not delete vhost $vhost"; done
  VHOSTS_CREATED=()
}
