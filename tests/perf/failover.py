#!/usr/bin/python3
"""Failover time of a channel's owner, ROUNDS times (default 10) on a three-node TLS cluster:
a client on another node sends one message after another (each retried with its nonce); the
owner is SIGKILLed; the time to the first acknowledged send after the kill is one sample.
The killed node is restarted and the cluster settles between rounds. Prints each sample and
the median. The failure detector's cluster.down_after (6 s by default) dominates.

    PLEXICHAT_NODE=build/release/tools/plexichat-node/plexichat-node tests/perf/failover.py
"""
import os
import signal
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Api, Suite, free_port, wait_until  # noqa: E402
from test_cluster import ALL_UP, cluster_node, make_certs, wait_states  # noqa: E402
from test_cluster_channels import owner_of, wait_connected  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "10"))
suite = Suite("failover")


def main():
    tmp = tempfile.mkdtemp(prefix="pc-perf-")
    names = ["n1", "n2", "n3"]
    certs = make_certs(tmp, "ca", names)
    ports = {n: free_port() for n in names}
    nodes = {n: cluster_node(n, ports[n], [ports[m] for m in names if m != n], certs[n], suite)
             for n in names}
    for n in names:
        nodes[n].start()
    ctx = {"nodes": nodes}
    users = {}
    samples = []
    for r in range(ROUNDS):
        wait_states(list(nodes.values()), ALL_UP, what="all up")
        wait_connected(ctx)
        api1 = Api(nodes["n1"])
        if not users:
            users = {n: Api(nodes[n]).user(n) for n in names}
        cid = api1.create_channel(users["n1"][0], f"f{r}")["id"]
        wait_until(lambda: owner_of(ctx, cid) is not None, 10, "an owner")
        owner = owner_of(ctx, cid)
        via = next(n for n in names if n != owner)
        api = Api(nodes[via])
        token = users[via][0]
        api.join(token, cid)
        for i in range(5):
            assert api.post(token, cid, f"warm{i}", nonce=f"w{i}")[0] == 201
        nodes[owner].proc.send_signal(signal.SIGKILL)
        nodes[owner].proc.wait(10)
        killed = time.monotonic()
        i = 0
        while api.post(token, cid, "after", nonce="after")[0] != 201:
            i += 1
            time.sleep(0.05)
            assert time.monotonic() - killed < 60, "no failover in 60 s"
        samples.append(time.monotonic() - killed)
        print(f"round {r + 1}: owner {owner} killed, first ack via {via} after "
              f"{samples[-1]:.2f} s", flush=True)
        nodes[owner].start()
    print(f"failover over {ROUNDS} rounds: median {statistics.median(samples):.2f} s, "
          f"min {min(samples):.2f} s, max {max(samples):.2f} s")
    suite.finish()


if __name__ == "__main__":
    main()
