#!/usr/bin/python3
"""Two users chatting over REST and WebSocket; message objects; content limits; nonces."""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error, get_text, read_http_response, wait_until  # noqa: E402

suite = Suite("basic_chat")
S = {}  # state shared by the checks, filled by setup()


def setup():
    node = suite.node()
    api = Api(node)
    ta, ua = api.user("alice")
    tb, ub = api.user("bob")
    S.update(node=node, api=api, ta=ta, ua=ua, tb=tb, ub=ub)
    return S


def check_message(m, cid, user, content, nonce=None):
    assert isinstance(m, dict), m
    assert isinstance(m.get("id"), str) and m["id"], m
    assert m.get("channel_id") == cid, m
    assert isinstance(m.get("seq"), int) and not isinstance(m["seq"], bool) and m["seq"] >= 1, m
    assert m.get("author_id") == user["id"], (m, user)
    author = m.get("author")
    assert author == user["username"] or (isinstance(author, dict) and author.get("username") ==
                                          user["username"]), m
    assert m.get("content") == content, (m.get("content"), content)
    assert isinstance(m.get("created_at"), int), m
    # A sanity bound on the clock (ms since the epoch), not a speed check.
    assert abs(m["created_at"] - time.time() * 1000) < 24 * 3600 * 1000, m
    if nonce is not None:
        assert m.get("nonce") == nonce, m


@suite.check
def users_me_returns_user_object(s):
    st, b, _ = s["api"].call("GET", "/api/v1/users/me", token=s["ta"])
    assert st == 200, (st, b)
    u = b["user"]
    assert u["id"] == s["ua"]["id"] and u["username"] == s["ua"]["username"], b
    assert isinstance(u["id"], str) and isinstance(u["created_at"], int), b
    assert "password" not in u and "password_hash" not in u, b


