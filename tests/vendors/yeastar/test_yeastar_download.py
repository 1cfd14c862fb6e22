"""The CDR download: the random's rules (once, 30 s, bound to its request and IPs) and the CSV."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest

from mockcdr.core.vendor import GenerateRequest
from yeastar_helpers import DAY, V1, failed, yeastar_settings

COLUMNS = ["callid", "timestart", "callfrom", "callto", "callduraction", "talkduraction",
           "srctrunkname", "dsttrunkname", "status", "type", "pincode", "recording", "didnumber", "sn"]


def parse(text: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMNS
    assert all(len(r) == 14 for r in rows)
    return [dict(zip(COLUMNS, r)) for r in rows[1:]]


def involves(row: dict, ext: str) -> bool:
    return (row["type"] == "Outbound" and row["callfrom"] == ext) or \
        (row["type"] == "Inbound" and row["callto"] == ext) or \
        (row["type"] == "Internal" and ext in (row["callfrom"], row["callto"]))


def test_the_csv_has_a_header_and_the_14_columns_in_order(pbx):
    token = pbx.token()
    random = pbx.random(token)
    resp = pbx.download(token, random)
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    rows = parse(resp.get_data(as_text=True))
    assert len(rows) > 10
    assert {r["sn"] for r in rows} == {"3631A0000001"}
    assert {r["type"] for r in rows} == {"Inbound", "Outbound", "Internal"}
    assert {r["status"] for r in rows} <= {"ANSWERED", "NO ANSWER", "BUSY", "FAILED"}
    for r in rows:
        assert DAY[0] <= r["timestart"] <= DAY[1]
        assert int(r["callduraction"]) >= int(r["talkduraction"]) >= 0
        assert r["callid"].split(".")[0].isdigit()
        assert bool(r["recording"]) == (r["status"] == "ANSWERED")
        assert (r["srctrunkname"] != "") == (r["type"] == "Inbound")
        assert (r["didnumber"] != "") == (r["type"] == "Inbound")
    assert len({r["callid"] for r in rows}) == len(rows)


def test_rows_only_for_the_requested_extensions(pbx):
    everything = parse(pbx.csv("all"))
    token = pbx.token()
    union = set()
    for ext in ("1000", "1001", "1002", "1003", "1004", "1005"):
        rows = parse(pbx.csv(ext, token=token))
        assert rows and all(involves(r, ext) for r in rows)
        union |= {r["callid"] for r in rows}
    assert union == {r["callid"] for r in everything}
    pair = parse(pbx.csv("1003,1001", token=token))
    assert [r for r in everything if involves(r, "1001") or involves(r, "1003")] == pair


def test_rows_only_inside_the_window_with_the_end_second_included(pbx):
    token = pbx.token()
    day = parse(pbx.csv(token=token))
    week = parse(pbx.csv(window=("2026-02-27 00:00:00", "2026-03-05 23:59:59"), token=token))
    assert [r for r in week if r["timestart"].startswith("2026-03-01")] == day
    moment = day[len(day) // 2]["timestart"]
    exact = parse(pbx.csv(window=(moment, moment), token=token))
    assert exact and {r["timestart"] for r in exact} == {moment}
    before = (datetime.strptime(moment, "%Y-%m-%d %H:%M:%S") - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    earlier = [r for r in day if r["timestart"] <= before]
    if earlier:
        assert parse(pbx.csv(window=(DAY[0], before), token=token)) == earlier


def test_the_window_and_timestart_are_in_the_pbx_time_zone(make_pbx):
    utc = make_pbx()
    ny = make_pbx(timezone="America/New_York")                 # UTC-5 in early March
    local = parse(ny.csv(window=DAY))
    same = parse(utc.csv(window=("2026-03-01 05:00:00", "2026-03-02 04:59:59")))
    assert [r["callid"] for r in local] == [r["callid"] for r in same]
    for a, b in zip(local, same):
        shifted = datetime.strptime(b["timestart"], "%Y-%m-%d %H:%M:%S") - timedelta(hours=5)
        assert a["timestart"] == shifted.strftime("%Y-%m-%d %H:%M:%S")


def test_a_random_works_once(pbx):
    token = pbx.token()
    random = pbx.random(token)
    assert pbx.download(token, random).status_code == 200
    assert failed(pbx.download(token, random)) == "20020"


def test_a_random_lives_30_seconds(pbx):
    token = pbx.token()
    random = pbx.random(token)
    pbx.advance(seconds=29)
    assert pbx.download(token, random).mimetype == "text/csv"
    random = pbx.random(token)
    pbx.advance(seconds=31)
    assert failed(pbx.download(token, random)) == "20020"
    assert failed(pbx.download(token, "0" * 32)) == "20020"


@pytest.mark.parametrize("field, value", [("extid", "1000,1001"), ("starttime", "2026-03-01 00:00:01"),
                                          ("endtime", "2026-03-01 23:59:58")])
def test_a_random_is_bound_to_its_extid_and_window(pbx, field, value):
    token = pbx.token()
    random = pbx.random(token, "1000")
    request = {"extid": "1000", "starttime": DAY[0], "endtime": DAY[1], field: value}
    resp = pbx.download(token, random, request["extid"], (request["starttime"], request["endtime"]))
    assert failed(resp) == "20020"
    assert pbx.download(token, random, "1000").status_code == 200    # the refusal did not spend it


def test_extensions_in_another_order_are_the_same_request(pbx):
    token = pbx.token()
    random = pbx.random(token, "1001,1000")
    assert pbx.download(token, random, "1000, 1001").mimetype == "text/csv"


def test_binding_is_an_option(make_pbx):
    pbx = make_pbx(bind_random=False)
    token = pbx.token()
    random = pbx.random(token, "1000")
    rows = parse(pbx.download(token, random, "1001").get_data(as_text=True))
    assert rows and all(involves(r, "1001") for r in rows)


def test_a_random_serves_only_the_app_server_and_allowedip(pbx):
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    token = pbx.token()                               # logged in from 127.0.0.1: the app server
    random = pbx.random(token)
    assert failed(pbx.download(token, random, environ_base=elsewhere)) == "20020"
    assert pbx.download(token, random).status_code == 200
    random = pbx.random(token, allowedip="198.51.100.7")
    assert pbx.download(token, random, environ_base=elsewhere).mimetype == "text/csv"
    random = pbx.random(token, allowedip="198.51.100.7")
    assert pbx.download(token, random).mimetype == "text/csv"


def test_the_app_server_is_the_address_that_logged_in(pbx):
    token = pbx.token(environ_base={"REMOTE_ADDR": "203.0.113.5"})
    random = pbx.random(token)
    assert failed(pbx.download(token, random)) == "20020"       # asked from 127.0.0.1
    assert pbx.download(token, random, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200


def test_a_random_belongs_to_its_user(pbx):
    acme = pbx.token()
    globex = pbx.token("globex-api", "globex-fake-api-pass")
    random = pbx.random(acme)
    assert failed(pbx.download(globex, random)) == "20020"


def test_download_needs_a_live_token_and_every_parameter(pbx):
    token = pbx.token()
    random = pbx.random(token)
    assert failed(pbx.download("", random)) == "20005"
    assert failed(pbx.download("f" * 32, random)) == "20004"
    for name in ("extid", "starttime", "endtime", "random"):
        query = {"extid": "all", "starttime": DAY[0], "endtime": DAY[1], "token": token, "random": random}
        del query[name]
        assert failed(pbx.client.get(f"{V1}/cdr/download", query_string=query)) == "10004"
    pbx.advance(minutes=31)
    assert failed(pbx.download(token, random)) == "20006"


def test_post_with_an_empty_body_downloads_too(pbx):
    token = pbx.token()
    get = pbx.download(token, pbx.random(token)).data
    post = pbx.download(token, pbx.random(token), method="POST")
    assert post.status_code == 200 and post.data == get


@pytest.mark.parametrize("encode", [
    lambda v: v,                                   # raw, as the docs print the link
    lambda v: quote(v, safe=""),                   # encodeURIComponent (%20, %3A, %2C)
    lambda v: quote(v, safe=":,"),                 # only the spaces as %20
    lambda v: v.replace(" ", "+"),                 # form encoding
])
def test_times_raw_percent_encoded_or_with_plus(pbx, encode):
    token = pbx.token()
    expected = pbx.download(token, pbx.random(token, "1000,1001"), "1000,1001").data
    random = pbx.random(token, "1000,1001")
    query = (f"extid={encode('1000,1001')}&starttime={encode(DAY[0])}&endtime={encode(DAY[1])}"
             f"&token={token}&random={random}")
    resp = pbx.client.get(f"{V1}/cdr/download?{query}")
    assert resp.status_code == 200 and resp.data == expected


def test_nothing_in_range_is_20021(make_pbx):
    pbx = make_pbx(settings=yeastar_settings().with_(calls_per_day=0))
    token = pbx.token()
    assert failed(pbx.download(token, pbx.random(token))) == "20021"


def test_nothing_in_range_may_be_a_header_only_csv(make_pbx):
    pbx = make_pbx(settings=yeastar_settings(empty_result="header").with_(calls_per_day=0))
    assert pbx.csv() == ",".join(COLUMNS) + "\n"


def test_csv_dialect_options(make_pbx):
    header = ["Call ID", "Start", "From", "To", "Duration", "Talk", "Source Trunk", "Dest Trunk",
              "Status", "Type", "PIN", "Recording", "DID", "SN"]
    pbx = make_pbx(csv_header=header, csv_line_terminator="\r\n", recordings=False)
    text = pbx.csv()
    assert text.startswith(",".join(header) + "\r\n")
    assert all(line.endswith("\r") or not line for line in text.split("\n"))
    assert all(row[11] == "" for row in list(csv.reader(io.StringIO(text)))[1:])


def test_generate_serves_the_bytes_of_the_download(pbx):
    from mockcdr.vendors.yeastar import VENDOR

    served = pbx.csv("1002,1004").encode()
    start = datetime.fromisoformat("2026-03-01T00:00:00+00:00")
    out = VENDOR.generate(pbx.rt, GenerateRequest(tenant="acme", start=start, end=start + timedelta(days=1),
                                                  params={"extid": "1002,1004"}))
    assert (out.content_type, out.compressed) == ("text/csv", False)
    assert out.read() == served
    limited = VENDOR.generate(pbx.rt, GenerateRequest(tenant="acme-api", start=start, end=None, limit=5))
    assert limited.read().decode().splitlines()[1:] == pbx.csv().splitlines()[1:6]
