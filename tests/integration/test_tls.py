#!/usr/bin/python3
"""Client TLS: with tls.certificate and tls.key the listener serves HTTPS and WSS only, TLS
1.2 and 1.3 only, with Strict-Transport-Security on every response; plain HTTP gets no HTTP
answer; the request limits and the close on stop still work; a missing or bad certificate
or key, or a malformed address list, stops the node at start-up with one clear line."""
import asyncio
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import warnings

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Suite, Ws, free_port, node_binary, raw_http, read_http_response,  # noqa: E402
                     uname, wait_until)

warnings.filterwarnings("ignore", "ssl.TLSVersion.TLSv1_1 is deprecated", DeprecationWarning)
suite = Suite("tls")
S = {}
HSTS = "max-age=31536000"


def make_cert(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def client_context(cafile, max_version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    if max_version is not None:
        # Let this client offer old versions, so that the refusal is the node's (this
        # context does complete TLS 1.1 with a server that allows it, e.g. openssl s_server).
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = max_version
    return ctx


def https(method, path, body=None, token=None, ctx=None):
    """(status, parsed JSON or None, headers with lower-case names) over HTTPS."""
    node = S["node"]
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"https://127.0.0.1:{node.port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=20, context=ctx or S["ctx"]) as r:
            payload, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        payload, status, hdrs = e.read(), e.code, e.headers
    lower = {k.lower(): v for k, v in hdrs.items()}
    return status, (json.loads(payload) if payload else None), lower


def setup():
    S["tmp"] = tempfile.mkdtemp(prefix="pc-it-tls-")
    S["cert"], S["key"] = make_cert(S["tmp"])
    S["ctx"] = client_context(S["cert"])
    node = suite.node({"tls": {"certificate": S["cert"], "key": S["key"]},
                       "limits": {"max_body_bytes": "64KiB"},
                       "rate_limits": {"ws_frames": {"rate": 1, "burst": 5}}}, start=False)
    S["node"] = node
    node.start(wait_ready=False)

    def ready():
        assert node.running(), node.tail_log()
        try:
            return https("GET", "/readyz")[0] == 200
        except OSError:
            return False
    wait_until(ready, 60, "GET /readyz over HTTPS", interval=0.1)
    return S


@suite.check
def https_answers_carry_hsts(s):
    status, body, hdrs = https("GET", "/healthz")
    assert status == 200 and body == {"status": "ok"}, (status, body)
    assert hdrs.get("strict-transport-security") == HSTS, hdrs
    name = uname("tls")
    status, _, hdrs = https("POST", "/api/v1/auth/register",
                            {"username": name, "password": "correct horse battery"})
    assert status == 201 and hdrs.get("strict-transport-security") == HSTS, (status, hdrs)
    status, body, hdrs = https("POST", "/api/v1/auth/login",
                               {"username": name, "password": "correct horse battery"})
    assert status == 200 and body.get("token"), (status, body)
    s["token"] = body["token"]
    status, body, hdrs = https("GET", "/api/v1/no-such-thing")
    assert status == 404 and hdrs.get("strict-transport-security") == HSTS, (status, hdrs)
    status, body, _ = https("GET", "/api/v1/users/me", token=s["token"])
    assert status == 200 and body["user"]["username"] == name, (status, body)


@suite.check
async def wss_session_works(s):
    url = f"wss://127.0.0.1:{s['node'].port}/api/v1/ws"
    async with Ws(url, s["token"], ssl=s["ctx"]) as ws:
        assert ws.user and ws.user.get("username"), ws.user
        assert (await ws.ping("over-tls"))["nonce"] == "over-tls"
        assert ws.conn.response_headers.get("Strict-Transport-Security") == HSTS


@suite.check
async def wss_subscriber_gets_a_burst_whole_and_in_order(s):
    # Messages committed together reach a subscriber as one batch, written over TLS as one
    # record; posted at once from several threads, so that some commit together.
    status, body, _ = https("POST", "/api/v1/channels", {"name": "tls-room"}, token=s["token"])
    assert status in (200, 201), (status, body)
    cid = body["channel"]["id"]
    url = f"wss://127.0.0.1:{s['node'].port}/api/v1/ws"
    async with Ws(url, s["token"], ssl=s["ctx"]) as ws:
        await ws.subscribe(cid)
        count = 40
        loop = asyncio.get_running_loop()
        posts = [loop.run_in_executor(None, https, "POST", f"/api/v1/channels/{cid}/messages",
                                      {"content": f"burst {i} " + "x" * 300}, s["token"])
                 for i in range(count)]
        for status, body, _ in await asyncio.gather(*posts):
            assert status in (200, 201), (status, body)
        got = await ws.messages(cid, count)
        assert [m["seq"] for m in got] == list(range(1, count + 1)), [m["seq"] for m in got]
        assert sorted(m["content"].split()[1] for m in got) == sorted(str(i) for i in range(count))


@suite.check
async def wss_frame_flood_closes_4008(s):
    url = f"wss://127.0.0.1:{s['node'].port}/api/v1/ws"
    async with Ws(url, s["token"], ssl=s["ctx"]) as ws:
        for i in range(30):
            try:
                await ws.send({"type": "ping", "nonce": f"f{i}"})
            except websockets.ConnectionClosed:
                break
        assert await ws.closed_with() == 4008


@suite.check
def tls12_accepted_tls11_refused(s):
    status, _, hdrs = https("GET", "/healthz", ctx=client_context(s["cert"], ssl.TLSVersion.TLSv1_2))
    assert status == 200 and hdrs.get("strict-transport-security") == HSTS
    old = client_context(s["cert"], ssl.TLSVersion.TLSv1_1)
    try:
        with socket.create_connection(("127.0.0.1", s["node"].port), timeout=10) as raw:
            with old.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                raise AssertionError(f"TLS handshake succeeded with {tls.version()}")
    except ssl.SSLError:
        pass


@suite.check
def plain_http_gets_no_http_answer(s):
    status, _, data = raw_http(s["node"].port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status is None, (status, data[:200])
    assert b"HTTP/" not in data, data[:200]
    assert https("GET", "/healthz")[0] == 200, "the node still serves HTTPS"


@suite.check
def body_too_large_over_tls(s):
    body = b"x" * (100 * 1024)
    head = (f"POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", s["node"].port), timeout=20) as raw:
        with s["ctx"].wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            try:
                tls.sendall(head + body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            status, headers, _ = read_http_response(tls)
    assert status == 413, status
    assert headers.get("strict-transport-security") == HSTS, headers


@suite.check
async def stop_closes_wss_with_1001(s):
    url = f"wss://127.0.0.1:{s['node'].port}/api/v1/ws"
    async with Ws(url, s["token"], ssl=s["ctx"]) as ws:
        s["node"].proc.send_signal(15)
        assert await ws.closed_with() == 1001
    assert await asyncio.to_thread(s["node"].proc.wait, 15) == 0


def refusal(config_lines, *words):
    """Starts a node with these config lines; checks one stderr line holding every word, a
    non-zero exit, and no data directory."""
    data = os.path.join(S["tmp"], "data-" + uname("d"))
    path = os.path.join(S["tmp"], uname("cfg") + ".yaml")
    with open(path, "w") as f:
        f.write(f"data_dir: {json.dumps(data)}\nlisten: 127.0.0.1:{free_port()}\n" + config_lines)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    proc = subprocess.run([node_binary(), "--config", path], capture_output=True, timeout=60,
                          env=env, stdin=subprocess.DEVNULL)
    err = proc.stderr.decode(errors="replace")
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode > 0, (proc.returncode, err[-2000:])
    assert len(lines) == 1, f"expected one line on stderr: {err[-2000:]!r}"
    for w in words:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    assert not os.path.exists(data), "wrote the data directory"
    return lines[0]


@suite.check
def missing_key_file_stops_the_node(s):
    missing = os.path.join(s["tmp"], "no-such-key.pem")
    refusal(f"tls:\n  certificate: {json.dumps(s['cert'])}\n  key: {json.dumps(missing)}\n",
            "tls.key", missing)


@suite.check
def bad_certificate_and_mismatched_key_stop_the_node(s):
    junk = os.path.join(s["tmp"], "junk.pem")
    with open(junk, "w") as f:
        f.write("not a certificate\n")
    refusal(f"tls:\n  certificate: {json.dumps(junk)}\n  key: {json.dumps(s['key'])}\n",
            "tls.certificate", junk)
    other = os.path.join(s["tmp"], "other")
    os.makedirs(other)
    _, other_key = make_cert(other)
    refusal(f"tls:\n  certificate: {json.dumps(s['cert'])}\n  key: {json.dumps(other_key)}\n",
            "tls.key", "does not match")
    refusal(f"tls:\n  certificate: {json.dumps(s['cert'])}\n", "tls.key")


@suite.check
def malformed_address_lists_stop_the_node(s):
    refusal('net:\n  deny: ["10.0.0.300/8"]\n', "net.deny[0]", "10.0.0.300/8")
    refusal('net:\n  allow: ["192.168.1.1/24"]\n', "net.allow[0]", "192.168.1.0/24")


if __name__ == "__main__":
    try:
        suite.main(setup)
    finally:
        shutil.rmtree(S.get("tmp", ""), ignore_errors=True)
