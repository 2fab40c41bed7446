#!/usr/bin/python3
"""The security audit log on a real node: logins and failures with the client address, paging,
verification online and offline, survival across restarts, the operator's offline role
commands, and the hash chain catching a record edited or deleted on disk
(tests/tools/audit_tamper.cpp).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PASSWORD, Api, Suite, assert_error, node_binary, uname, wait_until  # noqa: E402

suite = Suite("audit")
S = {}


def tamper_binary():
    path = os.environ.get("PLEXICHAT_AUDIT_TAMPER")
    if not path or not os.access(path, os.X_OK):
        raise SystemExit("set PLEXICHAT_AUDIT_TAMPER to the plexichat-audit-tamper binary")
    return path


def run(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, env=env)


def offline_verify(node):
    return run(node_binary(), "audit", "verify", "--data-dir", node.data_dir)


def tamper(node, seq, action):
    r = run(tamper_binary(), "--data-dir", node.data_dir, "--seq", str(seq), action)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)


def records(api, token):
    """Small pages, so that paging itself is exercised."""
    return api.audit_records(token, limit=7)


def verify(api, token):
    st, b, _ = api.call("GET", "/api/v1/admin/audit/verify", token=token)
    assert st == 200, (st, b)
    return b


def admin_node(name):
    """A node whose config makes `name` an admin, with `name` registered and logged in."""
    node = suite.node({"auth": {"admins": [name]}})
    api = Api(node)
    assert api.register(name)[0] == 201
    return node, api, api.login(name)[1]["token"]


def setup():
    S["admin"] = uname("root")
    S["node"], S["api"], S["t_admin"] = admin_node(S["admin"])
    S["t_user"], S["u_user"] = S["api"].user("plain")
    return S


@suite.check
def normal_user_gets_403(s):
    assert_error(s["api"].call("GET", "/api/v1/admin/audit", token=s["t_user"]), 403, "forbidden")
    assert_error(s["api"].call("GET", "/api/v1/admin/audit/verify", token=s["t_user"]), 403,
                 "forbidden")


@suite.check
def logins_and_failures_are_logged_with_the_address(s):
    api, name = s["api"], s["u_user"]["username"]
    assert_error(api.login(name, "wrong password!"), 401, "unauthorized")
    assert_error(api.login("nobody_here", "wrong password!"), 401, "unauthorized")
    recs = records(api, s["t_admin"])
    ok = [r for r in recs if r["type"] == "auth.login" and r["subject"] == s["u_user"]["id"]]
    assert ok and ok[0]["address"] == "127.0.0.1" and ok[0]["actor_id"] == s["u_user"]["id"], ok
    assert ok[0]["detail"]["username"] == name, ok
    failed = [r for r in recs if r["type"] == "auth.login_failed"]
    assert [f["subject"] for f in failed] == [name, "nobody_here"], failed
    assert all(f["address"] == "127.0.0.1" and f["actor_id"] == "" for f in failed), failed
    assert failed[0]["detail"]["username"] == name, failed
    reg = [r for r in recs if r["type"] == "auth.register" and r["subject"] == s["u_user"]["id"]]
    assert len(reg) == 1 and reg[0]["detail"] == {"username": name}, reg


def totp(secret, at):
    """The TOTP code of `secret` (base32) at Unix time `at`, made by Debian's oathtool."""
    return run("oathtool", "--totp", "-b", secret, "--now", f"@{int(at)}").stdout.strip()


@suite.check
def mfa_password_and_session_changes_are_logged(s):
    api = s["api"]
    token, user = api.user("sec")
    uid, mfa = user["id"], "/api/v1/auth/mfa/totp"
    st, b, _ = api.call("POST", mfa + "/enroll", token=token)
    assert st == 200, (st, b)
    current = {totp(b["secret"], time.time() + d) for d in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in current)
    assert_error(api.call("POST", mfa + "/confirm", {"code": wrong}, token=token), 403,
                 "forbidden")
    # Early in a 30 s step, so that the code made now is still current when the node checks.
    wait_until(lambda: time.time() % 30 < 20, 15, "a fresh TOTP step", interval=0.2)
    st, c, _ = api.call("POST", mfa + "/confirm", {"code": totp(b["secret"], time.time())},
                        token=token)
    assert st == 200, (st, c)
    change = "/api/v1/auth/password"
    assert_error(api.call("POST", change, {"old_password": "not the password",
                                           "new_password": "violet staple tundra 42"},
                          token=token), 403, "forbidden")
    st, _, _ = api.call("POST", change, {"old_password": PASSWORD,
                                         "new_password": "violet staple tundra 42"}, token=token)
    assert st == 204, st
    st, sessions, _ = api.call("GET", "/api/v1/auth/sessions", token=token)
    assert st == 200 and len(sessions["sessions"]) == 1, sessions
    assert api.call("DELETE", "/api/v1/auth/sessions?keep_current=true", token=token)[0] == 204
    mine = [r for r in records(api, s["t_admin"]) if r["subject"] == uid]
    types = [r["type"] for r in mine]
    expected = ["mfa.enable_failed", "mfa.enable", "auth.password_change_failed",
                "auth.password_change", "session.revoke_all"]
    assert [t for t in types if t in expected] == expected, types
    assert all(r["actor_id"] == uid and r["address"] == "127.0.0.1" for r in mine
               if r["type"] in expected), mine
    assert verify(api, s["t_admin"])["ok"]


