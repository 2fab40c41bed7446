"""Shared code of PlexiChat's integration tests: node launcher, HTTP and WebSocket helpers.

Standard library plus Debian's python3-websockets (10.4). Run with /usr/bin/python3.
The node binary comes from $PLEXICHAT_NODE (ctest sets it).
"""
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import uuid

import websockets

PASSWORD = "correct horse battery"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "ERROR: UndefinedBehaviorSanitizer")


# ---------------------------------------------------------------------------------------------
# Small utilities


def node_binary():
    path = os.environ.get("PLEXICHAT_NODE")
    if not path:
        raise SystemExit("set PLEXICHAT_NODE to the plexichat-node binary")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"PLEXICHAT_NODE={path} is not an executable file")
    return path


_ports_given = set()


def free_port():
    """A loopback port free now, and not handed out before by this process: the kernel may
    give a port just closed again, and a node refuses the same port for listen and
    cluster_listen."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def uname(prefix="u"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def wait_until(cond, timeout=10.0, what="condition", interval=0.02):
    """Polls cond() until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _yaml_scalar(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid YAML double-quoted scalar


def to_yaml(tree, indent=0):
    """Writes a nested dict of scalars and lists of scalars as YAML."""
    lines = []
    for key, value in tree.items():
        pad = "  " * indent
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.append(to_yaml(value, indent + 1))
        elif isinstance(value, (list, tuple)):
            lines.append(f"{pad}{key}: [{', '.join(_yaml_scalar(v) for v in value)}]")
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}")
    return "\n".join(line for line in lines if line)


def deep_merge(base, extra):
    out = dict(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# The node


class Node:
    """One plexichat-node process on 127.0.0.1 with its own temporary directory.

    The directory holds config.yaml, node.log (stdout and stderr) and data/. `config` is
    merged over the defaults below (auth.password_hash_cost: min for fast registration).
    """

    def __init__(self, config=None, workdir=None):
        self.binary = node_binary()
        self.workdir = workdir or tempfile.mkdtemp(prefix="pc-it-")
        self.data_dir = os.path.join(self.workdir, "data")
        self.port = free_port()
        self.config = deep_merge({
            "name": "it-node",
            "data_dir": self.data_dir,
            "listen": f"127.0.0.1:{self.port}",
            "log": {"level": "info"},
            "threads": {"scheduler": 2, "io": 2},
            "auth": {"password_hash_cost": "min"},
        }, config)
        self.config_path = os.path.join(self.workdir, "config.yaml")
        self.log_path = os.path.join(self.workdir, "node.log")
        self.proc = None
        self.starts = 0
        self.write_config()

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write(to_yaml(self.config) + "\n")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, wait_ready=True, timeout=60, extra_args=()):
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
        args = [self.binary, "--config", self.config_path, *extra_args]
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts + 1}: {' '.join(args)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                         env=env)
        self.starts += 1
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited with {self.proc.returncode}: {self.tail_log()}")
            try:
                return http("GET", self.base + "/readyz", timeout=2)[0] == 200
            except OSError:
                return False
        wait_until(ready, timeout, "GET /readyz == 200", interval=0.05)

    def healthy(self):
        try:
            return self.running() and http("GET", self.base + "/healthz", timeout=5)[0] == 200
        except OSError:
            return False

    def signal_and_wait(self, sig, timeout):
        """Sends sig and waits up to timeout s; returns the exit code, or None (then kills)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stop(self, timeout=10):
        return self.signal_and_wait(signal.SIGTERM, timeout)

    def kill(self):
        return self.signal_and_wait(signal.SIGKILL, 10)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def tail_log(self, n=3000):
        return self.log_text()[-n:]

    def sanitizer_findings(self):
        text = self.log_text()
        lines = [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKERS)]
        return lines

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def cleanup(self, keep_on_failure=False):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        if keep_on_failure:
            print(f"     (node directory kept: {self.workdir})")
            return
        for _ in range(5):  # a just-killed process's files can still be appearing
            shutil.rmtree(self.workdir, ignore_errors=True)
            if not os.path.exists(self.workdir):
                return
            time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# HTTP


def http(method, url, body=None, token=None, raw=None, headers=None, timeout=20):
    """Returns (status, parsed JSON or None, headers dict). Never raises on HTTP errors."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            payload, status, hdrs = r.read(), r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        payload, status, hdrs = e.read(), e.code, dict(e.headers)
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = {"_raw": payload[:200]}
    return status, parsed, hdrs


def error_code(body):
    try:
        return body["error"]["code"]
    except (TypeError, KeyError):
        return None


