#!/usr/bin/python3
"""Login sessions: listing with device and address, revoking one, all, or all but the
caller's; revoked tokens stop at once for REST and WebSocket; sessions survive a restart."""
import asyncio
import os
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PASSWORD, Api, Suite, Ws, assert_error, close_code, uname  # noqa: E402

suite = Suite("sessions")
S = {}
SESSIONS = "/api/v1/auth/sessions"


def setup():
    node = suite.node()
    S.update(node=node, api=Api(node))
    return S


def login_as(api, name, device):
    st, b, _ = api.call("POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD},
                        headers={"User-Agent": device})
    assert st == 200, (st, b)
    return b["token"]


def sessions(api, token):
    st, b, _ = api.call("GET", SESSIONS, token=token)
    assert st == 200, (st, b)
    return b["sessions"]


def new_user(api, devices):
    name = uname("sess")
    assert api.register(name)[0] == 201
    return name, [login_as(api, name, d) for d in devices]


async def ws_closed_code(node, token, timeout=20):
    async with websockets.connect(node.ws_url, open_timeout=20) as ws:
        await ws.send('{"type": "auth", "token": "%s"}' % token)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), timeout)
        except websockets.ConnectionClosed as e:
            return close_code(e)


@suite.check
def list_shows_device_address_and_current(s):
    api = s["api"]
    before = int(time.time() * 1000)
    _, (ta, tb) = new_user(api, ["device-A/1.0", "device-B/2.0"])
    listed = sessions(api, ta)
    assert len(listed) == 2, listed
    by_device = {x["device"]: x for x in listed}
    assert set(by_device) == {"device-A/1.0", "device-B/2.0"}, listed
    assert by_device["device-A/1.0"]["current"] is True
    assert by_device["device-B/2.0"]["current"] is False
    for x in listed:
        assert x["address"] == "127.0.0.1", x
        assert before - 1000 <= x["created_at"] <= x["last_used_at"] <= x["expires_at"], x
        assert isinstance(x["id"], str) and x["id"], x
    assert [x["current"] for x in sessions(api, tb) if x["device"] == "device-B/2.0"] == [True]
    _, (other,) = new_user(api, ["elsewhere"])
    assert len(sessions(api, other)) == 1, "a user sees only their own sessions"
    assert_error(api.call("GET", SESSIONS), 401, "unauthorized", "no token")


@suite.check
async def revoke_one_stops_its_token_at_once(s):
    api, node = s["api"], s["node"]
    _, (ta, tb) = new_user(api, ["keeper", "victim"])
    victim = [x for x in sessions(api, ta) if x["device"] == "victim"][0]
    async with Ws(node.ws_url, tb) as ws:
        st, b, _ = api.call("DELETE", f"{SESSIONS}/{victim['id']}", token=ta)
        assert st == 204, (st, b)
        assert_error(api.call("GET", "/api/v1/users/me", token=tb), 401, "unauthorized",
                     "revoked token, REST")
        # The open WebSocket of the revoked session is closed without sending anything.
        assert await ws.closed_with(timeout=15) == 4001
    assert await ws_closed_code(node, tb) == 4001, "revoked token, WebSocket auth"
    assert api.call("GET", "/api/v1/users/me", token=ta)[0] == 200
    assert [x["device"] for x in sessions(api, ta)] == ["keeper"]
    assert_error(api.call("DELETE", f"{SESSIONS}/{victim['id']}", token=ta), 404, "not_found",
                 "revoked twice")


@suite.check
def another_users_session_is_not_found(s):
    api = s["api"]
    _, (mine,) = new_user(api, ["mine"])
    _, (theirs,) = new_user(api, ["theirs"])
    their_id = sessions(api, theirs)[0]["id"]
    assert_error(api.call("DELETE", f"{SESSIONS}/{their_id}", token=mine), 404, "not_found",
                 "another user's session")
    assert api.call("GET", "/api/v1/users/me", token=theirs)[0] == 200, "theirs still works"
    assert_error(api.call("DELETE", f"{SESSIONS}/tnosuchsession", token=mine), 404, "not_found",
                 "unknown id")


@suite.check
def revoke_all_but_current_then_all(s):
    api = s["api"]
    _, tokens = new_user(api, ["d1", "d2", "d3"])
    st, b, _ = api.call("DELETE", SESSIONS + "?keep_current=true", token=tokens[0])
    assert st == 204, (st, b)
    for t in tokens[1:]:
        assert_error(api.call("GET", "/api/v1/users/me", token=t), 401, "unauthorized", "other")
    assert [x["device"] for x in sessions(api, tokens[0])] == ["d1"]
    assert_error(api.call("DELETE", SESSIONS + "?keep_current=maybe", token=tokens[0]), 400,
                 "invalid_request", "bad flag")
    st, b, _ = api.call("DELETE", SESSIONS, token=tokens[0])
    assert st == 204, (st, b)
    assert_error(api.call("GET", "/api/v1/users/me", token=tokens[0]), 401, "unauthorized",
                 "the caller's own after revoking all")


@suite.check
def logout_removes_the_session(s):
    api = s["api"]
    _, (ta, tb) = new_user(api, ["stays", "leaves"])
    assert api.call("POST", "/api/v1/auth/logout", token=tb)[0] == 204
    assert [x["device"] for x in sessions(api, ta)] == ["stays"]


@suite.check
def sessions_survive_a_restart(s):
    api, node = s["api"], s["node"]
    _, (ta, tb) = new_user(api, ["before-restart", "revoked-before-restart"])
    victim = [x for x in sessions(api, ta) if x["device"] == "revoked-before-restart"][0]
    assert api.call("DELETE", f"{SESSIONS}/{victim['id']}", token=ta)[0] == 204
    assert node.stop(timeout=15) == 0
    node.start()
    listed = sessions(api, ta)
    assert [x["device"] for x in listed] == ["before-restart"], listed
    assert listed[0]["current"] is True
    assert_error(api.call("GET", "/api/v1/users/me", token=tb), 401, "unauthorized",
                 "revoked stays revoked")


if __name__ == "__main__":
    suite.main(setup)
