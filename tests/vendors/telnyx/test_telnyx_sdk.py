"""The official ``telnyx`` SDK against a live mock: V1 through its generic verbs, V2 typed methods."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import telnyx

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from places import PLACES, at

NOW = datetime(2024, 2, 12, 12, 0, tzinfo=timezone.utc)
ACME_KEY = "KEYFAKEACME00000000000000000001_FakeSecretAcme0001"
GLOBEX_KEY = "KEYFAKEGLOBEX000000000000000001_FakeSecretGlobex0001"


@pytest.fixture(scope="module")
def live():
    with LiveServer(Settings(vendors=("telnyx",), seed="sdk", clock_start=NOW.isoformat(),
                             clock_frozen=True)) as srv:
        yield srv


@pytest.fixture(scope="module", params=PLACES)
def server(live, request):
    """Every test runs at the server's root and again inside a session."""
    yield from at(live, request.param)


OPEN: list[telnyx.Telnyx] = []


@pytest.fixture
def srv(server):
    server.runtime.reset()
    yield server
    while OPEN:                 # idle keep-alive connections would hold the server's shutdown
        OPEN.pop().close()
    server.raise_errors()


def client(srv, key=ACME_KEY, v2=False, **kw) -> telnyx.Telnyx:
    c = telnyx.Telnyx(api_key=key, base_url=srv.url + ("/v2" if v2 else ""), max_retries=0, **kw)
    OPEN.append(c)
    return c


def test_v1_through_generic_verbs(srv):
    c = client(srv)
    created = c.post("/reporting/cdr_requests", cast_to=object, body={
        "start_time": "2024-02-11T00:00:00+00:00", "call_types": [1, 2], "record_types": [1, 2, 3],
        "report_name": "sdk"})
    assert created["status"] == 1 and created["call_types"] == [1, 2]
    listed = c.get("/reporting/cdr_requests", cast_to=object, options={"params": {"page": 1, "per_page": 1000}})
    assert [r["id"] for r in listed] == [created["id"]]
    srv.runtime.clock.advance(timedelta(seconds=5))
    one = c.get(f"/reporting/cdr_requests/{created['id']}", cast_to=object)
    assert one["status"] == 2 and one["report_url"].startswith(srv.url + "/reporting/cdr_reports/")
    report = httpx.get(one["report_url"])
    assert report.status_code == 200 and report.headers["content-type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert rows and {r["direction"] for r in rows} == {"inbound", "outbound"}
    gone = c.delete(f"/reporting/cdr_requests/{created['id']}", cast_to=object)
    assert gone["success"] is True
    with pytest.raises(telnyx.NotFoundError) as exc:
        c.get(f"/reporting/cdr_requests/{created['id']}", cast_to=object)
    assert exc.value.body["errors"][0]["code"] == "10005"


def test_v1_with_v1_headers_added_to_the_sdk(srv):
    c = client(srv, key="unused", default_headers={"x-api-user": "noc@globex.example",
                                                   "x-api-token": "fake-v1-token-globex-0001"})
    created = c.post("/reporting/cdr_requests", cast_to=object, body={"start_time": "2024-02-11T00:00:00Z"})
    assert c.get(f"/reporting/cdr_requests/{created['id']}", cast_to=object)["id"] == created["id"]
    with pytest.raises(telnyx.NotFoundError):
        client(srv).get(f"/reporting/cdr_requests/{created['id']}", cast_to=object)


def test_v1_errors_as_sdk_exceptions(srv):
    with pytest.raises(telnyx.AuthenticationError) as exc:
        client(srv, key="KEYwrong").get("/reporting/cdr_requests", cast_to=object)
    assert exc.value.status_code == 401 and exc.value.body["errors"][0]["title"] == "Authentication failed"
    with pytest.raises(telnyx.BadRequestError) as exc:
        client(srv).post("/reporting/cdr_requests", cast_to=object, body={
            "start_time": "2024-02-11T00:00:00Z", "filters": [{"filter_type": "or", "cli": "1", "cli_filter": "contains"}]})
    assert exc.value.body["errors"][0]["source"] == {"pointer": "/filters/0/filter_type"}


def test_v2_typed_methods(srv):
    voice = client(srv, v2=True).legacy.reporting.batch_detail_records.voice
    created = voice.create(start_time=NOW - timedelta(days=2), end_time=NOW, call_types=[1, 2], record_types=[1],
                           connections=[1684641123236054001], report_name="typed", timezone="America/Chicago",
                           filters=[{"filter_type": "and", "cld": "1", "cld_filter": "starts_with"}],
                           fields=["start_timestamp", "terminating_number", "connection_id"])
    data = created.data
    assert data.status == 1 and data.record_type == "cdr_detailed_report"
    assert data.connections == [1684641123236054001] and data.filters[0].cld_filter == "starts_with"
    assert data.start_time == "2024-02-10T12:00:00Z" and data.timezone == "America/Chicago"
    listed = voice.list()
    assert [d.id for d in listed.data] == [data.id]
    assert listed.meta.total_results == 1 and listed.meta.page_number == 1
    srv.runtime.clock.advance(timedelta(seconds=5))
    done = voice.retrieve(data.id).data
    assert done.status == 2 and done.report_url
    rows = list(csv.DictReader(io.StringIO(httpx.get(done.report_url).text)))
    assert rows and all(r["connection_id"] == "1684641123236054001" and r["terminating_number"].startswith("+1")
                        and r["start_timestamp"][-6:] == "-06:00" for r in rows)
    fields = voice.retrieve_fields()
    assert "cost" in fields.billing and "call_leg_id" in fields.telephony_data
    deleted = voice.delete(data.id)
    assert deleted.data.id == data.id
    with pytest.raises(telnyx.NotFoundError):
        voice.retrieve(data.id)


def test_v2_errors_and_isolation(srv):
    voice = client(srv, v2=True).legacy.reporting.batch_detail_records.voice
    mine = voice.create(start_time=NOW - timedelta(hours=3), end_time=NOW).data
    other = client(srv, key=GLOBEX_KEY, v2=True).legacy.reporting.batch_detail_records.voice
    with pytest.raises(telnyx.NotFoundError):
        other.retrieve(mine.id)
    assert other.list().data == []
    with pytest.raises(telnyx.BadRequestError) as exc:
        voice.create(start_time=NOW - timedelta(days=40), end_time=NOW + timedelta(days=2))
    pointers = [e["source"]["pointer"] for e in exc.value.body["errors"]]
    assert pointers == ["/end_time", "/start_time"]
    with pytest.raises(telnyx.AuthenticationError):
        client(srv, key="nope", v2=True).legacy.reporting.batch_detail_records.voice.list()
