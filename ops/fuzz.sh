#!/usr/bin/env bash
# Coverage-guided fuzzing of the protocol library (src/Instasent.Smpp) with AFL++ and SharpFuzz: the PDU decoder, the
# stream framing, the delivery-receipt parser, the UDH/segment reassembler and the text decoders, one target at a
# time for a bounded time each. Installs what it needs (Debian's afl++, the SharpFuzz instrumenter at the version
# Directory.Packages.props pins), builds tests/Instasent.Smpp.Fuzz, instruments Instasent.Smpp.dll, seeds each corpus
# from real PDUs plus the checked-in corpus, fuzzes, then prints execs, coverage, crashes and hangs per target and
# replays every finding outside the fuzzer to show its exception. Exits 1 when any target crashed or hung.
# Work files in .artifacts/fuzz (findings/<target>/default/{crashes,hangs,queue}). Not part of ops/test.sh;
# tests/Instasent.Smpp.Tests replays the checked-in corpus on every test run. See docs/fuzzing.md.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
ROOT=$(repo_root)
cd "$ROOT"

TARGETS=(decode read receipt message text)

usage() {
  cat <<USAGE
Usage: ops/fuzz.sh [--target NAME] [--seconds N] [--save-corpus] [--help]

  --target NAME    fuzz only this target (default: all, one after the other): ${TARGETS[*]}
  --seconds N      fuzzing time per target (default 120)
  --save-corpus    afterwards, minimise each target's queue (afl-cmin) and keep its smallest inputs, at most
                   CORPUS_BYTES (default 4096) per target, in tests/Instasent.Smpp.Fuzz/corpus/<target>, which the
                   unit tests replay
USAGE
}

SECONDS_PER_TARGET=120 SAVE_CORPUS=false SELECTED=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) [[ " ${TARGETS[*]} " == *" ${2:-} "* ]] || die "--target needs one of: ${TARGETS[*]} (was '${2:-}')"; SELECTED+=("$2"); shift 2 ;;
    --seconds) positive "$1" "${2:-}"; SECONDS_PER_TARGET=$2; shift 2 ;;
    --save-corpus) SAVE_CORPUS=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${TARGETS[@]}")
CORPUS_BYTES=${CORPUS_BYTES:-4096}

