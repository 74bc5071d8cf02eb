#!/usr/bin/env bash
# Builds libcaf_core.so with ThreadSanitizer from the Debian source package of the installed
# libcaf-dev, once per machine, and prints the directory holding it. ThreadSanitizer sees the
# synchronisation of instrumented code only: with Debian's uninstrumented libcaf_core, every
# message handed from one actor thread to another through CAF's mailboxes and scheduler
# queues would be reported as a data race. Put the printed directory first on
# LD_LIBRARY_PATH when running a TSan build of lora (tests/sanitize/run.sh thread does).
#
# The source comes through apt (`apt-get source --tar-only`, the upstream tarball Debian
# builds from, checked against the archive's signed index) with apt state of its own, so the
# system's package lists are left alone. The build uses the same configuration as Debian's
# (its generated caf/detail/build_config.hpp must equal the installed one: lora is compiled
# against the installed headers).
#
# usage: tests/sanitize/caf_tsan.sh    (LORA_CAF_TSAN_DIR overrides the cache directory)
set -euo pipefail
pkg=$(dpkg-query -W -f='${source:Package}' libcaf-dev)
version=$(dpkg-query -W -f='${source:Version}' libcaf-dev)
upstream=${version%-*}
dir=${LORA_CAF_TSAN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lora/caf-$version-tsan}
lib="$dir/lib/libcaf_core.so.$upstream"
if [ -f "$lib" ]; then
  echo "$dir/lib"
  exit 0
fi

work="$dir/work"
rm -rf "$work" && mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
cat >"$work/apt/lora-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $(. /etc/os-release && echo "$VERSION_CODENAME")
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::SourceParts=$work/apt" -o Dir::Etc::SourceList=/dev/null
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
          -o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update >&2
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only --tar-only "$pkg=$version" >&2)
tar -xzf "$work/src/${pkg}_$upstream.orig.tar.gz" -C "$work/src"
src="$work/src/$pkg-$upstream"

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$src" CCACHE_NOHASHDIR=true
fi
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
  -DCAF_NO_IO=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes -DCAF_NO_PYTHON=yes \
  -DCAF_NO_TOOLS=yes -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_SUMMARY=yes \
  -DCAF_NO_COMPILER_CHECK=yes \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer -std=c++17 -Wno-deprecated-declarations" \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >&2
generated="$work/build/libcaf_core/caf/detail/build_config.hpp"
if ! diff -q <(grep -v '^ *//\|^ *\*\|^/\*\|^ *$' "$generated") \
             <(grep -v '^ *//\|^ *\*\|^/\*\|^ *$' /usr/include/caf/detail/build_config.hpp) >&2; then
  echo "caf_tsan.sh: CAF's build configuration differs from the installed one" >&2
  diff "$generated" /usr/include/caf/detail/build_config.hpp >&2 || true
  exit 1
fi
make -C "$work/build" -j"$(nproc)" libcaf_core_shared >&2
mkdir -p "$dir/lib"
cp -a "$work/build/lib/libcaf_core.so"* "$dir/lib/"
rm -rf "$work"
[ -f "$lib" ] || { echo "caf_tsan.sh: the build made no $lib" >&2; exit 1; }
echo "$dir/lib"
