#!/usr/bin/env bash
# Builds lora with a sanitizer and runs test suites under it; any sanitizer report fails the
# run (every report ends its program: halt_on_error, -fno-sanitize-recover=all).
#
#   address: ASan + UBSan + LeakSanitizer, every suite but the Python package's (its
#            module would need libasan preloaded into python3) and the Node drivers'
#            (they run lorad through npm; the Bolt suite covers the same server code).
#   thread:  ThreadSanitizer over the suites where threads meet: the actors, the engine,
#            durability, and the servers (HTTP and Bolt, through real lorad processes),
#            against a libcaf_core built with TSan (tests/sanitize/caf_tsan.sh).
#
# Suppressions for third-party code are in tests/sanitize/*.supp, each with its reason.
# The tests that run lorad under an address-space limit report themselves skipped (the
# sanitizers reserve terabytes of shadow address space).
#
# usage: tests/sanitize/run.sh address|thread [BUILD_DIR (default build-asan|build-tsan)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/sanitize"
kind=${1:?usage: tests/sanitize/run.sh address|thread [BUILD_DIR]}
start=$(date +%s)
case "$kind" in
  address)
    build=${2:-$root/build-asan}
    targets=(all)
    suites='-LE ^(bolt_js|python)$'
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp"
    export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
    ;;
  thread)
    build=${2:-$root/build-tsan}
    targets=(test_actors test_engine test_durability test_net test_bolt)
    suites='-L ^(test_actors|test_engine|test_durability|test_net|test_bolt)$'
    caf=$(bash "$here/caf_tsan.sh")
    export LD_LIBRARY_PATH="$caf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    # Lock-order reports are off (detect_deadlocks=0): hnswlib takes its per-node link locks
    # in data-dependent order inside one shard actor, never contended, and TSan reports that
    # with stacks it cannot unwind, which no suppression matches. Data races are reported.
    export TSAN_OPTIONS="halt_on_error=1:detect_deadlocks=0:suppressions=$here/tsan.supp"
    ;;
  *) echo "tests/sanitize/run.sh: unknown sanitizer '$kind' (address, thread)" >&2; exit 2 ;;
esac

# -O1 -g1: line tables for the reports, at a fraction of -O2 -g's build time.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DLORA_SANITIZE="$kind" -DLORA_WERROR=ON -DLORA_BUILD_BENCH=OFF -DLORA_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"
if [ "$kind" = thread ] && ! ldd "$build/tests/test_engine" | grep -q "$caf/libcaf_core"; then
  echo "tests/sanitize/run.sh: test_engine does not load the TSan libcaf_core from $caf" >&2
  exit 1
fi
built=$(date +%s)
# shellcheck disable=SC2086 # $suites is two words: the option and its pattern
ctest --test-dir "$build" --output-on-failure -j2 $suites
done_=$(date +%s)
echo "sanitize $kind: build $((built - start)) s, tests $((done_ - built)) s"