def assert_error(got, status, code=None, what=""):
    """got is an http() result; checks the status and the protocol's error body."""
    s, b, hdrs = got
    expected = status if isinstance(status, (tuple, list, set)) else (status,)
    assert s in expected, f"{what}: expected status {status}, got {s} {b}"
    ctype = {k.lower(): v for k, v in hdrs.items()}.get("content-type", "")
    assert ctype.startswith("application/json"), f"{what}: error Content-Type {ctype!r}"
    assert isinstance(b, dict) and isinstance(b.get("error"), dict), f"{what}: no error body: {b}"
    assert isinstance(b["error"].get("code"), str) and isinstance(b["error"].get("message"), str), \
        f"{what}: error body lacks code/message: {b}"
    if code is not None:
        codes = code if isinstance(code, (tuple, list, set)) else (code,)
        assert b["error"]["code"] in codes, f"{what}: expected code {code}, got {b}"


class Api:
    """REST calls against one node."""

    def __init__(self, node):
        self.node = node

    def call(self, method, path, body=None, token=None, **kw):
        return http(method, self.node.base + path, body, token, **kw)

    def register(self, username, password=PASSWORD):
        return self.call("POST", "/api/v1/auth/register", {"username": username, "password": password})

    def login(self, username, password=PASSWORD):
        return self.call("POST", "/api/v1/auth/login", {"username": username, "password": password})

    def audit_records(self, token, limit=50):
        """Every audit record, read page by page (`limit` a page) as an admin."""
        out, after = [], 0
        while True:
            st, b, _ = self.call("GET", f"/api/v1/admin/audit?after={after}&limit={limit}",
                                 token=token)
            assert st == 200, (st, b)
            out += b["records"]
            if not b["has_more"]:
                return out
            after = b["records"][-1]["seq"]

    def user(self, prefix="u"):
        """Registers a fresh user and logs in; returns (token, user object)."""
        name = uname(prefix)
        s, b, _ = self.register(name)
        assert s == 201, ("register", s, b)
        s, b, _ = self.login(name)
        assert s == 200 and b.get("token"), ("login", s, b)
        return b["token"], b["user"]

    def create_channel(self, token, name="room", private=None, topic=None):
        body = {"name": name}
        if private is not None:
            body["private"] = private
        if topic is not None:
            body["topic"] = topic
        s, b, _ = self.call("POST", "/api/v1/channels", body, token=token)
        assert s == 201, ("create channel", s, b)
        return b["channel"]

    def join(self, token, cid):
        s, b, _ = self.call("POST", f"/api/v1/channels/{cid}/members", {}, token=token)
        assert s == 204, ("join", s, b)

    def post(self, token, cid, content, nonce=None):
        body = {"content": content}
        if nonce is not None:
            body["nonce"] = nonce
        return self.call("POST", f"/api/v1/channels/{cid}/messages", body, token=token)

    def history(self, token, cid, query=""):
        return self.call("GET", f"/api/v1/channels/{cid}/messages{query}", token=token)

    def all_messages(self, token, cid):
        """Every message of a channel, paging with after= and limit=200."""
        out, after = [], 0
        while True:
            s, b, _ = self.history(token, cid, f"?after={after}&limit=200")
            assert s == 200, ("history", s, b)
            out += b["messages"]
            if not b["messages"] or not b["has_more"]:
                return out
            after = b["messages"][-1]["seq"]


