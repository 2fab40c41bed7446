#!/usr/bin/python3
"""Reconnecting with after_seq: exactly the missed messages, in order, then live ones."""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error  # noqa: E402

suite = Suite("reconnect")
S = {}


def setup():
    node = suite.node()
    api = Api(node)
    S.update(node=node, api=api)
    S["tw"], _ = api.user("writer")
    S["tr"], _ = api.user("reader")
    return S


def new_channel(s, name):
    cid = s["api"].create_channel(s["tw"], name)["id"]
    s["api"].join(s["tr"], cid)
    return cid


async def assert_no_more_messages(ws, cid):
    """Pings and checks that no message of cid arrived before the pong."""
    await ws.ping("fence")
    extra = [f for f in ws.inbox if f.get("type") == "message" and f["message"]["channel_id"] == cid]
    assert not extra, [m["message"]["seq"] for m in extra]


@suite.check
async def reconnect_gets_exactly_the_missed_messages(s):
    api, url = s["api"], s["node"].ws_url
    cid = new_channel(s, "missed")
    async with Ws(url, s["tw"]) as writer:
        async with Ws(url, s["tr"]) as reader:
            await reader.subscribe(cid)
            for i in range(1, 11):
                await writer.say(cid, f"m{i}", f"n{i}")
            got = await reader.messages(cid, 10)
            assert [m["seq"] for m in got] == list(range(1, 11)), got
        # The reader is gone; messages arrive over WebSocket and REST meanwhile.
        for i in range(11, 19):
            await writer.say(cid, f"m{i}", f"n{i}")
        for i in range(19, 26):
            assert api.post(s["tw"], cid, f"m{i}", nonce=f"n{i}")[0] == 201
        async with Ws(url, s["tr"]) as reader:
            sub = await reader.subscribe(cid, after_seq=10)
            assert sub["last_seq"] == 25, sub
            replay = await reader.messages(cid, 15)
            assert [m["seq"] for m in replay] == list(range(11, 26)), [m["seq"] for m in replay]
            assert [m["content"] for m in replay] == [f"m{i}" for i in range(11, 26)]
            live = await writer.say(cid, "m26", "n26")
            nxt = (await reader.messages(cid, 1))[0]
            assert nxt["seq"] == 26 and nxt["id"] == live["message"]["id"], nxt
            await assert_no_more_messages(reader, cid)


@suite.check
async def after_seq_bounds(s):
    url = s["node"].ws_url
    cid = new_channel(s, "bounds")
    async with Ws(url, s["tw"]) as writer:
        for i in range(1, 6):
            await writer.say(cid, f"b{i}", f"b{i}")
        async with Ws(url, s["tr"]) as reader:
            sub = await reader.subscribe(cid, after_seq=5)
            assert sub["last_seq"] == 5, sub
            await assert_no_more_messages(reader, cid)
            await writer.say(cid, "b6", "b6")
            assert [m["seq"] for m in await reader.messages(cid, 1)] == [6]
        async with Ws(url, s["tr"]) as reader:
            await reader.subscribe(cid, after_seq=0)
            assert [m["seq"] for m in await reader.messages(cid, 6)] == list(range(1, 7))
            await assert_no_more_messages(reader, cid)
        async with Ws(url, s["tr"]) as reader:
            for bad in (-1, "3", 1.5, True, [1]):
                await reader.send({"type": "subscribe", "channel_id": cid, "after_seq": bad})
                err = await reader.expect("error")
                assert err["code"] == "invalid_request", (bad, err)
            await reader.ping("alive")


async def send_many(ws, cid, count, prefix):
    """Pipelines `count` sends (at most 32 unanswered) and returns the acks' seqs."""
    seqs, window = [], 32
    for i in range(count):
        await ws.send({"type": "send", "channel_id": cid, "content": f"{prefix}{i}", "nonce": f"{prefix}{i}"})
        if i >= window:
            seqs.append((await ws.expect("ack", timeout=60, nonce=f"{prefix}{i - window}"))["message"]["seq"])
    for i in range(max(0, count - window), count):
        seqs.append((await ws.expect("ack", timeout=60, nonce=f"{prefix}{i}"))["message"]["seq"])
    return seqs


@suite.check
async def subscribing_during_a_burst_misses_and_repeats_nothing(s):
    """Readers subscribe while a writer is mid-burst: replay and live must join seamlessly."""
    url, total = s["node"].ws_url, 400
    cid = new_channel(s, "burst")
    async with Ws(url, s["tw"]) as writer:
        progress = {"acked": 0}

        async def write():
            seqs = await send_many(writer, cid, total, "x")
            progress["acked"] = len(seqs)
            return seqs

        async def read(start_after_acks, after_seq):
            while True:  # waits for the writer to get this far (an event, polled)
                st, b, _ = await asyncio.to_thread(s["api"].call, "GET", f"/api/v1/channels/{cid}",
                                                   token=s["tr"])
                if b["channel"]["last_seq"] >= start_after_acks or progress["acked"]:
                    break
                await asyncio.sleep(0.01)
            async with Ws(url, s["tr"]) as reader:
                await reader.subscribe(cid, after_seq=after_seq)
                got = await reader.messages(cid, total - after_seq, timeout=120)
                await assert_no_more_messages(reader, cid)
                return [m["seq"] for m in got]

        results = await asyncio.gather(write(), read(20, 0), read(150, 7), read(300, 290))
    assert sorted(results[0]) == list(range(1, total + 1)), "acks are not 1..N"
    for got, after in zip(results[1:], (0, 7, 290)):
        assert got == list(range(after + 1, total + 1)), (after, len(got), got[:5])


@suite.check
async def subscribing_twice_does_not_duplicate(s):
    url = s["node"].ws_url
    cid = new_channel(s, "twice")
    async with Ws(url, s["tr"]) as reader, Ws(url, s["tw"]) as writer:
        await reader.subscribe(cid)
        await reader.send({"type": "subscribe", "channel_id": cid})
        frame = await reader.expect(("subscribed", "error"))  # either way, no duplicates
        assert frame.get("channel_id", cid) == cid, frame
        await writer.say(cid, "one", "one")
        assert [m["seq"] for m in await reader.messages(cid, 1)] == [1]
        await assert_no_more_messages(reader, cid)


@suite.check
def rest_history_after_matches_replay(s):
    api = s["api"]
    cid = new_channel(s, "rest-replay")
    for i in range(30):
        api.post(s["tw"], cid, f"r{i}")
    st, b, _ = api.history(s["tr"], cid, "?after=12&limit=200")
    assert st == 200 and [m["seq"] for m in b["messages"]] == list(range(13, 31)), b
    assert_error(api.history(s["tr"], cid, "?after=-5"), 400, "invalid_request", "negative after")


if __name__ == "__main__":
    suite.main(setup)
