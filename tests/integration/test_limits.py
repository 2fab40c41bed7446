#!/usr/bin/python3
"""Account security limits on real nodes: login brute force (growing delays, a lock that
releases by itself, unknown users answered like wrong passwords), per-address and per-user
REST rate limits, WebSocket frame floods (close 4008), the metrics that count them, the
net.allow / net.deny address lists, and silent WebSockets (pinged, then dropped)."""
import asyncio
import os
import socket
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PASSWORD, Api, RawWs, Suite, Ws, assert_error, get_text,  # noqa: E402
                     raw_http, uname, wait_until)

suite = Suite("limits")
S = {}
WRONG = "not the password at all"
LOCK_SECONDS = 3

LOGIN_NODE = {
    "login_throttle": {"account": {"free_failures": 2, "lock_after": 4},
                       "address": {"free_failures": 1000, "lock_after": 2000},
                       "max_delay": "1s", "lock": f"{LOCK_SECONDS}s", "window": "1m"},
    # 127.0.0.1 is let in by the allow list and not caught by the deny list.
    "net": {"allow": ["127.0.0.0/8", "fd00::/8"], "deny": ["10.0.0.0/8"]},
}
RATE_NODE = {"rate_limits": {"address": {"rate": 0}, "user": {"rate": 1, "burst": 4},
                             "ws_frames": {"rate": 1, "burst": 5}}}
ADDRESS_NODE = {"rate_limits": {"address": {"rate": 1, "burst": 6}}}
# Pinged after 1 s of silence, dropped after 2 s; the sweep looks every 0.33 s.
IDLE_TIMEOUT = 2.0
IDLE_NODE = {"limits": {"ws_idle_timeout": f"{int(IDLE_TIMEOUT * 1000)}ms"}}


def setup():
    S["login"] = suite.node(LOGIN_NODE)
    S["rate"] = suite.node(RATE_NODE)
    S["address"] = suite.node(ADDRESS_NODE)
    S["idle"] = suite.node(IDLE_NODE)
    return S


def retry_after(got):
    hdrs = {k.lower(): v for k, v in got[2].items()}
    assert "retry-after" in hdrs, f"429 without Retry-After: {got}"
    value = int(hdrs["retry-after"])
    assert value >= 1, f"Retry-After {value}"
    return value


def expect_429(got, what):
    assert_error(got, 429, "rate_limited", what)
    return retry_after(got)


def wait_not_limited(call, timeout=30, what="the limit to pass"):
    """Polls call() until it answers something other than 429; returns that answer."""
    return wait_until(lambda: (lambda g: g if g[0] != 429 else None)(call()), timeout, what,
                      interval=0.1)


def fail_until_locked(api, name):
    """Wrong passwords for `name` until the lock engages; returns the statuses seen and the
    lock's Retry-After. Waits out each growing delay by polling, as a patient attacker would."""
    statuses = []
    for _ in range(40):
        got = api.login(name, WRONG)
        statuses.append(got[0])
        if got[0] == 429:
            wait = expect_429(got, "delayed login")
            if statuses.count(401) >= 4:
                return statuses, wait
            got = wait_not_limited(lambda: api.login(name, WRONG), what="the delay to pass")
            assert_error(got, 401, "unauthorized", "wrong password after the delay")
            statuses.append(401)
        else:
            assert_error(got, 401, "unauthorized", "wrong password")
    raise AssertionError(f"no lock after {statuses}")


