# Background processes the ops scripts start and must stop: each in its own session (so a Ctrl-C in the terminal
# reaches the script only, which then stops them in a chosen order), tracked by pid, stopped by pid only.
# Source it after common.sh.
# shellcheck shell=bash

STARTED_NAMES=()
STARTED_PIDS=()

# start_bg NAME LOGFILE CMD...: starts CMD detached from the terminal, stdout+stderr to LOGFILE; sets BG_PID.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  BG_PID=$!
  STARTED_NAMES+=("$name")
  STARTED_PIDS+=("$BG_PID")
}

# is_running PID
is_running() { kill -0 "$1" 2>/dev/null; }

# stop_pid NAME PID [SECONDS]: SIGTERM (the .NET hosts drain and exit on it), then SIGKILL after SECONDS (default 10).
stop_pid() {
  local name=$1 pid=$2 grace=${3:-10} i
  is_running "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    is_running "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "$name (pid $pid) did not stop within ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# require_free_port HOST PORT WHAT: fails with the port, what needs it and what holds it.
require_free_port() {
  local host=$1 port=$2 what=$3 holder=""
  port_open "$host" "$port" || return 0
  if command -v ss >/dev/null; then
    holder=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -n 1)
  fi
  die "port $host:$port (needed by $what) is already in use${holder:+ by $holder}; stop it or choose another port (see ops/run.sh --help)"
}

# wait_http_ok URL SECONDS PID: true once URL answers 2xx; false after SECONDS or as soon as PID has exited.
wait_http_ok() {
  local url=$1 seconds=$2 pid=$3 i
  for ((i = 0; i < seconds * 2; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    is_running "$pid" || return 1
    sleep 0.5
  done
  return 1
}

# wait_port HOST PORT SECONDS PID: true once something accepts TCP there; false after SECONDS or when PID exited.
wait_port() {
  local host=$1 port=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 5; i++)); do
    port_open "$host" "$port" && return 0
    is_running "$pid" || return 1
    sleep 0.2
  done
  return 1
}

# wait_file_line FILE PATTERN SECONDS PID: true once FILE has a line matching PATTERN (grep -E).
wait_file_line() {
  local file=$1 pattern=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 5; i++)); do
    grep -Eq "$pattern" "$file" 2>/dev/null && return 0
    is_running "$pid" || return 1
    sleep 0.2
  done
  return 1
}

# show_log_tail NAME FILE [LINES]: the last lines of a log, indented, on stderr.
show_log_tail() {
  local name=$1 file=$2 lines=${3:-30}
  printf -- '--- last %s lines of %s (%s) ---\n' "$lines" "$name" "$file" >&2
  tail -n "$lines" "$file" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# on_exit FUNCTION: FUNCTION runs once when the script ends, however it ends; Ctrl-C and SIGTERM end it with 130/143.
on_exit() {
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# What build_release builds, relative to the repository root.
BIN=bin/Release/net10.0
ADAPTER_DLL=src/Instasent.SmppAdapter/$BIN/Instasent.SmppAdapter.dll
SIMULATOR_DLL=src/Instasent.SmppAdapter.Simulator/$BIN/Instasent.SmppAdapter.Simulator.dll
BENCH_DLL=tests/Instasent.SmppAdapter.Benchmarks/$BIN/Instasent.SmppAdapter.Benchmarks.dll

# build_release LOGFILE PROJECT_DIR...: builds each project (Release) into its bin/, output to LOGFILE; on failure
# shows the log's tail and ends the script.
build_release() {
  local logfile=$1 project
  shift
  for project in "$@"; do
    dotnet build "$project/$(basename "$project").csproj" -c Release -nologo -v quiet >>"$logfile" 2>&1 \
      || { show_log_tail build "$logfile" 40; die "building $project failed"; }
  done
}
