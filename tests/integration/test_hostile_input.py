#!/usr/bin/python3
"""Hostile input over HTTP and WebSocket: clear errors, no crash, no stall, no stored change."""
import asyncio
import json
import os
import socket
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Api, RawWs, Suite, Ws, assert_error, close_code, json_body,  # noqa: E402
                     raw_http, wait_until)

MAX_BODY = 32 * 1024
MAX_FRAME = 32 * 1024
suite = Suite("hostile_input")
S = {}


def setup():
    node = suite.node({"limits": {"max_body_bytes": "32KiB", "max_frame_bytes": "32KiB",
                                  "max_header_bytes": "8KiB", "auth_timeout": "2s"}})
    api = Api(node)
    S.update(node=node, api=api)
    S["token"], S["user"] = api.user("hostile")
    S["cid"] = api.create_channel(S["token"], "target")["id"]
    assert api.post(S["token"], S["cid"], "the only message")[0] == 201
    return S


def last_seq(s):
    st, b, _ = s["api"].call("GET", f"/api/v1/channels/{s['cid']}", token=s["token"])
    assert st == 200, (st, b)
    return b["channel"]["last_seq"]


def still_serving(s):
    st, _, _ = s["api"].call("GET", "/healthz")
    assert st == 200, f"/healthz answered {st}"
    assert s["node"].running(), "node died"
    assert last_seq(s) == 1, "stored data changed"


def post_raw(s, path, raw, token=True):
    return s["api"].call("POST", path, raw=raw, token=s["token"] if token else None)


MALFORMED = [b"", b"{", b"}", b"[]", b"null", b'"text"', b"123", b'{"a":}', b"{'a': 1}",
             b'{"content": "x",}', b'{"content": "x"} trailing', b'{"content": "x"}{"content": "y"}',
             b"\xff\xfe", b'{"content": "x" "nonce": "y"}', b'{"content": NaN}']


@suite.check
def malformed_json_is_400_everywhere(s):
    paths = ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/channels",
             f"/api/v1/channels/{s['cid']}/messages", f"/api/v1/channels/{s['cid']}/members"]
    for path in paths:
        for raw in MALFORMED:
            if raw == b"" and path.endswith("/members"):
                continue  # an empty body may reasonably mean {} (join)
            assert_error(post_raw(s, path, raw), 400, "invalid_request", f"{path} {raw[:30]!r}")
    still_serving(s)


