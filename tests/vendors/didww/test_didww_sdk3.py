"""The official Python SDK ``didww`` 3.x (API 2026-04-16) against a live mock, pointed by base_url."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import csv
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from didww.callback.request_validator import RequestValidator
from didww.client import DidwwClient
from didww.enums import CallbackMethod, ExportStatus, ExportType
from didww.exceptions import DidwwApiError
from didww.query_params import QueryParams
from didww.resources.export import Export

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from places import PLACES, at

FAST = {"didww": {"pending_seconds": 0.1, "processing_seconds": 0.1}}


@pytest.fixture(scope="module")
def live():
    """A live mock on the real clock (so the SDK's own date arithmetic agrees with it)."""
    with LiveServer(Settings(vendors=("didww",), seed="sdk3", vendor_options=FAST)) as srv:
        yield srv


@pytest.fixture(scope="module", params=PLACES)
def server(live, request):
    """Every test runs at the server's root and again inside a session."""
    yield from at(live, request.param)


@pytest.fixture
def client(server):
    return DidwwClient(api_key=server.runtime.state["didww"].by_name["globex"].api_key,
                       base_url=f"{server.url}/v3")


def window(days: int = 2) -> dict:
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return {"from": (end - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S"),
            "to": end.strftime("%Y-%m-%d %H:%M:%S")}


def wait_completed(client, export_id: str) -> Export:
    deadline = time.monotonic() + 20
    while True:
        found = client.exports().find(export_id).data
        if found.is_completed or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_readme_snippet_runs_against_the_mock(tmp_path, monkeypatch):
    """The snippet in the README's DIDWW section, verbatim except for the port, against the
    default timings on a frozen clock: it completes only because it moves the clock."""
    snippet = vendor_snippet("didww")
    assert 'MOCK = "http://127.0.0.1:8080"' in snippet and "sleep" not in snippet
    monkeypatch.chdir(tmp_path)
    start = (datetime.now(timezone.utc) + timedelta(minutes=2)).isoformat()
    with LiveServer(Settings(vendors=("didww",), seed="sdk3", clock_start=start, clock_frozen=True)) as srv:
        exec(compile(snippet.replace("http://127.0.0.1:8080", srv.url), "didww-snippet", "exec"), {})
        srv.raise_errors()
    rows = list(csv.reader((tmp_path / "cdr_in.csv").open(encoding="utf-8")))
    assert len(rows[0]) == 22 and rows[0][0] == "Date/Time Start (UTC)"
    assert len(rows) > 1


def test_create_find_update_download(client, tmp_path):
    e = Export()
    e.export_type = ExportType.CDR_OUT
    e.filters = window()
    e.external_reference_id = "sdk-create"
    created = client.exports().create(e)
    assert created.meta == {"api_version": "2026-04-16"}
    export = created.data
    assert export.status == ExportStatus.PENDING and export.url is None
    assert export.created_at.tzinfo is not None
    assert export.filters == e.filters
    found = wait_completed(client, export.id)
    assert found.status == ExportStatus.COMPLETED and found.url.endswith(".csv.gz")
    assert export.id not in found.url
    found.external_reference_id = "sdk-updated"
    updated = client.exports().update(found).data
    assert updated.external_reference_id == "sdk-updated"
    assert client.exports().find(export.id).data.external_reference_id == "sdk-updated"
    target = tmp_path / "out.csv"
    client.download_and_decompress_export(found.url, str(target))
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert len(rows[0]) == 19 and rows[0][5] == "CLI"
    client.download_export(found.url, str(tmp_path / "out.csv.gz"))
    assert (tmp_path / "out.csv.gz").read_bytes()[:2] == b"\x1f\x8b"


def test_list_with_filters_sort_and_pages(client):
    ids = []
    for ref in ("list-a", "list-b", "list-c"):
        e = Export()
        e.export_type = ExportType.CDR_IN
        e.filters = window(1)
        e.external_reference_id = ref
        ids.append(client.exports().create(e).data.id)
    page = client.exports().list(QueryParams().filter("external_reference_id", "list-a,list-c")
                                 .sort("-created_at").page(1, 1))
    assert page.meta["total_records"] == 2 and page.meta["api_version"] == "2026-04-16"
    assert [x.external_reference_id for x in page.data] == ["list-c"]
    second = client.exports().list(QueryParams().filter("external_reference_id", "list-a,list-c")
                                   .sort("-created_at").page(2, 1))
    assert [x.id for x in second.data] == [ids[0]]
    by_id = client.exports().list(QueryParams().filter("id", ids[1]))
    assert [x.id for x in by_id.data] == [ids[1]]


def test_sdk_errors(client, server):
    e = Export()
    e.export_type = ExportType.CDR_IN
    e.filters = {"from": "2001-01-01 00:00:00", "to": "2001-02-01 00:00:00"}
    with pytest.raises(DidwwApiError) as err:
        client.exports().create(e)
    assert err.value.status_code == 422
    assert str(err.value) == ("filters - from must be within the current and 2 previous months; "
                              "filters - to must be within the current and 2 previous months")
    with pytest.raises(DidwwApiError) as err:
        client.exports().find("21e02b15-806d-44b3-b67f-434ea6c44f61")
    assert err.value.status_code == 404 and "could not be found" in str(err.value)
    stranger = DidwwClient(api_key="wrong-key", base_url=f"{server.url}/v3")
    with pytest.raises(DidwwApiError) as err:
        stranger.exports().list()
    assert err.value.status_code == 401 and str(err.value) == "Authorization failed"


def test_sdk_validator_accepts_the_callback_of_an_sdk_created_export(client, server, receiver):
    e = Export()
    e.export_type = ExportType.CDR_IN
    e.filters = window(1)
    e.callback_url = receiver.url + "/didww?opaque=1"
    e.callback_method = CallbackMethod.POST
    export = client.exports().create(e).data
    assert export.callback_method == CallbackMethod.POST
    deadline = time.monotonic() + 20
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.received, "no callback arrived"
    got = receiver.received[0]
    assert got["form"] == {"id": export.id, "status": "completed", "type": "exports"}
    assert RequestValidator(client.api_key).validate(got["url"], got["form"], got["headers"]["X-DIDWW-Signature"])
