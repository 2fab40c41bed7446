#!/usr/bin/python3
"""What an account's home costs a login, on a three-node TLS cluster: logins through the
node that is the account's home, against logins through another node (forwarded over the
cluster link to the home, which waits for a peer to confirm the new session either way).
ROUNDS logins of each kind (default 200), one at a time, over HTTP; prints the median and
p99 in ms. The nodes hash passwords at the test cost ('min'), so the figures are the
routing and replication, not Argon2.

    PLEXICHAT_NODE=build/release/tools/plexichat-node/plexichat-node tests/perf/account_routing.py
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Api, Suite, wait_until  # noqa: E402
from test_cluster import tls_cluster  # noqa: E402
from test_cluster_accounts import name_owned_by, wait_meshed  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "200"))
suite = Suite("account_routing")


def timed_logins(api, names):
    samples = []
    for i in range(ROUNDS):
        started = time.perf_counter()
        st, b, _ = api.login(names[i % len(names)])
        samples.append((time.perf_counter() - started) * 1000)
        assert st == 200, (st, b)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main():
    names = ["n1", "n2", "n3"]
    try:
        _, _, _, nodes = tls_cluster("pc-perf-", names, suite)
        s = {"api": {n: Api(nodes[n]) for n in names}}
        wait_meshed(s, names)
        homed = [name_owned_by("n1", names, "perf") for _ in range(20)]
        for name in homed:
            wait_until(lambda: s["api"]["n1"].register(name)[0] == 201, 20, "registered")
        local = timed_logins(s["api"]["n1"], homed)
        remote = timed_logins(s["api"]["n2"], homed)
        print(f"logins through the home (n1):  median {local[0]:.2f} ms, p99 {local[1]:.2f} ms")
        print(f"logins through n2 (home n1):   median {remote[0]:.2f} ms, p99 {remote[1]:.2f} ms")
    finally:
        suite.finish()


if __name__ == "__main__":
    main()
