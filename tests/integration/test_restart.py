#!/usr/bin/python3
"""Restarts: SIGTERM (1001 to open WebSockets, exit 0 within 10 s) and SIGKILL (no acked loss).

After each restart: messages, seq counters, tokens, revocations, memberships and nonces kept.
"""
import asyncio
import os
import signal
import sys
import threading
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error, close_code  # noqa: E402

suite = Suite("restart")
S = {}


def setup():
    node = suite.node()
    api = Api(node)
    S.update(node=node, api=api)
    S["ta"], S["ua"] = api.user("a")
    S["tb"], S["ub"] = api.user("b")
    S["tc"], _ = api.user("c")
    name_b = S["ub"]["username"]
    S["tb_revoked"] = api.login(name_b)[1]["token"]
    assert api.call("POST", "/api/v1/auth/logout", token=S["tb_revoked"])[0] == 204
    S["pub"] = api.create_channel(S["ta"], "pub")["id"]
    S["priv"] = api.create_channel(S["ta"], "priv", private=True)["id"]
    api.join(S["tb"], S["pub"])
    st, _, _ = api.call("POST", f"/api/v1/channels/{S['priv']}/members", {"user_id": S["ub"]["id"]},
                        token=S["ta"])
    assert st == 204, st
    for i in range(30):
        st, b, _ = api.post(S["ta"] if i % 2 else S["tb"], S["pub"], f"p{i}", nonce=f"pn{i}")
        assert st == 201, (st, b)
    api.post(S["tb"], S["priv"], "private words", nonce="secret-1")
    S["pub_before"] = api.all_messages(S["ta"], S["pub"])
    S["priv_before"] = api.all_messages(S["ta"], S["priv"])
    return S


def check_state_kept(s, pub_expected):
    """Everything setup() created, after a restart."""
    api = s["api"]
    st, me, _ = api.call("GET", "/api/v1/users/me", token=s["ta"])
    assert st == 200 and me["user"] == s["ua"], ("token of a", st, me)
    assert api.call("GET", "/api/v1/users/me", token=s["tb"])[0] == 200, "token of b lost"
    assert_error(api.call("GET", "/api/v1/users/me", token=s["tb_revoked"]), 401, "unauthorized",
                 "a logged-out token came back after restart")
    assert api.all_messages(s["ta"], s["pub"]) == pub_expected, "public history changed"
    assert api.all_messages(s["tb"], s["priv"]) == s["priv_before"], "b lost its private membership"
    ids_c = {c["id"] for c in api.call("GET", "/api/v1/channels", token=s["tc"])[1]["channels"]}
    assert s["pub"] in ids_c and s["priv"] not in ids_c, "channel visibility changed"
    assert_error(api.history(s["tc"], s["pub"]), 403, "forbidden", "c is not a member")
    assert api.login(s["ua"]["username"])[0] == 200, "password lost"


@suite.check
async def sigterm_closes_websockets_with_1001_and_exits_0(s):
    node = s["node"]
    async with Ws(node.ws_url, s["ta"]) as sub, Ws(node.ws_url, s["tb"]) as idle:
        await sub.subscribe(s["pub"])
        raw = await websockets.connect(node.ws_url, open_timeout=20)  # not yet authenticated
        started = time.monotonic()
        node.proc.send_signal(signal.SIGTERM)
        codes = await asyncio.gather(sub.closed_with(15), idle.closed_with(15), closed(raw))
        code = await asyncio.to_thread(wait_exit, node, 10 - (time.monotonic() - started))
    assert code == 0, f"exit code {code} (None: still running 10 s after SIGTERM)"
    assert codes == [1001, 1001, 1001], f"close codes {codes}"


async def closed(ws):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 15)
    except websockets.ConnectionClosed as e:
        return close_code(e)


def wait_exit(node, timeout):
    try:
        return node.proc.wait(max(timeout, 0.1))
    except Exception:
        return None


@suite.check
async def after_sigterm_everything_is_kept(s):
    node, api = s["node"], s["api"]
    if not node.running():
        node.start()
    check_state_kept(s, s["pub_before"])
    # The seq continues without a gap, and an old nonce still finds its message.
    async with Ws(node.ws_url, s["ta"]) as ws:
        sub = await ws.subscribe(s["pub"], after_seq=28)
        assert sub["last_seq"] == 30, sub
        assert [m["seq"] for m in await ws.messages(s["pub"], 2)] == [29, 30]
        ack = await ws.say(s["pub"], "after restart", "restart-1")
        assert ack["message"]["seq"] == 31, ack
        old = await ws.say(s["pub"], "p1", "pn1")
        assert old["message"]["id"] == s["pub_before"][1]["id"], ("nonce forgotten", old)
    st, b, _ = api.post(s["tb"], s["pub"], "p0", nonce="pn0")
    assert st in (200, 201) and b["message"]["id"] == s["pub_before"][0]["id"], ("REST nonce", b)
    s["pub_before"] = api.all_messages(s["ta"], s["pub"])
    assert [m["seq"] for m in s["pub_before"]] == list(range(1, 32))


