#!/usr/bin/env bash
# Runs the adapter end to end and shows it working: a RabbitMQ broker, the SMSC simulator (or the real SMSC when
# credentials are set), the adapter; then sends four sample SMS through the bus (GSM 7-bit, Latin-9 with '€',
# UCS-2 with an emoji, a long concatenated one), prints every outcome, delivery receipt and session event as it
# arrives, and keeps running until Ctrl-C. Stops only what it started. Run `ops/run.sh --help` for the options.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/redis.sh"
. "$(dirname "$0")/lib/processes.sh"
ROOT=$(repo_root)
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ops/run.sh [--no-wait] [--timeout SECONDS] [--help]

  --no-wait          send the samples, wait for their outcomes and delivery receipts (at most --timeout), print
                     them, then stop everything and exit: 0 when every sample was submitted and got its receipts
  --timeout SECONDS  how long each sample may take to reach its outcome and receipts (default 60)

Which SMSC (the adapter's Smpp__Connections__0__* variables win over the short names):
  nothing set                      the SMSC simulator on 127.0.0.1:2775 (SIMULATOR_PORT), account demo:demo123
  SMPP_SYSTEM_ID, SMPP_PASSWORD    the real endpoint, smpp.instasent.com:2775 (or SMPP_PASSWORD_FILE)
  SMPP_HOST, SMPP_PORT             another SMSC (setting SMPP_HOST alone also means "not the simulator")
  DEMO_TO                          the recipient of the samples on a real SMSC (your own phone, E.164). Without it
                                   nothing is sent there: the samples would reach a stranger and cost money.
  DEMO_FROM                        the sender of the samples (default Instasent)

Where things listen (each port must be free, or the script stops and says which one):
  RabbitMq__Uri            default amqp://guest:guest@127.0.0.1:5672/ (a local broker is started if none answers);
                           when that broker runs in Docker, the user and password of .env (written with random
                           passwords when missing, see .env.example)
  Http__Urls               the adapter's HTTP address, default http://127.0.0.1:8080
  SIMULATOR_PORT           default 2775
  SIMULATOR_CONTROL_PORT   default 8775
  Stores__Provider         Memory (default: nothing to start) or Redis: then a local Redis is started on
                           127.0.0.1:6379 (REDIS_PORT) when none answers there, and stopped at the end
Any other adapter setting (docs/configuration.md) can be exported and reaches the adapter unchanged.
USAGE
}