@suite.check
def brute_force_locks_then_releases(s):
    api = Api(s["login"])
    name = uname("victim")
    assert api.register(name)[0] == 201
    statuses, wait = fail_until_locked(api, name)
    assert statuses[:3] == [401, 401, 429], f"two free failures, then a delay: {statuses}"
    assert wait >= LOCK_SECONDS - 1, f"lock's Retry-After {wait}"
    # Locked: the right password is refused too, without being checked.
    locked = api.login(name, PASSWORD)
    expect_429(locked, "correct password while locked")
    # Another account is not affected.
    other = uname("bystander")
    assert api.register(other)[0] == 201
    assert api.login(other)[0] == 200
    # The lock releases by itself; then the right password works and clears the failures.
    got = wait_not_limited(lambda: api.login(name, PASSWORD), timeout=LOCK_SECONDS + 20,
                           what="the lock to release")
    assert got[0] == 200 and got[1].get("token"), got
    assert api.login(name, WRONG)[0] == 401
    assert api.login(name, WRONG)[0] == 401, "a success resets the account's counter"
    expect_429(api.login(name, WRONG), "third failure after the reset")


def answers(api, name):
    """(status, body, has Retry-After) of three wrong-password logins for `name`."""
    out = []
    for _ in range(3):
        st, body, hdrs = api.login(name, WRONG)
        has_retry = any(k.lower() == "retry-after" for k in hdrs)
        out.append((st, body, has_retry))
    return out


@suite.check
def unknown_user_answered_like_wrong_password(s):
    api = Api(s["login"])
    known = uname("known")
    assert api.register(known)[0] == 201
    unknown = uname("nobody")
    got_known, got_unknown = answers(api, known), answers(api, unknown)
    assert got_known == got_unknown, f"known {got_known} != unknown {got_unknown}"
    assert [a[0] for a in got_known] == [401, 401, 429], got_known
    assert got_known[2][2], "the 429 carries Retry-After"


@suite.check
def per_address_rest_limit(s):
    api = Api(s["address"])
    got = [api.call("GET", "/api/v1/channels") for _ in range(12)]
    limited = [g for g in got if g[0] == 429]
    assert limited, f"no 429 in {[g[0] for g in got]}"
    assert all(g[0] == 401 for g in got[:6]), "the burst passes first"
    for g in limited:
        expect_429(g, "address over its rate")
    # Operations endpoints are not API routes: never limited.
    assert api.call("GET", "/healthz")[0] == 200
    got = wait_not_limited(lambda: api.call("GET", "/api/v1/channels"), what="a token back")
    assert got[0] == 401, got


@suite.check
def per_user_rest_limit(s):
    api = Api(s["rate"])
    token, _ = api.user("busy")
    got = [api.call("GET", "/api/v1/users/me", token=token) for _ in range(10)]
    statuses = [g[0] for g in got]
    assert statuses[:4] == [200] * 4 and 429 in statuses, statuses
    for g in got:
        if g[0] == 429:
            expect_429(g, "user over its rate")
    # Another user from the same address has a bucket of its own.
    other, _ = api.user("calm")
    assert api.call("GET", "/api/v1/users/me", token=other)[0] == 200


@suite.check
async def websocket_frame_flood_closes_4008(s):
    node, api = s["rate"], Api(s["rate"])
    token, _ = api.user("flood")
    async with Ws(node.ws_url, token) as calm:
        async with Ws(node.ws_url, token) as ws:
            for i in range(30):
                try:
                    await ws.send({"type": "ping", "nonce": f"f{i}"})
                except websockets.ConnectionClosed:
                    break
            assert await ws.closed_with() == 4008
        # The other session of the same user keeps its own budget.
        assert (await calm.ping("still"))["nonce"] == "still"


def metric(node, line_start):
    status, _, text = get_text(node.base + "/metrics")
    assert status == 200
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no metric {line_start}")


@suite.check
def metrics_count_the_refusals(s):
    scope = 'plexichat_rate_limited_total{scope="%s"}'
    assert metric(s["login"], scope % "login_account") >= 3
    assert metric(s["login"], "plexichat_login_locks_total") >= 1
    assert metric(s["login"], scope % "address") == 0
    assert metric(s["address"], scope % "address") >= 1
    assert metric(s["rate"], scope % "user") >= 1
    assert metric(s["rate"], scope % "ws_session") >= 1
    assert metric(s["rate"], "plexichat_connections_denied_total") == 0