async def burst(url, token, cid, prefix, count, acked, stop):
    """Sends (at most 32 unanswered) until `count`, `stop` or the connection dies; records
    every ack in `acked`."""
    try:
        async with Ws(url, token) as ws:
            sent = outstanding = 0
            while True:
                while sent < count and outstanding < 32 and not stop.is_set():
                    await ws.send({"type": "send", "channel_id": cid, "content": f"{prefix}{sent}",
                                   "nonce": f"{prefix}{sent}"})
                    sent += 1
                    outstanding += 1
                if outstanding == 0:
                    return
                frame = await ws.next_frame(30)
                if frame.get("type") == "ack":
                    acked.append(frame["message"])
                    outstanding -= 1
    except (websockets.ConnectionClosed, OSError, asyncio.TimeoutError):
        return


async def bursts_until(s, tokens, prefix, min_acks, acked, stop):
    """Starts one WebSocket burst per token into the public channel and returns the tasks
    once `min_acks` acks have arrived (or the bursts ended, or 120 s passed)."""
    tasks = [asyncio.create_task(burst(s["node"].ws_url, t, s["pub"], f"{prefix}{j}-", 2000,
                                       acked, stop))
             for j, t in enumerate(tokens)]
    deadline = time.monotonic() + 120
    while len(acked) < min_acks and time.monotonic() < deadline and not all(t.done() for t in tasks):
        await asyncio.sleep(0.01)  # waits for enough acks (an event, polled)
    return tasks


def stored_after_restart(s, start_seq, acked, what):
    """Reads the public channel after a restart: seqs gapless, older messages unchanged,
    every acknowledged message present and equal. Returns the stored messages."""
    stored = s["api"].all_messages(s["ta"], s["pub"])
    by_seq = {m["seq"]: m for m in stored}
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1)), "gap in seqs"
    assert stored[:start_seq] == s["pub_before"], "older messages changed"
    lost = [m["seq"] for m in acked if by_seq.get(m["seq"]) != m]
    assert not lost, f"acknowledged messages lost in {what}: {lost[:10]}"
    return stored


@suite.check
async def sigkill_loses_no_acknowledged_message(s):
    node, api = s["node"], s["api"]
    if not node.running():
        node.start()
    start_seq = len(s["pub_before"])
    acked, rest_acked, stop = [], [], threading.Event()

    def rest_poster():
        i = 0
        while not stop.is_set():
            try:
                st, b, _ = api.post(s["tb"], s["pub"], f"rest{i}", nonce=f"kr{i}")
            except OSError:
                return
            if st == 201:
                rest_acked.append(b["message"])
            i += 1

    poster = threading.Thread(target=rest_poster)
    poster.start()
    tasks = await bursts_until(s, (s["ta"], s["tb"], s["ta"]), "k", 150, acked, stop)
    node.proc.send_signal(signal.SIGKILL)  # sends are still in flight
    stop.set()
    await asyncio.gather(*tasks)
    await asyncio.to_thread(poster.join, 60)
    node.proc.wait(10)
    assert len(acked) >= 150, f"only {len(acked)} acks before the kill"
    node.start()
    stored = stored_after_restart(s, start_seq, acked + rest_acked, "a crash")
    seqs = [m["seq"] for m in stored]
    st, b, _ = api.post(s["ta"], s["pub"], "after crash", nonce="after-crash")
    assert st == 201 and b["message"]["seq"] == len(seqs) + 1, (len(seqs), b)
    s["pub_before"] = api.all_messages(s["ta"], s["pub"])
    print(f"     ({len(acked)} WebSocket and {len(rest_acked)} REST acks before SIGKILL; "
          f"{len(seqs) - start_seq} stored)")


@suite.check
async def sigterm_during_a_burst_keeps_every_ack(s):
    node = s["node"]
    if not node.running():
        node.start()
    start_seq = len(s["pub_before"])
    acked, stop = [], threading.Event()
    tasks = await bursts_until(s, (s["ta"], s["tb"]), "t", 100, acked, stop)
    started = time.monotonic()
    node.proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(wait_exit, node, 10)
    stop.set()
    await asyncio.gather(*tasks)
    assert code == 0, f"exit code {code} (None: still running {time.monotonic() - started:.0f} s after SIGTERM)"
    node.start()
    s["pub_before"] = stored_after_restart(s, start_seq, acked, "a graceful stop")


@suite.check
def after_sigkill_everything_is_kept(s):
    if not s["node"].running():
        s["node"].start()
    check_state_kept(s, s["pub_before"])


@suite.check
def sigint_also_stops_cleanly(s):
    node = s["node"]
    if not node.running():
        node.start()
    code = node.signal_and_wait(signal.SIGINT, 10)
    assert code == 0, f"exit code {code} after SIGINT (None: still running after 10 s)"
    node.start()
    check_state_kept(s, s["pub_before"])


if __name__ == "__main__":
    suite.main(setup)
