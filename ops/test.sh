#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotently), starts a local RabbitMQ and a local Redis
# when none answers, builds in Release and runs every test project. `.ci/run` calls exactly this.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
. "$(dirname "$0")/lib/redis.sh"
ROOT=$(repo_root)
cd "$ROOT"

# Independent SMPP peers the interoperability tests drive.
apt_install tshark libnet-smpp-perl libsmpp34-dev pkg-config gcc docker-compose python3-pika
if [ -f tests/interop/package.json ]; then
  log "installing the Node interop peers (tests/interop)"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

trap 'redis_stop_if_ours; rabbitmq_stop_if_ours' EXIT
rabbitmq_ensure
redis_ensure
export RABBITMQ_URI="${RABBITMQ_URI:-amqp://guest:guest@127.0.0.1:5672/}"
export REDIS_URI="${REDIS_URI:-127.0.0.1:$REDIS_PORT}"
# Integration tests must fail, never skip, when they cannot reach a broker or Redis in CI; with the Redis flag the tests
# use REDIS_URI (or Testcontainers) only, never a private redis-server of their own, so this server is what is tested.
export SMPP_ADAPTER_REQUIRE_BROKER=1
export SMPP_ADAPTER_REQUIRE_REDIS=1

log "building (Release)"
dotnet build Instasent.SmppAdapter.sln -c Release -warnaserror -nologo -v minimal

# A test host that hangs is dumped (--blame-hang-timeout); print where its async code was waiting, so the CI log alone
# says what hung. The dump tool is installed only then (pinned, into .artifacts/tools).
print_hang_dumps() {
  local dumps
  dumps=$(find "$1" -name '*_hangdump.dmp' -newer "$2" 2>/dev/null) || true
  [ -n "$dumps" ] || return 0
  local tool="$ROOT/.artifacts/tools/dotnet-dump"
  [ -x "$tool" ] || dotnet tool install --tool-path "$ROOT/.artifacts/tools" dotnet-dump --version 10.0.750501 >/dev/null || return 0
  for dump in $dumps; do
    log "where the hung test host was waiting ($dump)"
    "$tool" analyze "$dump" -c "dumpasync --coalesce" -c exit 2>&1 | head -400 || true
    rm -f "$dump"
  done
}

# run_tests PROJECT FILTER: one test project, its hung host (if any) explained.
# What failed is gathered and printed again at the end, so the last lines of a long CI log say it.
run_tests() {
  local proj=$1 filter=$2 started output
  started="$(mktemp)"
  output="$(mktemp)"
  if ! dotnet test "$proj" -c Release --no-build --nologo --filter "$filter" \
    --logger "console;verbosity=normal" --blame-hang-timeout 5m -- RunConfiguration.TreatNoTestsAsError=false 2>&1 | tee "$output"; then
    status=1
    FAILED+=("$(basename "$(dirname "$proj")") ($filter):")
    while IFS= read -r line; do FAILED+=("  $line"); done < <(grep -E '^\s+Failed [A-Za-z]' "$output" | sed -E 's/^\s+//' | head -40)
  fi
  print_hang_dumps "$(dirname "$proj")/TestResults" "$started"
  rm -f "$started" "$output"
}

# report: the failures gathered, last, and the suite's status.
report() {
  if [ "$status" = 0 ]; then
    log "every test project and check passed"
  else
    log "FAILED:"
    printf '    %s\n' "${FAILED[@]}" >&2
  fi
  exit "$status"
}

status=0
FAILED=()
for proj in tests/*.Tests/*.csproj tests/*.IntegrationTests/*.csproj; do
  [ -f "$proj" ] || continue
  log "testing $(basename "$(dirname "$proj")")"
  run_tests "$proj" "Category!=Cluster"
done
# The 3-node RabbitMQ cluster (ops/lib/rabbitmq-cluster.sh) takes 1-2 minutes to start here, so its tests run in a step
# of their own, at the end, rather than in the middle of the integration tests; the fixture stops the cluster it started.
log "testing on a 3-node RabbitMQ cluster (Category=Cluster)"
run_tests tests/Instasent.SmppAdapter.IntegrationTests/Instasent.SmppAdapter.IntegrationTests.csproj "Category=Cluster"
# The README's run command, end to end (broker, simulator, adapter, CLI, samples, receipts, inbound).
log "checking ops/run.sh end to end (ops/test-run.sh)"
ops/test-run.sh || { status=1; FAILED+=("ops/test-run.sh (ops/run.sh end to end)"); }
report
