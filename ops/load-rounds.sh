#!/usr/bin/env bash
# Several rounds of ops/load.sh --kannel, one after the other, and the verdict issue #12's goals ask for: per round and
# as the median over the rounds, each adapter variant's messages/s and gateway CPU per message (adapter + RabbitMQ) as
# multiples of Kannel's with receipts, and without receipts the adapter's messages/s against the bare one-hop ceiling.
# One round's ratios move by a quarter on this machine (docs/performance.md, Session 12); the median of rounds is what
# to quote. Each round's own table and logs stay where ops/load.sh puts them (printed below). Not part of ops/test.sh.
#
#   ops/load-rounds.sh ROUNDS ops/load.sh-ARGUMENTS...
#   e.g. ops/load-rounds.sh 3 --kannel --count 10000 --repeats 3 --warmup 10000 --adapter-env Adapter__ForwardBacklog=false
#   ops/load-rounds.sh --from LOGDIR...   the same verdict from earlier runs' log directories (their results.tsv)
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
ROOT=$(repo_root)

usage="usage: ops/load-rounds.sh ROUNDS (1-99) ops/load.sh-ARGUMENTS... (with --kannel) | ops/load-rounds.sh --from LOGDIR..."
FROM=()
if [ "${1:-}" = --from ]; then
  shift
  [ $# -gt 0 ] || die "$usage"
  for d in "$@"; do [ -s "$d/results.tsv" ] || die "--from: no results.tsv in '$d'"; done
  FROM=("$@") ROUNDS=$#
  set --
else
  ROUNDS=${1:-}
  [[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "$usage"
  shift
  [[ " $* " == *" --kannel "* ]] || die "ops/load-rounds.sh compares with Kannel: pass --kannel"
fi

# round_figures RESULTS: "variant rate gateway_us" per variant, medians over the round's runs (Kannel's gateway is
# bearerbox + smsbox; an adapter's or a bare service's is the service plus the broker, summed per run).
round_figures() {
  local results=$1 v
  for v in $(cut -f1 "$results" | awk '!seen[$0]++'); do
    printf '%s %s %s\n' "$v" \
      "$(awk -F'\t' -v v="$v" '$1 == v { print $2 }' "$results" | median)" \
      "$(awk -F'\t' -v v="$v" '$1 == v { print ($1 == "kannel" ? $15 : $15 + $17) }' "$results" | median)"
  done
}

SUMMARY=$(mktemp "${TMPDIR:-/tmp}/smpp-adapter-rounds.XXXXXX")
trap 'rm -f "$SUMMARY" "$SUMMARY.ratios"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do
  if [ ${#FROM[@]} -gt 0 ]; then
    round_figures "${FROM[r - 1]}/results.tsv" | sed "s/^/$r /" >>"$SUMMARY"
    continue
  fi
  log "round $r of $ROUNDS: ops/load.sh $* (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  out=$(mktemp "${TMPDIR:-/tmp}/smpp-adapter-round.XXXXXX")
  "$ROOT/ops/load.sh" "$@" 2>&1 | tee "$out"
  logs=$(sed -n 's/^==> logs: //p' "$out" | tail -n 1)
  rm -f "$out"
  [ -n "$logs" ] && [ -s "$logs/results.tsv" ] || die "round $r: no results from ops/load.sh"
  round_figures "$logs/results.tsv" | sed "s/^/$r /" >>"$SUMMARY"
  log "round $r done: $logs"
done

# ratios: "round variant rate_x cpu_x" for every adapter variant with receipts against Kannel in the same round, and
# "round variant rate_x -" for one without receipts against bare-one-hop.
awk '
  { rate[$1, $2] = $3; us[$1, $2] = $4; rounds[$1] = 1; if ($2 ~ /^adapter/) variants[$2] = 1 }
  END {
    for (r in rounds) for (v in variants) {
      if (!((r, v) in rate)) continue
      if (v ~ /receipts/ && (r, "kannel") in rate)
        printf "%s %s %.2f %.2f\n", r, v, rate[r, v] / rate[r, "kannel"], us[r, v] / us[r, "kannel"]
      else if (v !~ /receipts/ && (r, "bare-one-hop") in rate)
        printf "%s %s %.2f -\n", r, v, rate[r, v] / rate[r, "bare-one-hop"]
    }
  }' "$SUMMARY" | sort -k2,2 -k1,1n >"$SUMMARY.ratios"

echo
if [ ${#FROM[@]} -gt 0 ]; then echo "Over $ROUNDS rounds: ${FROM[*]}"; else echo "Over $ROUNDS rounds of: ops/load.sh $*"; fi
echo "Kannel with receipts, per round: $(awk '$2 == "kannel" { printf "%s/s %s us; ", $3, $4 }' "$SUMMARY" | sed 's/; $//')"
printf '%-22s %-34s %-34s %s\n' variant "messages/s x (per round)" "gateway CPU x (per round)" "median: rate x, CPU x"
for v in $(cut -d' ' -f2 "$SUMMARY.ratios" | awk '!seen[$0]++'); do
  rates=$(awk -v v="$v" '$2 == v { print $3 }' "$SUMMARY.ratios")
  cpus=$(awk -v v="$v" '$2 == v && $4 != "-" { print $4 }' "$SUMMARY.ratios")
  printf '%-22s %-34s %-34s %s, %s\n' "$v" "$(echo "$rates" | paste -sd' ')" "$( [ -n "$cpus" ] && echo "$cpus" | paste -sd' ' || echo -)" \
    "$(echo "$rates" | median)" "$( [ -n "$cpus" ] && echo "$cpus" | median || echo -)"
done
echo "(with receipts: against Kannel, goals >= 1.5x the rate and <= 0.67x the CPU; without receipts: the rate against"
echo " bare-one-hop, a MassTransit service consuming one command and publishing one event, goal >= 0.8x)"
