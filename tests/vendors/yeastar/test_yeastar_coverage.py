"""API coverage of Yeastar: every answer is a 200, told apart by errno; v1.1.0 and v2.0.0 counted apart."""
from __future__ import annotations

import pytest
from yeastar_helpers import DAY, USER, failed, md5

from coverage_support import coverage, declared, declared_for, hit_map, operation
from mockcdr.control_client import ControlClient
from mockcdr.vendors.yeastar import VENDOR


def test_the_download_flow_is_counted_by_errno(pbx, pbx2):
    token = pbx.token()
    random = pbx.random(token)
    assert pbx.download(token, random).mimetype == "text/csv"        # streamed: counted as Success
    assert failed(pbx.download(token, random)) == "20020"            # a random works once
    assert pbx.post(f"/logout?token={token}").json == {"status": "Success"}
    assert pbx.client.options(pbx.base + "/login").status_code == 200

    doc = coverage(pbx.app, "yeastar")
    assert hit_map(doc, "yeastar") == {
        ("login", "200"): 1, ("login", "200", "Success"): 1,
        ("getCdrRandom", "200"): 1, ("getCdrRandom", "200", "Success"): 1,
        ("downloadCdr", "200"): 2, ("downloadCdr", "200", "Success"): 1, ("downloadCdr", "200", "20020"): 1,
        ("logout", "200"): 1, ("logout", "200", "Success"): 1}
    assert operation(doc, "yeastar", "loginV2")["hits"] == 0          # the other version's twin
    login = operation(doc, "yeastar", "login")["responses"][0]
    assert {k["kind"] for k in login["kinds"]} == {k for _, k in declared_for(VENDOR, "login")}
    assert doc["vendors"][0]["other"] == [{"method": "OPTIONS", "path": "/api/v1.1.0/login", "status": 200,
                                           "hits": 1}]
    assert pbx2.token()
    assert operation(coverage(pbx2.app, "yeastar"), "yeastar", "loginV2")["hits"] == 1


def _login(pbx, body=None, raw=None):
    if raw is not None:
        return pbx.client.post(pbx.base + "/login", data=raw, content_type="application/json")
    return pbx.post("/login", body)


def _locked(pbx):
    for _ in range(pbx.rt.state["yeastar"].options["lockout_failures"] - 1):
        pbx.login(password="wrong")
    ControlClient.for_app(pbx.app).clear_coverage()
    return pbx.login(password="wrong")


def _expired(pbx):
    token = pbx.token()
    pbx.advance(minutes=31)
    ControlClient.for_app(pbx.app).clear_coverage()
    return pbx.post(f"/heartbeat?token={token}")


RECIPES = {   # errno -> (operation, request); a token is made first where the request needs one
    "Success": ("login", lambda p, t: p.login()),
    "10004": ("login", lambda p, t: p.post("/login", {"password": md5("x"), "port": "8260"})),
    "20000": ("login", lambda p, t: _login(p, raw="[1]")),
    "20002": ("login", lambda p, t: _locked(p)),
    "20003": ("login", lambda p, t: p.login(password="wrong")),
    "20007": ("login", lambda p, t: _login(p, raw="")),
    "20008": ("login", lambda p, t: p.post("/login", {"username": USER, "password": md5("x"), "port": "70000"})),
    "30001": ("login", lambda p, t: _login(p, raw="{" + " " * (1 << 20) + "}")),
    "20004": ("logout", lambda p, t: p.post("/logout?token=" + "0" * 32)),
    "20005": ("heartbeat", lambda p, t: p.post("/heartbeat?token=")),
    "20006": ("heartbeat", lambda p, t: _expired(p)),
    "10006": ("getCdrRandom", lambda p, t: p.get_random(t, extid="9999")),
    "20015": ("getCdrRandom", lambda p, t: p.get_random(t, allowedip="not-an-ip")),
    "20019": ("getCdrRandom", lambda p, t: p.get_random(t, window=("2026-03-01", DAY[1]))),
    "20020": ("downloadCdr", lambda p, t: p.download(t, "0" * 32)),
    "20021": ("downloadCdr", lambda p, t: p.download(
        t, p.random(t, window=("2026-03-01 03:00:00", "2026-03-01 03:00:00")),
        window=("2026-03-01 03:00:00", "2026-03-01 03:00:00"))),
}


def test_every_declared_errno_has_a_recipe():
    assert {(200, kind) for kind in RECIPES} == declared(VENDOR)


@pytest.mark.parametrize("kind", sorted(RECIPES))
def test_each_declared_errno_is_counted_under_its_operation(pbx, kind):
    name, send = RECIPES[kind]
    token = pbx.token()
    control = ControlClient.for_app(pbx.app)
    control.clear_coverage()
    resp = send(pbx, token)
    shown = "Success" if resp.mimetype == "text/csv" or resp.json["status"] == "Success" else failed(resp)
    assert shown == kind
    counted = hit_map(coverage(pbx.app, "yeastar"), "yeastar")
    assert {k: n for k, n in counted.items() if k[0] == name} == {(name, "200"): 1, (name, "200", kind): 1}


def test_v2_operations_declare_the_same_errnos_as_their_v1_twins():
    for op in ("login", "heartbeat", "logout", "getCdrRandom", "downloadCdr", "downloadCdrPost"):
        assert declared_for(VENDOR, op) == declared_for(VENDOR, op + "V2")
