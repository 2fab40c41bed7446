#!/usr/bin/python3
"""Backups sharded across a five-node TLS cluster (issue 4), on real node processes: users,
channels and messages on n1; an admin backs n1 up (POST /api/v1/admin/backups) and verify
finds every shard; a peer's data directory wiped, verify reports its shards missing and
repair puts them back; n1 and two of its peers SIGKILLed, `plexichat-node backup restore`
rebuilds n1's data directory on a new node from the two survivors with only the master key
(as its printed recovery key) and the seed list, and the restored n1 serves the same users,
channels and full history. From plexichat-console: backup list, create, verify, repair, restore
into an empty directory (a node then starts on it and serves the same data) and rotate-key
(old backups restore with the new key, the old key opens nothing); shards per holder; a shard
corrupted on disk is found by verify and by the holder's scrub, and repair mends it; the
metrics show backups and held shards."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Api, Suite, free_port, node_binary, wait_until  # noqa: E402
from test_cluster import cert, cluster_node, tls_cluster, wait_states  # noqa: E402
from test_console import console_at  # noqa: E402

suite = Suite("backup")
S = {}
NAMES = ("n1", "n2", "n3", "n4", "n5")
ALL_UP = {n: "up" for n in NAMES}


def run_node(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    return subprocess.run([node_binary(), *args], capture_output=True, timeout=180, env=env,
                          stdin=subprocess.DEVNULL, text=True)


def setup():
    # Every node keeps a copy of every channel, so n1's backup holds all of them. Holders
    # scrub often; the owner's own periodic check stays off, so that the checks below see
    # the damage before a repair mends it.
    tmp, certs, ports, nodes = tls_cluster(
        "pc-it-backup-", NAMES, suite,
        {"cluster": {"replication_factor": 5, "write_quorum": 3},
         "backup": {"scrub_interval": "2s", "check_interval": 0}})
    S.update(tmp=tmp, certs=certs, ports=ports, nodes=nodes)
    return S


def retry(call, want, timeout=30):
    """call() until it answers `want`; a 503 (a restarted node still learning its peers'
    services) is tried again. Returns the body."""
    got = {}

    def answered():
        st, b, _ = call()
        got["last"] = (st, b)
        assert st in (want, 503), (st, b)
        return st == want
    wait_until(answered, timeout, f"an answer {want}", interval=0.3)
    return got["last"][1]


def console(s, *command, want=0):
    return console_at(f"127.0.0.1:{s['ports']['n1']}", s["certs"]["console"], *command,
                      want=want)


def metric(node, name):
    """The value of one unlabelled (or fully labelled) sample on the node's /metrics."""
    value = harness.metric(node, name)
    assert value is not None, f"{name} not in /metrics"
    return value


def admin_call(s, method, path):
    # verify and repair ask every holder, each up to 10 s when one is slow to answer.
    return Api(s["nodes"]["n1"]).call(method, path, token=s["admin"], timeout=120)


def wait_backup_done(s, bid):
    def done():
        st, b, _ = admin_call(s, "GET", "/api/v1/admin/backups")
        assert st == 200, (st, b)
        mine = [x for x in b["backups"] if x["id"] == bid]
        assert mine and mine[0]["state"] != "failed", mine
        return mine[0]["state"] == "done"
    wait_until(done, 120, f"backup {bid} done", interval=0.5)