NO_WAIT=0
TIMEOUT=60
while [ $# -gt 0 ]; do
  case "$1" in
    --no-wait) NO_WAIT=1; shift ;;
    --timeout)
      [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a whole number of seconds (was '${2:-}')"
      TIMEOUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

# --- what to run against --------------------------------------------------------------------------------------
SIMULATOR_PORT=${SIMULATOR_PORT:-2775}
SIMULATOR_CONTROL_PORT=${SIMULATOR_CONTROL_PORT:-8775}
if [ -z "${RabbitMq__Uri:-}" ] && ! port_open 127.0.0.1 5672 && docker_engine; then
  # The broker will be docker-compose.yml's, which has no guest user: log in with the .env credentials.
  compose_env_ensure
  RabbitMq__Uri="amqp://$RABBITMQ_USER:$RABBITMQ_PASSWORD@127.0.0.1:5672/"
fi
# The default, Debian's broker started by rabbitmq_ensure, listens on loopback only, where guest may log in.
export RabbitMq__Uri=${RabbitMq__Uri:-amqp://guest:guest@127.0.0.1:5672/}
export Http__Urls=${Http__Urls:-http://127.0.0.1:8080}
# The first URL of Http__Urls, with a wildcard host replaced by loopback, is where we ask for health and sessions.
ADAPTER_URL=$(printf '%s' "${Http__Urls%%;*}" | sed -E 's#//(0\.0\.0\.0|\*|\+|\[::\])#//127.0.0.1#; s#/$##')
ADAPTER_HOST=$(printf '%s' "$ADAPTER_URL" | sed -E 's#^[a-z]+://([^:/]+).*#\1#')
ADAPTER_PORT=$(printf '%s' "$ADAPTER_URL" | sed -nE 's#^[a-z]+://[^:/]+:([0-9]+).*#\1#p')
ADAPTER_PORT=${ADAPTER_PORT:-80}

if [ -n "${Smpp__Connections__0__Host:-}${SMPP_HOST:-}${Smpp__Connections__0__SystemId:-}${SMPP_SYSTEM_ID:-}" ]; then
  USE_SIMULATOR=0
  export Smpp__Connections__0__Host=${Smpp__Connections__0__Host:-${SMPP_HOST:-smpp.instasent.com}}
  export Smpp__Connections__0__Port=${Smpp__Connections__0__Port:-${SMPP_PORT:-2775}}
  export Smpp__Connections__0__SystemId=${Smpp__Connections__0__SystemId:-${SMPP_SYSTEM_ID:-}}
  if [ -z "${Smpp__Connections__0__Password:-}${Smpp__Connections__0__PasswordFile:-}" ]; then
    if [ -n "${SMPP_PASSWORD_FILE:-}" ]; then
      export Smpp__Connections__0__PasswordFile=$SMPP_PASSWORD_FILE
    else
      export Smpp__Connections__0__Password=${SMPP_PASSWORD:-}
    fi
  fi
  [ -n "$Smpp__Connections__0__SystemId" ] || die "an SMSC other than the simulator needs SMPP_SYSTEM_ID (or Smpp__Connections__0__SystemId)"
  [ -n "${Smpp__Connections__0__Password:-}${Smpp__Connections__0__PasswordFile:-}" ] \
    || die "an SMSC other than the simulator needs SMPP_PASSWORD or SMPP_PASSWORD_FILE (or Smpp__Connections__0__Password / PasswordFile)"
else
  USE_SIMULATOR=1
  export Smpp__Connections__0__Host=127.0.0.1
  export Smpp__Connections__0__Port=$SIMULATOR_PORT
  export Smpp__Connections__0__SystemId=demo
  export Smpp__Connections__0__Password=demo123
fi
export Smpp__Connections__0__Name=${Smpp__Connections__0__Name:-instasent}
SMSC="$Smpp__Connections__0__Host:$Smpp__Connections__0__Port"

CLI_DLL=src/Instasent.SmppAdapter.Cli/$BIN/smpp-adapter.dll
# The CLI reads the broker from RabbitMq__Uri (exported above): never on the command line, where `ps` shows it.
cli() { dotnet "$CLI_DLL" --adapter-url "$ADAPTER_URL" "$@"; }

# --- stop only what we started, in an order that lets the last events through ----------------------------------
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smpp-adapter-run.XXXXXX")
ADAPTER_PID="" EVENTS_PID="" SIMULATOR_PID="" PRINTER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -n "$ADAPTER_PID$EVENTS_PID$SIMULATOR_PID" ] && log "stopping what this script started"
  # The adapter first: it stops consuming, drains its window and unbinds (up to 30 s) while the simulator still answers.
  [ -n "$ADAPTER_PID" ] && stop_pid adapter "$ADAPTER_PID" 45
  if [ -n "$EVENTS_PID" ]; then
    sleep 1   # the session-unbound events are on their way
    stop_pid "events tail" "$EVENTS_PID" 10
  fi
  [ -n "$SIMULATOR_PID" ] && stop_pid simulator "$SIMULATOR_PID" 10
  if [ -n "$PRINTER_PID" ]; then sleep 0.3; kill "$PRINTER_PID" 2>/dev/null || true; wait "$PRINTER_PID" 2>/dev/null || true; fi
  rabbitmq_stop_if_ours
  redis_stop_if_ours
  log "logs: $LOGS"
  exit "$status"
}
on_exit cleanup
log "logs: $LOGS"

# --- ports, broker, build --------------------------------------------------------------------------------------
command -v curl >/dev/null || apt_install curl   # health checks and the simulator's control API
if [ "$USE_SIMULATOR" = 1 ]; then
  require_free_port 127.0.0.1 "$SIMULATOR_PORT" "the SMSC simulator (SIMULATOR_PORT)"
  require_free_port 127.0.0.1 "$SIMULATOR_CONTROL_PORT" "the simulator's control API (SIMULATOR_CONTROL_PORT)"
fi
require_free_port "$ADAPTER_HOST" "$ADAPTER_PORT" "the adapter's HTTP endpoint (Http__Urls)"

RABBIT_HOSTPORT=$(printf '%s' "$RabbitMq__Uri" | sed -E 's#^amqps?://([^@/]*@)?([^/:]+)(:([0-9]+))?.*#\2 \4#')
read -r RABBIT_HOST RABBIT_PORT <<<"$RABBIT_HOSTPORT"
RABBIT_PORT=${RABBIT_PORT:-5672}
if [ "$RABBIT_HOST:$RABBIT_PORT" = "127.0.0.1:5672" ] || [ "$RABBIT_HOST:$RABBIT_PORT" = "localhost:5672" ]; then
  rabbitmq_ensure
else
  port_open "$RABBIT_HOST" "$RABBIT_PORT" || die "no broker answers at $RABBIT_HOST:$RABBIT_PORT (RabbitMq__Uri); start it or unset RabbitMq__Uri to use a local one"
  log "using the broker at $RABBIT_HOST:$RABBIT_PORT (RabbitMq__Uri)"
fi

# Redis only when the adapter is told to keep its state there; the embedded default (Memory) needs nothing.
if [ "${Stores__Provider:-Memory}" = Redis ]; then redis_ensure; fi

log "building the adapter, the simulator and the CLI (Release; $LOGS/build.log)"
build_release "$LOGS/build.log" src/Instasent.SmppAdapter src/Instasent.SmppAdapter.Simulator src/Instasent.SmppAdapter.Cli

# --- events first, so even the session binds are shown ---------------------------------------------------------
start_bg "events tail" "$LOGS/events.log" dotnet "$CLI_DLL" events
EVENTS_PID=$BG_PID
if ! wait_file_line "$LOGS/events.log" '^listening for' 30 "$EVENTS_PID"; then
  show_log_tail "events tail" "$LOGS/events.log"
  die "smpp-adapter events did not subscribe within 30 s"
fi
tail -n +1 -F "$LOGS/events.log" 2>/dev/null &
PRINTER_PID=$!

if [ "$USE_SIMULATOR" = 1 ]; then
  log "starting the SMSC simulator on 127.0.0.1:$SIMULATOR_PORT (account demo:demo123, control API on 127.0.0.1:$SIMULATOR_CONTROL_PORT)"
  start_bg simulator "$LOGS/simulator.log" dotnet "$SIMULATOR_DLL" \
    --port "$SIMULATOR_PORT" --account demo:demo123 --control-port "$SIMULATOR_CONTROL_PORT"
  SIMULATOR_PID=$BG_PID
  if ! wait_port 127.0.0.1 "$SIMULATOR_PORT" 30 "$SIMULATOR_PID"; then
    show_log_tail simulator "$LOGS/simulator.log"
    die "the simulator is not listening on 127.0.0.1:$SIMULATOR_PORT after 30 s"
  fi
else
  log "using the SMSC at $SMSC as system_id '$Smpp__Connections__0__SystemId' (no simulator)"
fi

log "starting the adapter ($ADAPTER_URL, SMSC $SMSC, broker $RABBIT_HOST:$RABBIT_PORT)"
# Per-request HTTP logs (health polling) would drown the adapter's own lines.
start_bg adapter "$LOGS/adapter.log" env Logging__LogLevel__Microsoft.AspNetCore=Warning dotnet "$ADAPTER_DLL"
ADAPTER_PID=$BG_PID
READY_TIMEOUT=60
if ! wait_http_ok "$ADAPTER_URL/health/ready" "$READY_TIMEOUT" "$ADAPTER_PID"; then
  if ! is_running "$ADAPTER_PID"; then
    show_log_tail adapter "$LOGS/adapter.log"
    ADAPTER_PID=""
    die "the adapter exited during start-up (exit code 2 is a configuration error: the lines above name the setting)"
  fi
  printf '    /health/ready: %s\n' "$(curl -sS --max-time 2 "$ADAPTER_URL/health/ready" 2>&1 || true)" >&2
  # The health checks' own log lines (two per poll) would fill the tail: show the last one, then the rest.
  grep -A1 'HealthChecks.DefaultHealthCheckService' "$LOGS/adapter.log" | tail -n 1 | sed 's/^ */    last health check: /' >&2 || true
  awk '/HealthChecks\.DefaultHealthCheckService/ { skip = 1; next } skip && /^ / { next } { skip = 0; print }' \
    "$LOGS/adapter.log" >"$LOGS/adapter-without-health.log"
  show_log_tail adapter "$LOGS/adapter-without-health.log"
  die "the adapter is not ready after ${READY_TIMEOUT}s: no bound SMPP session to $SMSC or no broker connection (see the session-bind-failed events and the log above)"
fi
log "the adapter is ready; its sessions:"
cli sessions >&2 || true

# --- the samples -----------------------------------------------------------------------------------------------
RUN_ID=$(date +%H%M%S)
FROM=${DEMO_FROM:-Instasent}
LONG_TEXT="A long message shows concatenation: the adapter splits a text that does not fit in one SMS into segments of at most 153 GSM 7-bit characters, each with a user data header carrying the same reference number, so that the phone shows them as one message again. This text needs three segments, and each segment gets its own delivery receipt from the SMSC."
SAMPLES=(
  "gsm7|+34600000001|gsm7|Hello from the Instasent SMPP Adapter: plain GSM 7-bit, up to 160 characters in one SMS."
  "latin9|+34600000002|latin9|Latin-9 (data_coding 3): el café cuesta 2,50 € en Málaga."
  "ucs2|+34600000003|ucs2|UCS-2 with an emoji 🚀 (a surrogate pair in UTF-16) and 日本語."
  "long|+34600000004|auto|$LONG_TEXT"
)
SEND_OPTS=(--timeout "${TIMEOUT}s")
[ "$NO_WAIT" = 1 ] && SEND_OPTS+=(--wait-receipts)

failed=0
if [ "$USE_SIMULATOR" = 0 ] && [ -z "${DEMO_TO:-}" ]; then
  log "not sending the samples: set DEMO_TO to your own number (E.164) to send them through $SMSC"
else
  log "sending 4 samples from '$FROM' through the bus (queue smpp-send-sms)"
  for sample in "${SAMPLES[@]}"; do
    IFS='|' read -r name to encoding text <<<"$sample"
    to=${DEMO_TO:-$to}
    id="demo-$RUN_ID-$name"
    log "send $id ($encoding) to $to"
    if ! cli send --message-id "$id" --from "$FROM" --to "$to" --encoding "$encoding" --text "$text" "${SEND_OPTS[@]}" \
         >"$LOGS/send-$name.log" 2>&1; then
      failed=$((failed + 1))
      show_log_tail "send $name" "$LOGS/send-$name.log" 10
    fi
  done
fi

if [ "$USE_SIMULATOR" = 1 ]; then
  # An inbound (MO) message, as a handset replying, injected through the simulator's control API.
  curl -fsS --max-time 5 -H 'content-type: application/json' -o /dev/null \
    -d "{\"systemId\":\"demo\",\"from\":\"+34600000009\",\"to\":\"$FROM\",\"text\":\"Got it, thanks! (an inbound SMS)\"}" \
    "http://127.0.0.1:$SIMULATOR_CONTROL_PORT/mo" || log "could not inject an inbound message through the simulator's control API"
fi

if [ "$NO_WAIT" = 1 ]; then
  if [ "$USE_SIMULATOR" = 1 ]; then
    wait_file_line "$LOGS/events.log" ' inbound ' 15 "$EVENTS_PID" || { log "no inbound event within 15 s"; failed=$((failed + 1)); }
  fi
  sleep 1   # let the printer show the last lines
  if [ "$failed" -gt 0 ]; then
    log "$failed sample(s) did not reach their outcome and receipts within ${TIMEOUT}s (logs: $LOGS)"
    exit 1
  fi
  log "every sample was submitted and got its delivery receipts"
  exit 0
fi

log "running; Ctrl-C stops what this script started. Meanwhile, in another terminal:"
cat >&2 <<HINTS
    dotnet $CLI_DLL sessions --adapter-url $ADAPTER_URL
    dotnet $CLI_DLL send --from $FROM --to ${DEMO_TO:-+34600000005} --text 'Hi there' --wait-receipts
    curl -s $ADAPTER_URL/metrics | grep ^smpp_
HINTS
while is_running "$ADAPTER_PID"; do sleep 1; done
show_log_tail adapter "$LOGS/adapter.log"
ADAPTER_PID=""
die "the adapter exited on its own"
