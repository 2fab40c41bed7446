#!/usr/bin/env bash
# run_fuzz_target.sh BINARY CORPUS WORKDIR SECONDS
# Fuzzes BINARY for SECONDS from a fresh copy of the seed corpus CORPUS in WORKDIR, so that
# nothing new is written into the repository; a crash input lands in WORKDIR/artifacts/.
# BINARY's dictionary is CORPUS/../../BINARY-name.dict when that file exists.
set -euo pipefail
binary=$(realpath "$1") corpus=$(realpath "$2") work=$(realpath -m "$3") seconds=$4
name=$(basename "$binary")
dict="$(dirname "$(dirname "$corpus")")/$name.dict"
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$corpus/." "$work/corpus/"
args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048
      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
if [ -f "$dict" ]; then args+=(-dict="$dict"); fi
cd "$work"
exec "$binary" "${args[@]}" "$work/corpus"
