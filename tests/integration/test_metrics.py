#!/usr/bin/python3
"""GET /metrics is valid Prometheus text (version 0.0.4), parsed strictly line by line by the
parser below: HELP and TYPE before a family's samples, names and labels well formed, values
numbers, histograms cumulative with +Inf equal to _count, counters named *_total; across two
scrapes with traffic between them, every counter and histogram series only grows. The
families an operator needs are present: actors by kind, mailbox depth, membership changes,
RocksDB write latency, acknowledgement latency."""
import math
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, Ws  # noqa: E402

suite = Suite("metrics")

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABEL = rf"{LABEL_NAME}={LABEL_VALUE}"
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*,?)?\}})? (\S+)(?: (-?\d+))?$")
HELP = re.compile(rf"^# HELP ({NAME}) (.*)$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")
LABEL_PAIR = re.compile(rf"({LABEL_NAME})=({LABEL_VALUE})")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count", "")}


def parse_value(text, line):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text), f"bad value: {line!r}"
    return float(text)


def family_of(name, types):
    if name in types:
        return name
    for family, kind in types.items():
        for suffix in SUFFIXES.get(kind, ()):
            if suffix and name == family + suffix:
                return family
    raise AssertionError(f"sample {name} has no # TYPE before it")


def parse(text):
    """{(name, frozenset(labels)): value} and {family: type}; asserts every line is valid."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    types, helps, samples = {}, {}, {}
    for line in text.split("\n")[:-1]:
        if line.startswith("#"):
            if m := HELP.match(line):
                assert m.group(1) not in helps, f"second HELP: {line!r}"
                helps[m.group(1)] = m.group(2)
            elif m := TYPE.match(line):
                assert m.group(1) not in types, f"second TYPE: {line!r}"
                assert not any(n == m.group(1) for n, _ in samples), f"TYPE after samples: {line!r}"
                types[m.group(1)] = m.group(2)
            else:
                assert line.startswith("# ") and not line.startswith(("# HELP", "# TYPE")), \
                    f"malformed comment: {line!r}"
            continue
        assert line.strip(), "no blank lines"
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels_text, value = m.group(1), m.group(2) or "", m.group(3)
        labels = LABEL_PAIR.findall(labels_text)
        keys = [k for k, _ in labels]
        assert len(keys) == len(set(keys)), f"repeated label: {line!r}"
        key = (name, frozenset(labels))
        assert key not in samples, f"repeated series: {line!r}"
        family = family_of(name, types)
        kind = types[family]
        if kind == "histogram" and name.endswith("_bucket"):
            assert "le" in keys, f"bucket without le: {line!r}"
        samples[key] = parse_value(value, line)
    for family, kind in types.items():
        assert family in helps, f"{family} has no HELP"
        if kind == "counter":
            assert family.endswith("_total"), f"counter {family} is not named *_total"
    return samples, types


def check_histograms(samples, types):
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (name, labels), v in samples.items():
            if name == family + "_bucket":
                rest = frozenset(x for x in labels if x[0] != "le")
                le = dict(labels)["le"].strip('"')
                series.setdefault(rest, []).append((float(le.replace("Inf", "inf")), v))
        for rest, buckets in series.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), f"{family} buckets not cumulative: {buckets}"
            assert math.isinf(buckets[-1][0]), f"{family} has no +Inf bucket"
            assert samples[(family + "_count", rest)] == counts[-1], f"{family}: +Inf != _count"


def scrape(node):
    with urllib.request.urlopen(node.base + "/metrics", timeout=20) as r:
        assert r.status == 200, r.status
        assert r.headers["Content-Type"].startswith("text/plain"), r.headers["Content-Type"]
        text = r.read().decode()
    samples, types = parse(text)
    check_histograms(samples, types)
    return samples, types


@suite.check
async def metrics_parse_strictly_and_counters_only_grow(_):
    node = suite.node({"name": "m1"})
    first, types = scrape(node)
    names = {n for n, _ in first}
    for needed in ("plexichat_actors", "plexichat_actor_mailbox_depth",
                   "plexichat_membership_changes_total", "plexichat_storage_write_seconds_bucket",
                   "plexichat_ack_latency_seconds_count", "plexichat_http_requests_total",
                   "plexichat_replication_lag_seconds_count", "plexichat_backups_total",
                   "plexichat_backup_items_done", "plexichat_shards_held",
                   "plexichat_scrub_shards_checked_total"):
        assert needed in names, needed
    kinds = {dict(labels)["kind"].strip('"') for n, labels in first if n == "plexichat_actors"}
    assert {"directory", "audit", "access", "channel_registry", "inspector",
            "session"} <= kinds, kinds
    api = Api(node)
    token, _ = api.user("m")
    room = api.create_channel(token, "metrics")
    async with Ws(node.ws_url, token) as ws:
        await ws.send({"type": "subscribe", "channel_id": room["id"]})
        await ws.expect("subscribed")
        await ws.send({"type": "send", "channel_id": room["id"], "content": "hi", "nonce": "n1"})
        await ws.expect("ack")
        second, types2 = scrape(node)
        sessions = second[("plexichat_actors", frozenset({("kind", '"session"')}))]
        assert sessions == 1, sessions
        assert second[("plexichat_ws_sessions", frozenset())] == 1
    assert types2 == types
    # A session leaves the actor table and the gauge as its client goes.
    deadline = time.monotonic() + 20
    while True:
        third, _ = scrape(node)
        left = (third.get(("plexichat_actors", frozenset({("kind", '"session"')})), 0),
                third[("plexichat_ws_sessions", frozenset())])
        if left == (0, 0) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert left == (0, 0), f"(table, gauge) after the client left: {left}"
    grew = 0
    for key, before in first.items():
        if types[family_of(key[0], types)] not in ("counter", "histogram"):
            continue
        after = second.get(key)
        assert after is not None, f"series {key} vanished"
        assert after >= before, f"{key} went down: {before} -> {after}"
        grew += after > before
    assert grew >= 3, "traffic should move some counters"
    assert second[("plexichat_storage_write_seconds_count", frozenset())] > \
        first[("plexichat_storage_write_seconds_count", frozenset())]


if __name__ == "__main__":
    suite.main()
