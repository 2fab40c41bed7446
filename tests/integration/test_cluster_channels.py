#!/usr/bin/python3
"""Channels across a three-node TLS cluster, on real node processes: users on different nodes
chat in one channel wherever placement puts its actor, with one gapless order; SIGKILL of the
channel's owner while a client sends loses no acknowledged message, the channel goes on at
the next seq on another node, and a subscriber on a surviving node gets every message once,
in order, without asking; the killed node, restarted, catches up and serves the channel
again; a frozen owner, resumed, hands out no seq that the majority also handed out. Last,
once the owner reports every replica in step, the nodes are stopped and each one's RocksDB
(`plexichat-node channel dump`; with R=3 every node is a replica) holds exactly the
acknowledged messages of both channels, with gapless seqs."""
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, http, node_binary, wait_until, free_port  # noqa: E402
from test_cluster import ALL_UP, cluster_node, connected, make_certs, wait_states  # noqa: E402

suite = Suite("cluster_channels")
S = {}
NAMES = ("n1", "n2", "n3")


def setup():
    tmp = tempfile.mkdtemp(prefix="pc-it-cluster-ch-")
    certs = make_certs(tmp, "ca", list(NAMES) + ["console"])
    ports = {n: free_port() for n in NAMES}
    nodes = {"n1": cluster_node("n1", ports["n1"], [], certs["n1"], suite)}
    for n in ("n2", "n3"):
        nodes[n] = cluster_node(n, ports[n], [ports["n1"]], certs[n], suite)
    for n in NAMES:
        nodes[n].start()
    wait_states(list(nodes.values()), ALL_UP, what="three nodes joined")
    S.update(tmp=tmp, nodes=nodes, certs=certs,
             addr={n: f"127.0.0.1:{p}" for n, p in ports.items()})
    wait_connected(S)
    return S


def owner_of(s, cid, after_line=0):
    """The node whose log says it serves channel `cid` (the latest such line wins)."""
    best = None
    for name, node in s["nodes"].items():
        try:
            text = open(node.log_path).read()
        except OSError:
            continue
        for m in re.finditer(r"channel " + re.escape(cid) + r": serving under epoch (\d+)", text):
            epoch = int(m.group(1))
            if best is None or epoch > best[0]:
                best = (epoch, name)
    return best[1] if best else None


def wait_connected(s, timeout=30):
    connected(list(s["nodes"].values()), timeout)


def live(s):
    """The names of the nodes whose process runs."""
    return [n for n, node in s["nodes"].items() if node.running()]


def env():
    e = dict(os.environ)
    e.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    return e


def where(s, cid):
    """The console's `where` of the channel (asked through a live node with the certificate
    in s["certs"]["console"]), or None."""
    console = os.environ.get("PLEXICHAT_CONSOLE")
    assert console, "set PLEXICHAT_CONSOLE to the plexichat-console binary"
    args = [console, "--node", s["addr"][live(s)[0]], "--certs-dir", s["certs"]["console"],
            "--json", "where", cid]
    p = subprocess.run(args, capture_output=True, timeout=60, env=env(), text=True,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)


def in_step(w):
    """True when the owner reports every replica of the placement in sync at its last seq."""
    if not w or w["last_seq"] != w["assigned_seq"]:
        return False
    replicas = {r["node"]: r for r in w["replicas"]}
    return (sorted(replicas) == sorted(w.get("placement", [])) and
            all(r["in_sync"] and r["last_seq"] == w["last_seq"] for r in replicas.values()))


def wait_in_step(s, cid, last_seq, timeout=60):
    """Waits until every replica of the channel holds seqs 1..last_seq; returns `where`."""
    seen = []

    def ready():
        w = where(s, cid)
        seen[:] = [w]
        return w if in_step(w) and w["last_seq"] == last_seq else None
    try:
        return wait_until(ready, timeout, f"channel {cid}'s replicas in step", interval=0.5)
    except TimeoutError:
        raise AssertionError(f"replicas of {cid} not in step at seq {last_seq}: {seen}")


