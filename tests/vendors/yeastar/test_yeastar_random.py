"""get_random: validation of extid, window and allowedip, and the documented success body."""
from __future__ import annotations

import re

import pytest

from yeastar_helpers import DAY, failed


def test_get_random_echoes_the_request_and_answers_a_32_hex_random(pbx):
    token = pbx.token()
    resp = pbx.get_random(token, "1000,1001", ("2026-02-01 08:00:00", "2026-02-28 17:30:00"))
    assert resp.status_code == 200
    body = resp.json
    assert list(body) == ["status", "extid", "starttime", "endtime", "random"]
    assert body["status"] == "Success" and body["extid"] == "1000,1001"
    assert (body["starttime"], body["endtime"]) == ("2026-02-01 08:00:00", "2026-02-28 17:30:00")
    assert re.fullmatch(r"[0-9a-f]{32}", body["random"])
    assert pbx.random(token) != body["random"]


def test_v2_takes_and_echoes_number(pbx2):
    token = pbx2.token()
    body = pbx2.get_random(token, "1002").json
    assert list(body) == ["status", "number", "starttime", "endtime", "random"]
    assert body["number"] == "1002"
    resp = pbx2.post(f"/cdr/get_random?token={token}", {"extid": "1002", "starttime": DAY[0],
                                                        "endtime": DAY[1]})
    assert failed(resp) == "10004"


@pytest.mark.parametrize("missing", ["extid", "starttime", "endtime"])
def test_extid_and_both_times_are_required(pbx, missing):
    token = pbx.token()
    body = {"extid": "all", "starttime": DAY[0], "endtime": DAY[1]}
    del body[missing]
    assert failed(pbx.post(f"/cdr/get_random?token={token}", body)) == "10004"
    body[missing] = ""
    assert failed(pbx.post(f"/cdr/get_random?token={token}", body)) == "10004"


@pytest.mark.parametrize("bad", ["2026-03-01", "2026-03-01T00:00:00", "2026/03/01 00:00:00",
                                 "2026-3-1 0:00:00", "2026-02-30 00:00:00", "2026-03-01 24:00:00",
                                 "2026-03-01 00:00:00.000", "yesterday"])
def test_a_time_not_like_yyyy_mm_dd_hh_mm_ss_is_20019(pbx, bad):
    token = pbx.token()
    assert failed(pbx.get_random(token, window=(bad, DAY[1]))) == "20019"
    assert failed(pbx.get_random(token, window=(DAY[0], bad))) == "20019"


def test_an_end_before_the_start_is_20019(pbx):
    token = pbx.token()
    assert failed(pbx.get_random(token, window=(DAY[1], DAY[0]))) == "20019"
    assert pbx.get_random(token, window=(DAY[0], DAY[0])).json["status"] == "Success"


@pytest.mark.parametrize("extid", ["999", "1000,999", "1000,,1001", "ALL", "200"])
def test_an_extension_the_pbx_does_not_have_is_10006(pbx, extid):
    assert failed(pbx.get_random(pbx.token(), extid)) == "10006"     # 200 is globex's, not acme's


def test_unknown_extensions_may_be_accepted(make_pbx):
    pbx = make_pbx(reject_unknown_extensions=False)
    assert pbx.get_random(pbx.token(), "999").json["status"] == "Success"


@pytest.mark.parametrize("allowedip", ["10.0.0.1,10.0.0.2", "10.0.0.256", "pbx.example", "10.0.0.0/8", 17])
def test_allowedip_must_be_one_ip_address(pbx, allowedip):
    assert failed(pbx.get_random(pbx.token(), allowedip=allowedip)) == "20015"


@pytest.mark.parametrize("allowedip", ["192.0.2.10", "2001:db8::1", ""])
def test_allowedip_takes_ipv4_or_ipv6(pbx, allowedip):
    assert pbx.get_random(pbx.token(), allowedip=allowedip).json["status"] == "Success"
