#!/usr/bin/python3
"""A subscriber that never reads is closed with 4009; the sender and other readers go on.

limits.outbound_queue_frames is 64 and messages are ~50 KB, so the never-reading socket
(a small receive buffer) overflows its queue long before the burst ends. A client that does
read, however slowly, gets a whole replay without being closed.
"""
import asyncio
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, RawWs, Suite, Ws, metric  # noqa: E402

COUNT, SIZE = 400, 50000
suite = Suite("slow_consumer")
S = {}


def setup():
    node = suite.node({"limits": {"outbound_queue_frames": 64, "max_message_chars": SIZE,
                                  "max_frame_bytes": "256KiB", "max_body_bytes": "1MiB"}})
    api = Api(node)
    S.update(node=node, api=api)
    for who in ("sender", "slow", "reader"):
        S["t" + who], _ = api.user(who)
    S["cid"] = api.create_channel(S["tsender"], "firehose")["id"]
    api.join(S["tslow"], S["cid"])
    api.join(S["treader"], S["cid"])
    return S


def open_stalled_subscriber(s):
    """A raw WebSocket that authenticates and subscribes, then never reads again."""
    raw = RawWs(s["node"].port, rcvbuf=4096, timeout=60)
    raw.send_json({"type": "auth", "token": s["tslow"]})
    assert raw.read_json()["type"] == "ready"
    raw.send_json({"type": "subscribe", "channel_id": s["cid"], "after_seq": 0})
    assert raw.read_json()["type"] == "subscribed"
    return raw


async def send_all(url, token, cid, acked_event, acked_threshold, first=0, count=COUNT,
                   pause=0):
    """Sends `count` big messages numbered from `first`, at most 16 unanswered and `pause`
    seconds apart; returns the acks' seqs in order. Sets acked_event once acked_threshold acks
    arrived."""
    seqs = []
    async with Ws(url, token) as ws:
        for i in range(first, first + count):
            body = f"{i:06d}" + "x" * (SIZE - 6)
            await ws.send({"type": "send", "channel_id": cid, "content": body, "nonce": f"f{i}"})
            if pause:
                await asyncio.sleep(pause)
            if i >= first + 16:
                seqs.append((await ws.expect("ack", timeout=60, nonce=f"f{i - 16}"))["message"]["seq"])
                if len(seqs) >= acked_threshold:
                    acked_event.set()
        for i in range(max(first, first + count - 16), first + count):
            seqs.append((await ws.expect("ack", timeout=60, nonce=f"f{i}"))["message"]["seq"])
    return seqs


async def read_all(url, token, cid, subscribed):
    async with Ws(url, token, max_queue=None) as ws:  # reads its socket eagerly
        await ws.subscribe(cid)
        subscribed.set()
        got = await ws.messages(cid, COUNT, timeout=240)
        return [(m["seq"], m["content"][:6]) for m in got]


