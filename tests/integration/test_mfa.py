#!/usr/bin/python3
"""TOTP second factor: enrolment, confirmation, login with codes made by Debian's oathtool (an
independent RFC 6238 implementation), replay and window rules, backup codes, disable, and the
state surviving a restart."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PASSWORD, Api, Suite, assert_error, uname, wait_until  # noqa: E402

suite = Suite("mfa")
S = {}
MFA = "/api/v1/auth/mfa"


def setup():
    node = suite.node()
    S.update(node=node, api=Api(node))
    return S


def totp(secret, at=None):
    """The 6-digit code of `secret` (base32) at Unix time `at` (default now), by oathtool."""
    args = ["oathtool", "--totp", "-b", secret]
    if at is not None:
        args += ["--now", f"@{int(at)}"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def early_in_step():
    """Waits until the current 30 s step has at least 8 s left, so that codes made now stay
    current (or one step back) until the node checks them."""
    wait_until(lambda: time.time() % 30 < 22, timeout=15, what="a fresh TOTP step", interval=0.2)


def login(api, name, password=PASSWORD, otp=None):
    body = {"username": name, "password": password}
    if otp is not None:
        body["otp"] = otp
    return api.call("POST", "/api/v1/auth/login", body)


def enrolled_user(api):
    """A user with TOTP enrolled and confirmed with the previous step's code; returns
    (name, token, secret, backup codes)."""
    name = uname("mfa")
    assert api.register(name)[0] == 201
    token = api.login(name)[1]["token"]
    st, b, _ = api.call("POST", MFA + "/totp/enroll", token=token)
    assert st == 200, (st, b)
    early_in_step()
    st, c, _ = api.call("POST", MFA + "/totp/confirm", {"code": totp(b["secret"], time.time() - 30)},
                        token=token)
    assert st == 200, (st, c)
    return name, token, b["secret"], c["backup_codes"]


@suite.check
def enrol_answers_secret_uri_and_qr(s):
    api = s["api"]
    name = uname("enrol")
    api.register(name)
    token = api.login(name)[1]["token"]
    assert api.call("GET", MFA, token=token)[1] == {"totp_enabled": False, "backup_codes_left": 0}
    st, b, _ = api.call("POST", MFA + "/totp/enroll", token=token)
    assert st == 200, (st, b)
    assert re.fullmatch(r"[A-Z2-7]{32}", b["secret"]), b["secret"]
    assert b["otpauth_uri"] == (f"otpauth://totp/PlexiChat:{name}?secret={b['secret']}"
                                "&issuer=PlexiChat&algorithm=SHA1&digits=6&period=30"), b
    assert b["qr_svg"].startswith("<svg") and b["qr_svg"].endswith("</svg>"), b["qr_svg"][:80]
    # Not on until confirmed: login needs no code.
    assert login(api, name)[0] == 200
    # Re-enrolling replaces the unconfirmed secret: the old one's codes no longer confirm.
    st, b2, _ = api.call("POST", MFA + "/totp/enroll", token=token)
    assert st == 200 and b2["secret"] != b["secret"], b2
    early_in_step()
    assert_error(api.call("POST", MFA + "/totp/confirm", {"code": totp(b["secret"])}, token=token),
                 403, "forbidden", "code of the replaced secret")
    # A code two steps old is refused, the previous step's is accepted.
    assert_error(api.call("POST", MFA + "/totp/confirm",
                          {"code": totp(b2["secret"], time.time() - 60)}, token=token),
                 403, "forbidden", "code two steps old")
    st, c, _ = api.call("POST", MFA + "/totp/confirm", {"code": totp(b2["secret"])}, token=token)
    assert st == 200, (st, c)
    codes = c["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    assert all(re.fullmatch(r"[A-Z2-7]{10}", x) for x in codes), codes
    assert api.call("GET", MFA, token=token)[1] == {"totp_enabled": True, "backup_codes_left": 10}
    assert_error(api.call("POST", MFA + "/totp/enroll", token=token), 409, "conflict",
                 "enrol when enabled")
    assert_error(api.call("POST", MFA + "/totp/confirm", {"code": totp(b2["secret"])},
                          token=token), 409, "conflict", "confirm when enabled")


@suite.check
def confirm_needs_an_enrolment_and_auth(s):
    api = s["api"]
    token, _ = api.user("noenrol")
    assert_error(api.call("POST", MFA + "/totp/confirm", {"code": "123456"}, token=token), 409,
                 "conflict", "confirm without enrol")
    assert_error(api.call("POST", MFA + "/totp/enroll"), 401, "unauthorized", "enrol, no token")
    assert_error(api.call("GET", MFA), 401, "unauthorized", "status, no token")
    assert_error(api.call("POST", MFA + "/totp/confirm", {"code": 123456}, token=token), 400,
                 "invalid_request", "numeric code")


@suite.check
def login_with_totp(s):
    api = s["api"]
    name, _, secret, _ = enrolled_user(api)
    assert_error(login(api, name), 401, "mfa_required", "right password, no otp")
    # A wrong password never tells whether the account has a second factor.
    assert_error(login(api, name, "wrong password!"), 401, "unauthorized", "wrong password")
    assert_error(login(api, name, "wrong password!", totp(secret)), 401, "unauthorized",
                 "wrong password, right code")
    assert_error(login(api, name, otp="000000" if totp(secret) != "000000" else "111111"), 401,
                 "unauthorized", "wrong code")
    code = totp(secret)
    st, b, _ = login(api, name, otp=code)
    assert st == 200 and b["token"], (st, b)
    assert api.call("GET", "/api/v1/users/me", token=b["token"])[0] == 200
    assert_error(login(api, name, otp=code), 401, "unauthorized", "the same code again")
    assert_error(login(api, name, otp=totp(secret, time.time() - 60)), 401, "unauthorized",
                 "a code two steps old")
    assert_error(login(api, name, otp=totp(secret, time.time() - 30)), 401, "unauthorized",
                 "the previous step after the current one was used")


@suite.check
def backup_codes_work_once(s):
    api = s["api"]
    name, token, _, codes = enrolled_user(api)
    st, b, _ = login(api, name, otp=codes[0])
    assert st == 200, (st, b)
    assert_error(login(api, name, otp=codes[0]), 401, "unauthorized", "backup code reused")
    st, b, _ = login(api, name, otp=codes[1].lower()[:5] + "-" + codes[1].lower()[5:])
    assert st == 200, ("backup code, lower case with a dash", st, b)
    assert api.call("GET", MFA, token=token)[1]["backup_codes_left"] == 8


@suite.check
def disable_needs_password_and_code(s):
    api = s["api"]
    name, token, secret, codes = enrolled_user(api)
    path = MFA + "/totp/disable"
    assert_error(api.call("POST", path, {"password": "wrong password!", "code": codes[0]},
                          token=token), 403, "forbidden", "wrong password")
    assert_error(api.call("POST", path, {"password": PASSWORD, "code": "ZZZZZZZZZZ"}, token=token),
                 403, "forbidden", "wrong code")
    assert_error(api.call("POST", path, {"password": PASSWORD}, token=token), 400,
                 "invalid_request", "no code")
    assert_error(login(api, name), 401, "mfa_required", "still on after refused disables")
    st, b, _ = api.call("POST", path, {"password": PASSWORD, "code": codes[0]}, token=token)
    assert st == 204, (st, b)
    assert login(api, name)[0] == 200, "off: login needs no code"
    assert api.call("GET", MFA, token=token)[1] == {"totp_enabled": False, "backup_codes_left": 0}
    assert_error(api.call("POST", path, {"password": PASSWORD, "code": codes[1]}, token=token),
                 409, "conflict", "disable when off")


@suite.check
def state_survives_a_restart(s):
    api, node = s["api"], s["node"]
    name, _, secret, codes = enrolled_user(api)
    used = totp(secret)
    assert login(api, name, otp=used)[0] == 200
    assert login(api, name, otp=codes[0])[0] == 200
    assert node.stop(timeout=15) == 0
    node.start()
    assert_error(login(api, name), 401, "mfa_required", "after restart")
    assert_error(login(api, name, otp=used), 401, "unauthorized", "replayed step after restart")
    assert_error(login(api, name, otp=codes[0]), 401, "unauthorized",
                 "consumed backup code after restart")
    st, b, _ = login(api, name, otp=codes[1])
    assert st == 200, (st, b)
    assert api.call("GET", MFA, token=b["token"])[1] == {"totp_enabled": True,
                                                          "backup_codes_left": 8}


if __name__ == "__main__":
    suite.main(setup)
