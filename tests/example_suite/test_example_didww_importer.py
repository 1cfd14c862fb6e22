"""Testing an importer against a live mock: no sleeping, clock steered, faults injected."""
from datetime import datetime

import pytest
from didww.client import DidwwClient
from didww.exceptions import DidwwApiError

from importer import import_inbound_calls, last_day

API_KEY = "didww-test-globex-51a7c9d2"     # a default fixture customer (API 2026-04-16)


@pytest.fixture
def client(mockcdr_server):
    return DidwwClient(api_key=API_KEY, base_url=f"{mockcdr_server.url}/v3")


def window(control):
    return last_day(datetime.fromisoformat(control.get_clock()["now"].replace("Z", "+00:00")))


def test_imports_yesterdays_inbound_calls_without_sleeping(client, mockcdr_control):
    since, until = window(mockcdr_control)
    rows = import_inbound_calls(client, since, until, wait=lambda: mockcdr_control.advance_clock(5))
    assert rows, "a day of the globex tenant has inbound calls"
    assert {r["Status"] for r in rows} <= {"Completed", "Failed"}
    assert all(since.strftime("%Y-%m-%d %H") <= r["Date/Time Start (UTC)"] < until.strftime("%Y-%m-%d %H:%M:%S")
               for r in rows)
    # the same window gives the same calls every time (seeded data)
    again = import_inbound_calls(client, since, until, wait=lambda: mockcdr_control.advance_clock(5))
    assert [r["Call ID"] for r in again] == [r["Call ID"] for r in rows]


def test_a_server_error_on_create_is_retried_once(client, mockcdr_control, mockcdr_verify):
    mockcdr_control.add_fault("didww", "error", operation="createExport", status=503, count=1)
    mockcdr_control.set_transition("didww.export", "immediate")
    rows = import_inbound_calls(client, *window(mockcdr_control), wait=lambda: None)
    assert rows
    statuses = [e["status"] for e in mockcdr_control.get_journal(vendor="didww", operation="createExport")["entries"]]
    assert statuses == [503, 201]
    mockcdr_verify("didww", "createExport", count=2)            # the retry, no more
    mockcdr_verify("didww", "downloadExportFile", count=1, status=200)


def test_two_server_errors_surface_to_the_caller(client, mockcdr_control):
    mockcdr_control.add_fault("didww", "error", operation="createExport", status=500, count=2)
    with pytest.raises(DidwwApiError):
        import_inbound_calls(client, *window(mockcdr_control), wait=lambda: None)


def test_a_truncated_download_is_an_error_not_a_short_file(client, mockcdr_control):
    mockcdr_control.set_transition("didww.export", "immediate")
    mockcdr_control.add_fault("didww", "truncate", operation="downloadExportFile", after_bytes=64, count=1)
    with pytest.raises(Exception):
        import_inbound_calls(client, *window(mockcdr_control), wait=lambda: None)