def raw_http(port, data, timeout=10, read_body=True):
    """Sends raw bytes to the client listener and reads one HTTP response.

    Returns (status, headers dict with lower-case names, body bytes), or (None, {}, b"")
    when the node closed the connection without answering. Write errors are ignored: a
    node may answer early and close while a large request is still being sent.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_http_response(s, read_body)


def read_http_response(s, read_body=True):
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        if b"\r\n\r\n" not in buf:
            return "timeout", {}, buf  # neither an answer nor a close: the node hangs
    if b"\r\n\r\n" not in buf:
        return None, {}, buf
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if read_body and "content-length" in headers:
        need = int(headers["content-length"])
        try:
            while len(rest) < need:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return status, headers, rest


def get_text(url, timeout=20):
    """GET returning (status, Content-Type, body text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")


def metric(node, name):
    """The value of the first sample of `name` on the node's /metrics (a name written with its
    labels, `name{a="b"}`, picks that sample), or None when there is none."""
    found = re.search(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? +(\S+)$",
                      get_text(node.base + "/metrics")[2], re.M)
    return float(found.group(1)) if found else None


def channel_actors(node):
    """The node's plexichat_channel_actors gauge, or None when it has no such metric."""
    return metric(node, "plexichat_channel_actors")


def json_body(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# WebSocket (python3-websockets)


def close_code(exc):
    """The close code the node sent, from a websockets ConnectionClosed."""
    if getattr(exc, "rcvd", None) is not None:
        return exc.rcvd.code
    return None


class Ws:
    """One WebSocket session; `async with Ws(url, token)` authenticates (token=None: not)."""

    def __init__(self, url, token=None, **connect_kw):
        self.url, self.token = url, token
        self.connect_kw = dict(max_size=None, open_timeout=20, ping_interval=None)
        self.connect_kw.update(connect_kw)
        self.conn = None
        self.inbox = []
        self.user = self.session_id = None

    async def open(self):
        self.conn = await websockets.connect(self.url, **self.connect_kw)
        if self.token is not None:
            await self.send({"type": "auth", "token": self.token})
            ready = await self.expect("ready")
            self.user, self.session_id = ready.get("user"), ready.get("session_id")
        return self

    async def __aenter__(self):
        return await self.open()

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self):
        if self.conn is not None:
            await self.conn.close()

    async def send(self, obj):
        await self.conn.send(obj if isinstance(obj, (str, bytes)) else json.dumps(obj))

    async def next_frame(self, timeout):
        if self.inbox:
            return self.inbox.pop(0)
        raw = await asyncio.wait_for(self.conn.recv(), timeout)
        return json.loads(raw)

    async def expect(self, type_, timeout=20, **match):
        """Waits for the first frame of that type, or of one of a tuple of types (and matching
        fields); keeps the others in the inbox."""
        deadline = time.monotonic() + timeout
        kept, pending = [], self.inbox
        self.inbox = []
        try:
            while True:
                if pending:
                    frame = pending.pop(0)
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(f"no {type_} frame matching {match} in {timeout}s; "
                                           f"saw {kept[-5:]}")
                    try:
                        frame = json.loads(await asyncio.wait_for(self.conn.recv(), left))
                    except asyncio.TimeoutError:
                        raise TimeoutError(f"no {type_} frame matching {match} in {timeout}s; "
                                           f"saw {kept[-5:]}") from None
                types = type_ if isinstance(type_, tuple) else (type_,)
                if frame.get("type") in types and all(frame.get(k) == v for k, v in match.items()):
                    return frame
                kept.append(frame)
        finally:
            self.inbox = kept + pending + self.inbox

    async def messages(self, channel_id, count, timeout=60):
        """Collects `count` message frames of a channel, in arrival order; keeps the others."""
        got, kept = [], []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            if self.inbox:
                frame = self.inbox.pop(0)
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"got {len(got)} of {count} messages; other frames "
                                       f"{kept[-3:]}")
                try:
                    frame = json.loads(await asyncio.wait_for(self.conn.recv(), left))
                except asyncio.TimeoutError:
                    raise TimeoutError(f"got {len(got)} of {count} messages; other frames "
                                       f"{kept[-3:]}") from None
            if frame.get("type") == "message" and frame["message"].get("channel_id") == channel_id:
                got.append(frame["message"])
            else:
                kept.append(frame)
        self.inbox = kept + self.inbox
        return got

    async def quiet(self, timeout=0.3):
        """Frames that arrive within `timeout` (used only to check nothing extra arrives)."""
        out = list(self.inbox)
        self.inbox = []
        try:
            while True:
                out.append(json.loads(await asyncio.wait_for(self.conn.recv(), timeout)))
        except asyncio.TimeoutError:
            return out

    async def closed_with(self, timeout=20):
        """Reads until the node closes the connection; returns its close code."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"connection still open after {timeout}s")
                await asyncio.wait_for(self.conn.recv(), left)
        except websockets.ConnectionClosed as e:
            return close_code(e)

    async def subscribe(self, channel_id, after_seq=None):
        req = {"type": "subscribe", "channel_id": channel_id}
        if after_seq is not None:
            req["after_seq"] = after_seq
        await self.send(req)
        return await self.expect("subscribed", channel_id=channel_id)

    async def say(self, channel_id, content, nonce):
        await self.send({"type": "send", "channel_id": channel_id, "content": content, "nonce": nonce})
        return await self.expect("ack", nonce=nonce)

    async def ping(self, nonce="p"):
        await self.send({"type": "ping", "nonce": nonce})
        return await self.expect("pong", nonce=nonce)


# ---------------------------------------------------------------------------------------------
# Raw WebSocket: for frames python3-websockets will not send, and for a client that never reads


class RawWs:
    """A blocking, hand-driven WebSocket client on a plain socket."""

    def __init__(self, port, rcvbuf=None, timeout=20):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the WebSocket handshake")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n")[0]
        if b" 101 " not in status + b" ":
            raise ConnectionError(f"handshake refused: {status!r}")

    def send_frame(self, payload, opcode=0x1, fin=True, mask=True):
        self.sock.sendall(self.frame_bytes(payload, opcode, fin, mask))

    @staticmethod
    def frame_bytes(payload, opcode=0x1, fin=True, mask=True):
        """One frame as a client sends it, for writing several at once."""
        if isinstance(payload, str):
            payload = payload.encode()
        header = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        mbit = 0x80 if mask else 0
        if n < 126:
            header += bytes([mbit | n])
        elif n < 65536:
            header += bytes([mbit | 126]) + struct.pack("!H", n)
        else:
            header += bytes([mbit | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            payload = _mask_fast(payload, key)
            header += key
        return header + payload

    def send_json(self, obj):
        self.send_frame(json.dumps(obj))

    def _read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_frame(self):
        """Returns (opcode, payload bytes); raises EOFError when the TCP stream ends."""
        b0, b1 = self._read_exact(2)
        self.last_fin = bool(b0 & 0x80)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read_exact(8))[0]
        key = self._read_exact(4) if b1 & 0x80 else None
        payload = self._read_exact(n)
        if key:
            payload = _mask_fast(payload, key)
        return b0 & 0x0F, payload

    def read_json(self):
        """The next text message, its fragments joined (the node fragments long messages)."""
        parts = None
        while True:
            op, payload = self.read_frame()
            fin = self.last_fin
            if op == 0x1 or (op == 0x0 and parts is not None):
                parts = (parts or []) + [payload]
                if fin:
                    return json.loads(b"".join(parts))
                continue
            if op == 0x8:
                raise EOFError(f"closed: {close_payload_code(payload)}")

    def read_until_close(self):
        """Drains frames until a close frame (returns (code, text frames read)) or EOF (None)."""
        count = 0
        try:
            while True:
                op, payload = self.read_frame()
                if op == 0x8:
                    return close_payload_code(payload), count
                if op == 0x1:
                    count += 1
        except (EOFError, ConnectionResetError):
            return None, count
        except socket.timeout:
            return "timeout", count

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def close_payload_code(payload):
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def _mask_fast(payload, key):
    n = len(payload)
    if n == 0:
        return payload
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


# ---------------------------------------------------------------------------------------------
# Running checks


class Suite:
    """Runs checks in order, one line each, then 'N passed, N failed'; exits non-zero on failure.

    A check is a function taking the suite's context; an async function is run with
    asyncio.run. setup() returns the context. At the end every node the suite started is
    stopped with SIGTERM (itself a check: exit code 0 within 15 s), its log is searched for
    sanitizer reports (a check too), and its directory is removed.
    """

    def __init__(self, name):
        self.name = name
        self.checks = []
        self.passed = self.failed = 0
        self.nodes = []

    def check(self, fn):
        self.checks.append(fn)
        return fn

    def node(self, config=None, start=True, **kw):
        """A node this suite cleans up; started unless start=False."""
        n = Node(config, **kw)
        self.nodes.append(n)
        if start:
            n.start()
        return n

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {self.name}.{name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {self.name}.{name}\n{detail}", flush=True)

    def run_one(self, fn, ctx):
        try:
            result = fn(ctx)
            if asyncio.iscoroutine(result):
                asyncio.run(asyncio.wait_for(result, 240))
            self.record(fn.__name__, True)
        except Exception:
            self.record(fn.__name__, False, traceback.format_exc())

    def main(self, setup=None):
        ctx = None
        try:
            ctx = setup() if setup else None
            for fn in self.checks:
                self.run_one(fn, ctx)
        except Exception:
            self.record("setup", False, traceback.format_exc())
        finally:
            self.finish()

    def finish(self):
        for i, n in enumerate(self.nodes, 1):
            if n.running():
                code = n.stop(timeout=15)
                why = "still running 15 s after SIGTERM" if code is None else f"exit code {code}"
                self.record(f"node{i}_stopped_cleanly", code == 0, f"{why}\n{n.tail_log()}")
        for i, n in enumerate(self.nodes, 1):
            findings = n.sanitizer_findings()
            self.record(f"node{i}_no_sanitizer_findings", not findings,
                        "\n".join(findings[:20]) + "\n" + n.tail_log(6000))
        # PLEXICHAT_KEEP_FAILED=1 keeps the nodes' directories (logs, RocksDB) of a failed run.
        keep = self.failed > 0 and os.environ.get("PLEXICHAT_KEEP_FAILED") == "1"
        for n in self.nodes:
            if self.failed:
                print(f"---- node log tail ({n.log_path}) ----\n{n.tail_log(4000)}")
            n.cleanup(keep_on_failure=keep)
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)
