#!/usr/bin/python3
"""plexichat-bench end to end, tiny sizes: it starts its own node (--node-binary), runs a
scenario and prints one JSON object whose figures must add up: every acknowledged message
delivered to every subscriber, no losses, gaps or error frames, the node stopped cleanly.

Run alone: PLEXICHAT_NODE=.../plexichat-node PLEXICHAT_BENCH=.../plexichat-bench ./test_bench.py
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Suite, node_binary  # noqa: E402

suite = Suite("bench")


def bench_binary():
    path = os.environ.get("PLEXICHAT_BENCH")
    if not path or not os.access(path, os.X_OK):
        raise SystemExit("set PLEXICHAT_BENCH to the plexichat-bench binary")
    return path


def run_bench(*args, timeout=120):
    """Runs plexichat-bench --json against a node of its own; its exit code and JSON."""
    cmd = [bench_binary(), "--node-binary", node_binary(), "--json", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON from {cmd}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.returncode, json.loads(lines[-1])


def assert_clean(code, out):
    assert code == 0 and out["ok"], f"exit {code}: {out}"
    assert out["problems"] == [], out
    for key in ("error_frames", "dropped_sessions"):
        assert out.get(key, 0) == 0, (key, out)


def assert_every_delivery(out, subscribers_per_channel):
    assert out["sent"] > 0 and out["acked"] == out["sent"], out
    assert out["expected_deliveries"] == out["acked"] * subscribers_per_channel, out
    assert out["deliveries"] == out["expected_deliveries"], out
    for key in ("losses", "gaps", "gap_seqs", "duplicates"):
        assert out[key] == 0, (key, out)
    assert out["delivery_latency_p50_ms"] <= out["delivery_latency_p99_ms"], out
    assert 0 < out["delivery_latency_p99_ms"] < 10000, out


@suite.check
def fanout_delivers_every_message_to_every_subscriber(_):
    code, out = run_bench("fanout", "--subscribers", "5", "--rate", "50", "--duration", "2")
    assert_clean(code, out)
    assert out["scenario"] == "fanout" and out["subscribers"] == 5 and out["senders"] == 1, out
    assert_every_delivery(out, 5)
    assert 50 <= out["sent"] <= 110, out  # 50 a second for 2 seconds
    assert out["node_cpu_percent"] >= 0 and out["node_rss_kib"] > 0, out


@suite.check
def fanout_as_fast_as_the_window_allows(_):
    code, out = run_bench("fanout", "--subscribers", "5", "--duration", "2", "--window", "8")
    assert_clean(code, out)
    assert_every_delivery(out, 5)


@suite.check
def a_paced_channel_still_delivers_every_message_in_order(_):
    # 250 subscribers: the channel spaces its fan-outs by 5 ms and splits them into two turns
    # (actors/channel/fan_out_pacing.hpp), so messages sent back to back wait for their
    # subscribers' turn and share its writes.
    code, out = run_bench("fanout", "--subscribers", "250", "--duration", "2", "--window", "16")
    assert_clean(code, out)
    assert_every_delivery(out, 250)


@suite.check
def rooms_deliver_each_room_to_its_members(_):
    code, out = run_bench("rooms", "--channels", "2", "--members", "3", "--rate", "10",
                          "--duration", "1")
    assert_clean(code, out)
    assert out["channels"] == 2 and out["subscribers"] == 6 and out["senders"] == 6, out
    assert_every_delivery(out, 3)


@suite.check
def durable_counts_acknowledged_sends(_):
    code, out = run_bench("durable", "--senders", "4", "--duration", "2")
    assert_clean(code, out)
    assert out["sent"] > 0 and out["acked"] == out["sent"], out
    assert out["acks_per_s"] > 0, out
    assert 0 < out["ack_latency_p50_ms"] <= out["ack_latency_p99_ms"], out
    assert "deliveries" not in out, out


@suite.check
def idle_sessions_all_open_and_answer(_):
    code, out = run_bench("idle", "--sessions", "20", "--users", "3", "--settle", "0.2")
    assert_clean(code, out)
    assert out["sessions_opened"] == 20 and out["answering"] == 20, out
    assert out["rss_after_kib"] > 0 and "kib_per_session" in out, out


@suite.check
def capacity_reports_clients_reached(_):
    code, out = run_bench("capacity", "--step", "10", "--max-clients", "20", "--samples", "3")
    assert_clean(code, out)
    assert out["clients_reached"] == 20 and len(out["steps"]) == 2, out
    assert out["steps"][1]["broadcasts"] == 4 * 3, out


@suite.check
def a_bad_command_line_exits_2_without_a_node(_):
    p = subprocess.run([bench_binary(), "fanout", "--subscribers", "0"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "subscribers" in p.stderr, p.stderr


if __name__ == "__main__":
    suite.main()