@suite.check
def data_on_n1_and_an_admin(s):
    n1 = s["nodes"]["n1"]
    api = Api(n1)
    admin_token, admin = api.user("boss")
    # auth.admins takes effect at start: restart n1 with the admin named.
    n1.stop()
    n1.config["auth"]["admins"] = [admin["username"]]
    n1.write_config()
    n1.start()
    wait_states(list(s["nodes"].values()), ALL_UP, what="n1 back")
    st, b, _ = api.login(admin["username"])
    assert st == 200, (st, b)
    s["admin"] = b["token"]
    s["admin_name"] = admin["username"]
    users = [api.user("member") for _ in range(3)]
    channels = []
    for i in range(3):
        cid = retry(lambda: api.call("POST", "/api/v1/channels", {"name": f"room{i}"},
                                     token=users[0][0]), 201)["channel"]["id"]
        for tok, _ in users[1:]:
            retry(lambda: api.call("POST", f"/api/v1/channels/{cid}/members", {}, token=tok), 204)
        for j in range(20):
            tok = users[j % 3][0]
            retry(lambda: api.post(tok, cid, f"c{i} m{j}", nonce=f"c{i}-{j}"), 201)
        channels.append(cid)
    s["users"] = [(u["username"], tok) for tok, u in users]
    s["channels"] = {cid: [m["id"] for m in api.all_messages(users[0][0], cid)]
                     for cid in channels}
    assert all(len(v) == 20 for v in s["channels"].values())


@suite.check
def only_admins_back_up(s):
    _, tok = s["users"][0]
    st, b, _ = Api(s["nodes"]["n1"]).call("POST", "/api/v1/admin/backups", token=tok)
    assert st == 403, (st, b)


@suite.check
def an_admin_backs_n1_up_and_verify_is_clean(s):
    st, b, _ = admin_call(s, "POST", "/api/v1/admin/backups")
    assert st == 202, (st, b)
    bid = b["backup"]["id"]
    wait_backup_done(s, bid)
    st, b, _ = admin_call(s, "GET", "/api/v1/admin/backups")
    mine = [x for x in b["backups"] if x["id"] == bid][0]
    assert mine["chunks"] > 0 and mine["size"] > 0 and mine["new_bytes"] > 0, mine
    st, b, _ = admin_call(s, "GET", "/api/v1/admin/backups/latest/verify")
    assert st == 200 and b["clean"], (st, b)
    assert b["checked"] >= 4, b
    s["backup"] = bid


@suite.check
def the_console_lists_backups_and_the_shards_of_every_holder(s):
    listed = console(s, "backup", "list", "--node", "n1")["backups"]
    mine = [b for b in listed if b["id"] == s["backup"]]
    assert mine and mine[0]["state"] == "done" and mine[0]["chunks"] > 0, listed
    holders = {h["node"]: h for h in console(s, "shards")["holders"]}
    assert set(holders) == set(NAMES), holders
    assert holders["n1"]["shards"] == 0, "a node never holds its own shards"
    for n in NAMES[1:]:
        assert holders[n]["shards"] > 0 and holders[n]["bytes"] > 0, holders
    # Four of the five hold the shards of each item: k + m = 4 holders, none of them n1.
    assert sum(h["shards"] for h in holders.values()) % 4 == 0, holders
    n1, n2 = s["nodes"]["n1"], s["nodes"]["n2"]
    assert metric(n1, 'plexichat_backups_total{result="done"}') >= 1
    assert metric(n1, "plexichat_backup_last_success_timestamp_seconds") > 0
    assert metric(n1, "plexichat_backup_running") == 0
    assert metric(n1, "plexichat_backup_items_done") == metric(n1, "plexichat_backup_items")
    assert metric(n2, "plexichat_shards_held") == holders["n2"]["shards"]
    wait_until(lambda: metric(n2, "plexichat_scrubs_total") > 0, 30, "a scrub on n2")


@suite.check
def a_backup_from_the_console_stores_only_what_changed(s):
    started = console(s, "backup", "create", "--node", "n1")["backup"]
    assert started["state"] == "running", started

    def done():
        b = [x for x in console(s, "backup", "list", "--node", "n1")["backups"]
             if x["id"] == started["id"]]
        assert b and b[0]["state"] != "failed", b
        return b[0] if b[0]["state"] == "done" else None
    wait_until(done, 120, "the console's backup done", interval=0.5)
    second = done()
    assert second["new_bytes"] < second["size"], second
    report = console(s, "backup", "verify", "--node", "n1")
    assert report["clean"] and report["backup_id"] == started["id"], report


