#!/usr/bin/env bash
# with_temp_dir.sh COMMAND [ARGS...]
# Runs COMMAND with TMPDIR set to a new directory, so that the temporary files it leaves (the
# shared acceptance checks keep their nodes' data directories and logs) do not pile up on the
# machine. The directory is removed when COMMAND succeeds and kept, with its path printed,
# when it fails. Exits with COMMAND's status.
set -u
dir=$(mktemp -d -t plexichat-test-XXXXXX)
TMPDIR="$dir" "$@"
status=$?
if [ "$status" -eq 0 ]; then
  rm -rf "$dir"
else
  echo "with_temp_dir.sh: kept $dir for its logs" >&2
fi
exit "$status"