def assert_one_seq_each(messages):
    """No seq was handed out for two different messages."""
    by_seq = {}
    for m in messages:
        prior = by_seq.setdefault(m["seq"], m)
        assert prior["id"] == m["id"], f"seq {m['seq']} handed out twice: {prior} and {m}"


def assert_history_is(stored, acked, where_from):
    """The stored history is gapless and holds exactly the acknowledged messages."""
    seqs = [m["seq"] for m in stored]
    assert seqs == list(range(1, len(stored) + 1)), f"{where_from}: seqs not gapless: {seqs}"
    by_seq = {m["seq"]: m for m in acked}
    for m in stored:
        want = by_seq.get(m["seq"])
        assert want is not None, f"{where_from}: seq {m['seq']} stored but never acknowledged: {m}"
        assert (m["id"], m["nonce"]) == (want["id"], want["nonce"]), \
            f"{where_from}: seq {m['seq']} holds {m}, acknowledged {want}"
    assert len(stored) == len(by_seq), \
        f"{where_from}: {len(stored)} stored, {len(by_seq)} acknowledged: missing " \
        f"{sorted(set(by_seq) - set(seqs))}"


def dump(node, cid):
    """What a stopped node's RocksDB holds of the channel (`channel dump --json`): its
    messages, ascending seq, each {seq, id, nonce, epoch, author_id, created_at}."""
    p = subprocess.run([node_binary(), "channel", "dump", cid, "--data-dir", node.data_dir,
                        "--json"], capture_output=True, timeout=60, env=env(), text=True,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return [json.loads(line) for line in p.stdout.splitlines()]


def users_on(s):
    """One fresh user per node, registered and logged in there."""
    return {n: Api(s["nodes"][n]).user(n) for n in NAMES}


def seqs(messages):
    return [m["seq"] for m in messages]


@suite.check
def users_on_different_nodes_chat_in_one_order(s):
    users = users_on(s)
    a_token, _ = users["n1"]
    c_token, _ = users["n3"]
    api_a, api_c = Api(s["nodes"]["n1"]), Api(s["nodes"]["n3"])
    ch = api_a.create_channel(a_token, "across")
    cid = ch["id"]
    # Every node lists the channel, wherever it was created.
    def listed_on_c():
        st, b, _ = api_c.call("GET", "/api/v1/channels", token=c_token)
        return st == 200 and any(c["id"] == cid for c in b["channels"])
    wait_until(listed_on_c, 10, "the channel listed on n3")
    api_c.join(c_token, cid)

    async def run():
        async with Ws(s["nodes"]["n1"].ws_url, a_token) as alice, \
                Ws(s["nodes"]["n3"].ws_url, c_token) as bob:
            await alice.subscribe(cid)
            await bob.subscribe(cid)
            for i in range(20):
                await alice.say(cid, f"a{i}", f"a{i}")
                await bob.say(cid, f"b{i}", f"b{i}")
            seen_a = await alice.messages(cid, 40)
            seen_b = await bob.messages(cid, 40)
            return seen_a, seen_b
    seen_a, seen_b = asyncio.run(run())
    assert seqs(seen_a) == list(range(1, 41)), seqs(seen_a)
    assert [m["id"] for m in seen_a] == [m["id"] for m in seen_b], "one order for both"
    assert [m["content"] for m in seen_a][:4] == ["a0", "b0", "a1", "b1"]
    # The same history through every node.
    for n in NAMES:
        tok = users[n][0]
        if n == "n2":
            Api(s["nodes"]["n2"]).join(tok, cid)
        got = Api(s["nodes"][n]).all_messages(tok, cid)
        assert [m["id"] for m in got] == [m["id"] for m in seen_a], n
    assert owner_of(s, cid) in NAMES


def send_until(api, token, cid, count, acked, errors, stop_at=None):
    """Sends `count` messages one after another, each retried with its nonce until acked;
    records {nonce: message} in `acked`."""
    i = len(acked)
    while len(acked) < count:
        nonce = f"k{i}"
        st, b, _ = api.post(token, cid, f"m{i}", nonce=nonce)
        if st == 201:
            acked[nonce] = (time.monotonic(), b["message"])
            i += 1
        else:
            errors.append((time.monotonic(), st, (b or {}).get("error", {}).get("code")))
            time.sleep(0.1)
        if stop_at and time.monotonic() > stop_at:
            raise AssertionError(f"only {len(acked)} acked; last errors {errors[-3:]}")


def survivors(s, dead):
    return [n for n in NAMES if n != dead]


@suite.check
def sigkill_of_the_owner_loses_no_acknowledged_message(s):
    wait_states(list(s["nodes"].values()), ALL_UP, what="all up")
    wait_connected(s)
    users = users_on(s)
    first = Api(s["nodes"]["n1"])
    cid = first.create_channel(users["n1"][0], "failover")["id"]
    wait_until(lambda: owner_of(s, cid) is not None, 10, "an owner serves the channel")
    owner = owner_of(s, cid)
    sender_node, watcher_node = survivors(s, owner)
    sender = Api(s["nodes"][sender_node])
    send_token = users[sender_node][0]
    watch_token = users[watcher_node][0]
    sender.join(send_token, cid)
    Api(s["nodes"][watcher_node]).join(watch_token, cid)

    acked, errors = {}, []

    async def watch(total):
        async with Ws(s["nodes"][watcher_node].ws_url, watch_token) as w:
            await w.subscribe(cid)
            return await w.messages(cid, total, timeout=120)

    async def run():
        watcher = asyncio.ensure_future(watch(80))
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, send_until, sender, send_token, cid, 30, acked, errors)
        killed_at = time.monotonic()
        s["nodes"][owner].proc.send_signal(signal.SIGKILL)
        s["nodes"][owner].proc.wait(10)
        await loop.run_in_executor(None, send_until, sender, send_token, cid, 80, acked, errors,
                                   time.monotonic() + 90)
        seen = await watcher
        return killed_at, seen
    killed_at, seen = asyncio.run(run())

    stored = sender.all_messages(send_token, cid)
    by_nonce = {m["nonce"]: m for m in stored}
    assert seqs(stored) == list(range(1, len(stored) + 1)), "gapless"
    assert len(by_nonce) == len(stored), "no nonce stored twice"
    for nonce, (_, m) in acked.items():
        assert nonce in by_nonce, f"acknowledged {nonce} lost"
        assert by_nonce[nonce]["seq"] == m["seq"] and by_nonce[nonce]["id"] == m["id"], nonce
    assert len(stored) == len(acked), (len(stored), len(acked))
    # The subscriber on a surviving node saw every message once, in order, without asking.
    assert seqs(seen) == list(range(1, 81)), seqs(seen)
    assert [m["id"] for m in seen] == [m["id"] for m in stored]
    # The channel went on elsewhere.
    new_owner = owner_of(s, cid)
    assert new_owner in survivors(s, owner), (owner, new_owner)
    after = [t for t, m in acked.values() if t > killed_at]
    print(f"    failover: first ack {min(after) - killed_at:.2f}s after SIGKILL of {owner}; "
          f"{len(errors)} refused tries")
    S["failover"] = dict(cid=cid, killed=owner, tokens=users, stored=stored,
                         acked=[m for _, m in acked.values()])