@suite.check
async def slow_subscriber_is_closed_with_4009_and_nobody_else_suffers(s):
    url, cid = s["node"].ws_url, s["cid"]
    stalled = await asyncio.to_thread(open_stalled_subscriber, s)
    ready = asyncio.Event()
    reader = asyncio.create_task(read_all(url, s["treader"], cid, ready))
    await asyncio.wait_for(ready.wait(), 30)
    # The stalled reader starts draining once the node counts a 4009 close (it then has 5 s
    # to read what was queued and the close frame before the node drops the socket), or at
    # the latest once 300 messages are acked: 300 of 50 KB are far more than the socket
    # buffers (~8 MB at most) plus 64 queued frames hold, so it must have overflowed by then.
    overflowed = asyncio.Event()
    closes_before = metric(s["node"], "plexichat_ws_slow_consumer_closes_total") or 0
    drained_on = []  # what started the drain: the node's count, or the 300th ack

    async def watch_closes():
        while not overflowed.is_set():
            closes = await asyncio.to_thread(metric, s["node"],
                                             "plexichat_ws_slow_consumer_closes_total")
            if (closes or 0) > closes_before and not overflowed.is_set():
                drained_on.append("the node's 4009 count")
                overflowed.set()
            await asyncio.sleep(0.05)

    async def drain_later():
        watcher = asyncio.create_task(watch_closes())
        try:
            await overflowed.wait()
        finally:
            watcher.cancel()
        return await asyncio.to_thread(stalled.read_until_close)

    drain = asyncio.create_task(drain_later())
    try:
        acks = await send_all(url, s["tsender"], cid, overflowed, 300)
    finally:
        overflowed.set()
    got = await reader
    code, frames = await drain
    stalled.close()
    assert acks == list(range(1, COUNT + 1)), "the sender's acks stalled or skipped"
    assert got == [(i, f"{i - 1:06d}") for i in range(1, COUNT + 1)], "the fast reader missed messages"
    print(f"     (the stalled reader had {frames} message frames before the close; its drain"
          f" started on {drained_on[0] if drained_on else 'the 300th ack'})")
    assert frames < COUNT, f"the stalled reader got all {frames} messages: the queue never overflowed"
    assert code == 4009, f"close code {code} after {frames} frames (None: no close frame)"


@suite.check
async def reconnect_after_4009_catches_up_with_after_seq(s):
    """The protocol's advice after 4009: reconnect and resubscribe with after_seq."""
    async with Ws(s["node"].ws_url, s["tslow"]) as ws:
        sub = await ws.subscribe(s["cid"], after_seq=0)
        assert sub["last_seq"] == COUNT, sub
        got = await ws.messages(s["cid"], COUNT, timeout=240)
        assert [m["seq"] for m in got] == list(range(1, COUNT + 1)), "replay after 4009 incomplete"
        await ws.ping("caught-up")


def read_slowly(s, cid, count, pause, reading=None):
    """Subscribes from after_seq 0 through a small receive buffer and reads `count` messages,
    sleeping `pause` seconds after each; returns their seqs. Sets `reading` (a
    threading.Event) at the first message."""
    raw = RawWs(s["node"].port, rcvbuf=4096, timeout=60)
    try:
        raw.send_json({"type": "auth", "token": s["tslow"]})
        assert raw.read_json()["type"] == "ready"
        raw.send_json({"type": "subscribe", "channel_id": cid, "after_seq": 0})
        seqs = []
        while len(seqs) < count:
            frame = raw.read_json()  # EOFError("closed: 4009") if the node gave up on it
            if frame["type"] == "message":
                seqs.append(frame["message"]["seq"])
                if reading is not None:
                    reading.set()
                time.sleep(pause)  # slower than the node writes
        return seqs
    finally:
        raw.close()


@suite.check
def a_slow_reader_gets_the_whole_replay(s):
    """A replay is paced by the socket's queue, never more than it holds: a client that reads
    slowly, through a small receive buffer, gets every message and is not closed with 4009
    (a replay page used to be 200 messages, over three times this queue)."""
    seqs = read_slowly(s, s["cid"], COUNT, 0.002)
    assert seqs == list(range(1, COUNT + 1)), "the replay skipped or repeated messages"


@suite.check
def subscribing_again_during_a_replay_restarts_it_once(s):
    """Subscribing again while a replay waits for the client restarts it from the new
    after_seq: after the new `subscribed`, each message comes once, in order. (A replay step
    of the first subscription, still pending, used to start a second replay for the new one.)"""
    raw = RawWs(s["node"].port, rcvbuf=4096, timeout=60)
    try:
        raw.send_json({"type": "auth", "token": s["tslow"]})
        assert raw.read_json()["type"] == "ready"
        subscribe = {"type": "subscribe", "channel_id": s["cid"], "after_seq": 0}
        raw.send_json(subscribe)
        first = 0
        while first < 40:  # the replay is under way, held back by this slow reader
            if raw.read_json()["type"] == "message":
                first += 1
                time.sleep(0.005)
        raw.send_json(subscribe)
        while (frame := raw.read_json())["type"] != "subscribed":
            pass  # what the first subscription had queued before it
        seqs = []
        while len(seqs) < COUNT:
            frame = raw.read_json()
            if frame["type"] == "message":
                seqs.append(frame["message"]["seq"])
        assert seqs == list(range(1, COUNT + 1)), \
            f"not each once, in order: {[q for i, q in enumerate(seqs) if q != i + 1][:10]}"
        raw.send_json({"type": "ping", "nonce": "end"})
        while (frame := raw.read_json())["type"] != "pong":
            assert frame["type"] != "message", f"a message after the last: {frame['message']['seq']}"
    finally:
        raw.close()


