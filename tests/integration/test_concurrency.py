#!/usr/bin/python3
"""Many concurrent senders: one total order per channel, every ack unique, no loss."""
import asyncio
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws  # noqa: E402

SENDERS, EACH, READERS = 20, 50, 3
suite = Suite("concurrency")
S = {}


def setup():
    node = suite.node()
    api = Api(node)
    senders = [api.user(f"s{i}") for i in range(SENDERS)]
    readers = [api.user(f"r{i}") for i in range(READERS)]
    S.update(node=node, api=api, senders=senders, readers=readers)
    return S


def fresh_channel(s, name):
    owner = s["senders"][0][0]
    cid = s["api"].create_channel(owner, name)["id"]
    for token, _ in s["senders"][1:] + s["readers"]:
        s["api"].join(token, cid)
    return cid


async def sender(url, token, cid, index, count):
    """Sends `count` messages pipelined (all at once), then collects every ack."""
    async with Ws(url, token) as ws:
        nonces = [f"s{index}-{i}" for i in range(count)]
        for i, nonce in enumerate(nonces):
            await ws.send({"type": "send", "channel_id": cid, "content": f"{index}:{i}", "nonce": nonce})
        return [(await ws.expect("ack", timeout=120, nonce=n))["message"] for n in nonces]


async def reader(url, token, cid, count, subscribed):
    async with Ws(url, token) as ws:
        await ws.subscribe(cid)
        subscribed.set()
        return await ws.messages(cid, count, timeout=180)


@suite.check
async def twenty_senders_three_readers_one_total_order(s):
    url, total = s["node"].ws_url, SENDERS * EACH
    cid = fresh_channel(s, "crowd")
    events = [asyncio.Event() for _ in range(READERS)]
    readers = [asyncio.create_task(reader(url, t, cid, total, e)) for (t, _), e in zip(s["readers"], events)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 60)
    acks = await asyncio.gather(*(sender(url, t, cid, i, EACH) for i, (t, _) in enumerate(s["senders"])))
    seen = await asyncio.gather(*readers)

    ack_seqs = [m["seq"] for per in acks for m in per]
    assert len(ack_seqs) == len(set(ack_seqs)), "two acks carry the same seq"
    assert sorted(ack_seqs) == list(range(1, total + 1)), "acked seqs are not exactly 1..1000"
    by_seq = {m["seq"]: m for per in acks for m in per}
    for i, per in enumerate(acks):
        assert [m["content"] for m in per] == [f"{i}:{k}" for k in range(EACH)], f"sender {i} acks"
        assert all(m["author_id"] == s["senders"][i][1]["id"] for m in per)
        seqs = [m["seq"] for m in per]
        assert seqs == sorted(seqs), f"sender {i}: its messages were reordered: {seqs}"
    for r, got in enumerate(seen):
        seqs = [m["seq"] for m in got]
        assert seqs == list(range(1, total + 1)), f"reader {r}: not 1..1000 once each in order"
        for m in got:
            assert m == by_seq[m["seq"]], ("reader's message differs from the ack", m, by_seq[m["seq"]])
    stored = s["api"].all_messages(s["readers"][0][0], cid)
    assert [m["seq"] for m in stored] == list(range(1, total + 1)), "history"
    assert all(m == by_seq[m["seq"]] for m in stored), "history differs from the acks"
    st, b, _ = s["api"].call("GET", f"/api/v1/channels/{cid}", token=s["readers"][0][0])
    assert b["channel"]["last_seq"] == total, b


@suite.check
async def rest_and_websocket_senders_mixed(s):
    """REST posts from threads and WebSocket sends race into one channel."""
    url, api = s["node"].ws_url, s["api"]
    cid = fresh_channel(s, "mixed")
    rest_results, errors = [], []

    def rest_worker(token, index):
        try:
            for i in range(20):
                st, b, _ = api.post(token, cid, f"rest{index}:{i}", nonce=f"rest{index}-{i}")
                assert st == 201, (st, b)
                rest_results.append(b["message"])
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=rest_worker, args=(t, i)) for i, (t, _) in enumerate(s["senders"][:8])]
    for t in threads:
        t.start()
    ws_acks = await asyncio.gather(*(sender(url, t, cid, 100 + i, 30)
                                     for i, (t, _) in enumerate(s["senders"][8:16])))
    await asyncio.to_thread(lambda: [t.join(120) for t in threads])
    assert not errors, errors[:3]
    seqs = [m["seq"] for m in rest_results] + [m["seq"] for per in ws_acks for m in per]
    total = 8 * 20 + 8 * 30
    assert sorted(seqs) == list(range(1, total + 1)), "seqs are not unique and gap-free"
    stored = api.all_messages(s["senders"][0][0], cid)
    assert [m["seq"] for m in stored] == list(range(1, total + 1))


@suite.check
async def channels_in_parallel_keep_separate_orders(s):
    url = s["node"].ws_url
    channels = [fresh_channel(s, f"par{i}") for i in range(6)]
    jobs = []
    for c, cid in enumerate(channels):
        for k in range(3):
            token = s["senders"][(c * 3 + k) % SENDERS][0]
            jobs.append(sender(url, token, cid, c * 10 + k, 25))
    acks = await asyncio.gather(*jobs)
    for c, cid in enumerate(channels):
        seqs = sorted(m["seq"] for per in acks[c * 3:(c + 1) * 3] for m in per)
        assert seqs == list(range(1, 76)), (c, seqs[:5])
        assert all(m["channel_id"] == cid for per in acks[c * 3:(c + 1) * 3] for m in per)


@suite.check
async def duplicate_nonces_racing_make_one_message(s):
    """Five sessions of one user send the same nonce at once: one message, five equal acks."""
    url = s["node"].ws_url
    cid = fresh_channel(s, "race")
    token = s["senders"][0][0]

    async def one():
        async with Ws(url, token) as ws:
            return (await ws.say(cid, "only once", "dup"))["message"]

    results = await asyncio.gather(*(one() for _ in range(5)))
    assert len({m["id"] for m in results}) == 1 and results[0]["seq"] == 1, results
    stored = s["api"].all_messages(token, cid)
    assert [m["seq"] for m in stored] == [1], stored


if __name__ == "__main__":
    suite.main(setup)
