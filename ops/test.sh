#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotently), starts a local RabbitMQ when
# none answers, builds in Release and runs every test project. `.ci/run` calls exactly this.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rabbitmq.sh"
ROOT=$(repo_root)
cd "$ROOT"

# Independent SMPP peers the interoperability tests drive.
apt_install tshark libnet-smpp-perl libsmpp34-dev pkg-config gcc docker-compose
if [ -f tests/interop/package.json ]; then
  log "installing the Node interop peers (tests/interop)"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

rabbitmq_ensure
trap rabbitmq_stop_if_ours EXIT
export RABBITMQ_URI="${RABBITMQ_URI:-amqp://guest:guest@127.0.0.1:5672/}"
# Integration tests must fail, never skip, when they cannot reach a broker in CI.
export SMPP_ADAPTER_REQUIRE_BROKER=1

log "building (Release)"
dotnet build Instasent.SmppAdapter.sln -c Release -warnaserror -nologo -v minimal

status=0
for proj in tests/*.Tests/*.csproj tests/*.IntegrationTests/*.csproj; do
  [ -f "$proj" ] || continue
  log "testing $(basename "$(dirname "$proj")")"
  dotnet test "$proj" -c Release --no-build --nologo \
    --logger "console;verbosity=normal" --blame-hang-timeout 5m -- RunConfiguration.TreatNoTestsAsError=false || status=1
done
# The README's run command, end to end (broker, simulator, adapter, CLI, samples, receipts, inbound).
log "checking ops/run.sh end to end (ops/test-run.sh)"
ops/test-run.sh || status=1
exit $status
