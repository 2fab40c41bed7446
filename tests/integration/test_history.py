#!/usr/bin/python3
"""History paging: after, before, limit, has_more, defaults and bad parameters.

The node runs with channels.idle_stop: 50ms, so channel actors stop and reload from storage
between requests: paging must not depend on a channel actor staying in memory.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error, channel_actors, wait_until  # noqa: E402

TOTAL = 260
suite = Suite("history")
S = {}


def setup():
    node = suite.node({"channels": {"idle_stop": "50ms"}})
    api = Api(node)
    token, _ = api.user("hist")
    cid = api.create_channel(token, "long")["id"]
    for i in range(1, TOTAL + 1):
        st, b, _ = api.post(token, cid, f"m{i}")
        assert st == 201 and b["message"]["seq"] == i, (i, st, b)
    empty = api.create_channel(token, "empty")["id"]
    S.update(node=node, api=api, token=token, cid=cid, empty=empty)
    return S


def page(s, query, cid=None):
    st, b, _ = s["api"].history(s["token"], cid or s["cid"], query)
    assert st == 200, (query, st, b)
    seqs = [m["seq"] for m in b["messages"]]
    assert [m["content"] for m in b["messages"]] == [f"m{q}" for q in seqs], query
    assert isinstance(b["has_more"], bool), b
    return seqs, b["has_more"]


def span(a, b):
    return list(range(a, b + 1))


@suite.check
def newest_by_default(s):
    assert page(s, "") == (span(TOTAL - 49, TOTAL), True)  # default limit 50
    assert page(s, "?limit=10") == (span(TOTAL - 9, TOTAL), True)
    assert page(s, f"?limit={TOTAL - 60}") == (span(61, TOTAL), True)
    assert page(s, "?limit=200") == (span(TOTAL - 199, TOTAL), True)


@suite.check
def after_pages_forward(s):
    assert page(s, "?after=0&limit=200") == (span(1, 200), True)
    assert page(s, "?after=200&limit=200") == (span(201, TOTAL), False)
    assert page(s, "?after=10&limit=5") == (span(11, 15), True)
    assert page(s, f"?after={TOTAL - 50}") == (span(TOTAL - 49, TOTAL), False)
    assert page(s, f"?after={TOTAL - 51}") == (span(TOTAL - 50, TOTAL - 1), True)
    assert page(s, f"?after={TOTAL - 1}") == ([TOTAL], False)
    assert page(s, f"?after={TOTAL}") == ([], False)
    assert page(s, "?after=100000") == ([], False)


@suite.check
def walking_forward_sees_everything_once(s):
    seen, after = [], 0
    for _ in range(100):
        seqs, more = page(s, f"?after={after}&limit=7")
        seen += seqs
        if not more:
            break
        after = seqs[-1]
    assert seen == span(1, TOTAL), seen[:10]


@suite.check
def before_pages_backward(s):
    assert page(s, "?before=11") == (span(1, 10), False)
    assert page(s, "?before=61&limit=10") == (span(51, 60), True)
    assert page(s, "?before=1") == ([], False)
    assert page(s, "?before=2&limit=1") == ([1], False)
    assert page(s, "?before=3&limit=1") == ([2], True)
    seen, before = [], TOTAL + 1
    for _ in range(100):
        seqs, more = page(s, f"?before={before}&limit=9")
        seen = seqs + seen
        if not more:
            break
        before = seqs[0]
    assert seen == span(1, TOTAL), seen[:10]


@suite.check
def after_and_before_together(s):
    assert page(s, "?after=10&before=20") == (span(11, 19), False)
    assert page(s, "?after=10&before=11") == ([], False)
    seqs, more = page(s, "?after=10&before=20&limit=3")
    assert more is True and len(seqs) == 3, (seqs, more)
    assert seqs == list(range(seqs[0], seqs[0] + 3)) and 11 <= seqs[0] <= 17, seqs


@suite.check
def empty_channel(s):
    for q in ("", "?after=0", "?before=5", "?limit=1"):
        assert page(s, q, s["empty"]) == ([], False), q


@suite.check
def bad_parameters_are_400(s):
    api, token, cid = s["api"], s["token"], s["cid"]
    for q in ("?limit=201", "?limit=100000", "?limit=0", "?limit=-1", "?limit=abc",
              "?limit=1.5", "?after=-1", "?after=abc", "?before=x", "?before=-3",
              "?after=99999999999999999999999999", "?limit=10abc"):
        assert_error(api.history(token, cid, q), 400, "invalid_request", f"history{q}")


@suite.check
def limit_at_the_maximum_is_accepted(s):
    seqs, more = page(s, "?after=0&limit=200")
    assert len(seqs) == 200 and more is True


def wait_for_idle_stop(node):
    """Waits until every channel actor has stopped (idle_stop is 50 ms)."""
    if channel_actors(node) is None:  # no gauge to watch: fall back to a bounded wait
        time.sleep(1.0)
        return
    try:
        wait_until(lambda: channel_actors(node) == 0, 30, "channel actors to stop when idle", 0.02)
    except TimeoutError:
        raise AssertionError(f"plexichat_channel_actors still {channel_actors(node)} after 30 s "
                             "with idle_stop 50ms") from None


@suite.check
async def channel_reloads_after_idle_stop(s):
    node = suite.node({"channels": {"idle_stop": "50ms"}})  # its own node: a clean start
    api = Api(node)
    token, _ = api.user("sleepy")
    cid = api.create_channel(token, "sleepy")["id"]
    assert api.post(token, cid, "first")[0] == 201
    await asyncio.to_thread(wait_for_idle_stop, node)
    st, b, _ = api.history(token, cid)
    assert st == 200 and [m["content"] for m in b["messages"]] == ["first"], ("history after idle stop", st, b)
    await asyncio.to_thread(wait_for_idle_stop, node)
    st, b, _ = api.post(token, cid, "second")
    assert st == 201 and b["message"]["seq"] == 2, ("post after idle stop", st, b)
    await asyncio.to_thread(wait_for_idle_stop, node)
    st, b, _ = api.call("GET", f"/api/v1/channels/{cid}", token=token)
    assert st == 200 and b["channel"]["last_seq"] == 2, ("channel after idle stop", st, b)
    st, b, _ = api.call("POST", "/api/v1/channels", {"name": "another"}, token=token)
    assert st == 201, ("create a channel after an idle stop", st, b)
    await asyncio.to_thread(wait_for_idle_stop, node)
    async with Ws(node.ws_url, token) as ws:
        sub = await ws.subscribe(cid, after_seq=0)
        assert sub["last_seq"] == 2, sub
        assert [m["seq"] for m in await ws.messages(cid, 2)] == [1, 2]
        ack = await ws.say(cid, "third", "third")
        assert ack["message"]["seq"] == 3, ack


if __name__ == "__main__":
    suite.main(setup)
