#!/usr/bin/python3
"""Password quality (libpwquality) at register and password change, and a password change
revoking the user's other sessions (REST and WebSocket) but not the caller's."""
import asyncio
import os
import sys

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PASSWORD, Api, Suite, Ws, assert_error, close_code, uname  # noqa: E402

suite = Suite("passwords")
S = {}
CHANGE = "/api/v1/auth/password"


def setup():
    node = suite.node()
    strict = suite.node({"auth": {"password_min_score": 100}})
    S.update(node=node, api=Api(node), strict=Api(strict))
    return S


def message(got):
    return got[1]["error"]["message"]


@suite.check
def weak_passwords_are_refused_with_a_reason(s):
    api = s["api"]
    name = uname("weak")
    cases = {"12345678": "password refused: ", "password": "dictionary",
             name + "xyz1": "user name"}
    for pw, why in cases.items():
        got = api.register(name, pw)
        assert_error(got, 400, "invalid_request", pw)
        assert why in message(got), (pw, message(got))
    # Nothing was stored: the name is free and the strong password registers.
    assert api.register(name)[0] == 201


@suite.check
def the_minimum_score_is_configurable(s):
    got = s["strict"].register(uname("strict"), "Zebra-Moon-7")
    assert_error(got, 400, "invalid_request", "score below 100")
    assert "at least 100" in message(got), message(got)
    assert s["api"].register(uname("lax"), "Zebra-Moon-7")[0] == 201


async def ws_auth_code(node, token):
    async with websockets.connect(node.ws_url, open_timeout=20) as ws:
        await ws.send('{"type": "auth", "token": "%s"}' % token)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 20)
        except websockets.ConnectionClosed as e:
            return close_code(e)


@suite.check
async def change_password_revokes_the_other_sessions(s):
    api, node = s["api"], s["node"]
    name = uname("chg")
    assert api.register(name)[0] == 201
    mine = api.login(name)[1]["token"]
    other = api.login(name)[1]["token"]
    new = "violet lamp under stairs"
    async with Ws(node.ws_url, other) as ws:
        assert_error(api.call("POST", CHANGE, {"old_password": "wrong password!",
                                               "new_password": new}, token=mine),
                     403, "forbidden", "wrong old password")
        got = api.call("POST", CHANGE, {"old_password": PASSWORD, "new_password": "12345678"},
                       token=mine)
        assert_error(got, 400, "invalid_request", "weak new password")
        assert message(got).startswith("password refused: "), message(got)
        got = api.call("POST", CHANGE, {"old_password": PASSWORD, "new_password": PASSWORD},
                       token=mine)
        assert_error(got, 400, "invalid_request", "same as the old one")
        await ws.ping("still-open")
        st, b, _ = api.call("POST", CHANGE, {"old_password": PASSWORD, "new_password": new},
                            token=mine)
        assert st == 204, (st, b)
        assert_error(api.call("GET", "/api/v1/users/me", token=other), 401, "unauthorized",
                     "other session, REST")
        assert await ws.closed_with(timeout=15) == 4001
    assert await ws_auth_code(node, other) == 4001, "other session, WebSocket auth"
    assert api.call("GET", "/api/v1/users/me", token=mine)[0] == 200, "the caller's stays valid"
    async with Ws(node.ws_url, mine) as ok:
        await ok.ping()
    assert_error(api.login(name), 401, "unauthorized", "old password")
    assert api.login(name, new)[0] == 200
    assert_error(api.call("POST", CHANGE, {"old_password": new}, token=mine), 400,
                 "invalid_request", "no new password")
    assert_error(api.call("POST", CHANGE, {"old_password": new, "new_password": new + "!"}), 401,
                 "unauthorized", "no token")


@suite.check
def new_password_survives_a_restart(s):
    api, node = s["api"], s["node"]
    name = uname("persist")
    assert api.register(name)[0] == 201
    token = api.login(name)[1]["token"]
    new = "quiet river stone 42"
    assert api.call("POST", CHANGE, {"old_password": PASSWORD, "new_password": new},
                    token=token)[0] == 204
    assert node.stop(timeout=15) == 0
    node.start()
    assert_error(api.login(name), 401, "unauthorized", "old password after restart")
    assert api.login(name, new)[0] == 200


if __name__ == "__main__":
    suite.main(setup)