@suite.check
def deeply_nested_json_is_400(s):
    path = f"/api/v1/channels/{s['cid']}/messages"
    cases = {
        "10000 [": b"[" * 10000,
        "10000 [ closed": b"[" * 10000 + b"]" * 10000,
        "5000 {a: (within max_body_bytes)": b'{"a":' * 5000 + b"1" + b"}" * 5000,
        "deep value in a valid body": b'{"content": "x", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "depth 33": b'{"content": "x", "extra": ' + b"[" * 32 + b"]" * 32 + b"}",
    }
    for what, raw in cases.items():
        assert_error(post_raw(s, path, raw), 400, "invalid_request", what)
    assert_error(post_raw(s, "/api/v1/auth/register", b"[" * 10000, token=False), 400,
                 "invalid_request", "nested register")
    still_serving(s)


@suite.check
def invalid_unicode_in_strings_is_400(s):
    path = f"/api/v1/channels/{s['cid']}/messages"
    bad = [b'{"content": "\xff"}', b'{"content": "ok \xc3\x28"}', b'{"content": "\xc0\xaf"}',
           b'{"content": "\xed\xa0\x80"}', b'{"content": "\xf4\x90\x80\x80"}',
           b'{"content": "\\ud800"}', b'{"content": "x\\udc00y"}', b'{"content": "\xe2\x82"}',
           b'{"content": "x", "nonce": "\xff"}', b'{"content": "bad \\u12"}',
           b'{"content": "x\x01raw control"}']
    for raw in bad:
        assert_error(post_raw(s, path, raw), 400, "invalid_request", repr(raw))
    assert_error(post_raw(s, "/api/v1/auth/register", b'{"username": "ab\xffcd", "password": "violet lamp under stairs"}',
                          token=False), 400, "invalid_request", "register invalid UTF-8")
    assert_error(post_raw(s, "/api/v1/channels", b'{"name": "\xfe\xff"}'), 400, "invalid_request",
                 "channel name invalid UTF-8")
    still_serving(s)


@suite.check
def wrong_json_types_are_400(s):
    api, token, cid = s["api"], s["token"], s["cid"]
    cases = [
        ("/api/v1/auth/register", {"username": 5, "password": "violet lamp under stairs"}),
        ("/api/v1/auth/register", {"username": ["abc"], "password": "violet lamp under stairs"}),
        ("/api/v1/auth/register", {"username": "abcdef", "password": None}),
        ("/api/v1/auth/register", {"username": "abcdef", "password": 12345678}),
        ("/api/v1/auth/login", {"username": {"a": 1}, "password": "violet lamp under stairs"}),
        ("/api/v1/channels", {"name": 5}),
        ("/api/v1/channels", {"name": "x", "private": "yes"}),
        ("/api/v1/channels", {"name": "x", "private": 1}),
        ("/api/v1/channels", {"name": "x", "topic": ["t"]}),
        (f"/api/v1/channels/{cid}/messages", {"content": 5}),
        (f"/api/v1/channels/{cid}/messages", {"content": ["x"]}),
        (f"/api/v1/channels/{cid}/messages", {"content": None}),
        (f"/api/v1/channels/{cid}/messages", {"content": "x", "nonce": 5}),
        (f"/api/v1/channels/{cid}/messages", {"content": {"text": "x"}}),
        (f"/api/v1/channels/{cid}/members", {"user_id": 5}),
    ]
    for path, body in cases:
        assert_error(api.call("POST", path, body, token=token), 400, "invalid_request",
                     f"{path} {body}")
    still_serving(s)


@suite.check
def oversized_body_is_413(s):
    port, path = s["node"].port, f"/api/v1/channels/{s['cid']}/messages"
    auth = f"Authorization: Bearer {s['token']}\r\n"
    body = b'{"content": "' + b"x" * (MAX_BODY + 1000) + b'"}'
    cases = {
        "content-length": (f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n"
                           f"Content-Length: {len(body)}\r\n\r\n").encode() + body,
        "declared 10 GB": (f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n"
                           "Content-Length: 10000000000\r\n\r\n").encode() + b'{"content": "',
        "chunked": (f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n").encode()
                   + b"".join(b"%x\r\n" % len(body[i:i + 4096]) + body[i:i + 4096] + b"\r\n"
                              for i in range(0, len(body), 4096)) + b"0\r\n\r\n",
        "register": (b"POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body)) + body,
    }
    for what, data in cases.items():
        status, _, raw = raw_http(port, data)
        assert status == 413, (what, status, raw[:200])
        b = json_body(raw)
        assert b and b["error"]["code"] == "too_large", (what, raw[:200])
    still_serving(s)


@suite.check
def body_just_within_the_limit_is_not_413(s):
    port, path = s["node"].port, f"/api/v1/channels/{s['cid']}/messages"
    body = b'{"content": "' + b"y" * (MAX_BODY - 100) + b'"}'  # fits, but too many characters
    data = (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {s['token']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    status, _, raw = raw_http(port, data)
    assert status == 400 and json_body(raw)["error"]["code"] == "invalid_request", (status, raw[:200])
    still_serving(s)


@suite.check
def oversized_header_is_refused(s):
    port = s["node"].port
    for what, head in {
        "one huge header": "X-Big: " + "h" * 64 * 1024 + "\r\n",
        "many headers": "".join(f"X-H{i}: {'v' * 100}\r\n" for i in range(500)),
        "huge url": "",
    }.items():
        target = "/healthz?" + "q" * 64 * 1024 if what == "huge url" else "/healthz"
        data = f"GET {target} HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode()
        status, _, raw = raw_http(port, data)
        assert status in (400, 413, 414, 431, None), (what, status, raw[:200])
    still_serving(s)


@suite.check
def garbage_bytes_on_the_socket(s):
    port = s["node"].port
    garbage = [os.urandom(65536), b"\x00" * 1000, b"GET / HTTP/9.9\r\n\r\n",
               b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200),  # TLS hello
               b"HELLO\r\n\r\n", b"GET\r\n\r\n", b"POST /api/v1/auth/login HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
               b"POST /api/v1/auth/login HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
               b"\r\n" * 5000]
    for data in garbage:
        status, _, raw = raw_http(port, data, timeout=30)
        # An answer must be an error, or the node just closes; either way it must not hang.
        assert status is None or (isinstance(status, int) and 400 <= status < 500), \
            (data[:40], status, raw[:200])
    for _ in range(3):  # half a request, then hang up
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    still_serving(s)


@suite.check
def transfer_encoding_without_chunked_is_400(s):
    """RFC 9112 6.3: a request whose final transfer coding is not chunked gets 400."""
    for te in ("bogus", "gzip", "chunked, gzip"):
        data = f"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {te}\r\n\r\n".encode()
        status, _, raw = raw_http(s["node"].port, data)
        assert status == 400 or status is None, (te, status, raw[:100])
    still_serving(s)


@suite.check
def unknown_routes_are_404(s):
    api, token = s["api"], s["token"]
    for path in ("/api/v1/nope", "/api/v2/channels", "/api/v1/channels/x/y/z", "/api/v1/users",
                 "/api/v1/users/me/extra", "/api/v1/auth", "/nope", "/api/v1/wss"):
        for tok in (None, token):
            st, b, _ = api.call("GET", path, token=tok)
            assert st in (401, 404) if tok is None else st == 404, (path, tok is not None, st, b)
            assert b and "error" in b, (path, b)
    still_serving(s)


@suite.check
def wrong_methods_are_refused(s):
    api, token, cid = s["api"], s["token"], s["cid"]
    for method, path in (("PUT", "/api/v1/channels"), ("DELETE", "/api/v1/auth/login"),
                         ("GET", "/api/v1/auth/register"), ("PATCH", "/api/v1/users/me"),
                         ("DELETE", f"/api/v1/channels/{cid}/messages"), ("POST", "/healthz"),
                         ("PUT", f"/api/v1/channels/{cid}"), ("GET", "/api/v1/auth/logout")):
        st, b, _ = api.call(method, path, {} if method in ("PUT", "PATCH", "POST") else None, token=token)
        assert st in (404, 405), (method, path, st, b)
        assert b and "error" in b, (method, path, b)
    still_serving(s)


@suite.check
def bad_ids_and_query_strings(s):
    api, token = s["api"], s["token"]
    for cid in ("..%2F..%2Fetc", "%ff%fe", "x" * 5000, "%27%3B%20DROP%20TABLE", "%00"):
        st, b, _ = api.call("GET", f"/api/v1/channels/{cid}/messages", token=token)
        assert st in (400, 404), (cid[:20], st, b)
    for q in ("?limit=1&limit=2", "?%zz=1", "?after=1&after=x", "?limit=%ff"):
        st, b, _ = api.history(token, s["cid"], q)
        assert st in (200, 400) and b and ("error" in b or "messages" in b), (q, st, b)
    still_serving(s)


async def closed_code(ws, timeout=20):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as e:
        return close_code(e)


@suite.check
async def websocket_oversized_frame_closes_1009(s):
    async with Ws(s["node"].ws_url, s["token"]) as ws:
        await ws.send({"type": "send", "channel_id": s["cid"], "content": "z" * (MAX_FRAME + 10), "nonce": "big"})
        code = await ws.closed_with()
        assert code == 1009, code
    # Fragments that add up to too much count too.
    raw = await asyncio.to_thread(RawWs, s["node"].port)
    try:
        def fragments():
            raw.send_json({"type": "auth", "token": s["token"]})
            assert raw.read_json()["type"] == "ready"
            chunk = b"w" * 8192
            raw.send_frame(b'{"type": "ping", "nonce": "', opcode=0x1, fin=False)
            try:
                for _ in range(MAX_FRAME // len(chunk) + 2):
                    raw.send_frame(chunk, opcode=0x0, fin=False)
                raw.send_frame(b'"}', opcode=0x0, fin=True)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return raw.read_until_close()[0]
        code = await asyncio.to_thread(fragments)
        assert code == 1009, code
    finally:
        raw.close()
    still_serving(s)


@suite.check
async def websocket_unauthenticated_frame_closes_4001(s):
    async with websockets.connect(s["node"].ws_url, open_timeout=20) as ws:
        await ws.send('{"type": "send", "channel_id": "%s", "content": "x", "nonce": "n"}' % s["cid"])
        assert await closed_code(ws) == 4001
    async with websockets.connect(s["node"].ws_url, open_timeout=20) as ws:
        await ws.send("[" * 10000)
        assert await closed_code(ws) == 4001
    async with websockets.connect(s["node"].ws_url, open_timeout=20) as ws:
        assert await closed_code(ws, timeout=30) == 4001, "no auth within limits.auth_timeout"
    still_serving(s)


@suite.check
async def websocket_bad_frames_after_auth(s):
    """Errors keep the session; unparseable frames may close it; the node keeps serving."""
    url, token, cid = s["node"].ws_url, s["token"], s["cid"]
    async with Ws(url, token) as ws:
        for frame in ({"type": 5}, {"no_type": 1}, {"type": "send", "channel_id": 5, "content": "x", "nonce": "t1"},
                      {"type": "send", "channel_id": cid, "content": ["x"], "nonce": "t2"},
                      {"type": "send", "channel_id": cid, "content": "x", "nonce": {"a": 1}},
                      {"type": "subscribe", "channel_id": cid, "after_seq": "zero"}):
            await ws.send(frame)
            err = await ws.expect("error")
            assert isinstance(err.get("code"), str), (frame, err)
        await ws.ping("survived")
    for payload in ("not json", "[" * 10000, "[]", "null", '{"type": "ping"} trailing', '"x"'):
        async with Ws(url, token) as ws:
            await ws.send(payload)
            try:
                frame = await ws.expect("error")
                assert isinstance(frame.get("code"), str), (payload[:20], frame)
            except websockets.ConnectionClosed as e:
                assert close_code(e) not in (None, 1011), (payload[:20], close_code(e))
    async with Ws(url, token) as ws:
        await ws.conn.send(b'{"type": "ping", "nonce": "binary"}')
        try:
            frame = await ws.expect(("pong", "error"))
            assert frame["type"] in ("pong", "error")
        except websockets.ConnectionClosed as e:
            assert close_code(e) not in (None, 1011), ("binary frame", close_code(e))
    still_serving(s)


@suite.check
def websocket_long_fragmented_and_pipelined_frames_arrive_whole(s):
    """The node reads frames a chunk at a time: what spans chunks, fragments or one TCP write
    must still arrive as the messages sent, in order."""
    cid = s["api"].create_channel(s["token"], "chunks")["id"]
    long_text = "\u00e9" * 3000 + "\u4e2d" * 999 + "x"  # 9,000 bytes of UTF-8
    raw = RawWs(s["node"].port)
    try:
        raw.send_json({"type": "auth", "token": s["token"]})
        assert raw.read_json()["type"] == "ready"
        raw.send_json({"type": "send", "channel_id": cid, "content": long_text, "nonce": "long"})
        frame = json.dumps({"type": "send", "channel_id": cid, "content": long_text[::-1],
                            "nonce": "fragmented"}, ensure_ascii=False).encode()
        pieces = [frame[i:i + 700] for i in range(0, len(frame), 700)]  # splits code points too
        for i, piece in enumerate(pieces):
            raw.send_frame(piece, opcode=0x1 if i == 0 else 0x0, fin=i == len(pieces) - 1)
        burst = b""
        for n in range(20):
            burst += RawWs.frame_bytes(json.dumps({"type": "send", "channel_id": cid,
                                                   "content": f"burst {n}", "nonce": f"b{n}"}))
        raw.sock.sendall(burst)
        acks = []
        while len(acks) < 22:
            f = raw.read_json()
            assert f["type"] == "ack", f
            acks.append(f["message"])
    finally:
        raw.close()
    expected = [long_text, long_text[::-1]] + [f"burst {n}" for n in range(20)]
    assert [m["content"] for m in acks] == expected
    assert [m["seq"] for m in acks] == list(range(1, 23))
    st, b, _ = s["api"].call("GET", f"/api/v1/channels/{cid}/messages?limit=50", token=s["token"])
    assert st == 200, (st, b)
    assert [m["content"] for m in b["messages"]] == expected
    still_serving(s)


@suite.check
def websocket_invalid_utf8_text_frame(s):
    raw = RawWs(s["node"].port)
    try:
        raw.send_json({"type": "auth", "token": s["token"]})
        assert raw.read_json()["type"] == "ready"
        raw.send_frame(b'{"type": "send", "channel_id": "' + s["cid"].encode() +
                       b'", "content": "\xff\xfe bad", "nonce": "utf"}')
        try:
            frame = raw.read_json()
            assert frame["type"] == "error", frame  # an error is acceptable, a message is not
        except (EOFError, ConnectionResetError):
            pass  # closing (RFC 6455: 1007) is what a client expects
    finally:
        raw.close()
    still_serving(s)


@suite.check
def websocket_upgrade_garbage(s):
    port = s["node"].port
    for head in ("GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                 "GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 99\r\n\r\n",
                 "POST /api/v1/ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"):
        status, _, raw = raw_http(port, head.encode())
        assert isinstance(status, int) and 400 <= status < 500, (head[:40], status, raw[:100])
    still_serving(s)


def closed_by_node(sock, timeout):
    """True once the node closes sock (EOF or reset) within timeout seconds."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@suite.check
def idle_and_half_sent_requests_are_closed(s):
    node = suite.node({"limits": {"http_idle_timeout": "500ms"}})
    port = node.port
    with socket.create_connection(("127.0.0.1", port)) as idle, \
            socket.create_connection(("127.0.0.1", port)) as half, \
            socket.create_connection(("127.0.0.1", port)) as kept:
        half.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        # 30 s is only the bound: the node's 500 ms idle timeout must close all three.
        assert closed_by_node(idle, 30), "idle connection never closed"
        assert closed_by_node(half, 30), "half-sent request held the connection open (slowloris)"
        assert closed_by_node(kept, 30), "idle keep-alive connection never closed"
    assert node.healthy()


@suite.check
def connection_limit_refuses_and_recovers(s):
    node = suite.node({"limits": {"max_connections": 6}})
    port = node.port
    held = []
    try:
        for _ in range(6):
            # The readiness probe's connection may not be reaped yet when the
            # first of these arrive: retry a refused one until it is.
            held.append(wait_until(lambda: admitted_connection(port), 20,
                                   "a connection within the limit", interval=0.05))
        status, _, raw = raw_http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=20)
        assert status in (503, None), f"connection over the limit: {status} {raw[:100]}"
        if status == 503:
            assert json_body(raw)["error"]["code"] == "unavailable", raw[:200]
    finally:
        for sock in held:
            sock.close()
    wait_until(node.healthy, 20, "/healthz once connections closed", interval=0.05)


def admitted_connection(port):
    """A kept-alive connection that the node answered 200 on, or None if it was refused."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        if read_status(sock) == 200:
            return sock
    except ConnectionResetError:
        pass
    sock.close()
    return None


def read_status(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    return int(data.split(b" ", 2)[1])


@suite.check
def node_survived_everything(s):
    still_serving(s)
    st, b, _ = s["api"].history(s["token"], s["cid"])
    assert [m["content"] for m in b["messages"]] == ["the only message"], b


if __name__ == "__main__":
    suite.main(setup)
