"""Login, lockout, the sliding 30-minute token, heartbeat and logout."""
from __future__ import annotations

import re

import pytest

from yeastar_helpers import PASSWORD, USER, V1, V2, Pbx, failed, md5, yeastar_settings


def test_login_answers_a_32_hex_token(pbx):
    resp = pbx.login()
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert set(resp.json) == {"status", "token"} and resp.json["status"] == "Success"
    assert re.fullmatch(r"[0-9a-f]{32}", resp.json["token"])
    assert pbx.token() != resp.json["token"]


@pytest.mark.parametrize("missing", ["username", "password", "port"])
def test_login_requires_username_password_and_port(pbx, missing):
    body = {"username": USER, "password": md5(PASSWORD), "port": "8260"}
    del body[missing]
    assert failed(pbx.post("/login", body)) == "10004"
    body[missing] = "  "
    assert failed(pbx.post("/login", body)) == "10004"


@pytest.mark.parametrize("port", [0, "0", "8260", 8260, 65535])
def test_login_takes_the_port_as_number_or_string(pbx, port):
    assert pbx.login(port=port).json["status"] == "Success"


@pytest.mark.parametrize("port", ["http", 65536, -1, "80a", True, [8260]])
def test_a_bad_port_is_20008(pbx, port):
    assert failed(pbx.login(port=port)) == "20008"


def test_wrong_credentials_are_20003(pbx):
    assert failed(pbx.login(password="not-the-password")) == "20003"
    assert failed(pbx.login(username="nobody")) == "20003"
    plain = pbx.post("/login", {"username": USER, "password": PASSWORD, "port": "8260"})
    assert failed(plain) == "20003"            # the password must be sent as its MD5
    upper = pbx.post("/login", {"username": USER, "password": md5(PASSWORD).upper(), "port": "1"})
    assert failed(upper) == "20003"            # ... in lowercase hex


def test_five_failed_logins_lock_the_user_for_ten_minutes(pbx):
    for _ in range(4):
        assert failed(pbx.login(password="wrong")) == "20003"
    assert failed(pbx.login(password="wrong")) == "20002"
    assert failed(pbx.login()) == "20002"                       # even with the right password
    assert pbx.login("globex-api", "globex-fake-api-pass").json["status"] == "Success"
    pbx.advance(minutes=9, seconds=59)
    assert failed(pbx.login()) == "20002"
    pbx.advance(seconds=1)
    assert pbx.login().json["status"] == "Success"
    for _ in range(4):                                          # counting starts afresh
        assert failed(pbx.login(password="wrong")) == "20003"


def test_a_successful_login_resets_the_failure_count(pbx):
    for _ in range(4):
        failed(pbx.login(password="wrong"))
    pbx.token()
    for _ in range(4):
        assert failed(pbx.login(password="wrong")) == "20003"


def test_lockout_counters_live_in_the_store(pbx):
    for _ in range(5):
        failed(pbx.login(password="wrong"))
    snapshot = pbx.rt.snapshot()
    pbx.rt.reset()
    assert pbx.login().json["status"] == "Success"
    pbx.rt.restore(snapshot)
    assert failed(pbx.login()) == "20002"


def test_lockout_by_ip_blocks_the_address_for_every_user(make_pbx):
    pbx = make_pbx(lockout_scope="ip", lockout_failures=3, lockout_seconds=60)
    for name in ("a", "b", "c"):
        failed(pbx.login(username=name))
    assert failed(pbx.login()) == "20002"
    assert pbx.login(environ_base={"REMOTE_ADDR": "10.1.2.3"}).json["status"] == "Success"


def test_the_token_expires_30_minutes_after_its_last_use(pbx):
    token = pbx.token()
    for _ in range(3):                 # each use slides the window
        pbx.advance(minutes=29)
        assert pbx.get_random(token).json["status"] == "Success"
    pbx.advance(minutes=30)
    assert failed(pbx.get_random(token)) == "20006"
    assert failed(pbx.post(f"/heartbeat?token={token}")) == "20006"


