#!/usr/bin/python3
"""Registration and login rules, bearer tokens, logout, and WebSocket authentication."""
import asyncio
import os
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error, close_code, uname, wait_until  # noqa: E402

AUTH_TIMEOUT_MS = 700
suite = Suite("auth")
S = {}


def setup():
    node = suite.node({"limits": {"auth_timeout": f"{AUTH_TIMEOUT_MS}ms"}})
    S.update(node=node, api=Api(node))
    return S


@suite.check
def register_validates_username_and_password(s):
    api = s["api"]
    for bad in ("ab", "x" * 33, "has space", "semi;colon", "üser", "slash/name", "", "a\x00bc"):
        assert_error(api.register(bad), 400, "invalid_request", f"username {bad!r}")
    name = uname("ok")
    assert_error(api.register(name, "seven77"), 400, "invalid_request", "7-char password")
    # A refused registration stored nothing: the name is still free.
    assert_error(api.login(name, "seven77"), 401, "unauthorized", "login after refused register")
    st, b, _ = api.register(name, "amber fox 8 jumps")
    assert st == 201 and b["user"]["username"] == name, (st, b)
    for good in ("abc", "a" * 32, "a.b-c_d9"):
        st, b, _ = api.register(good)
        assert st == 201, (good, st, b)


@suite.check
def usernames_are_unique_case_insensitively(s):
    api = s["api"]
    name = uname("case")
    assert api.register(name)[0] == 201
    assert_error(api.register(name), 409, "conflict", "same name")
    st, b, _ = api.register(name.upper())
    assert st in (400, 409), ("upper-case twin must not be a second user", st, b)


@suite.check
def login_rules(s):
    api = s["api"]
    name = uname("login")
    api.register(name)
    assert_error(api.login(name, "wrong password"), 401, "unauthorized", "wrong password")
    assert_error(api.login(uname("nobody")), 401, "unauthorized", "unknown user")
    assert_error(api.call("POST", "/api/v1/auth/login", {"username": name}), 400,
                 "invalid_request", "no password")
    st, b, _ = api.login(name)
    assert st == 200, (st, b)
    assert isinstance(b["token"], str) and len(b["token"]) >= 16, b
    assert isinstance(b["expires_at"], int) and b["expires_at"] > time.time() * 1000, b
    assert b["user"]["username"] == name, b
    st2, b2, _ = api.login(name)
    assert st2 == 200 and b2["token"] != b["token"], "each login should get its own token"


@suite.check
def bad_bearer_tokens_get_401(s):
    api = s["api"]
    token, _ = api.user("bearer")
    variants = {
        "no header": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": {"Authorization": "Bearer not-a-token"},
        "truncated": {"Authorization": "Bearer " + token[:-2]},
        "tampered": {"Authorization": "Bearer " + token[:-1] + ("A" if token[-1] != "A" else "B")},
        "no scheme": {"Authorization": token},
    }
    for what, headers in variants.items():
        assert_error(api.call("GET", "/api/v1/users/me", headers=headers), 401, "unauthorized", what)
    assert api.call("GET", "/api/v1/users/me", token=token)[0] == 200
    assert_error(api.call("GET", "/api/v1/channels"), 401, "unauthorized", "channels, no token")
    assert_error(api.call("POST", "/api/v1/channels", {"name": "x"}), 401, "unauthorized",
                 "create channel, no token")


@suite.check
async def logout_revokes_only_that_token(s):
    api, node = s["api"], s["node"]
    name = uname("logout")
    api.register(name)
    t1 = api.login(name)[1]["token"]
    t2 = api.login(name)[1]["token"]
    st, body, _ = api.call("POST", "/api/v1/auth/logout", token=t1)
    assert st == 204, (st, body)
    assert_error(api.call("GET", "/api/v1/users/me", token=t1), 401, "unauthorized", "after logout")
    assert_error(api.call("POST", "/api/v1/channels", {"name": "x"}, token=t1), 401,
                 "unauthorized", "create channel after logout")
    assert api.call("GET", "/api/v1/users/me", token=t2)[0] == 200, "the other token must still work"
    assert_error(api.call("POST", "/api/v1/auth/logout", token=t1), 401, "unauthorized",
                 "second logout")
    assert_error(api.call("POST", "/api/v1/auth/logout"), 401, "unauthorized", "logout, no token")
    async with websockets.connect(node.ws_url, open_timeout=20) as ws:
        await ws.send('{"type": "auth", "token": "%s"}' % t1)
        assert await closed_code(ws) == 4001
    async with Ws(node.ws_url, t2) as ok:
        await ok.ping()


