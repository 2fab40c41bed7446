#!/usr/bin/env bash
# with_temp_dir.sh COMMAND [ARGS...]
# Runs COMMAND with TMPDIR set to a new directory, and removes that directory afterwards, so
# that temporary files a command leaves (the shared acceptance checks keep their nodes' data
# directories) do not pile up on the machine. Exits with COMMAND's status.
set -uo pipefail
dir=$(mktemp -d -t plexichat-test-XXXXXX)
trap 'rm -rf "$dir"' EXIT
TMPDIR="$dir" "$@"
