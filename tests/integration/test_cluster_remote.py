#!/usr/bin/python3
"""A channel reached through a node that does not own it, on a three-node TLS cluster whose
channel actors stop when idle (channels.idle_stop: 300ms). The node the client reached
remembers where the channel's actor runs; once that actor has stopped, the next send still
reaches the channel (a fresh actor on its owner) and continues its seqs, through the node
that remembered the old one, and the history read there is gapless."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, channel_actors, wait_until  # noqa: E402
from test_cluster import tls_cluster  # noqa: E402
from test_cluster_channels import owner_of  # noqa: E402

suite = Suite("cluster_remote")
S = {}
NAMES = ("n1", "n2", "n3")


def setup():
    tmp, certs, ports, nodes = tls_cluster("pc-it-cluster-remote-", NAMES, suite,
                                           config={"channels": {"idle_stop": "300ms"}})
    S.update(tmp=tmp, nodes=nodes)
    return S


def posted(api, token, cid, content):
    """Posts through `api`'s node; a 503 while the channel is between actors is retried, as a
    client does. Returns the stored message."""
    deadline = time.monotonic() + 30
    while True:
        status, body, _ = api.post(token, cid, content, nonce=content)
        if status == 201:
            return body["message"]
        assert status == 503 and time.monotonic() < deadline, (status, body)
        time.sleep(0.1)


@suite.check
def a_remote_channel_is_reached_again_after_its_actor_stopped(s):
    n1 = s["nodes"]["n1"]
    api = Api(n1)
    token, _ = api.user("far")
    # A channel whose actor runs on another node than n1 (placement: two in three are).
    for attempt in range(20):
        cid = api.create_channel(token, f"far{attempt}")["id"]
        first = posted(api, token, cid, "one")
        owner = owner_of(s, cid)
        if owner and owner != "n1":
            break
    else:
        raise AssertionError("twenty channels, all on n1")
    assert first["seq"] == 1, first
    assert channel_actors(s["nodes"][owner]) is not None, "no plexichat_channel_actors gauge"
    for round_ in range(2):
        wait_until(lambda: channel_actors(s["nodes"][owner]) == 0, 30,
                   f"the channel actors on {owner} to stop when idle", 0.05)
        again = posted(api, token, cid, f"after stop {round_}")
        assert again["seq"] == round_ + 2, again
    status, body, _ = api.history(token, cid)
    assert status == 200, (status, body)
    assert [m["seq"] for m in body["messages"]] == [1, 2, 3], body


if __name__ == "__main__":
    suite.main(setup)
