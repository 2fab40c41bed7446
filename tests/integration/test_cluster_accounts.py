#!/usr/bin/python3
"""Accounts across a cluster of real node processes (mutual TLS, certificates from the `cert`
commands): a user registered on one node logs in on every node; a token issued by any node
works on every node, over REST and WebSocket; a logout on one node revokes the token on every
node, and closes its WebSocket sessions there; a password change reaches every node and signs
out the user's sessions made on other nodes; the same username registered at once on two
nodes gives one 201 and one 409; a second factor turned on through one node is asked for on
every node, a code used on one node is refused on the others, and every node lists the same
sessions, also after SIGKILL of the account's owner, whose node catches up on what changed
while it was away (a used code, a new password); a node that was away (restarted) or that
joins late learns the users, the revocations and the peers' token keys, and keeps the keys of
a node that is down."""
import asyncio
import base64
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PASSWORD, Api, Suite, Ws, assert_error, free_port,  # noqa: E402
                     uname, wait_until)

from test_cluster import cert, wait_states  # noqa: E402  (also sets LSAN_OPTIONS)
from test_mfa import MFA, early_in_step, totp  # noqa: E402

suite = Suite("cluster_accounts")
S = {}
NAMES = ("n1", "n2", "n3", "n4")


def setup():
    tmp = tempfile.mkdtemp(prefix="pc-it-accounts-")
    ca_key = os.path.join(tmp, "ca.key")
    cert("create-ca", "--certs-dir", os.path.join(tmp, "n1"), "--ca-key", ca_key)
    ports = {n: free_port() for n in NAMES}
    nodes = {}
    for n in NAMES:
        certs = os.path.join(tmp, n)
        cert("create-node", n, "--certs-dir", certs, "--ca-key", ca_key)
        seeds = [] if n == "n1" else [f"127.0.0.1:{ports['n1']}"]
        nodes[n] = suite.node({"name": n, "cluster_listen": f"127.0.0.1:{ports[n]}",
                               "seeds": seeds, "certs_dir": certs}, start=False)
    for n in ("n1", "n2", "n3"):
        nodes[n].start()
    S.update(nodes=nodes, api={n: Api(nodes[n]) for n in NAMES})
    return S


def trio(s):
    return [s["nodes"][n] for n in ("n1", "n2", "n3")]


TRIO_UP = {"n1": "up", "n2": "up", "n3": "up"}


def login(s, node, username):
    st, b, _ = s["api"][node].login(username)
    assert st == 200 and b.get("token"), (node, st, b)
    return b["token"]


def me(s, node, token):
    return s["api"][node].call("GET", "/api/v1/users/me", token=token)


def wait_me(s, node, token, status, what, timeout=10):
    """Waits until GET /users/me with `token` on `node` answers `status`."""
    seen = []

    def answered():
        seen[:] = [me(s, node, token)[:2]]
        return seen[0][0] == status
    try:
        wait_until(answered, timeout, what, interval=0.1)
    except AssertionError:
        raise AssertionError(f"{what}: wanted {status} on {node}, last answer {seen}")


def placement(name, nodes, count):
    """The `count` nodes of `nodes` that hold entity `name`, owner first: rendezvous placement
    as in actors/cluster/placement.cpp (with equal weights the highest 64-bit BLAKE2b-128
    prefix of node NUL name wins)."""
    def rank(node):
        digest = hashlib.blake2b(node.encode() + b"\0" + name.encode(), digest_size=16).digest()
        return int.from_bytes(digest[:8], "little")
    return sorted(nodes, key=rank, reverse=True)[:count]


def owner_of(name, nodes):
    """The node of `nodes` that serves account `name` (its home)."""
    return placement(name, nodes, 1)[0]


def name_owned_by(node, nodes, prefix):
    while True:
        name = uname(prefix)
        if owner_of(name, nodes) == node:
            return name


