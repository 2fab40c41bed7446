#!/usr/bin/python3
"""How long accounts take to reach their new replicas on a five-node TLS cluster (R=3): USERS
accounts (default 1000) are signed up, spread over the nodes; one node is SIGKILLed, and the
time until the survivors hold each account whole exactly where placement over them puts it
(the console's `users` on every survivor) is one figure, counted from the kill and from the
moment every survivor marked the node down; the node is started again, and the time until
it holds its accounts back and the survivors dropped the ones they held for it is the other,
counted from the moment all five are up. Prints the figures; nothing is asserted on time.

    PLEXICHAT_NODE=build/release/tools/plexichat-node/plexichat-node \
    PLEXICHAT_CONSOLE=build/release/tools/plexichat-console/plexichat-console \
    tests/perf/account_handoff.py
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Api, Suite, uname, wait_until  # noqa: E402
from test_cluster import connected, tls_cluster, wait_states  # noqa: E402
from test_cluster_accounts import placement  # noqa: E402
from test_cluster_five import NAMES, wait_accounts_placed  # noqa: E402

USERS = int(os.environ.get("USERS", "1000"))
suite = Suite("account_handoff")


def sign_up(nodes, names):
    """Signs `names` up, round-robin over the nodes, from eight threads."""
    failures = []

    def run(part):
        for i, name in part:
            api = Api(nodes[NAMES[i % len(NAMES)]])
            try:
                wait_until(lambda: api.register(name)[0] in (201, 409), 30, f"{name} signed up",
                           interval=0.2)
            except AssertionError as e:
                failures.append(str(e))
    indexed = list(enumerate(names))
    threads = [threading.Thread(target=run, args=(indexed[k::8],)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]


def main():
    assert USERS <= 1000, "the console lists at most 1000 users a page"
    _, certs, ports, nodes = tls_cluster(
        "pc-perf-handoff-", NAMES, suite, config={"rate_limits": {"address": {"rate": 0}}},
        timeout=60)
    s = {"nodes": nodes, "certs": certs, "addr": {n: f"127.0.0.1:{p}" for n, p in ports.items()}}
    names = [uname("h") for _ in range(USERS)]
    started = time.monotonic()
    sign_up(nodes, names)
    print(f"{USERS} accounts signed up in {time.monotonic() - started:.1f} s")
    wait_accounts_placed(s, names, list(NAMES), timeout=120)

    killed = "n3"
    moved = sum(1 for name in names if killed in placement(name, NAMES, 3))
    survivors = [n for n in NAMES if n != killed]
    nodes[killed].proc.send_signal(signal.SIGKILL)
    nodes[killed].proc.wait(10)
    t_kill = time.monotonic()
    wait_states([nodes[n] for n in survivors],
                {n: ("down" if n == killed else "up") for n in NAMES}, timeout=60,
                what=f"{killed} marked down")
    t_down = time.monotonic()
    wait_accounts_placed(s, names, survivors, timeout=300)
    t_placed = time.monotonic()
    print(f"SIGKILL of {killed}, a replica of {moved} accounts: marked down after "
          f"{t_down - t_kill:.1f} s; every account whole on its three survivors "
          f"{t_placed - t_down:.1f} s later ({t_placed - t_kill:.1f} s after the kill)")

    nodes[killed].start()
    wait_states(list(nodes.values()), {n: "up" for n in NAMES}, timeout=60,
                what=f"{killed} back up")
    t_up = time.monotonic()
    connected(list(nodes.values()), 60)
    wait_accounts_placed(s, names, list(NAMES), timeout=300)
    t_back = time.monotonic()
    print(f"{killed} started again: its {moved} accounts back, and dropped by the survivors "
          f"that held them, {t_back - t_up:.1f} s after all five were up")
    suite.finish()


if __name__ == "__main__":
    main()
