#!/usr/bin/env bash
# Installs what is missing, builds the optimised node, and starts it on the embedded
# defaults (127.0.0.1:8080, data in ./data). Extra arguments go to plexichat-node.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target plexichat-node
exec ./build/release/tools/plexichat-node/plexichat-node "$@"
