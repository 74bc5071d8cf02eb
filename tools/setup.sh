#!/usr/bin/env bash
# Installs the Debian packages lora needs to build and test. Safe to re-run:
# it only calls apt when something is missing.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config git clang-format-14 python3
  clang-14 libclang-rt-14-dev
  libcaf-dev
  liburing-dev
  libflatbuffers-dev flatbuffers-compiler
  libspdlog-dev libfmt-dev
  libmimalloc-dev
  catch2
  libzstd-dev libxxhash-dev
  libboost-dev libboost-system-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libedit-dev
  libbenchmark-dev
  libhnswlib-dev
  libsqlite3-dev
  libpcre2-dev
  libcsv-dev zlib1g-dev
  libicu-dev
  libhowardhinnant-date-dev tzdata
  python3-dev pybind11-dev
  libssl-dev openssl
  curl
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node and npm, for the Bolt tests with the Neo4j JavaScript drivers (tests/bolt_js). Only
# when missing from PATH: a NodeSource nodejs already carries npm and conflicts with Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