def refused_at_accept(node):
    """Starts `node` (whose lists keep 127.0.0.1 out) and checks that a connection from
    127.0.0.1 is closed without an HTTP answer."""
    node.start(wait_ready=False)
    wait_until(lambda: "serving clients" in node.log_text() or not node.running(), 60,
               "the listener to start")
    assert node.running(), node.tail_log()
    status, _, data = raw_http(node.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status is None and data == b"", (status, data)
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        assert sock.recv(1) == b"", "a denied connection is closed at once"


@suite.check
def deny_list_refuses_loopback(s):
    refused_at_accept(suite.node({"net": {"deny": ["127.0.0.0/8"]}}, start=False))


@suite.check
def allow_list_without_loopback_refuses_it(s):
    refused_at_accept(suite.node({"net": {"allow": ["10.0.0.0/8"]}}, start=False))


PING, PONG, CLOSE = 0x9, 0xA, 0x8


def ready_raw_ws(node):
    """An authenticated hand-driven WebSocket: it answers no ping unless the test does."""
    token, _ = Api(node).user("idle")
    raw = RawWs(node.port, timeout=0.1)
    raw.send_json({"type": "auth", "token": token})
    deadline = time.monotonic() + 20
    while True:
        try:
            if raw.read_json().get("type") == "ready":
                return raw
        except socket.timeout:
            assert time.monotonic() < deadline, "no ready"


def watch(raw, seconds, on_frame=None):
    """Reads frames for `seconds`: returns (pings seen, seconds until the node closed the
    socket or None)."""
    start = time.monotonic()
    pings = 0
    while time.monotonic() - start < seconds:
        try:
            op, payload = raw.read_frame()
        except socket.timeout:
            op = None
        except (EOFError, ConnectionResetError):
            return pings, time.monotonic() - start
        if op == PING:
            pings += 1
            if on_frame:
                on_frame(op, payload)
        elif op == CLOSE:
            return pings, time.monotonic() - start
        if on_frame and op is None:
            on_frame(None, None)
    return pings, None


@suite.check
def silent_websocket_is_pinged_then_dropped(s):
    raw = ready_raw_ws(s["idle"])
    try:
        pings, closed_after = watch(raw, 10 * IDLE_TIMEOUT)
    finally:
        raw.close()
    assert pings >= 1, "pinged before it was dropped"
    assert closed_after is not None, "a client that answers nothing is dropped"
    # Silence is measured from the ready frame; never before the timeout.
    assert closed_after >= IDLE_TIMEOUT * 0.9, closed_after


@suite.check
def websocket_that_answers_pings_stays_open(s):
    raw = ready_raw_ws(s["idle"])

    def pong(op, payload):
        if op == PING:
            raw.send_frame(payload, opcode=PONG)

    try:
        pings, closed_after = watch(raw, 4 * IDLE_TIMEOUT, pong)
        assert closed_after is None, f"dropped after {closed_after:.2f} s though it answered"
        assert pings >= 2, pings
        raw.send_json({"type": "ping", "nonce": "still"})
        raw.sock.settimeout(10)
        assert raw.read_json() == {"type": "pong", "nonce": "still"}
    finally:
        raw.close()


@suite.check
def websocket_that_sends_frames_stays_open_unanswered(s):
    raw = ready_raw_ws(s["idle"])
    last = [time.monotonic()]

    def chat(op, payload):
        if time.monotonic() - last[0] >= IDLE_TIMEOUT / 4:
            raw.send_json({"type": "ping"})
            last[0] = time.monotonic()

    try:
        pings, closed_after = watch(raw, 4 * IDLE_TIMEOUT, chat)
        assert closed_after is None, f"dropped after {closed_after:.2f} s though it sent frames"
        assert pings == 0, f"pinged {pings} times though it was never silent"
    finally:
        raw.close()


if __name__ == "__main__":
    suite.main(setup)
