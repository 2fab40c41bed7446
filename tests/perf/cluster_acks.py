#!/usr/bin/python3
"""Acknowledged sends per second into one channel, from CONCURRENCY REST senders for SECONDS:
on a single node, then on a three-node TLS cluster (W=2 of R=3, senders on a node that is not
the channel's owner, so every send crosses the cluster). A stopgap until plexichat-bench's
`durable` scenario: the Python senders cost more than the node, so compare the two figures as
a ratio, not as the node's capacity.

    PLEXICHAT_NODE=build/release/tools/plexichat-node/plexichat-node tests/perf/cluster_acks.py
"""
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Api, Suite, free_port  # noqa: E402
from test_cluster import ALL_UP, cluster_node, make_certs, wait_states  # noqa: E402
from test_cluster_channels import owner_of, wait_connected  # noqa: E402

CONCURRENCY = int(os.environ.get("CONCURRENCY", "16"))
SECONDS = float(os.environ.get("SECONDS", "10"))
suite = Suite("cluster_acks")
# The senders share one address: the per-address and per-user rate limits are lifted.
UNLIMITED = {"rate_limits": {"address": {"rate": 0}, "user": {"rate": 0}}}


def rate(api, token, cid):
    done = [0] * CONCURRENCY
    stop = time.monotonic() + SECONDS

    def sender(i):
        n = 0
        while time.monotonic() < stop:
            st, _, _ = api.post(token, cid, "x" * 100, nonce=f"s{i}-{n}")
            if st == 201:
                done[i] += 1
            n += 1
    threads = [threading.Thread(target=sender, args=(i,)) for i in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / SECONDS


def main():
    single = suite.node({"name": "solo", **UNLIMITED})
    api = Api(single)
    token, _ = api.user("b")
    cid = api.create_channel(token, "bench")["id"]
    solo = rate(api, token, cid)

    tmp = tempfile.mkdtemp(prefix="pc-perf-")
    names = ["n1", "n2", "n3"]
    certs = make_certs(tmp, "ca", names)
    ports = {n: free_port() for n in names}
    nodes = {n: cluster_node(n, ports[n], [ports["n1"]] if n != "n1" else [], certs[n], suite)
             for n in names}
    for n in names:
        nodes[n].config.update(UNLIMITED)
        nodes[n].write_config()
        nodes[n].start()
    ctx = {"nodes": nodes}
    wait_states(list(nodes.values()), ALL_UP, what="three nodes")
    wait_connected(ctx)
    api1 = Api(nodes["n1"])
    t1, _ = api1.user("b")
    cid = api1.create_channel(t1, "bench")["id"]
    owner = owner_of(ctx, cid)
    via = next(n for n in names if n != owner)
    api_via = Api(nodes[via])
    tv, _ = api_via.user("b")
    api_via.join(tv, cid)
    clustered = rate(api_via, tv, cid)
    print(f"single node: {solo:.0f} acked/s; W=2 of R=3 (sent via {via}, owner {owner}): "
          f"{clustered:.0f} acked/s; ratio {clustered / solo:.2f} "
          f"({CONCURRENCY} senders, {SECONDS:.0f} s)")
    suite.finish()


if __name__ == "__main__":
    main()
