#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan + fuzzer coverage) and runs each for
# a bounded time over its seed corpus (tests/fuzz/seeds.py: the engine cases' and the TCK's
# queries, Bolt messages, JSON bodies, HTTP requests; fuzz_checkpoint -write_seeds: the files
# of a small graph); exits non-zero on any crash, leak, timeout or sanitizer report.
# The corpora grown by earlier runs are kept in the build directory and run again first.
# The default of 40 s per target keeps the 7 targets under 5 minutes in .ci/run.
#
# usage: tests/fuzz/run.sh [SECONDS_PER_TARGET (default 40)] [BUILD_DIR (default build-fuzz)]
#        LORA_FUZZ_TARGETS="json http" tests/fuzz/run.sh ...   (some targets only)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-40}
build=${2:-$root/build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLORA_FUZZ=ON -DLORA_BUILD_TESTS=OFF -DLORA_BUILD_BENCH=OFF -DLORA_BUILD_PYTHON=OFF >/dev/null
targets=${LORA_FUZZ_TARGETS:-cypher packstream codec wal json http checkpoint}
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' $targets)
python3 "$root/tests/fuzz/seeds.py" "$root" "$build/fuzz-seeds" ${LORA_TCK_DIR:+"$LORA_TCK_DIR"}
case " $targets " in
  *" checkpoint "*) "$build/tests/fuzz/fuzz_checkpoint" -write_seeds="$build/fuzz-seeds/checkpoint" ;;
esac
for target in $targets; do
  corpus="$build/fuzz-corpus/$target"
  mkdir -p "$corpus" "$build/fuzz-findings"
  log="$build/fuzz-findings/$target.log"
  echo "fuzz_$target: ${secs}s"
  if ! "$build/tests/fuzz/fuzz_$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-findings/$target-" \
    "$corpus" "$build/fuzz-seeds/$target" >"$log" 2>&1; then
    grep -vE '^#[0-9]+' "$log" | tail -80
    echo "fuzz_$target found a problem (above; the input is in $build/fuzz-findings/)" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)|cov: ' "$log" | tail -4
done
