# Start a local Redis when none answers on 127.0.0.1:$REDIS_PORT (default 6379). Source it after common.sh.
# Debian's redis-server, daemonized without systemd, loopback only, append-only; stopped only when we started it.
# shellcheck shell=bash

REDIS_PORT=${REDIS_PORT:-6379}
REDIS_STARTED_BY_US=0
REDIS_PIDFILE=""
REDIS_DIR=""

# redis_ping HOST PORT: true when a Redis there answers PING with PONG (plain bash, so redis-cli is not needed).
redis_ping() {
  (
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 || exit 1
    [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

redis_ensure() {
  if redis_ping 127.0.0.1 "$REDIS_PORT"; then
    log "Redis already answers on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  port_open 127.0.0.1 "$REDIS_PORT" && die "127.0.0.1:$REDIS_PORT accepts connections but does not answer PING like a Redis; free it or set REDIS_PORT"
  apt_install redis-server
  # Its own data directory: the Debian service's /var/lib/redis is left alone, and a second run never reads our data.
  REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-redis.XXXXXX")
  REDIS_PIDFILE="$REDIS_DIR/redis.pid"
  log "starting Debian's redis-server on 127.0.0.1:$REDIS_PORT (daemonized, append-only, data in $REDIS_DIR)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --appendonly yes --dir "$REDIS_DIR" \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" --save "" >/dev/null
  REDIS_STARTED_BY_US=1
  local i
  for i in $(seq 1 100); do redis_ping 127.0.0.1 "$REDIS_PORT" && break; sleep 0.1; done
  redis_ping 127.0.0.1 "$REDIS_PORT" || { tail -n 20 "$REDIS_DIR/redis.log" >&2 2>/dev/null; die "Redis did not answer PING on 127.0.0.1:$REDIS_PORT within 10 s"; }
  log "Redis is up on 127.0.0.1:$REDIS_PORT"
}

redis_stop_if_ours() {
  [ "$REDIS_STARTED_BY_US" = 1 ] || return 0
  REDIS_STARTED_BY_US=0
  local pid i
  pid=$(cat "$REDIS_PIDFILE" 2>/dev/null) || return 0
  log "stopping the Redis this script started (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "Redis (pid $pid) did not stop within 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$REDIS_DIR"
}
