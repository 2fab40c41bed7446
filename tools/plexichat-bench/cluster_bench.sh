#!/usr/bin/env bash
# Runs a plexichat-bench scenario against node n1 of a three-node TLS cluster (W=2 of R=3 by
# default) started on loopback in a temporary directory, then stops the nodes. With --spread
# first, the WebSocket sessions go round-robin over the three nodes, as a load balancer in
# front of the cluster would spread them; without, every session is on n1.
#   tools/plexichat-bench/cluster_bench.sh [--spread] NODE_BINARY BENCH_BINARY SCENARIO [options]
# e.g. tools/plexichat-bench/cluster_bench.sh build/release/tools/plexichat-node/plexichat-node \
#        build/release/tools/plexichat-bench/plexichat-bench durable --senders 100 --duration 10
set -euo pipefail
spread=()
if [ "${1:-}" = --spread ]; then
  spread=(--spread 127.0.0.1:18582,127.0.0.1:18583)
  shift
fi
node=$(realpath "$1")
bench=$(realpath "$2")
shift 2
dir=$(mktemp -d -t plexichat-cluster-bench-XXXXXX)
pids=()
cleanup() {
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
ulimit -n "$(ulimit -Hn)"
"$node" cert create-ca --certs-dir certs/n1 --ca-key ca.key >/dev/null
for n in n1 n2 n3; do "$node" cert create-node $n --certs-dir certs/$n --ca-key ca.key >/dev/null; done
for i in 1 2 3; do
  cat > n$i.yaml <<EOF
data_dir: "$dir/d$i"
limits:
  max_connections: 30000
auth:
  password_hash_cost: min
rate_limits:
  address: {rate: 0}
  user: {rate: 0}
  ws_frames: {rate: 0}
EOF
  seeds=()
  if [ $i -gt 1 ]; then seeds=(--seeds 127.0.0.1:17601); fi
  "$node" --config n$i.yaml --name n$i --listen 127.0.0.1:1858$i \
    --cluster-listen 127.0.0.1:1760$i --certs-dir certs/n$i "${seeds[@]}" > n$i.log 2>&1 &
  pids+=($!)
done
# Every node sees all three up and connected.
for _ in $(seq 1 120); do
  ready=1
  for i in 1 2 3; do
    r=$(curl -s 127.0.0.1:1858$i/readyz || true)
    [ "$(grep -o '"connected":true' <<<"$r" | wc -l)" -ge 3 ] &&
      [ "$(grep -o '"state":"up"' <<<"$r" | wc -l)" -eq 3 ] || ready=0
  done
  [ $ready = 1 ] && break
  sleep 0.5
done
if [ $ready != 1 ]; then echo "cluster_bench: the cluster did not form" >&2; exit 1; fi
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=()
for p in "${pids[@]}"; do before+=("$(cpu "$p")"); done
"$bench" --node 127.0.0.1:18581 --pid "${pids[0]}" "${spread[@]}" "$@"
# Which nodes owned the channels: only an owner counts acks in its ack latency histogram.
for i in 1 2 3; do
  acks=$(curl -s 127.0.0.1:1858$i/metrics | sed -n 's/^plexichat_ack_latency_seconds_count //p')
  used=$(( $(cpu "${pids[$((i - 1))]}") - ${before[$((i - 1))]} ))
  echo "cluster_bench: n$i acknowledged ${acks:-?} messages as a channel owner, used $((used * 10)) ms of CPU" >&2
done