def test_heartbeat_extends_the_token(make_pbx):
    pbx = make_pbx(token_extends_on_use=False)
    token = pbx.token()
    pbx.advance(minutes=20)
    assert pbx.get_random(token).json["status"] == "Success"     # a use, but no extension
    pbx.advance(minutes=10)
    assert failed(pbx.get_random(token)) == "20006"
    token = pbx.token()
    pbx.advance(minutes=20)
    resp = pbx.post(f"/heartbeat?token={token}", {"ipaddr": "127.0.0.1", "port": "8260"})
    assert resp.json == {"status": "Success"}
    pbx.advance(minutes=29)
    assert pbx.get_random(token).json["status"] == "Success"


def test_heartbeat_body_is_optional_but_must_be_json(pbx):
    token = pbx.token()
    assert pbx.client.post(f"{V1}/heartbeat?token={token}").json == {"status": "Success"}
    bad = pbx.client.post(f"{V1}/heartbeat?token={token}", data="ipaddr=1.2.3.4")
    assert failed(bad) == "20000"
    assert failed(pbx.post(f"/heartbeat?token={token}", {"port": "99999"})) == "20008"


def test_expired_token_errno_is_an_option(make_pbx):
    pbx = make_pbx(expired_token_errno="20004")
    token = pbx.token()
    pbx.advance(minutes=31)
    assert failed(pbx.get_random(token)) == "20004"


def test_logout_ends_the_token(pbx):
    token = pbx.token()
    assert pbx.post(f"/logout?token={token}").json == {"status": "Success"}
    assert failed(pbx.get_random(token)) == "20004"
    assert failed(pbx.post(f"/logout?token={token}")) == "20004"


@pytest.mark.parametrize("query, errno", [("", "20005"), ("?token=", "20005"), ("?token=%20", "20005"),
                                          ("?token=0123456789abcdef0123456789abcdef", "20004")])
def test_blank_and_unknown_tokens(pbx, query, errno):
    assert failed(pbx.post(f"/heartbeat{query}")) == errno
    assert failed(pbx.post(f"/cdr/get_random{query}", {"extid": "all"})) == errno


def test_tokens_belong_to_their_api_version(pbx):
    v2 = Pbx(pbx.app, V2)                     # the same app, through the v2.0.0 paths
    token = pbx.token()
    assert failed(v2.post(f"/heartbeat?token={token}")) == "20004"
    token2 = v2.token()
    assert v2.post(f"/heartbeat?token={token2}").json == {"status": "Success"}
    assert failed(pbx.post(f"/heartbeat?token={token2}")) == "20004"


def test_bodies_are_json_whatever_the_content_type(pbx):
    body = f'{{"username": "{USER}", "password": "{md5(PASSWORD)}", "port": "8260"}}'
    resp = pbx.client.post(f"{V1}/login", data=body, content_type="text/plain")
    assert resp.json["status"] == "Success"
    assert failed(pbx.client.post(f"{V1}/login", data="username=acme-api")) == "20000"
    assert failed(pbx.client.post(f"{V1}/login", data="[1, 2]", content_type="application/json")) == "20000"
    assert failed(pbx.client.post(f"{V1}/login", data=b"\xff\xfe{}")) == "20000"
    assert failed(pbx.client.post(f"{V1}/login")) == "20007"


def test_unknown_endpoints_and_methods(pbx):
    assert failed(pbx.client.get(f"{V1}/cdr/list")) == "10003"
    assert failed(pbx.client.post(f"{V1}/extension/query")) == "10003"
    assert failed(pbx.client.post(f"{V2}/nothing")) == "10003"
    assert failed(pbx.client.get(f"{V1}/login")) == "20001"
    assert failed(pbx.client.delete(f"{V1}/cdr/get_random")) == "20001"


def test_a_body_over_the_limit_is_30001(make_pbx):
    pbx = make_pbx(settings=yeastar_settings().with_(max_body=1024))
    resp = pbx.client.post(f"{V1}/login", data="{" + " " * 4096 + "}", content_type="application/json")
    assert failed(resp) == "30001"


def test_every_answer_carries_the_documented_cors_headers(pbx):
    for resp in (pbx.login(), pbx.login(password="x"), pbx.client.get(f"{V1}/none"),
                 pbx.client.options(f"{V1}/cdr/get_random")):
        assert resp.status_code == 200
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert resp.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS, PUT, DELETE"
    preflight = pbx.client.options(f"{V1}/cdr/download")
    assert {"GET", "POST"} <= set(preflight.headers["Allow"].replace(" ", "").split(","))
