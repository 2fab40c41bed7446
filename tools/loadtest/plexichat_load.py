#!/usr/bin/python3
"""PlexiChat load tool: WebSocket send throughput, and the memory cost of idle sessions.

  plexichat_load.py [--node HOST:PORT | --node-binary PATH] [--pid PID] throughput [...]
  plexichat_load.py [--node HOST:PORT | --node-binary PATH] [--pid PID] idle [...]

Standard library plus Debian's python3-websockets. See README.md beside this file.
"""
import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import websockets

PASSWORD = "load-test-password"


# ---------------------------------------------------------------------------------------------
# Talking to a node


def http(base, method, path, body=None, token=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            payload, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        payload, status = e.read(), e.code
    return status, (json.loads(payload) if payload else None)


def make_user(base, prefix):
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    status, body = http(base, "POST", "/api/v1/auth/register", {"username": name, "password": PASSWORD})
    if status != 201:
        raise SystemExit(f"register {name}: {status} {body}")
    status, body = http(base, "POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login {name}: {status} {body}")
    return body["token"]


def make_channel(base, tokens, name):
    status, body = http(base, "POST", "/api/v1/channels", {"name": name}, tokens[0])
    if status != 201:
        raise SystemExit(f"create channel: {status} {body}")
    cid = body["channel"]["id"]
    for token in tokens[1:]:
        status, body = http(base, "POST", f"/api/v1/channels/{cid}/members", {}, token)
        if status != 204:
            raise SystemExit(f"join channel: {status} {body}")
    return cid


async def open_session(url, token):
    ws = await websockets.connect(url, max_size=None, open_timeout=60, ping_interval=None,
                                  close_timeout=5)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if frame.get("type") != "ready":
        raise RuntimeError(f"auth answered {frame}")
    return ws


async def subscribe(ws, cid):
    await ws.send(json.dumps({"type": "subscribe", "channel_id": cid}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if frame.get("type") == "subscribed":
            return
        if frame.get("type") == "error":
            raise RuntimeError(f"subscribe answered {frame}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def raise_nofile(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < wanted:
        print(f"warning: RLIMIT_NOFILE is {soft}, below the {wanted} descriptors wanted",
              file=sys.stderr)
    return soft


# ---------------------------------------------------------------------------------------------
# A node started by this tool


class OwnNode:
    """Starts plexichat-node on a free loopback port with a temporary data directory."""

    def __init__(self, binary, max_connections):
        self.dir = tempfile.mkdtemp(prefix="pc-load-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = os.path.join(self.dir, "config.yaml")
        with open(config, "w") as f:
            f.write(f"data_dir: {json.dumps(os.path.join(self.dir, 'data'))}\n"
                    f"listen: \"127.0.0.1:{self.port}\"\n"
                    f"limits:\n  max_connections: {max_connections}\n"
                    "auth:\n  password_hash_cost: min\n"
                    # A load test is one client address sending as fast as it can: the
                    # per-address, per-user and per-session rate limits would measure
                    # themselves instead of the node.
                    "rate_limits:\n  address: {rate: 0}\n  user: {rate: 0}\n"
                    "  ws_frames: {rate: 0}\n")
        self.log = open(os.path.join(self.dir, "node.log"), "wb")
        self.proc = subprocess.Popen([binary, "--config", config], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"node exited with {self.proc.returncode}; log in {self.dir}")
            try:
                if http(self.base, "GET", "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"node not ready after 60 s; log in {self.dir}")
            time.sleep(0.1)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# throughput


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


class Sender:
    """One authenticated WebSocket that keeps up to --window sends unanswered."""

    def __init__(self, ws, cid, index, args):
        self.ws, self.cid, self.index, self.args = ws, cid, index, args
        self.latencies, self.errors, self.acked = [], 0, 0
        self.last_ack = None

    async def run(self, deadline):
        body = "x" * self.args.size
        in_flight = {}
        window = asyncio.Semaphore(self.args.window)
        done_sending = asyncio.Event()

        async def receive():
            while not (done_sending.is_set() and not in_flight):
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
                sent_at = in_flight.pop(frame.get("nonce"), None)
                if frame.get("type") not in ("ack", "error") or sent_at is None:
                    continue
                window.release()
                if frame["type"] == "error":
                    self.errors += 1
                    continue
                self.last_ack = time.perf_counter()
                self.latencies.append(self.last_ack - sent_at)
                self.acked += 1

        receiver = asyncio.create_task(receive())
        sent = 0
        while sent < self.args.messages if self.args.messages else time.perf_counter() < deadline:
            slot = asyncio.ensure_future(window.acquire())
            await asyncio.wait({slot, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if not slot.done():  # the receiver stopped: the connection failed
                slot.cancel()
                break
            nonce = f"{self.index}-{sent}"
            in_flight[nonce] = time.perf_counter()
            await self.ws.send(json.dumps({"type": "send", "channel_id": self.cid,
                                           "content": body, "nonce": nonce}))
            sent += 1
        done_sending.set()
        if not in_flight and not receiver.done():
            receiver.cancel()
        try:
            await receiver
        except asyncio.CancelledError:
            pass


async def throughput(base, url, args, pid):
    print(f"setting up {args.senders} senders ...", flush=True)
    tokens = [make_user(base, f"load{i}") for i in range(args.senders)]
    cid = make_channel(base, tokens, f"load-{uuid.uuid4().hex[:6]}")
    sockets = await asyncio.gather(*(open_session(url, t) for t in tokens))
    senders = [Sender(ws, cid, i, args) for i, ws in enumerate(sockets)]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.run(t0 + args.duration) for s in senders),
                                   return_exceptions=True)
    t1 = max((s.last_ack for s in senders if s.last_ack), default=time.perf_counter())
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    lat = sorted(x for s in senders for x in s.latencies)
    acked = sum(s.acked for s in senders)
    elapsed = t1 - t0
    print(f"senders            {args.senders} (window {args.window}, {args.size}-byte messages)")
    print(f"acknowledged       {acked} in {elapsed:.2f} s")
    print(f"throughput         {acked / elapsed if elapsed > 0 else 0:.0f} messages/s")
    print(f"ack latency p50    {percentile(lat, 50) * 1000:.2f} ms")
    print(f"ack latency p99    {percentile(lat, 99) * 1000:.2f} ms")
    print(f"error frames       {sum(s.errors for s in senders)}")
    print(f"failed senders     {len(failures)}" + (f" (first: {failures[0]!r})" if failures else ""))
    used = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    bound = used > 0.8 * elapsed
    print(f"load tool CPU      {used:.1f} s in {elapsed:.1f} s" +
          (" (this client, not the node, was probably the limit)" if bound else ""))
    if pid:
        print(f"node VmRSS         {rss_kib(pid)} KiB")
    return 1 if failures or acked == 0 else 0


# ---------------------------------------------------------------------------------------------
# idle


async def idle(base, url, args, pid):
    if not pid:
        raise SystemExit("idle needs the node's pid: --pid PID, or --node-binary to start one")
    raise_nofile(args.connections + 256)
    print(f"setting up {args.users} users ...", flush=True)
    tokens = [make_user(base, f"idle{i}") for i in range(args.users)]
    cid = make_channel(base, tokens, f"idle-{uuid.uuid4().hex[:6]}")
    before = rss_kib(pid)
    sessions, failures = [], []
    gate = asyncio.Semaphore(args.parallel)

    async def one(i):
        async with gate:
            try:
                ws = await open_session(url, tokens[i % len(tokens)])
                await subscribe(ws, cid)
                sessions.append(ws)
            except Exception as e:  # counted and reported
                failures.append(repr(e))

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(args.connections)))
    opened = time.perf_counter() - t0
    await asyncio.sleep(args.settle)  # let the node's allocations settle before measuring
    after = rss_kib(pid)
    alive = await ping_all(sessions)
    print(f"sessions opened    {len(sessions)} of {args.connections} in {opened:.1f} s "
          f"(authenticated and subscribed to one channel)")
    print(f"still answering    {alive}")
    print(f"node VmRSS before  {before} KiB")
    print(f"node VmRSS after   {after} KiB")
    delta = after - before
    per = delta / len(sessions) if sessions else float("nan")
    print(f"difference         {delta} KiB ({per:.1f} KiB per session)")
    if failures:
        print(f"failures           {len(failures)} (first: {failures[0]})")
    await asyncio.gather(*(ws.close() for ws in sessions), return_exceptions=True)
    return 1 if failures or alive != len(sessions) else 0


async def ping_all(sessions):
    async def ping(ws, i):
        try:
            await ws.send(json.dumps({"type": "ping", "nonce": f"i{i}"}))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame.get("type") == "pong":
                    return 1
        except Exception:
            return 0
    return sum(await asyncio.gather(*(ping(ws, i) for i, ws in enumerate(sessions))))


# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--node", default="127.0.0.1:8080", help="HOST:PORT of a running node")
    p.add_argument("--node-binary", help="start this plexichat-node on a free port instead")
    p.add_argument("--pid", type=int, help="pid of the node given with --node (for VmRSS)")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("throughput", help="acknowledged sends per second and ack latency")
    t.add_argument("--senders", type=int, default=20, help="concurrent WebSocket senders")
    t.add_argument("--duration", type=float, default=10.0, help="seconds to send for")
    t.add_argument("--messages", type=int, default=0, help="messages per sender instead of --duration")
    t.add_argument("--window", type=int, default=8, help="unanswered sends allowed per sender")
    t.add_argument("--size", type=int, default=100, help="message content length in bytes")
    i = sub.add_parser("idle", help="node memory with many idle subscribed sessions")
    i.add_argument("--connections", type=int, default=1000, help="WebSocket sessions to open")
    i.add_argument("--users", type=int, default=10, help="users the sessions are spread over")
    i.add_argument("--parallel", type=int, default=50, help="sessions being opened at once")
    i.add_argument("--settle", type=float, default=2.0, help="seconds to wait before measuring")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.command == "idle":
        raise_nofile(args.connections + 256)  # before starting a node: it inherits the limit
    node = OwnNode(args.node_binary, args.connections + 1000 if args.command == "idle" else 20000) \
        if args.node_binary else None
    try:
        base = node.base if node else f"http://{args.node}"
        pid = node.proc.pid if node else args.pid
        url = base.replace("http://", "ws://") + "/api/v1/ws"
        run = throughput if args.command == "throughput" else idle
        return asyncio.run(run(base, url, args, pid))
    finally:
        if node:
            node.stop()


if __name__ == "__main__":
    sys.exit(main())
