#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan + fuzzer coverage) and runs each for
# a bounded time over its seed corpus (tests/fuzz/seeds.py: the engine cases' and the TCK's
# queries, Bolt messages); exits non-zero on any crash, leak, timeout or sanitizer report.
# The corpora grown by earlier runs are kept in the build directory and run again first.
#
# usage: tests/fuzz/run.sh [SECONDS_PER_TARGET (default 60)] [BUILD_DIR (default build-fuzz)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
build=${2:-$root/build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLORA_FUZZ=ON -DLORA_BUILD_TESTS=OFF -DLORA_BUILD_BENCH=OFF -DLORA_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_cypher fuzz_packstream fuzz_codec fuzz_wal
python3 "$root/tests/fuzz/seeds.py" "$root" "$build/fuzz-seeds" ${LORA_TCK_DIR:+"$LORA_TCK_DIR"}
for target in cypher packstream codec wal; do
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