@suite.check
def log_is_gapless_ascending_and_verifies(s):
    api = s["api"]
    recs = records(api, s["t_admin"])
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1)), [r["seq"] for r in recs]
    assert all(len(r["mac"]) == 64 and isinstance(r["time"], int) for r in recs), recs[0]
    st, b, _ = api.call("GET", "/api/v1/admin/audit?after=1&limit=2", token=s["t_admin"])
    assert st == 200 and [r["seq"] for r in b["records"]] == [2, 3] and b["has_more"], b
    st, b, _ = api.call("GET", f"/api/v1/admin/audit?after={len(recs) + 50}", token=s["t_admin"])
    assert st == 200 and b == {"records": [], "has_more": False}, b
    assert verify(api, s["t_admin"]) == {"ok": True, "records": len(recs)}


@suite.check
def logout_is_logged(s):
    api = s["api"]
    token = api.login(s["u_user"]["username"])[1]["token"]
    assert api.call("POST", "/api/v1/auth/logout", token=token)[0] == 204
    outs = [r for r in records(api, s["t_admin"]) if r["type"] == "auth.logout"]
    assert len(outs) == 1 and outs[0]["actor_id"] == s["u_user"]["id"], outs


@suite.check
def log_survives_restart_and_chain_continues(s):
    node, api = s["node"], s["api"]
    before = records(api, s["t_admin"])
    assert node.stop() == 0
    r = offline_verify(node)
    assert r.returncode == 0 and f"intact: {len(before)} records" in r.stdout, (r.stdout, r.stderr)
    node.start()
    assert records(api, s["t_admin"]) == before, "records changed across the restart"
    assert api.login(s["u_user"]["username"])[0] == 200
    after = records(api, s["t_admin"])
    assert after[-1]["seq"] == before[-1]["seq"] + 1 and after[-1]["type"] == "auth.login", after[-1]
    assert verify(api, s["t_admin"]) == {"ok": True, "records": len(after)}


@suite.check
def offline_role_commands(s):
    node, api = s["node"], s["api"]
    name = s["u_user"]["username"]
    r = run(node_binary(), "admin", "grant", name, "--data-dir", node.data_dir)
    assert r.returncode == 1 and "stop the node first" in r.stderr, (r.returncode, r.stderr)
    assert node.stop() == 0
    r = run(node_binary(), "admin", "grant", name, "--data-dir", node.data_dir)
    assert r.returncode == 0 and "is now admin" in r.stdout, (r.returncode, r.stdout, r.stderr)
    r = run(node_binary(), "admin", "grant", "no_such_user", "--data-dir", node.data_dir)
    assert r.returncode == 1 and "no user named" in r.stderr, (r.returncode, r.stderr)
    r = run(node_binary(), "admin", "promote", name, "--data-dir", node.data_dir)
    assert r.returncode == 2 and "usage" in r.stderr, (r.returncode, r.stderr)
    node.start()
    st, b, _ = api.call("GET", "/api/v1/users/me", token=s["t_user"])
    assert b["user"]["role"] == "admin", b
    last = records(api, s["t_admin"])[-1]
    assert (last["type"], last["actor_id"], last["subject"]) == \
        ("role.change", "operator", s["u_user"]["id"]), last
    assert node.stop() == 0
    r = run(node_binary(), "admin", "revoke", name, "--data-dir", node.data_dir)
    assert r.returncode == 0 and "is now user" in r.stdout, (r.stdout, r.stderr)
    assert offline_verify(node).returncode == 0
    node.start()
    assert_error(api.call("GET", "/api/v1/admin/audit", token=s["t_user"]), 403, "forbidden")


def expect_damage(node, api, token, seq, reason):
    assert node.stop() == 0
    r = offline_verify(node)
    assert r.returncode != 0, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"seq {seq}: {reason}" in lines[0], r.stderr
    node.start()
    got = verify(api, token)
    assert got["ok"] is False and got["first_bad_seq"] == seq and got["reason"] == reason, got


@suite.check
def edited_record_is_caught(s):
    node, api = s["node"], s["api"]
    count = len(records(api, s["t_admin"]))
    assert node.stop() == 0
    tamper(node, 3, "--edit")
    node.start()
    assert [r for r in records(api, s["t_admin"]) if r["seq"] == 3][0]["detail"] == {"tampered": True}
    expect_damage(node, api, s["t_admin"], 3, "mac mismatch")
    assert len(records(api, s["t_admin"])) >= count


@suite.check
def deleted_record_is_caught(s):
    name = uname("root")
    node, api, token = admin_node(name)
    for _ in range(3):
        assert api.login(name)[0] == 200
    count = len(records(api, token))
    assert count >= 4, count
    assert node.stop() == 0
    tamper(node, 2, "--delete")
    node.start()
    assert 2 not in [r["seq"] for r in records(api, token)]
    expect_damage(node, api, token, 2, "missing record")


@suite.check
def deleted_last_record_is_caught(s):
    name = uname("root")
    node, api, token = admin_node(name)
    assert api.login(name)[0] == 200
    last = records(api, token)[-1]["seq"]
    assert node.stop() == 0
    tamper(node, last, "--delete")
    node.start()
    # The restarted node's own new records would hide nothing: verify names the gap.
    expect_damage(node, api, token, last, "missing record")


if __name__ == "__main__":
    suite.main(setup)