@suite.check
async def a_slow_replay_in_a_busy_channel_gets_every_message(s):
    """Live messages that arrive while a replay is read are held back, at most a queue's
    worth (64 here); beyond that the replay fetches them from storage too. A client that reads
    a long replay slowly, but faster than the channel's live rate, gets every message once, in
    order, and is not closed (it was closed with 4009 once 65 live messages were held)."""
    url, history, live = s["node"].ws_url, 600, 200
    cid = s["api"].create_channel(s["tsender"], "busy-replay")["id"]
    s["api"].join(s["tslow"], cid)
    await send_all(url, s["tsender"], cid, asyncio.Event(), 0, first=0, count=history)
    reading = threading.Event()
    reader = asyncio.create_task(
        asyncio.to_thread(read_slowly, s, cid, history + live, 0.002, reading))
    assert await asyncio.to_thread(reading.wait, 30), "the replay never started"
    # 100 messages/s: over 64 arrive while the replay is read, and the reader is faster.
    acks = await send_all(url, s["tsender"], cid, asyncio.Event(), 0, first=history, count=live,
                          pause=0.01)
    assert acks == list(range(history + 1, history + live + 1)), acks[:5]
    seqs = await reader
    assert seqs == list(range(1, history + live + 1)), "skipped or repeated messages"


@suite.check
async def catching_up_on_many_channels_at_once_leaves_room(s):
    """A client that subscribes to several channels at once, each with missed messages,
    reads every replay without being closed: the replays share the socket's queue, and leave
    room for the session's other frames. (Each replay used to take half the queue for itself:
    two filled it, the next `subscribed` closed the client with 4009.)"""
    url, channels, per_channel = s["node"].ws_url, 4, 40
    cids = []
    for n in range(channels):
        cid = s["api"].create_channel(s["tsender"], f"backlog-{n}")["id"]
        s["api"].join(s["tslow"], cid)
        await send_all(url, s["tsender"], cid, asyncio.Event(), 0, first=0, count=per_channel)
        cids.append(cid)

    def read_all_slowly():
        raw = RawWs(s["node"].port, rcvbuf=4096, timeout=60)
        try:
            raw.send_json({"type": "auth", "token": s["tslow"]})
            assert raw.read_json()["type"] == "ready"
            for cid in cids:
                raw.send_json({"type": "subscribe", "channel_id": cid, "after_seq": 0})
            seqs = {cid: [] for cid in cids}
            while sum(map(len, seqs.values())) < channels * per_channel:
                frame = raw.read_json()  # EOFError("closed: 4009") if the node gave up on it
                if frame["type"] == "message":
                    seqs[frame["message"]["channel_id"]].append(frame["message"]["seq"])
                    time.sleep(0.002)
            return seqs
        finally:
            raw.close()

    seqs = await asyncio.to_thread(read_all_slowly)
    for cid in cids:
        assert seqs[cid] == list(range(1, per_channel + 1)), (cid, seqs[cid][:10])


@suite.check
def node_still_serves(s):
    st, b, _ = s["api"].call("GET", "/healthz")
    assert st == 200, st
    st, b, _ = s["api"].history(s["treader"], s["cid"], "?limit=1")
    assert st == 200 and b["messages"][0]["seq"] == COUNT, (st, b and b.get("messages", [{}])[0].get("seq"))


if __name__ == "__main__":
    suite.main(setup)
