#!/usr/bin/env bash
# Installs a configured and built lora (default: ./build) to a temporary prefix, then
# configures, builds and runs every example under examples/ against that installed package
# (never the build tree), and compiles and runs examples/embed and examples/c-api once more
# with the flags `pkg-config lora` and `pkg-config lora-c` give. An example without
# CMakeLists.txt but with main.py is run by the Python the build's module is for, with only
# the prefix's dist-packages on PYTHONPATH. Fails on any error.
#
#   bash tools/check_examples.sh [build-dir ...]     e.g. build build-shared
set -euo pipefail
cd "$(dirname "$0")/.."
builds=("$@")
[ "${#builds[@]}" -eq 0 ] && builds=(build)

work=$(mktemp -d /tmp/lora-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT

for build in "${builds[@]}"; do
  [ -f "$build/CMakeCache.txt" ] || { echo "check_examples: $build is not a build directory" >&2; exit 1; }
  name=$(basename "$build")
  prefix=$work/$name/prefix
  echo "== check_examples: installing $build to $prefix"
  cmake --install "$build" --prefix "$prefix" >/dev/null

  for example in examples/*/; do
    example=${example%/}
    ex=$(basename "$example")
    out=$work/$name/$ex
    if [ ! -f "$example/CMakeLists.txt" ] && [ -f "$example/main.py" ]; then
      python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")
      site=$prefix/$(sed -n 's/^LORA_PYTHON_INSTALL_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
      if [ -z "$python" ] || [ ! -d "$site/lora" ]; then
        echo "== check_examples: $ex skipped: $build was configured with LORA_BUILD_PYTHON=OFF"
        continue
      fi
      echo "== check_examples: $ex with $python and the package installed from $build"
      (cd "$work" && PYTHONPATH="$site" PYTHONNOUSERSITE=1 "$python" -B "$OLDPWD/$example/main.py")
      continue
    fi
    echo "== check_examples: $ex against the package installed from $build"
    # Only the temporary prefix is searched for lora: the build tree is not on any path.
    # The configure and build output is shown when they fail.
    { cmake -S "$example" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON &&
      cmake --build "$out"; } >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    (cd "$out" && for exe in $(find . -maxdepth 1 -type f -executable); do "$exe"; done)
  done

  echo "== check_examples: examples/embed through pkg-config ($build)"
  pcdir=$(dirname "$(find "$prefix" -name lora.pc -print -quit)")
  pc_flags=(--cflags --libs)
  # A static package's dependencies are in Libs.private / Requires.private.
  grep -q '^Libs:.*-llora_values' "$pcdir/lora.pc" && pc_flags=(--static --cflags --libs)
  # shellcheck disable=SC2046
  g++ -std=c++20 -O1 examples/embed/main.cpp -o "$work/$name/embed-pc" \
      $(PKG_CONFIG_PATH="$pcdir" pkg-config "${pc_flags[@]}" lora) -Wl,-rpath,"$(dirname "$pcdir")"
  "$work/$name/embed-pc" >/dev/null

  echo "== check_examples: examples/c-api through pkg-config lora-c ($build)"
  # liblora_c.so carries its own dependencies: `pkg-config --libs lora-c` is -llora_c alone.
  # shellcheck disable=SC2046
  cc -std=c99 -O1 examples/c-api/main.c -o "$work/$name/c-api-pc" \
      $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs lora-c) -Wl,-rpath,"$(dirname "$pcdir")"
  "$work/$name/c-api-pc" >/dev/null
done
echo "check_examples: all examples passed"