@suite.check
async def rest_and_websocket_chat(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    ch = api.create_channel(ta, "general", topic="talk")
    cid = s["cid"] = ch["id"]
    assert ch["name"] == "general" and ch["topic"] == "talk" and ch["private"] is False, ch
    assert ch["last_seq"] == 0 and isinstance(ch["created_at"], int), ch
    api.join(tb, cid)
    async with Ws(s["node"].ws_url, ta) as wa, Ws(s["node"].ws_url, tb) as wb:
        assert wa.user["id"] == s["ua"]["id"] and wa.session_id, (wa.user, wa.session_id)
        sub = await wb.subscribe(cid)
        assert sub["last_seq"] == 0, sub
        await wa.subscribe(cid)
        # Alice posts over REST, Bob sees it live.
        st, body, _ = api.post(ta, cid, "hi bob", nonce="r-1")
        assert st == 201, (st, body)
        check_message(body["message"], cid, s["ua"], "hi bob", "r-1")
        assert body["message"]["seq"] == 1, body
        got = (await wb.messages(cid, 1))[0]
        assert got == body["message"], (got, body["message"])
        # Bob answers over WebSocket; both see it, Bob's own included.
        ack = await wb.say(cid, "hi alice", "w-1")
        check_message(ack["message"], cid, s["ub"], "hi alice", "w-1")
        assert ack["message"]["seq"] == 2, ack
        seen_a = await wa.messages(cid, 2)
        assert [m["seq"] for m in seen_a] == [1, 2] and seen_a[1] == ack["message"], seen_a
        seen_b = await wb.messages(cid, 1)
        assert seen_b[0] == ack["message"], seen_b
    st, hist, _ = api.history(ta, cid)
    assert st == 200 and hist["has_more"] is False, (st, hist)
    assert [m["content"] for m in hist["messages"]] == ["hi bob", "hi alice"], hist
    assert hist["messages"][1] == ack["message"], hist
    st, chb, _ = api.call("GET", f"/api/v1/channels/{cid}", token=tb)
    assert st == 200 and chb["channel"]["last_seq"] == 2, chb


@suite.check
async def pipelined_sends_each_get_one_ack_in_order(s):
    api = s["api"]
    cid = api.create_channel(s["ta"], "pipeline")["id"]
    async with Ws(s["node"].ws_url, s["ta"]) as wa:
        for i in range(40):
            await wa.send({"type": "send", "channel_id": cid, "content": f"p{i}", "nonce": f"p-{i}"})
        acks = [await wa.expect("ack", nonce=f"p-{i}") for i in range(40)]
        seqs = [a["message"]["seq"] for a in acks]
        assert seqs == list(range(1, 41)), seqs  # one session's sends keep their order
        assert [a["message"]["content"] for a in acks] == [f"p{i}" for i in range(40)]
        extra = [f for f in await wa.quiet(0.2) if f.get("type") == "ack"]
        assert not extra, extra


@suite.check
async def unicode_content_round_trips(s):
    api, ta, cid = s["api"], s["ta"], s["cid"]
    samples = ["é" * 4000, "😀" * 4000, "日本語 テキスト", "a\nb\tc \"quoted\" \\ back", "\u200b zero width"]
    async with Ws(s["node"].ws_url, ta) as wa:
        for i, text in enumerate(samples):
            ack = await wa.say(cid, text, f"u-{i}")
            assert ack["message"]["content"] == text, (i, len(ack["message"]["content"]))
    for i, text in enumerate(samples):
        st, body, _ = api.post(ta, cid, text, nonce=f"ur-{i}")
        assert st == 201 and body["message"]["content"] == text, (st, i)
    msgs = api.all_messages(ta, cid)
    assert [m["content"] for m in msgs[-10:]] == samples + samples, "stored content differs"


@suite.check
async def content_limits_are_enforced_without_storing(s):
    api, ta, cid = s["api"], s["ta"], s["cid"]
    before = api.call("GET", f"/api/v1/channels/{cid}", token=ta)[1]["channel"]["last_seq"]
    for bad in ("", "x" * 4001, "é" * 4001, "😀" * 4001):
        assert_error(api.post(ta, cid, bad), 400, "invalid_request", f"content of {len(bad)} chars")
    assert_error(api.call("POST", f"/api/v1/channels/{cid}/messages", {}, token=ta), 400,
                 "invalid_request", "no content")
    async with Ws(s["node"].ws_url, ta) as wa:
        for i, bad in enumerate(("", "y" * 4001)):
            await wa.send({"type": "send", "channel_id": cid, "content": bad, "nonce": f"bad-{i}"})
            err = await wa.expect("error", nonce=f"bad-{i}")
            assert err["code"] == "invalid_request" and isinstance(err["message"], str), err
        await wa.ping("still-open")
    after = api.call("GET", f"/api/v1/channels/{cid}", token=ta)[1]["channel"]["last_seq"]
    assert after == before, (before, after)


@suite.check
async def websocket_nonce_is_idempotent(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    cid = api.create_channel(ta, "nonce-ws")["id"]
    other = api.create_channel(ta, "nonce-ws-2")["id"]
    api.join(tb, cid)
    async with Ws(s["node"].ws_url, ta) as wa, Ws(s["node"].ws_url, tb) as wb, \
            Ws(s["node"].ws_url, tb) as reader:
        await reader.subscribe(cid)
        first = (await wa.say(cid, "once", "same"))["message"]
        again = (await wa.say(cid, "once", "same"))["message"]
        assert again["id"] == first["id"] and again["seq"] == first["seq"] == 1, (first, again)
        # The first message comes back even when the retry's content differs.
        changed = (await wa.say(cid, "different text", "same"))["message"]
        assert changed["id"] == first["id"] and changed["content"] == "once", changed
        # Another author, or another channel, with the same nonce is a new message.
        theirs = (await wb.say(cid, "once", "same"))["message"]
        assert theirs["seq"] == 2 and theirs["id"] != first["id"], theirs
        elsewhere = (await wa.say(other, "once", "same"))["message"]
        assert elsewhere["seq"] == 1 and elsewhere["channel_id"] == other, elsewhere
        marker = (await wa.say(cid, "marker", "marker"))["message"]
        assert marker["seq"] == 3, marker
        seen = await reader.messages(cid, 3)
        assert [m["seq"] for m in seen] == [1, 2, 3], "a retried send was fanned out twice"
    assert [m["seq"] for m in api.all_messages(ta, cid)] == [1, 2, 3]


@suite.check
async def rest_nonce_is_idempotent_and_shared_with_websocket(s):
    api, ta = s["api"], s["ta"]
    cid = api.create_channel(ta, "nonce-rest")["id"]
    st1, b1, _ = api.post(ta, cid, "via rest", nonce="n-rest")
    st2, b2, _ = api.post(ta, cid, "via rest", nonce="n-rest")
    assert st1 == 201 and st2 in (200, 201), (st1, st2, b2)
    assert b1["message"]["id"] == b2["message"]["id"] and b2["message"]["seq"] == 1, (b1, b2)
    async with Ws(s["node"].ws_url, ta) as wa:
        ack = await wa.say(cid, "via rest", "n-rest")
        assert ack["message"]["id"] == b1["message"]["id"], ack
        ws_first = (await wa.say(cid, "via ws", "n-ws"))["message"]
    st3, b3, _ = api.post(ta, cid, "via ws", nonce="n-ws")
    assert st3 in (200, 201) and b3["message"]["id"] == ws_first["id"], (st3, b3)
    # Without a nonce, every REST post is a new message.
    api.post(ta, cid, "no nonce")
    api.post(ta, cid, "no nonce")
    assert [m["seq"] for m in api.all_messages(ta, cid)] == [1, 2, 3, 4]


@suite.check
async def websocket_errors_keep_the_session_open(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    private = api.create_channel(tb, "bobs", private=True)["id"]
    async with Ws(s["node"].ws_url, ta) as wa:
        await wa.send({"type": "send", "channel_id": private, "content": "x", "nonce": "e1"})
        err = await wa.expect("error", nonce="e1")
        assert err["code"] in ("forbidden", "not_found"), err
        await wa.send({"type": "send", "channel_id": "no-such-channel", "content": "x", "nonce": "e2"})
        err = await wa.expect("error", nonce="e2")
        assert err["code"] in ("not_found", "forbidden"), err
        await wa.send({"type": "no_such_type", "nonce": "e3"})
        err = await wa.expect("error")
        assert isinstance(err.get("code"), str), err
        await wa.send({"type": "send", "channel_id": s["cid"], "nonce": "e4"})
        err = await wa.expect("error", nonce="e4")
        assert err["code"] == "invalid_request", err
        await wa.send({"type": "subscribe"})
        err = await wa.expect("error")
        assert err["code"] == "invalid_request", err
        pong = await wa.ping("after-errors")
        assert pong["nonce"] == "after-errors", pong
        ack = await wa.say(s["cid"], "still works", "e-ok")
        assert ack["message"]["content"] == "still works", ack


@suite.check
async def ping_without_nonce_gets_pong(s):
    async with Ws(s["node"].ws_url, s["ta"]) as wa:
        await wa.send({"type": "ping"})
        pong = await wa.expect("pong")
        assert pong["type"] == "pong", pong


@suite.check
def content_edge_cases(s):
    api, ta = s["api"], s["ta"]
    cid = api.create_channel(ta, "edges")["id"]
    combining = "e\u0301"  # two code points
    st, b, _ = api.post(ta, cid, combining * 2000)
    assert st == 201 and b["message"]["content"] == combining * 2000, (st, "4000 code points")
    assert_error(api.post(ta, cid, combining * 2000 + "e"), 400, "invalid_request", "4001 code points")
    st, b, _ = api.post(ta, cid, "nul\u0000inside")
    if st == 201:  # a NUL is valid UTF-8: keep it whole, or refuse it, but never cut it
        assert b["message"]["content"] == "nul\u0000inside", b
        assert api.all_messages(ta, cid)[-1]["content"] == "nul\u0000inside", "NUL truncated in storage"
    else:
        assert_error((st, b, {"Content-Type": "application/json"}), 400, "invalid_request", "NUL")


METRIC_LINE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? +(-?[0-9.eE+-]+|NaN|[+-]Inf)( +-?[0-9]+)?$")


@suite.check
def operations_endpoints(s):
    base = s["node"].base
    for path in ("/healthz", "/readyz"):
        st, _, _ = get_text(base + path)
        assert st == 200, (path, st)
    st, ctype, text = get_text(base + "/metrics")
    assert st == 200 and ctype.startswith("text/plain"), (st, ctype)
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert samples, "no metrics"
    bad = [line for line in samples if not METRIC_LINE.match(line)]
    assert not bad, f"not Prometheus text format: {bad[:3]}"


@suite.check
def http_keep_alive_and_pipelining(s):
    req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", s["node"].port), timeout=20) as sock:
        sock.sendall(req)
        status, headers, _ = read_http_response(sock)
        assert status == 200, status
        assert headers.get("connection", "").lower() != "close", headers
        # Two more requests in one write, the last asking to close.
        sock.sendall(req + b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200") == 2, data[:400]


@suite.check
def nonce_expires_after_nonce_ttl(s):
    node = suite.node({"channels": {"nonce_ttl": "1s"}})
    api = Api(node)
    token, _ = api.user("ttl")
    cid = api.create_channel(token, "ttl")["id"]
    first = api.post(token, cid, "once", nonce="ttl")[1]["message"]

    def resent_is_new():
        st, b, _ = api.post(token, cid, "once", nonce="ttl")
        assert st in (200, 201), (st, b)
        return b["message"]["id"] != first["id"] and b["message"]

    second = wait_until(resent_is_new, 30, "the nonce to expire", interval=0.1)
    assert second["seq"] == 2, second
    assert [m["seq"] for m in api.all_messages(token, cid)] == [1, 2]


if __name__ == "__main__":
    suite.main(setup)
