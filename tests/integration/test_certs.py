#!/usr/bin/python3
"""`plexichat-node cert create-ca / create-node`: the files, their modes, refusals, and that the
certificates really do mutual TLS, checked with the independent openssl command line."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Suite, free_port, node_binary  # noqa: E402

suite = Suite("certs")
S = {}


def setup():
    S["tmp"] = tempfile.mkdtemp(prefix="pc-it-certs-")
    return S


def path(*parts):
    return os.path.join(S["tmp"], *parts)


def cert(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_container_overflow=0")
    p = subprocess.run([node_binary(), "cert", *args], capture_output=True, timeout=60, env=env,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ok(*args):
    code, out, err = cert(*args)
    assert code == 0, f"cert {args}: exit {code}: {err}"
    return out


def refused(expect_code, *args, words=()):
    code, out, err = cert(*args)
    assert code == expect_code, f"cert {args}: exit {code}, wanted {expect_code}: {out} {err}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message on stderr"
    for w in words:
        assert w.lower() in err.lower(), f"{w!r} not in {err!r}"
    return err


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def openssl(*args, **kw):
    return subprocess.run(["openssl", *args], capture_output=True, timeout=30, **kw)


@suite.check
def create_ca_and_nodes(s):
    ok("create-ca", "--certs-dir", path("a"), "--ca-key", path("ca.key"))
    assert mode(path("ca.key")) == 0o600, oct(mode(path("ca.key")))
    assert mode(path("a", "ca.crt")) == 0o644
    for name in ("a", "b"):
        ok("create-node", name, "--certs-dir", path(name), "--ca-key", path("ca.key"))
        assert mode(path(name, "node.key")) == 0o600
        assert sorted(os.listdir(path(name))) == ["ca.crt", "node.crt", "node.key"]
        v = openssl("verify", "-CAfile", path(name, "ca.crt"), path(name, "node.crt"))
        assert v.returncode == 0, v.stdout + v.stderr
        text = openssl("x509", "-in", path(name, "node.crt"), "-noout", "-text").stdout.decode()
        assert f"CN = {name}" in text and f"DNS:{name}" in text, text
        assert "TLS Web Client Authentication" in text and "TLS Web Server Authentication" in text
    with open(path("a", "ca.crt")) as x, open(path("b", "ca.crt")) as y:
        assert x.read() == y.read()


@suite.check
def refusals_change_nothing(s):
    before = open(path("a", "node.key")).read()
    refused(1, "create-node", "a", "--certs-dir", path("a"), "--ca-key", path("ca.key"),
            words=["already exists"])
    assert open(path("a", "node.key")).read() == before
    refused(1, "create-ca", "--certs-dir", path("x"), "--ca-key", path("ca.key"),
            words=["already exists"])
    refused(1, "create-ca", "--certs-dir", path("y"), "--ca-key", path("y", "ca.key"),
            words=["outside"])
    assert not os.path.exists(path("y", "ca.key"))
    refused(1, "create-node", "bad name!", "--certs-dir", path("z"), "--ca-key", path("ca.key"),
            words=["node name"])
    refused(1, "create-node", "c", "--certs-dir", path("c"), "--ca-key", path("missing.key"),
            words=["missing.key"])
    refused(2, "create-node", "c", "--certs-dir", path("c"))
    refused(2, "bogus")
    assert not os.path.exists(path("c")) and not os.path.exists(path("z"))


@suite.check
def another_ca_is_refused_for_an_existing_dir(s):
    ok("create-ca", "--certs-dir", path("other"), "--ca-key", path("other.key"))
    ok("create-node", "o", "--certs-dir", path("other"), "--ca-key", path("other.key"))
    refused(1, "create-node", "a2", "--certs-dir", path("a"), "--ca-key", path("other.key"),
            words=["another ca"])


def handshake(server_dir, client_dir, ca_dir):
    """Runs openssl s_server requiring a client certificate and s_client presenting one;
    returns True when the client's handshake completed and the server verified it."""
    port = free_port()
    srv = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", path(server_dir, "node.crt"),
         "-key", path(server_dir, "node.key"), "-CAfile", path(server_dir, "ca.crt"),
         "-Verify", "1", "-verify_return_error", "-naccept", "1", "-quiet"],
        # stdin stays open: at EOF on its stdin s_server drops the connection before it has
        # printed what the client sent.
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while True:
            c = openssl("s_client", "-connect", f"127.0.0.1:{port}", "-cert", path(client_dir, "node.crt"),
                        "-key", path(client_dir, "node.key"), "-CAfile", path(ca_dir, "ca.crt"),
                        "-verify_return_error", "-brief", input=b"hello\n")
            out = (c.stdout + c.stderr).decode(errors="replace")
            if "Connection refused" not in out and "connect:errno" not in out or time.time() > deadline:
                break
            time.sleep(0.05)
        srv.wait(timeout=10)
        server_out = srv.stdout.read().decode(errors="replace")
        return "hello" in server_out, out + server_out
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        srv.stdin.close()


@suite.check
def certificates_do_mutual_tls(s):
    done, log = handshake("a", "b", "b")
    assert done, f"a and b, both from one CA, failed mutual TLS:\n{log}"
    done, log = handshake("a", "other", "other")
    assert not done, f"a accepted a client of another CA:\n{log}"


def cleanup_tmp():
    if "tmp" in S:
        shutil.rmtree(S["tmp"], ignore_errors=True)


if __name__ == "__main__":
    try:
        suite.main(setup)
    finally:
        cleanup_tmp()