@suite.check
def a_shard_corrupted_on_disk_is_found_and_repaired(s):
    n3 = s["nodes"]["n3"]
    n3.stop()
    p = subprocess.run([os.environ["PLEXICHAT_SHARD_TAMPER"], "--data-dir", n3.data_dir,
                        "--owner", "n1"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    n3.start()
    wait_states(list(s["nodes"].values()), ALL_UP, what="n3 back with a corrupt shard")
    # The holder's scrub finds it.
    wait_until(lambda: console(s, "shards", "--node", "n3")["corrupt"] == 1, 30,
               "n3's scrub finds the corrupt shard", interval=0.5)
    assert metric(n3, "plexichat_scrub_corrupt_shards") == 1
    owner, backup_id, index = p.stdout.split()

    def corrupt_reported():
        r = console(s, "backup", "verify", backup_id, "--node", "n1", want=None)
        return r if r.get("corrupt") else None
    # (want=None: the exit status is checked below, once n3's holder is reachable again.)
    report = wait_until(corrupt_reported, 60, "verify reports the corrupt shard", interval=1)
    assert len(report["corrupt"]) == 1 and report["corrupt"][0].endswith("#" + index), report
    console(s, "backup", "verify", backup_id, "--node", "n1", want=1)
    repaired = console(s, "backup", "repair", backup_id, "--node", "n1")
    assert repaired["repaired"] >= 1, repaired
    assert console(s, "backup", "verify", backup_id, "--node", "n1")["clean"]


@suite.check
def a_wiped_holder_shows_as_missing_and_repair_puts_its_shards_back(s):
    n5 = s["nodes"]["n5"]
    n5.kill()
    shutil.rmtree(n5.data_dir)
    n5.start()
    wait_states(list(s["nodes"].values()), ALL_UP, what="n5 back, empty")

    def reports_missing():
        try:
            st, b, _ = admin_call(s, "GET", "/api/v1/admin/backups/latest/verify")
        except OSError:
            return False
        return st == 200 and not b["clean"] and b["missing"] and not b.get("error")
    wait_until(reports_missing, 90, "verify reports n5's shards missing", interval=1)
    st, b, _ = admin_call(s, "POST", "/api/v1/admin/backups/latest/repair")
    assert st == 200 and b["repaired"] == len(b["missing"]) + len(b["corrupt"]), (st, b)
    st, b, _ = admin_call(s, "GET", "/api/v1/admin/backups/latest/verify")
    assert st == 200 and b["clean"], (st, b)
    # The older backup lost shards on n5 too (chunks the newest does not use): an operator
    # repairs every backup after losing a holder.
    for b in console(s, "backup", "list", "--node", "n1")["backups"]:
        repaired = console(s, "backup", "repair", b["id"], "--node", "n1")
        assert not repaired.get("error"), repaired
        assert console(s, "backup", "verify", b["id"], "--node", "n1")["clean"], b["id"]


@suite.check
def the_console_restores_a_backup_into_an_empty_directory_that_a_node_serves(s):
    target = os.path.join(s["tmp"], "restored-n1")
    console(s, "backup", "restore", "--node", "n1", "--into", "relative/dir", want=1)
    out = console(s, "backup", "restore", "--node", "n1", "--into", target)
    assert out["ok"] and out["bytes"] > 0 and out["target"] == target, out
    assert os.path.exists(os.path.join(target, "backup_master.key"))
    # Not over it again: the directory is no longer empty.
    again = console(s, "backup", "restore", "--node", "n1", "--into", target, want=1)
    assert "not empty" in again["stderr"], again
    # A node on the restored directory, alone, serves n1's users, channels and history.
    alone = suite.node({"name": "restored", "data_dir": target}, start=False)
    alone.start()
    api = Api(alone)
    name, _ = s["users"][0]
    st, b, _ = api.login(name)
    assert st == 200, (st, b)
    tok = b["token"]
    for cid, ids in s["channels"].items():
        assert [m["id"] for m in api.all_messages(tok, cid)] == ids, cid
    alone.stop()


@suite.check
def rotating_the_master_key_keeps_old_backups_restorable(s):
    key_path = os.path.join(s["nodes"]["n1"].data_dir, "backup_master.key")
    old = open(key_path, "rb").read()
    s["old_key_file"] = os.path.join(s["tmp"], "old_master.key")
    with open(s["old_key_file"], "wb") as f:
        f.write(old)
    os.chmod(s["old_key_file"], 0o600)
    out = console(s, "backup", "rotate-key", "--node", "n1")
    assert out["ok"] and s["backup"] in out["rotated"], out
    assert out["old_items_deleted"] > 0, out
    assert open(key_path, "rb").read() != old
    # Every backup is still whole under the new key; a new backup still works.
    assert console(s, "backup", "verify", s["backup"], "--node", "n1")["clean"]


@suite.check
def the_recovery_key_prints(s):
    # The master key of a running node, read offline: the file is n1's own.
    p = run_node("backup", "recovery-key", "--data-dir", s["nodes"]["n1"].data_dir)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("pxk1-"), p.stdout
    s["recovery_key"] = p.stdout.strip()


@suite.check
def n1_restored_from_two_survivors_serves_the_same_users_channels_and_history(s):
    nodes = s["nodes"]
    for n in ("n1", "n3", "n4"):
        nodes[n].kill()
    ports = s["ports"]
    fresh = cluster_node("n1", ports["n1"], [ports["n2"], ports["n5"]], s["certs"]["n1"], suite)
    fresh.config["cluster"] = {"replication_factor": 5, "write_quorum": 3}
    fresh.write_config()
    # The first backup, made before the key rotation, restored with the new key.
    p = run_node("backup", "restore", "--recovery-key", s["recovery_key"], "--backup", s["backup"],
                 "--config", fresh.config_path)
    assert p.returncode == 0, (p.stdout, p.stderr[-3000:])
    assert "restored" in p.stdout, p.stdout
    assert os.path.exists(os.path.join(fresh.data_dir, "backup_master.key"))
    # The restored node knows its backups: the next one stores only what changed.
    catalog = open(os.path.join(fresh.data_dir, "backups", "catalog.json")).read()
    assert s["backup"] in catalog, catalog
    fresh.start()
    api = Api(fresh)
    for name, _ in s["users"]:
        wait_until(lambda: api.login(name)[0] == 200, 30, f"{name} logs in on the restored n1")
    tok = api.login(s["users"][0][0])[1]["token"]
    st, b, _ = api.call("GET", "/api/v1/channels", token=tok)
    assert st == 200, (st, b)
    assert set(s["channels"]) <= {c["id"] for c in b["channels"]}, b
    for cid, ids in s["channels"].items():
        def whole():
            try:
                return [m["id"] for m in api.all_messages(tok, cid)] == ids
            except AssertionError:
                return False
        wait_until(whole, 60, f"the full history of {cid} on the restored n1", interval=1)
    S["fresh"] = fresh


@suite.check
def a_backup_with_fewer_than_k_plus_m_peers_up_is_refused(s):
    api = Api(S["fresh"])
    tok = api.login(s["admin_name"])[1]["token"]
    st, b, _ = api.call("POST", "/api/v1/admin/backups", token=tok)
    assert st == 503, (st, b)
    assert "backup needs k + m = 4 peers other than this node, 2 are up" in \
        b["error"]["message"], b


@suite.check
def the_old_master_key_opens_nothing(s):
    # A probe joins under another name and asks for n1's backups with the key before rotation.
    probe_certs = os.path.join(s["tmp"], "probe")
    cert("create-node", "probe", "--certs-dir", probe_certs,
         "--ca-key", os.path.join(s["tmp"], "ca.key"))
    target = os.path.join(s["tmp"], "probe-data")
    p = run_node("backup", "restore", "--master-key", s["old_key_file"], "--from", "n1",
                 "--name", "probe", "--data-dir", target,
                 "--cluster-listen", f"127.0.0.1:{free_port()}",
                 "--seeds", f"127.0.0.1:{s['ports']['n2']}", "--certs-dir", probe_certs)
    assert p.returncode != 0, p.stdout
    assert "no backup index of node n1" in p.stderr, p.stderr[-2000:]


if __name__ == "__main__":
    suite.main(setup)
