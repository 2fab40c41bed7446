#!/usr/bin/env bash
# Installs the Debian 12 packages PlexiChat needs to build, run and test.
# Idempotent: only missing packages are installed. Run as root (or via sudo).
# chromium runs the web client's browser tests; lld links the (many) test binaries in half
# the time of the default linker.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcaf-dev libsodium-dev librocksdb-dev
  libboost-dev libboost-system-dev libboost-program-options-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libisal-dev libzstd-dev libssl-dev libjemalloc-dev
  liboath-dev oathtool libpwquality-dev cracklib-runtime libqrencode-dev libedit-dev libcli11-dev
  prometheus-cpp-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-websockets clang-format
  chromium fonts-dejavu-core
  clang libclang-rt-14-dev lld
)
# The web client is built with node and npm (any Node.js >= 18); Debian's own when the
# machine has none.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