def wait_meshed(s, names):
    """Waits until every node of `names` accepts a token from every other one and reaches
    every other one's directory: then each pair has connected and exchanged services and
    directories (membership alone says less: a member is up as soon as any peer gossips it,
    and until a node has connected to a new member, the accounts whose home it is answer 503
    there)."""
    for home in names:
        homed = name_owned_by(home, names, "home")
        # (409: an earlier try stored it but answered 503, too few peers confirming yet.)
        wait_until(lambda: s["api"][home].register(homed)[0] in (201, 409), 20,
                   f"a user homed on {home} registered", interval=0.2)
        for n in names:
            wait_until(lambda: s["api"][n].login(homed)[0] == 200, 20,
                       f"{n} reaches the directory of {home}", interval=0.2)
    probe = uname("probe")
    wait_until(lambda: s["api"][names[0]].register(probe)[0] == 201, 20,
               "a probe user registered", interval=0.2)
    tokens = {}
    for n in names:
        wait_until(lambda: s["api"][n].login(probe)[0] == 200, 20, f"probe logs in on {n}",
                   interval=0.2)
        tokens[n] = login(s, n, probe)
    for issuer, token in tokens.items():
        for n in names:
            wait_me(s, n, token, 200, f"{issuer}'s token accepted on {n}", timeout=20)


@suite.check
def a_user_registered_on_one_node_logs_in_on_every_node(s):
    wait_states(trio(s), TRIO_UP, timeout=40, what="three nodes up")
    wait_meshed(s, ["n1", "n2", "n3"])
    name = uname("alice")
    st, b, _ = s["api"]["n1"].register(name)
    assert st == 201, (st, b)
    uid = b["user"]["id"]
    # At once: the 201 comes after the peers stored the record.
    for n in ("n2", "n3"):
        st, b, _ = s["api"][n].login(name)
        assert st == 200, (n, st, b)
        assert b["user"]["id"] == uid, (n, b)
    assert_error(s["api"]["n2"].login(name, "wrong password 123"), 401, "unauthorized")
    assert_error(s["api"]["n3"].register(name), 409, "conflict")
    s["alice"] = name


@suite.check
def a_token_from_one_node_works_on_every_node(s):
    token = login(s, "n2", s["alice"])
    for n in ("n1", "n2", "n3"):
        wait_me(s, n, token, 200, f"n2's token accepted on {n}")
        assert me(s, n, token)[1]["user"]["username"] == s["alice"]

    async def ws_everywhere():
        for n in ("n1", "n3"):
            async with Ws(s["nodes"][n].ws_url, token) as ws:
                assert ws.user["username"] == s["alice"], ws.user
                await ws.ping()
    asyncio.run(ws_everywhere())
    # A token that no node of this cluster signed is refused as before.
    forged = token.rsplit(".", 1)[0] + ".AAAA"
    assert_error(me(s, "n1", forged), 401, "unauthorized")


@suite.check
def logout_on_one_node_revokes_the_token_everywhere(s):
    token = login(s, "n2", s["alice"])
    other = login(s, "n1", s["alice"])
    for n in ("n1", "n3"):
        wait_me(s, n, token, 200, f"token usable on {n} before logout")

    async def run():
        async with Ws(s["nodes"]["n1"].ws_url, token) as ws:
            st, b, _ = s["api"]["n3"].call("POST", "/api/v1/auth/logout", token=token)
            assert st == 204, (st, b)
            for n in ("n1", "n2", "n3"):
                wait_me(s, n, token, 401, f"logged-out token refused on {n}", timeout=5)
            # The session on n1 is closed by n1's revocation check.
            assert await ws.closed_with(timeout=10) == 4001
    asyncio.run(run())
    got = me(s, "n1", other)
    assert got[0] == 200, ("only the logged-out token stops working", got[:2])
    s["revoked"] = token


