#!/usr/bin/env bash
# Builds lora with a sanitizer and runs the default ctest suite under it; any sanitizer
# report fails the run (the build stops on the first report, -fno-sanitize-recover=all).
#
#   address: ASan + UBSan + LeakSanitizer, every suite but the Python package's (its
#            module would need libasan preloaded into python3) and the Node drivers'
#            (they run lorad through npm; the Bolt suite covers the same server code).
#
# Suppressions for third-party code are in tests/sanitize/*.supp, each with its reason.
# The tests that run lorad under an address-space limit report themselves skipped (ASan
# reserves terabytes of shadow address space).
#
# usage: tests/sanitize/run.sh address [BUILD_DIR (default build-asan)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kind=${1:?usage: tests/sanitize/run.sh address [BUILD_DIR]}
case "$kind" in
  address) build=${2:-$root/build-asan} ;;
  *) echo "tests/sanitize/run.sh: unknown sanitizer '$kind' (address)" >&2; exit 2 ;;
esac
here="$root/tests/sanitize"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"

# -O1 -g1: line tables for the reports, at a fraction of -O2 -g's build time.
start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DLORA_SANITIZE="$kind" -DLORA_WERROR=ON -DLORA_BUILD_BENCH=OFF -DLORA_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j2
built=$(date +%s)
ctest --test-dir "$build" --output-on-failure -j2 -LE '^(bolt_js|python)$'
done_=$(date +%s)
echo "sanitize $kind: build $((built - start)) s, tests $((done_ - built)) s"
