#!/usr/bin/env bash
# Installs what is missing, builds the test build (warnings as errors, AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs every test: unit, integration, and the shared
# acceptance checks when ../shared/acceptance is present. Extra arguments go to that ctest.
# Then builds the fuzz preset (clang, libFuzzer) and fuzzes each parser for a bounded time from
# its seed corpus (tests/fuzz/README.md), so that a crash or a broken invariant fails too.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev -j "$(nproc)" "$@"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
ctest --preset fuzz -j "$(nproc)"