@suite.check
def one_username_registered_on_two_nodes_at_once_gives_one_user(s):
    for i in range(4):
        name = uname("race")
        results = {}

        def register(node):
            results[node] = s["api"][node].register(name)[:2]
        threads = [threading.Thread(target=register, args=(n,)) for n in ("n2", "n3")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        codes = sorted(st for st, _ in results.values())
        assert codes == [201, 409], (name, results)
        winner = next(b["user"]["id"] for st, b in results.values() if st == 201)
        for n in ("n1", "n2", "n3"):
            st, b, _ = s["api"][n].login(name)
            assert st == 200 and b["user"]["id"] == winner, (i, n, st, b)


@suite.check
def a_password_change_reaches_every_node(s):
    name = uname("pw")
    assert s["api"]["n1"].register(name)[0] == 201
    mine = login(s, "n2", name)
    elsewhere = login(s, "n3", name)
    new = "violet lamp under stairs"
    st, b, _ = s["api"]["n2"].call("POST", "/api/v1/auth/password",
                                   {"old_password": PASSWORD, "new_password": new}, token=mine)
    assert st == 204, (st, b)
    for n in ("n1", "n2", "n3"):
        wait_until(lambda: s["api"][n].login(name, new)[0] == 200, 10,
                   f"the new password works on {n}", interval=0.2)
        assert_error(s["api"][n].login(name), 401, "unauthorized", f"old password on {n}")
    # The session made on n3 is signed out, on every node; the caller's stays valid.
    for n in ("n1", "n2", "n3"):
        wait_me(s, n, elsewhere, 401, f"n3's session of {name} refused on {n}")
        assert me(s, n, mine)[0] == 200, n


def issuer(token):
    """The `iss` claim of a token (a JWT: the payload is its middle part, base64url)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["iss"]


def session_ids(s, node, token):
    st, b, _ = s["api"][node].call("GET", "/api/v1/auth/sessions", token=token)
    assert st == 200, (node, st, b)
    return sorted(x["id"] for x in b["sessions"])


def login_otp(s, node, name, otp=None):
    body = {"username": name, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return s["api"][node].call("POST", "/api/v1/auth/login", body)


@suite.check
def a_second_factor_and_sessions_are_one_account_on_every_node(s):
    trio_names = ["n1", "n2", "n3"]
    wait_states(trio(s), TRIO_UP, timeout=40, what="three nodes up")
    # Served by n1, reached only through n2 and n3.
    name = name_owned_by("n1", trio_names, "mfa")
    assert s["api"]["n2"].register(name)[0] == 201
    token = login(s, "n3", name)
    # The home made the session; the node the client reached signed the token.
    assert issuer(token) == "n3", issuer(token)
    st, b, _ = s["api"]["n3"].call("POST", MFA + "/totp/enroll", token=token)
    assert st == 200, (st, b)
    secret = b["secret"]
    early_in_step()
    st, c, _ = s["api"]["n2"].call("POST", MFA + "/totp/confirm",
                                   {"code": totp(secret, time.time() - 30)}, token=token)
    assert st == 200, (st, c)
    for n in trio_names:
        assert_error(login_otp(s, n, name), 401, "mfa_required", f"no code on {n}")
    code = totp(secret)
    st, b, _ = login_otp(s, "n2", name, code)
    assert st == 200, (st, b)
    second = b["token"]
    for n in ("n1", "n3"):
        assert_error(login_otp(s, n, name, code), 401, "unauthorized", f"code reused on {n}")
    # One list of sessions, whichever node is asked; a revocation through any node holds
    # everywhere.
    backup = c["backup_codes"]
    st, b, _ = login_otp(s, "n1", name, backup[0])
    assert st == 200, (st, b)
    third = b["token"]
    lists = {n: session_ids(s, n, token) for n in trio_names}
    assert len(lists["n1"]) == 3 and lists["n1"] == lists["n2"] == lists["n3"], lists
    victim = next(x["id"] for x in s["api"]["n1"].call(
        "GET", "/api/v1/auth/sessions", token=third)[1]["sessions"] if x["current"])
    st, b, _ = s["api"]["n3"].call("DELETE", f"/api/v1/auth/sessions/{victim}", token=token)
    assert st == 204, (st, b)
    for n in trio_names:
        wait_me(s, n, third, 401, f"the revoked session refused on {n}", timeout=5)
        assert len(session_ids(s, n, second)) == 2, n
    s["mfa_account"] = dict(name=name, token=token, backup=backup)


@suite.check
def the_account_survives_sigkill_of_its_owner(s):
    acct = s["mfa_account"]
    n1 = s["nodes"]["n1"]
    before = session_ids(s, "n2", acct["token"])
    n1.kill()
    wait_states([s["nodes"]["n2"], s["nodes"]["n3"]], {"n1": "down", "n2": "up", "n3": "up"},
                timeout=40, what="n1 marked down")
    new_owner = owner_of(acct["name"], ["n2", "n3"])
    other = "n3" if new_owner == "n2" else "n2"
    assert_error(login_otp(s, other, acct["name"]), 401, "mfa_required", "no code after failover")
    assert_error(login_otp(s, other, acct["name"], acct["backup"][0]), 401, "unauthorized",
                 "a backup code used before the failover")
    st, b, _ = login_otp(s, new_owner, acct["name"], acct["backup"][1])
    assert st == 200, (st, b)
    after = session_ids(s, other, acct["token"])
    assert set(before) < set(after) and len(after) == len(before) + 1, (before, after)
    # A password change while n1 is down, through the node that is not the account's home.
    new = "copper kettle on the hill"
    st, b, _ = s["api"][other].call("POST", "/api/v1/auth/password",
                                    {"old_password": PASSWORD, "new_password": new},
                                    token=acct["token"])
    assert st == 204, (st, b)
    n1.start()
    wait_states(trio(s), TRIO_UP, timeout=40, what="n1 back")
    # n1 serves the account again, and first gathers what changed while it was away.
    assert_error(login_otp(s, "n1", acct["name"], acct["backup"][1]), 401, "unauthorized",
                 "the backup code used while n1 was down, asked through n1")
    assert_error(s["api"]["n1"].login(acct["name"]), 401, "unauthorized",
                 "the password changed while n1 was down")
    st, b, _ = s["api"]["n1"].call("POST", "/api/v1/auth/login",
                                   {"username": acct["name"], "password": new,
                                    "otp": acct["backup"][2]})
    assert st == 200, (st, b)


@suite.check
def a_restarted_node_catches_up_and_keeps_the_keys_of_a_node_that_is_down(s):
    n1, n2, n3 = trio(s)
    wait_states(trio(s), TRIO_UP, timeout=40, what="three nodes up before the restart")
    from_n3 = login(s, "n3", s["alice"])
    to_revoke = login(s, "n1", s["alice"])
    wait_me(s, "n2", from_n3, 200, "n3's token accepted on n2")
    assert n2.signal_and_wait(signal.SIGTERM, 30) == 0
    wait_states([n1, n3], {"n1": "up", "n2": "down", "n3": "up"}, timeout=40, what="n2 down")
    # While n2 is away: a new user and a logout.
    late = uname("late")
    st, b, _ = s["api"]["n1"].register(late)
    assert st == 201, (st, b)
    assert s["api"]["n1"].call("POST", "/api/v1/auth/logout", token=to_revoke)[0] == 204
    # n3 goes down too: n2 must check n3's tokens with the key it stored.
    assert n3.signal_and_wait(signal.SIGTERM, 30) == 0
    n2.start()
    wait_states([n1, n2], {"n1": "up", "n2": "up", "n3": "down"}, timeout=40,
                what="n2 back, n3 down")
    wait_me(s, "n2", from_n3, 200, "n3's token accepted on n2 while n3 is down")
    wait_me(s, "n2", to_revoke, 401, "the logout made while n2 was away reaches it")
    wait_until(lambda: s["api"]["n2"].login(late)[0] == 200, 15,
               "the user registered while n2 was away logs in on n2", interval=0.2)
    n3.start()
    wait_states(trio(s), TRIO_UP, timeout=40, what="n3 back")
    wait_until(lambda: s["api"]["n3"].login(late)[0] == 200, 15,
               "and on n3, which was away too", interval=0.2)


@suite.check
def a_node_that_joins_late_learns_users_keys_and_revocations(s):
    n4 = s["nodes"]["n4"]
    n4.start()
    wait_states(trio(s) + [n4], dict(TRIO_UP, n4="up"), timeout=40, what="n4 joined")
    wait_meshed(s, list(NAMES))
    wait_until(lambda: s["api"]["n4"].login(s["alice"])[0] == 200, 15,
               "n4 logs in a user registered before it existed", interval=0.2)
    token = login(s, "n2", s["alice"])
    wait_me(s, "n4", token, 200, "n2's token accepted on n4")
    wait_me(s, "n4", s["revoked"], 401, "a token revoked before n4 existed is refused on n4")
    from_n4 = login(s, "n4", s["alice"])
    for n in ("n1", "n2", "n3"):
        wait_me(s, n, from_n4, 200, f"n4's token accepted on {n}")


@suite.check
def cluster_nodes_stopped_cleanly(s):
    for name in NAMES:
        node = s["nodes"][name]
        if node.running():
            code = node.signal_and_wait(signal.SIGTERM, 30)
            assert code == 0, f"{name} exit {code}: {node.tail_log()}"


if __name__ == "__main__":
    suite.main(setup)