async def closed_code(ws, timeout=20):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as e:
        return close_code(e)


@suite.check
async def websocket_frame_before_auth_closes_4001(s):
    node = s["node"]
    for first in ('{"type": "subscribe", "channel_id": "x"}', '{"type": "ping"}', "not json",
                  '{"type": "send", "channel_id": "x", "content": "x", "nonce": "n"}'):
        async with websockets.connect(node.ws_url, open_timeout=20) as ws:
            await ws.send(first)
            code = await closed_code(ws)
            assert code == 4001, (first, code)


@suite.check
async def websocket_bad_auth_closes_4001(s):
    node = s["node"]
    for frame in ('{"type": "auth", "token": "bogus"}', '{"type": "auth"}',
                  '{"type": "auth", "token": 12}', '{"type": "auth", "token": ""}'):
        async with websockets.connect(node.ws_url, open_timeout=20) as ws:
            await ws.send(frame)
            code = await closed_code(ws)
            assert code == 4001, (frame, code)


@suite.check
async def websocket_without_auth_times_out_with_4001(s):
    async with websockets.connect(s["node"].ws_url, open_timeout=20) as ws:
        # Sends nothing: the node's auth_timeout (700 ms) must close it; 30 s is only a bound.
        code = await closed_code(ws, timeout=30)
        assert code == 4001, code


@suite.check
async def authenticated_session_outlives_auth_timeout(s):
    token, _ = s["api"].user("patient")
    async with Ws(s["node"].ws_url, token) as ws:
        # Waits past the auth timeout with a bounded ping loop: the session must stay open.
        deadline = time.monotonic() + 3 * AUTH_TIMEOUT_MS / 1000
        n = 0
        while time.monotonic() < deadline:
            await ws.ping(f"k{n}")
            n += 1
            await asyncio.sleep(0.05)


@suite.check
async def tokens_expire_after_token_ttl(s):
    node = suite.node({"auth": {"token_ttl": "1s"}})
    api = Api(node)
    name = uname("ttl")
    api.register(name)
    before = time.time() * 1000
    st, b, _ = api.login(name)
    assert st == 200, (st, b)
    token = b["token"]
    # Token times may be whole seconds: issued_at rounds down, so expires_at is within
    # (login time - 1 s + ttl) .. (login time + ttl).
    assert before <= b["expires_at"] + 1 <= time.time() * 1000 + 1001, ("expires_at", b["expires_at"])
    await asyncio.to_thread(wait_until, lambda: api.call("GET", "/api/v1/users/me", token=token)[0] == 401,
                            30, "the token to expire", 0.1)
    assert_error(api.call("GET", "/api/v1/users/me", token=token), 401, "unauthorized", "expired")
    async with websockets.connect(node.ws_url, open_timeout=20) as ws:
        await ws.send('{"type": "auth", "token": "%s"}' % token)
        assert await closed_code(ws) == 4001, "expired token accepted over WebSocket"
    assert api.login(name)[0] == 200


@suite.check
async def open_session_is_closed_when_its_token_expires(s):
    # 5 s: token times are whole seconds, so the token lives at least 4 s, time enough to open
    # the session even on a loaded machine.
    node = suite.node({"auth": {"token_ttl": "5s"}})
    token, _ = Api(node).user("ttlws")
    async with Ws(node.ws_url, token) as ws:
        # Idle from here on: only the session's tick (from the node's session clock) can notice
        # the expiry (30 s is only a bound; the node closes it within 2 s of the expiry).
        code = await ws.closed_with(timeout=30)
        assert code == 4001, code
        assert "expired" in (ws.conn.close_reason or ""), ws.conn.close_reason


if __name__ == "__main__":
    suite.main(setup)
