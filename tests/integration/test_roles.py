#!/usr/bin/python3
"""Node roles and channel ownership: config-granted admins, the first sign-up is not an admin,
admins grant and revoke over HTTP (audited), admin-only routes refuse others, and only a
channel's owner or an admin renames it, removes members or adds to a private channel.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, assert_error, uname  # noqa: E402

suite = Suite("roles")
S = {}
ADMIN_ROUTES = (("GET", "/api/v1/admin/users"), ("GET", "/api/v1/admin/audit"),
                ("GET", "/api/v1/admin/audit/verify"))


def role_of(api, token):
    st, b, _ = api.call("GET", "/api/v1/users/me", token=token)
    assert st == 200, (st, b)
    return b["user"]["role"]


def setup():
    boss = uname("boss")
    node = suite.node({"auth": {"admins": [boss]}})
    api = Api(node)
    S.update(node=node, api=api, boss_name=boss)
    # The very first sign-up of the node is a plain user.
    S["t_first"], S["u_first"] = api.user("first")
    st, b, _ = api.register(boss)
    assert st == 201 and b["user"]["role"] == "admin", (st, b)
    st, b, _ = api.login(boss)
    S["t_boss"], S["u_boss"] = b["token"], b["user"]
    S["t_b"], S["u_b"] = api.user("b")
    S["t_c"], S["u_c"] = api.user("c")
    return S


@suite.check
def first_signup_is_not_admin(s):
    assert s["u_first"]["role"] == "user", s["u_first"]
    assert role_of(s["api"], s["t_first"]) == "user"
    for method, path in ADMIN_ROUTES:
        assert_error(s["api"].call(method, path, token=s["t_first"]), 403, "forbidden", path)


@suite.check
def config_admin_is_admin_and_others_are_refused(s):
    api = s["api"]
    assert role_of(api, s["t_boss"]) == "admin"
    for method, path in ADMIN_ROUTES:
        st, b, _ = api.call(method, path, token=s["t_boss"])
        assert st == 200, (path, st, b)
        assert_error(api.call(method, path), 401, "unauthorized", path + " without a token")
        assert_error(api.call(method, path, token=s["t_b"]), 403, "forbidden", path)
    assert_error(api.call("PUT", f"/api/v1/admin/users/{s['u_c']['id']}/role", {"role": "admin"},
                          token=s["t_b"]), 403, "forbidden", "a user granting")
    assert role_of(api, s["t_c"]) == "user", "a refused grant changed the role"


@suite.check
def admin_grants_and_revokes_over_http_and_it_is_audited(s):
    api, boss, target = s["api"], s["u_boss"], s["u_b"]
    path = f"/api/v1/admin/users/{target['id']}/role"
    st, b, _ = api.call("PUT", path, {"role": "admin"}, token=s["t_boss"])
    assert st == 200 and b["user"]["role"] == "admin" and b["user"]["id"] == target["id"], (st, b)
    assert role_of(api, s["t_b"]) == "admin"
    assert api.call("GET", "/api/v1/admin/audit", token=s["t_b"])[0] == 200, "new admin refused"
    changes = [r for r in api.audit_records(s["t_boss"])
               if r["type"] == "role.change" and r["subject"] == target["id"]]
    assert len(changes) == 1, changes
    rec = changes[0]
    assert rec["actor_id"] == boss["id"] and rec["address"] == "127.0.0.1", rec
    assert rec["detail"] == {"role": "admin", "previous": "user"}, rec
    # Granting again changes nothing and writes nothing.
    assert api.call("PUT", path, {"role": "admin"}, token=s["t_boss"])[0] == 200
    assert len([r for r in api.audit_records(s["t_boss"])
                if r["type"] == "role.change" and r["subject"] == target["id"]]) == 1
    st, b, _ = api.call("PUT", path, {"role": "user"}, token=s["t_b"])  # b demotes itself
    assert st == 200 and b["user"]["role"] == "user", (st, b)
    assert_error(api.call("GET", "/api/v1/admin/audit", token=s["t_b"]), 403, "forbidden",
                 "after revocation")


@suite.check
def bad_role_requests_change_nothing(s):
    api, t = s["api"], s["t_boss"]
    cid = s["u_c"]["id"]
    assert_error(api.call("PUT", f"/api/v1/admin/users/{cid}/role", {"role": "root"}, token=t),
                 400, "invalid_request", "unknown role")
    assert_error(api.call("PUT", f"/api/v1/admin/users/{cid}/role", {}, token=t), 400,
                 "invalid_request", "no role")
    assert_error(api.call("PUT", "/api/v1/admin/users/u_nobody/role", {"role": "admin"}, token=t),
                 404, "not_found", "unknown user")
    assert_error(api.call("GET", f"/api/v1/admin/users/{cid}/role", token=t), 405, None, "GET")
    assert_error(api.call("GET", "/api/v1/admin/audit?limit=0", token=t), 400, "invalid_request")
    assert_error(api.call("GET", "/api/v1/admin/audit?after=x", token=t), 400, "invalid_request")
    assert role_of(api, s["t_c"]) == "user"


@suite.check
def last_admin_cannot_be_demoted(s):
    api = s["api"]
    assert_error(api.call("PUT", f"/api/v1/admin/users/{s['u_boss']['id']}/role", {"role": "user"},
                          token=s["t_boss"]), 409, "conflict", "last admin")
    assert role_of(api, s["t_boss"]) == "admin"


@suite.check
def admin_lists_users_in_pages(s):
    api, seen, cursor = s["api"], [], None
    while True:
        q = "?limit=2" + (f"&after={cursor}" if cursor else "")
        st, b, _ = api.call("GET", "/api/v1/admin/users" + q, token=s["t_boss"])
        assert st == 200 and len(b["users"]) <= 2, (st, b)
        seen += b["users"]
        if not b["has_more"]:
            assert "next_cursor" not in b, b
            break
        cursor = b["next_cursor"]
    ids = [u["id"] for u in seen]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 4, ids
    roles = {u["username"]: u["role"] for u in seen}
    assert roles[s["boss_name"]] == "admin" and roles[s["u_c"]["username"]] == "user", roles
    assert all("password_hash" not in u for u in seen), seen


@suite.check
def only_owner_or_admin_renames_a_channel(s):
    api = s["api"]
    ch = api.create_channel(s["t_first"], "mine", topic="old topic")
    api.join(s["t_c"], ch["id"])
    path = f"/api/v1/channels/{ch['id']}"
    assert_error(api.call("PATCH", path, {"name": "stolen"}, token=s["t_c"]), 403, "forbidden",
                 "member renaming")
    assert_error(api.call("PATCH", path, {}, token=s["t_first"]), 400, "invalid_request", "empty")
    st, b, _ = api.call("PATCH", path, {"name": "renamed"}, token=s["t_first"])
    assert st == 200 and b["channel"]["name"] == "renamed" and b["channel"]["topic"] == "old topic"
    st, b, _ = api.call("PATCH", path, {"topic": "set by admin"}, token=s["t_boss"])
    assert st == 200 and b["channel"]["topic"] == "set by admin", (st, b)
    st, b, _ = api.call("GET", path, token=s["t_c"])
    assert b["channel"]["name"] == "renamed" and b["channel"]["topic"] == "set by admin", b
    listed = {c["id"]: c["name"] for c in api.call("GET", "/api/v1/channels", token=s["t_c"])[1]["channels"]}
    assert listed[ch["id"]] == "renamed", listed
    updates = [r for r in api.audit_records(s["t_boss"])
               if r["type"] == "channel.update" and r["subject"] == ch["id"]]
    assert [u["detail"].get("as_admin") for u in updates] == [False, True], updates


@suite.check
def only_owner_or_admin_removes_members(s):
    api = s["api"]
    ch = api.create_channel(s["t_first"], "club")
    for t in (s["t_b"], s["t_c"]):
        api.join(t, ch["id"])
    base = f"/api/v1/channels/{ch['id']}/members"
    assert_error(api.call("DELETE", f"{base}/{s['u_c']['id']}", token=s["t_b"]), 403, "forbidden",
                 "member removing another")
    assert api.call("DELETE", f"{base}/{s['u_c']['id']}", token=s["t_first"])[0] == 204
    assert_error(api.history(s["t_c"], ch["id"]), 403, "forbidden", "removed member reads")
    assert_error(api.call("DELETE", f"{base}/{s['u_c']['id']}", token=s["t_first"]), 404,
                 "not_found", "removing a non-member")
    assert api.call("DELETE", f"{base}/{s['u_b']['id']}", token=s["t_b"])[0] == 204, "self-removal"
    recs = [r for r in api.audit_records(s["t_boss"]) if r["subject"] == ch["id"]]
    kinds = [(r["type"], r["actor_id"]) for r in recs]
    assert kinds == [("channel.create", s["u_first"]["id"]), ("channel.join", s["u_b"]["id"]),
                     ("channel.join", s["u_c"]["id"]),
                     ("channel.member_remove", s["u_first"]["id"]),
                     ("channel.member_remove", s["u_b"]["id"])], kinds
    assert recs[3]["detail"]["user_id"] == s["u_c"]["id"], recs[3]


@suite.check
def only_owner_or_admin_adds_to_a_private_channel(s):
    api = s["api"]
    ch = api.create_channel(s["t_first"], "secret", private=True)
    base = f"/api/v1/channels/{ch['id']}/members"
    assert_error(api.call("PATCH", f"/api/v1/channels/{ch['id']}", {"name": "x"}, token=s["t_c"]),
                 404, "not_found", "stranger renaming a hidden channel")
    assert api.call("POST", base, {"user_id": s["u_b"]["id"]}, token=s["t_first"])[0] == 204
    assert_error(api.call("POST", base, {"user_id": s["u_c"]["id"]}, token=s["t_b"]), 403,
                 "forbidden", "member adding to a private channel")
    assert_error(api.history(s["t_c"], ch["id"]), 404, "not_found", "c was added anyway")
    assert api.call("POST", base, {"user_id": s["u_c"]["id"]}, token=s["t_boss"])[0] == 204
    assert api.history(s["t_c"], ch["id"])[0] == 200, "admin's add did not take"


@suite.check
def config_admins_are_granted_at_start(s):
    # A second node: the user registers first, then the config names them, then a restart.
    late = uname("late")
    node = suite.node()
    api = Api(node)
    assert api.register(late)[0] == 201
    token = api.login(late)[1]["token"]
    assert role_of(api, token) == "user"
    assert node.stop() == 0
    node.config["auth"]["admins"] = [late]
    node.write_config()
    node.start()
    assert role_of(api, token) == "admin"
    recs = [r for r in api.audit_records(token) if r["type"] == "role.change"]
    assert len(recs) == 1 and recs[0]["actor_id"] == "config", recs


if __name__ == "__main__":
    suite.main(setup)