WORK=$ROOT/.artifacts/fuzz
TOOLS=$WORK/tools
HARNESS=tests/Instasent.Smpp.Fuzz
PLAIN=$HARNESS/bin/Release/net10.0         # not instrumented: writes the seeds, replays findings
INSTRUMENTED=$WORK/instrumented            # what afl-fuzz runs
CHECKED_IN=$HARNESS/corpus
SHARPFUZZ_VERSION=$(sed -n 's/.*PackageVersion Include="SharpFuzz" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
[ -n "$SHARPFUZZ_VERSION" ] || die "Directory.Packages.props pins no SharpFuzz version"

apt_install afl++
if ! dotnet tool list --tool-path "$TOOLS" 2>/dev/null | grep -qi "^sharpfuzz.commandline *$SHARPFUZZ_VERSION "; then
  log "installing the SharpFuzz instrumenter $SHARPFUZZ_VERSION in $TOOLS"
  rm -rf "$TOOLS"
  dotnet tool install SharpFuzz.CommandLine --version "$SHARPFUZZ_VERSION" --tool-path "$TOOLS" >/dev/null
fi

log "building the harness"
dotnet build "$HARNESS" -c Release -warnaserror -nologo -v quiet >/dev/null
rm -rf "$INSTRUMENTED" "$WORK/seeds"
dotnet publish "$HARNESS" -c Release --no-build -o "$INSTRUMENTED" -nologo -v quiet >/dev/null
"$TOOLS/sharpfuzz" "$INSTRUMENTED/Instasent.Smpp.dll"
dotnet "$PLAIN/Instasent.Smpp.Fuzz.dll" --seeds "$WORK/seeds"
for t in "${TARGETS[@]}"; do
  if [ -d "$CHECKED_IN/$t" ]; then find "$CHECKED_IN/$t" -type f -exec cp {} "$WORK/seeds/$t/" \;; fi
done

# afl-fuzz runs `dotnet harness`, which is not an AFL binary (SharpFuzz speaks the forkserver protocol itself).
# No CPU pinning: the machine is shared. The 5 s per-input timeout absorbs JIT and GC pauses on a loaded machine;
# a decoder that loops forever still shows as a hang.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=60000 AFL_TESTCACHE_SIZE=50
DOTNET=$(command -v dotnet)
afl_run() { # afl_run TARGET: fuzzes it for SECONDS_PER_TARGET, bounded again from outside in case afl-fuzz stalls
  local t=$1 dict=()
  [ -f "$WORK/seeds/$t.dict" ] && dict=(-x "$WORK/seeds/$t.dict")
  rm -rf "$WORK/findings/$t"
  mkdir -p "$WORK/findings"
  log "fuzzing '$t' for ${SECONDS_PER_TARGET}s (log: $WORK/$t.log)"
  timeout --kill-after=30 $((SECONDS_PER_TARGET + 180)) \
    afl-fuzz -i "$WORK/seeds/$t" -o "$WORK/findings/$t" "${dict[@]}" -t 5000 -m none -V "$SECONDS_PER_TARGET" \
      -- "$DOTNET" "$INSTRUMENTED/Instasent.Smpp.Fuzz.dll" --target "$t" >"$WORK/$t.log" 2>&1 \
    || { tail -20 "$WORK/$t.log" >&2; die "afl-fuzz failed on '$t' (log: $WORK/$t.log)"; }
}

stat_of() { sed -n "s/^$2 *: *//p" "$WORK/findings/$1/default/fuzzer_stats"; }
findings_of() { find "$WORK/findings/$1/default/$2" -type f -name 'id:*' 2>/dev/null; }

for t in "${SELECTED[@]}"; do afl_run "$t"; done

FOUND=0
printf '\n%-8s %12s %9s %8s %9s %8s %6s\n' target execs execs/s corpus coverage crashes hangs
for t in "${SELECTED[@]}"; do
  printf '%-8s %12s %9s %8s %9s %8s %6s\n' "$t" "$(stat_of "$t" execs_done)" "$(stat_of "$t" execs_per_sec)" \
    "$(stat_of "$t" corpus_count)" "$(stat_of "$t" bitmap_cvg)" "$(stat_of "$t" saved_crashes)" "$(stat_of "$t" saved_hangs)"
done
for t in "${SELECTED[@]}"; do
  for kind in crashes hangs; do
    mapfile -t inputs < <(findings_of "$t" "$kind")
    [ ${#inputs[@]} -gt 0 ] || continue
    FOUND=1
    printf '\n%s: %d %s in %s; replayed:\n' "$t" "${#inputs[@]}" "$kind" "$WORK/findings/$t/default/$kind"
    timeout 120 dotnet "$PLAIN/Instasent.Smpp.Fuzz.dll" --replay "$t" "${inputs[@]}" | grep -E '^(/|[0-9]+ of)' || true
  done
done

if $SAVE_CORPUS; then
  for t in "${SELECTED[@]}"; do
    log "minimising the '$t' corpus into $CHECKED_IN/$t"
    rm -rf "$WORK/cmin/$t"
    timeout 600 afl-cmin -i "$WORK/findings/$t/default/queue" -o "$WORK/cmin/$t" -t 5000 -m none \
      -- "$DOTNET" "$INSTRUMENTED/Instasent.Smpp.Fuzz.dll" --target "$t" >"$WORK/cmin-$t.log" 2>&1 \
      || die "afl-cmin failed on '$t' (log: $WORK/cmin-$t.log)"
    rm -rf "${CHECKED_IN:?}/$t"
    mkdir -p "$CHECKED_IN/$t"
    total=0 n=0
    # Smallest first, up to the byte budget; named by content so a re-run adds no duplicates.
    while read -r size file; do
      [ $((total + size)) -le "$CORPUS_BYTES" ] || break
      cp "$file" "$CHECKED_IN/$t/$(sha1sum "$file" | cut -c1-12)"
      total=$((total + size)) n=$((n + 1))
    done < <(find "$WORK/cmin/$t" -type f -printf '%s %p\n' | sort -n)
    log "kept $n inputs ($total octets) for '$t'"
  done
fi
exit "$FOUND"