@suite.check
def the_killed_node_rejoins_catches_up_and_serves_again(s):
    f = S["failover"]
    killed = s["nodes"][f["killed"]]
    killed.start()
    wait_states(list(s["nodes"].values()), ALL_UP, what="all up after the restart")
    wait_connected(s)
    cid = f["cid"]
    # Placement gives the channel back to it: it catches up, then serves the next seq.
    other = survivors(s, f["killed"])[0]
    api = Api(s["nodes"][other])
    token = f["tokens"][other][0]
    def posted():
        st, b, _ = api.post(token, cid, "back", nonce="back")
        return st == 201 and b
    back = wait_until(posted, 30, "a send after the restart", interval=0.2)
    f["acked"].append(back["message"])
    wait_until(lambda: owner_of(s, cid) == f["killed"], 30, "the restarted node serves again",
               interval=0.2)
    stored = api.all_messages(token, cid)
    assert [m["id"] for m in stored][:len(f["stored"])] == [m["id"] for m in f["stored"]]
    assert seqs(stored) == list(range(1, len(stored) + 1))
    assert stored[-1]["nonce"] == "back"
    log = open(killed.log_path).read()
    assert re.search(r"channel " + re.escape(cid) + r": catching up from", log), log[-3000:]


@suite.check
def a_frozen_owner_hands_out_no_seq_the_majority_also_handed_out(s):
    wait_states(list(s["nodes"].values()), ALL_UP, what="all up")
    wait_connected(s)
    users = users_on(s)
    cid = Api(s["nodes"]["n1"]).create_channel(users["n1"][0], "frozen")["id"]
    wait_until(lambda: owner_of(s, cid) is not None, 10, "an owner serves the channel")
    owner = owner_of(s, cid)
    other = survivors(s, owner)[0]
    for n in NAMES:
        if n != "n1":
            Api(s["nodes"][n]).join(users[n][0], cid)
    owner_api, other_api = Api(s["nodes"][owner]), Api(s["nodes"][other])
    acks = []
    for i in range(5):
        st, b, _ = owner_api.post(users[owner][0], cid, f"before{i}", nonce=f"before{i}")
        assert st == 201, (st, b)
        acks.append(b["message"])
    frozen = s["nodes"][owner]
    os.kill(frozen.pid, signal.SIGSTOP)
    late = {}
    try:
        # A send to the frozen node waits in its socket; the majority goes on meanwhile.
        import threading
        t = threading.Thread(target=lambda: late.update(
            r=owner_api.post(users[owner][0], cid, "late", nonce="late")))
        t.start()
        acked, errors = {}, []
        send_until(other_api, users[other][0], cid, 10, acked, errors, time.monotonic() + 60)
        acks += [m for _, m in acked.values()]
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
    t.join(60)
    wait_states(list(s["nodes"].values()), ALL_UP, what="all up after SIGCONT")
    st, b, _ = late["r"]
    if st == 201:
        acks.append(b["message"])
    else:
        assert st == 503, (st, b)
    by_seq = {}
    for m in acks:
        assert m["seq"] not in by_seq or by_seq[m["seq"]]["id"] == m["id"], \
            f"seq {m['seq']} handed out twice: {by_seq.get(m['seq'])} and {m}"
        by_seq[m["seq"]] = m
    stored = other_api.all_messages(users[other][0], cid)
    assert seqs(stored) == list(range(1, len(stored) + 1))
    stored_ids = {m["id"] for m in stored}
    for m in acks:
        assert m["id"] in stored_ids, f"acknowledged {m} lost"
    if st != 201:
        # A client retries a refused send with its nonce until it is acknowledged.
        def late_acked():
            st, b, _ = owner_api.post(users[owner][0], cid, "late", nonce="late")
            return st == 201 and b["message"]
        acks.append(wait_until(late_acked, 30, "the late send acknowledged", interval=0.2))
        assert_one_seq_each(acks)
    S["frozen"] = dict(cid=cid, acked=acks)


@suite.check
def every_replica_in_step_before_the_stop(s):
    for key in ("failover", "frozen"):
        ch = S[key]
        w = wait_in_step(s, ch["cid"], len({m["seq"] for m in ch["acked"]}))
        assert sorted(w["placement"]) == sorted(NAMES), w


@suite.check
def cluster_nodes_stopped_cleanly(s):
    for name in NAMES:
        node = s["nodes"][name]
        code = node.signal_and_wait(signal.SIGTERM, 30)
        assert code == 0, f"{name} exit {code}: {node.tail_log()}"


@suite.check
def every_node_holds_exactly_the_acknowledged_messages_in_its_rocksdb(s):
    for key in ("failover", "frozen"):
        ch = S[key]
        for name in NAMES:
            stored = dump(s["nodes"][name], ch["cid"])
            assert_history_is(stored, ch["acked"], f"{name}'s RocksDB ({key} channel)")


if __name__ == "__main__":
    suite.main(setup)
