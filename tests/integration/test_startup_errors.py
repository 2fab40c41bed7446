#!/usr/bin/python3
"""Start-up failures: a bad config, a port in use or a data directory it cannot open give a
non-zero exit and one clear line on stderr, and nothing is written to the data directory."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Suite, free_port, node_binary  # noqa: E402

suite = Suite("startup_errors")
S = {}


def setup():
    S["tmp"] = tempfile.mkdtemp(prefix="pc-it-start-")
    return S


def run_node(args, timeout=60):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    proc = subprocess.run([node_binary(), *args], capture_output=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def expect_refusal(args, data_dir, *words):
    """Runs the node; checks a non-zero exit, exactly one non-empty stderr line containing
    every word (case-insensitive), and that data_dir was not created or stayed empty."""
    existed = os.path.isdir(data_dir)
    code, out, err = run_node(args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code not in (0, None), f"exit code {code}; stderr {err!r}"
    assert code > 0, f"killed by signal {-code}: {err[-2000:]}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err[-2000:]!r}"
    for w in words:
        assert w.lower() in lines[0].lower(), f"{w!r} not in {lines[0]!r}"
    if existed:
        assert os.listdir(data_dir) == [], f"wrote to the data dir: {os.listdir(data_dir)}"
    else:
        assert not os.path.exists(data_dir), f"created the data dir {data_dir}"
    return lines[0]


def config_file(name, text):
    path = os.path.join(S["tmp"], name)
    with open(path, "w") as f:
        f.write(text)
    return path


def fresh_dir(name, create=False):
    path = os.path.join(S["tmp"], name)
    if create:
        os.makedirs(path)
    return path


@suite.check
def invalid_yaml(s):
    data = fresh_dir("d-yaml")
    cfg = config_file("bad.yaml", f"data_dir: {data}\nlisten: [unclosed\n")
    expect_refusal(["--config", cfg], data)


@suite.check
def unknown_key(s):
    data = fresh_dir("d-unknown")
    cfg = config_file("unknown.yaml", f"data_dir: {data}\nlimits:\n  bogus_key: 1\n")
    expect_refusal(["--config", cfg], data, "limits.bogus_key")


@suite.check
def bad_values(s):
    for i, text in enumerate(("listen: 127.0.0.1:99999", "listen: 127.0.0.1:0",
                              "limits:\n  max_body_bytes: lots", "auth:\n  password_hash_cost: zero",
                              "channels:\n  idle_stop: -5s", "log:\n  level: chatty")):
        data = fresh_dir(f"d-value-{i}")
        cfg = config_file(f"value{i}.yaml", f"data_dir: {data}\n{text}\n")
        expect_refusal(["--config", cfg], data)


@suite.check
def missing_config_file(s):
    data = fresh_dir("d-missing")
    expect_refusal(["--config", os.path.join(s["tmp"], "no-such.yaml"), "--data-dir", data], data)


@suite.check
def bad_flag(s):
    data = fresh_dir("d-flag")
    expect_refusal(["--data-dir", data, "--listen", "not-an-address"], data, "--listen")


@suite.check
def port_in_use(s):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for create in (False, True):
            data = fresh_dir(f"d-port-{create}", create=create)
            expect_refusal(["--data-dir", data, "--listen", f"127.0.0.1:{port}"], data, str(port))


@suite.check
def data_dir_that_cannot_be_opened(s):
    path = os.path.join(s["tmp"], "a-file")
    with open(path, "w") as f:
        f.write("not a directory")
    code, _, err = run_node(["--data-dir", path, "--listen", f"127.0.0.1:{free_port()}"])
    lines = [line for line in err.splitlines() if line.strip()]
    assert code not in (0, None) and code > 0, (code, err[-2000:])
    assert len(lines) == 1, f"expected one line on stderr: {err[-2000:]!r}"
    with open(path) as f:
        assert f.read() == "not a directory"
    nested = os.path.join(path, "sub")
    code, _, err = run_node(["--data-dir", nested, "--listen", f"127.0.0.1:{free_port()}"])
    assert code not in (0, None) and code > 0 and len([x for x in err.splitlines() if x.strip()]) == 1, \
        (code, err[-2000:])


@suite.check
def data_dir_in_use_by_another_node(s):
    node = suite.node()
    api = Api(node)
    token, _ = api.user("first")
    cid = api.create_channel(token, "kept")["id"]
    api.post(token, cid, "still here")
    code, _, err = run_node(["--data-dir", node.data_dir, "--listen", f"127.0.0.1:{free_port()}"])
    lines = [line for line in err.splitlines() if line.strip()]
    assert code not in (0, None) and code > 0, (code, err[-2000:])
    assert len(lines) == 1, f"expected one line on stderr: {err[-2000:]!r}"
    assert node.healthy(), "the first node was disturbed"
    st, b, _ = api.history(token, cid)
    assert st == 200 and [m["content"] for m in b["messages"]] == ["still here"], (st, b)


@suite.check
def good_config_file_starts(s):
    """The same launcher with a valid file works, so the refusals above are meaningful."""
    node = suite.node()
    assert node.healthy()
    assert Api(node).call("GET", "/readyz")[0] == 200


def cleanup_tmp():
    shutil.rmtree(S.get("tmp", ""), ignore_errors=True)


if __name__ == "__main__":
    try:
        suite.main(setup)
    finally:
        cleanup_tmp()
