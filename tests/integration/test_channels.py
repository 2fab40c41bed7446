#!/usr/bin/python3
"""Public and private channels: create, list, join, leave, add member, subscribe rules."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws, assert_error  # noqa: E402

suite = Suite("channels")
S = {}


def setup():
    node = suite.node()
    api = Api(node)
    S.update(node=node, api=api)
    for who in ("a", "b", "c"):
        S["t" + who], S["u" + who] = api.user(who)
    return S


def listed(api, token):
    st, b, _ = api.call("GET", "/api/v1/channels", token=token)
    assert st == 200 and isinstance(b["channels"], list), (st, b)
    return {c["id"]: c for c in b["channels"]}


@suite.check
def create_validates_and_returns_channel(s):
    api, ta = s["api"], s["ta"]
    st, b, _ = api.call("POST", "/api/v1/channels", {"name": "plain"}, token=ta)
    assert st == 201, (st, b)
    ch = b["channel"]
    assert isinstance(ch["id"], str) and ch["name"] == "plain" and ch["private"] is False, ch
    assert isinstance(ch["topic"], str) and ch["last_seq"] == 0 and isinstance(ch["created_at"], int), ch
    priv = api.create_channel(ta, "hidden", private=True, topic="psst")
    assert priv["private"] is True and priv["topic"] == "psst", priv
    assert priv["id"] != ch["id"]
    assert api.create_channel(ta, "n" * 64)["name"] == "n" * 64
    assert api.create_channel(ta, "ü" * 64)["name"] == "ü" * 64
    bad_bodies = [{}, {"name": ""}, {"name": "n" * 65}, {"name": "ü" * 65}, {"name": 5},
                  {"name": None}, {"name": "ok", "private": "yes"}, {"name": "ok", "topic": 7},
                  {"name": "ok", "topic": "t" * 1025}]
    for body in bad_bodies:
        assert_error(api.call("POST", "/api/v1/channels", body, token=ta), 400, "invalid_request",
                     f"create {str(body)[:60]}")
    st, b, _ = api.call("GET", f"/api/v1/channels/{ch['id']}", token=ta)
    assert st == 200 and b["channel"] == ch, (st, b, ch)
    assert_error(api.call("GET", "/api/v1/channels/no-such-id", token=ta), 404, "not_found", "get")


@suite.check
def listing_shows_public_and_own_private(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    pub = api.create_channel(ta, "pub-list")
    priv = api.create_channel(ta, "priv-list", private=True)
    mine = listed(api, ta)
    assert pub["id"] in mine and priv["id"] in mine, "creator must see both"
    theirs = listed(api, tb)
    assert pub["id"] in theirs, "public channels are listed to everyone"
    assert priv["id"] not in theirs, "a private channel leaked to a non-member"
    st, b, _ = api.call("GET", f"/api/v1/channels/{priv['id']}", token=tb)
    assert st in (403, 404), ("non-member read a private channel", st, b)
    st, b, _ = api.call("GET", f"/api/v1/channels/{pub['id']}", token=tb)
    assert st == 200 and b["channel"]["id"] == pub["id"], (st, b)


@suite.check
def join_public_then_read_and_write(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    cid = api.create_channel(ta, "joinable")["id"]
    api.post(ta, cid, "before bob")
    assert_error(api.history(tb, cid), 403, "forbidden", "non-member history")
    assert_error(api.post(tb, cid, "sneaky"), 403, "forbidden", "non-member post")
    st, _, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {}, token=tb)
    assert st == 204, st
    st, b, _ = api.history(tb, cid)
    assert st == 200 and [m["content"] for m in b["messages"]] == ["before bob"], (st, b)
    st, b, _ = api.post(tb, cid, "hello from bob")
    assert st == 201 and b["message"]["seq"] == 2, (st, b)
    st, b, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {}, token=tb)
    assert st in (204, 409), ("joining twice", st, b)
    assert api.history(tb, cid)[1]["messages"][-1]["seq"] == 2, "joining twice changed messages"
    assert_error(api.call("POST", "/api/v1/channels/no-such-id/members", {}, token=tb), 404,
                 "not_found", "join missing channel")


@suite.check
def leave_stops_access_and_rejoin_restores_it(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    cid = api.create_channel(ta, "leavable")["id"]
    api.join(tb, cid)
    api.post(tb, cid, "bob was here")
    st, b, _ = api.call("DELETE", f"/api/v1/channels/{cid}/members/me", token=tb)
    assert st == 204, (st, b)
    assert_error(api.history(tb, cid), 403, "forbidden", "history after leaving")
    assert_error(api.post(tb, cid, "ghost"), 403, "forbidden", "post after leaving")
    assert cid in listed(api, tb), "a public channel stays listed after leaving"
    api.join(tb, cid)
    st, b, _ = api.history(tb, cid)
    assert st == 200 and [m["content"] for m in b["messages"]] == ["bob was here"], b
    # The creator may leave too; the others keep the channel.
    st, _, _ = api.call("DELETE", f"/api/v1/channels/{cid}/members/me", token=ta)
    assert st == 204, st
    assert api.post(tb, cid, "still here")[0] == 201


@suite.check
def private_channel_membership(s):
    api, ta, tb, tc = s["api"], s["ta"], s["tb"], s["tc"]
    cid = api.create_channel(ta, "secret", private=True)["id"]
    api.post(ta, cid, "classified")
    st, b, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {}, token=tb)
    assert st in (403, 404), ("joined a private channel uninvited", st, b)
    # A non-member cannot add anyone, not even themselves.
    for body in ({"user_id": s["ub"]["id"]}, {"user_id": s["uc"]["id"]}):
        st, b, _ = api.call("POST", f"/api/v1/channels/{cid}/members", body, token=tc)
        assert st in (403, 404), ("non-member added a member", body, st, b)
    assert_error(api.history(tb, cid), (403, 404), None, "b before being added")
    st, b, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {"user_id": s["ub"]["id"]}, token=ta)
    assert st == 204, (st, b)
    assert cid in listed(api, tb), "added member must see the channel listed"
    st, b, _ = api.history(tb, cid)
    assert st == 200 and [m["content"] for m in b["messages"]] == ["classified"], (st, b)
    assert api.post(tb, cid, "thanks")[0] == 201
    assert cid not in listed(api, tc)
    assert_error(api.history(tc, cid), (403, 404), None, "c never added")
    st, b, _ = api.call("GET", f"/api/v1/channels/{cid}", token=tb)
    assert st == 200 and b["channel"]["private"] is True and b["channel"]["last_seq"] == 2, (st, b)
    st, b, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {"user_id": "no-such-user"}, token=ta)
    assert st in (400, 404), ("adding a user that does not exist", st, b)
    assert_error(api.call("POST", f"/api/v1/channels/{cid}/members", {"user_id": 5}, token=ta), 400,
                 "invalid_request", "user_id of wrong type")
    st, _, _ = api.call("DELETE", f"/api/v1/channels/{cid}/members/me", token=tb)
    assert st == 204
    assert cid not in listed(api, tb), "private channel still listed after leaving"
    assert_error(api.history(tb, cid), (403, 404), None, "b after leaving private")


@suite.check
async def websocket_subscribe_rules(s):
    api, ta, tb = s["api"], s["ta"], s["tb"]
    pub = api.create_channel(ta, "ws-pub")["id"]
    priv = api.create_channel(ta, "ws-priv", private=True)["id"]
    async with Ws(s["node"].ws_url, tb) as wb:
        await wb.send({"type": "subscribe", "channel_id": pub})
        err = await wb.expect("error")
        assert err["code"] == "forbidden", ("subscribe to a public channel without joining", err)
        await wb.send({"type": "subscribe", "channel_id": priv})
        err = await wb.expect("error")
        assert err["code"] in ("forbidden", "not_found"), err
        await wb.send({"type": "subscribe", "channel_id": "no-such-channel"})
        err = await wb.expect("error")
        assert err["code"] in ("not_found", "forbidden"), err
        await wb.ping("open")
        api.join(tb, pub)
        sub = await wb.subscribe(pub)
        assert sub["last_seq"] == 0, sub
        await wb.send({"type": "unsubscribe", "channel_id": pub})
        await wb.expect("unsubscribed")
        # After unsubscribing, a message reaches another subscriber but not this session.
        async with Ws(s["node"].ws_url, ta) as wa:
            await wa.subscribe(pub)
            ack = await wa.say(pub, "not for bob's socket", "u1")
            await wa.messages(pub, 1)
        await wb.ping("done")
        stray = [f for f in await wb.quiet(0.3) if f.get("type") == "message"]
        assert not stray, stray
        sub = await wb.subscribe(pub, after_seq=0)
        assert sub["last_seq"] == 1, sub
        assert (await wb.messages(pub, 1))[0]["id"] == ack["message"]["id"]


@suite.check
async def added_member_can_subscribe(s):
    api, ta, tc = s["api"], s["ta"], s["tc"]
    cid = api.create_channel(ta, "invite-ws", private=True)["id"]
    api.post(ta, cid, "welcome")
    async with Ws(s["node"].ws_url, tc) as wc:
        await wc.send({"type": "subscribe", "channel_id": cid, "after_seq": 0})
        err = await wc.expect("error")
        assert err["code"] in ("forbidden", "not_found"), err
        st, _, _ = api.call("POST", f"/api/v1/channels/{cid}/members", {"user_id": s["uc"]["id"]}, token=ta)
        assert st == 204
        sub = await wc.subscribe(cid, after_seq=0)
        assert sub["last_seq"] == 1, sub
        assert [m["content"] for m in await wc.messages(cid, 1)] == ["welcome"]


@suite.check
async def leaving_stops_live_delivery(s):
    """Only members read a channel: a subscribed session stops getting messages once its
    user leaves (it may be told with an error or unsubscribed frame)."""
    api, ta, tb = s["api"], s["ta"], s["tb"]
    cid = api.create_channel(ta, "leave-live")["id"]
    api.join(tb, cid)
    async with Ws(s["node"].ws_url, ta) as wa, Ws(s["node"].ws_url, tb) as wb:
        await wa.subscribe(cid)
        await wb.subscribe(cid)
        await wa.say(cid, "before", "before")
        assert [m["content"] for m in await wb.messages(cid, 1)] == ["before"]
        st, _, _ = api.call("DELETE", f"/api/v1/channels/{cid}/members/me", token=tb)
        assert st == 204
        await wa.say(cid, "after", "after")
        await wa.messages(cid, 2)  # the fan-out of "after" happened
        await wb.ping("fence")
        leaked = [f["message"]["content"] for f in wb.inbox if f.get("type") == "message"]
        assert not leaked, f"a user who left still received {leaked}"


if __name__ == "__main__":
    suite.main(setup)
