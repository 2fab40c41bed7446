#!/usr/bin/python3
"""Cluster membership on real node processes: three nodes with certificates from the `cert`
commands join through a seed over CAF's mutual TLS; a node with a certificate of another CA
is kept out; SIGKILL marks a node down and a restart brings it back; a frozen node (SIGSTOP)
is marked down by the majority and, resumed, learns it and rejoins; a node that loses its
majority says so on /readyz; --insecure clusters without TLS and says so in its log."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, assert_error, free_port, http, node_binary, wait_until  # noqa: E402

# CAF's network layer may leave connection objects allocated at shutdown (see the file).
os.environ["LSAN_OPTIONS"] = "suppressions=" + os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "cluster_lsan.supp") + ":print_suppressions=0"

suite = Suite("cluster")
S = {}


def cert(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    p = subprocess.run([node_binary(), "cert", *args], capture_output=True, timeout=60, env=env,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, (args, p.stdout, p.stderr)


def make_certs(tmp, ca_name, names):
    """A CA (key in tmp/ca_name.key) and a certs dir tmp/<name> for each node name."""
    ca_key = os.path.join(tmp, ca_name + ".key")
    first = os.path.join(tmp, names[0])
    cert("create-ca", "--certs-dir", first, "--ca-key", ca_key)
    for n in names:
        cert("create-node", n, "--certs-dir", os.path.join(tmp, n), "--ca-key", ca_key)
    return {n: os.path.join(tmp, n) for n in names}


def cluster_node(name, port, seeds, certs_dir=None, in_suite=None):
    """A node of a cluster (not started), stopped at the end by `in_suite` (default: this
    file's)."""
    config = {"name": name, "cluster_listen": f"127.0.0.1:{port}",
              "seeds": [f"127.0.0.1:{p}" for p in seeds]}
    if certs_dir:
        config["certs_dir"] = certs_dir
    else:
        config["insecure"] = True
    return (in_suite or suite).node(config, start=False)


def tls_cluster(prefix, names, in_suite, config=None, timeout=30):
    """Nodes `names` in a temporary directory, certificates from one CA (and one for a
    `console`), the first the seed of the others, each with `config` merged in, started and
    waited for: all up and connected. Returns (tmp, certs, ports, nodes)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    certs = make_certs(tmp, "ca", list(names) + ["console"])
    ports = {n: free_port() for n in names}
    first = names[0]
    nodes = {}
    for n in names:
        seeds = [] if n == first else [ports[first]]
        nodes[n] = cluster_node(n, ports[n], seeds, certs[n], in_suite)
        nodes[n].config.update(config or {})
        nodes[n].write_config()
        nodes[n].start()
    wait_states(list(nodes.values()), {n: "up" for n in names}, timeout,
                what=f"{len(names)} nodes joined")
    connected(list(nodes.values()), timeout)
    return tmp, certs, ports, nodes


def readiness(node):
    status, body, _ = http("GET", node.base + "/readyz", timeout=5)
    return status, body


def states(node):
    """{member name: state} as `node` sees the cluster; {} if it cannot answer."""
    try:
        _, body = readiness(node)
    except OSError:
        return {}
    members = (body or {}).get("cluster", {}).get("members", [])
    return {m["name"]: m["state"] for m in members}


def wait_states(nodes, expected, timeout=30, what=""):
    def agreed():
        return all(states(n) == expected for n in nodes)
    try:
        wait_until(agreed, timeout, what or f"members {expected}", interval=0.2)
    except AssertionError:
        raise AssertionError(f"{what}: wanted {expected}, saw "
                             f"{[(n.config['name'], states(n)) for n in nodes]}")


def connected(nodes, timeout=30):
    """Waits until every node holds a connection to every other one (readyz `connected`)."""
    def all_connected():
        for node in nodes:
            try:
                status, body, _ = http("GET", node.base + "/readyz", timeout=5)
            except OSError:
                return False
            members = (body or {}).get("cluster", {}).get("members", [])
            if len(members) != len(nodes) or not all(m.get("connected") for m in members):
                return False
        return True
    wait_until(all_connected, timeout, "every node connected to every other", interval=0.2)


def setup():
    tmp = tempfile.mkdtemp(prefix="pc-it-cluster-")
    certs = make_certs(tmp, "ca", ["n1", "n2", "n3"])
    certs.update(make_certs(tmp, "rogue-ca", ["rogue"]))
    ports = {n: free_port() for n in ("n1", "n2", "n3", "rogue")}
    nodes = {"n1": cluster_node("n1", ports["n1"], [], certs["n1"])}
    for n in ("n2", "n3"):
        nodes[n] = cluster_node(n, ports[n], [ports["n1"]], certs[n])
    nodes["rogue"] = cluster_node("rogue", ports["rogue"], [ports["n1"]], certs["rogue"])
    for n in ("n1", "n2", "n3"):
        nodes[n].start()
    S.update(tmp=tmp, certs=certs, ports=ports, nodes=nodes)
    return S


def trio(s):
    return [s["nodes"][n] for n in ("n1", "n2", "n3")]


ALL_UP = {"n1": "up", "n2": "up", "n3": "up"}


@suite.check
def three_nodes_join_through_a_seed_over_mutual_tls(s):
    wait_states(trio(s), ALL_UP, what="three nodes joined")
    for n in trio(s):
        status, body = readiness(n)
        assert status == 200 and body["cluster"]["has_majority"], body
        assert body["cluster"]["self"] == n.config["name"], body
    log = open(s["nodes"]["n2"].log_path).read()
    assert "mutual TLS" in log, log[-2000:]


@suite.check
def a_node_of_another_ca_is_kept_out(s):
    rogue = s["nodes"]["rogue"]
    rogue.start()
    time.sleep(4)
    for n in trio(s):
        assert "rogue" not in states(n), states(n)
    assert states(rogue) == {"rogue": "up"}, states(rogue)
    rogue.signal_and_wait(signal.SIGTERM, 20)


@suite.check
def sigkill_marks_a_node_down_and_a_restart_brings_it_back(s):
    n1, n2, n3 = trio(s)
    wait_states(trio(s), ALL_UP, what="all up before the kill")
    n3.proc.send_signal(signal.SIGKILL)
    n3.proc.wait(10)
    wait_states([n1, n2], {"n1": "up", "n2": "up", "n3": "down"}, what="n3 down after SIGKILL")
    assert readiness(n1)[0] == 200, "two of three still have a majority"
    n3.start()
    wait_states(trio(s), ALL_UP, what="n3 back after restart")


@suite.check
def a_frozen_node_is_marked_down_then_rejoins(s):
    n1, n2, n3 = trio(s)
    wait_states(trio(s), ALL_UP, what="all up before the freeze")
    os.kill(n3.pid, signal.SIGSTOP)
    try:
        wait_states([n1, n2], {"n1": "up", "n2": "up", "n3": "down"}, what="frozen n3 down")
    finally:
        os.kill(n3.pid, signal.SIGCONT)
    wait_states(trio(s), ALL_UP, what="n3 rejoined after SIGCONT")
    log = open(n3.log_path).read()
    assert "marked down by the others; rejoining" in log, log[-3000:]


@suite.check
def a_node_without_a_majority_is_not_ready(s):
    n1, n2, n3 = trio(s)
    wait_states(trio(s), ALL_UP, what="all up before freezing two")
    api = Api(n1)
    token, _ = api.user("alone")
    os.kill(n2.pid, signal.SIGSTOP)
    os.kill(n3.pid, signal.SIGSTOP)
    try:
        def lost():
            status, body = readiness(n1)
            return status == 503 and not body["cluster"]["has_majority"]
        wait_until(lost, 30, "n1 alone: 503 without a majority", interval=0.2)
        # Writes are refused, reads still answered.
        assert_error(api.register("latecomer"), 503, "unavailable")
        assert_error(api.call("POST", "/api/v1/channels", {"name": "split"}, token=token), 503,
                     "unavailable")
        assert api.call("GET", "/api/v1/users/me", token=token)[0] == 200
        # Alone, n1 suspects the others but cannot mark them down.
        time.sleep(8)
        assert states(n1) == {"n1": "up", "n2": "suspect", "n3": "suspect"}, states(n1)
    finally:
        os.kill(n2.pid, signal.SIGCONT)
        os.kill(n3.pid, signal.SIGCONT)
    wait_states(trio(s), ALL_UP, what="all up after SIGCONT")
    assert readiness(n1)[0] == 200
    assert api.call("POST", "/api/v1/channels", {"name": "healed"}, token=token)[0] == 201


@suite.check
def insecure_nodes_cluster_without_tls_and_say_so(s):
    p1, p2 = free_port(), free_port()
    a = cluster_node("plain-a", p1, [p2])
    b = cluster_node("plain-b", p2, [p1])
    a.start()
    b.start()
    wait_states([a, b], {"plain-a": "up", "plain-b": "up"}, what="two insecure nodes")
    assert "NOT encrypted" in open(a.log_path).read()


@suite.check
def cluster_nodes_stopped_cleanly(s):
    for name in ("n1", "n2", "n3"):
        node = s["nodes"][name]
        code = node.signal_and_wait(signal.SIGTERM, 30)
        assert code == 0, f"{name} exit {code}: {node.tail_log()}"


if __name__ == "__main__":
    suite.main(setup)
