"""Export files: gzip download headers, the columns of each version, which calls, generate()."""
from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.app import create_app
from mockcdr.core.vendor import GenerateRequest
from mockcdr.settings import Settings
from mockcdr.vendors.didww import formats

UTC = timezone.utc
APRIL = {"from": "2026-04-01 00:00:00", "to": "2026-04-08 00:00:00"}


def table(api, url, customer="globex") -> list[dict]:
    resp = api.download(url, customer)
    return list(csv.DictReader(io.StringIO(gzip.decompress(resp.data).decode("utf-8"))))


def header(api, url, customer="globex") -> list[str]:
    return api.csv_rows(url, customer)[0].split(",")


def universe_calls(rt, tenant, start, end):
    return list(rt.universe.calls(rt.tenant(tenant), start, end))


def test_download_headers_and_gzip_body(api, immediate):
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    url = created["attributes"]["url"]
    resp = api.download(url)
    file_name = url.rsplit("/", 1)[1]
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    assert "Content-Encoding" not in resp.headers
    assert resp.data[:2] == b"\x1f\x8b"
    assert gzip.decompress(resp.data).startswith(b"Date/Time Start (UTC),")


def test_download_needs_the_owners_key_and_a_completed_export(api, rt):
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    rt.lifecycle.force(created["id"], "completed")
    url = api.show(created["id"]).json["data"]["attributes"]["url"]
    assert api.client.get(url.replace("http://localhost", "")).status_code == 401
    foreign = api.download(url, customer="acme-eu")
    assert foreign.status_code == 404 and foreign.data == b""
    assert api.download(url.replace(url[-43:-7], "e5352384-6f64-4132-bba1-cda18fbc5896")).data == b""
    pending = api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    file_id = rt.lifecycle.get(pending["id"])["attrs"]["file_id"]
    resp = api.download(f"http://localhost/v3/exports/{file_id}.csv.gz")
    assert resp.status_code == 404 and resp.data == b""


@pytest.mark.parametrize("customer,export_type,filters,expected", [
    ("globex", "cdr_in", APRIL, formats.HEAD_2026_IN),
    ("globex", "cdr_out", APRIL, formats.HEAD_2026_OUT),
    ("acme", "cdr_in", {"year": 2026, "month": 4}, formats.HEAD_LEGACY_IN),
    ("acme", "cdr_out", {"year": 2026, "month": 4}, formats.LEGACY_OUT_DEFAULT),
])
def test_columns_per_creating_version(api, immediate, customer, export_type, filters, expected):
    created = api.create_ok({"export_type": export_type, "filters": filters}, customer=customer)
    assert tuple(header(api, created["attributes"]["url"], customer)) == expected
    assert len(expected) == {"cdr_in": 22 if customer == "globex" else 15,
                             "cdr_out": 19 if customer == "globex" else 14}[export_type]


def test_file_keeps_the_columns_of_the_version_it_was_created_under(api, immediate):
    created = api.create_ok({"export_type": "cdr_in", "filters": {"year": 2026, "month": 4}}, customer="acme")
    url = api.show(created["id"], customer="acme", version="2026-04-16").json["data"]["attributes"]["url"]
    assert tuple(header(api, url, "acme")) == formats.HEAD_LEGACY_IN


def test_cdr_in_rows_are_the_inbound_calls_of_the_window(api, rt, immediate):
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    rows = table(api, created["attributes"]["url"])
    calls = [c for c in universe_calls(rt, "globex", datetime(2026, 4, 1, tzinfo=UTC),
                                       datetime(2026, 4, 8, tzinfo=UTC)) if c.direction == "in"]
    assert len(rows) == len(calls) > 50
    dids = set(rt.tenant("globex").dids)
    for row, call in zip(rows, calls):
        assert row["Call ID"] == call.uid
        assert row["Destination DID"] == call.did and call.did in dids
        assert row["Source"] == call.src
        assert "2026-04-01 00:00:00" <= row["Date/Time Start (UTC)"] < "2026-04-08 00:00:00"
        assert row["Status"] == ("Completed" if call.answered else "Failed")
        assert (row["Date/Time Connect (UTC)"] == "") == (not call.answered)
        assert row["Duration (sec)"] == str(call.billsec)
        assert float(row["Total (USD)"]) == pytest.approx(call.cost, abs=1e-5)


def test_did_number_selects_one_did(api, rt, immediate):
    did = rt.tenant("globex").dids[0]
    created = api.create_ok({"export_type": "cdr_in", "filters": {**APRIL, "did_number": did}})
    rows = table(api, created["attributes"]["url"])
    assert rows and {r["Destination DID"] for r in rows} == {did}
    created = api.create_ok({"export_type": "cdr_in", "filters": {**APRIL, "did_number": "+" + did}})
    assert len(table(api, created["attributes"]["url"])) == len(rows)
    created = api.create_ok({"export_type": "cdr_in", "filters": {**APRIL, "did_number": "15550000000"}})
    assert table(api, created["attributes"]["url"]) == []


def test_cdr_out_rows_and_trunk_filter(api, rt, immediate):
    acme = rt.tenant("acme")
    created = api.create_ok({"export_type": "cdr_out", "filters": APRIL}, customer="acme-eu")
    rows = table(api, created["attributes"]["url"], "acme-eu")
    calls = [c for c in universe_calls(rt, "acme", datetime(2026, 4, 1, tzinfo=UTC),
                                       datetime(2026, 4, 8, tzinfo=UTC)) if c.direction == "out"]
    assert [r["Call ID"] for r in rows] == [c.uid for c in calls]
    assert {r["Voice OUT Trunk"] for r in rows} == {t.name for t in acme.trunks}
    trunk = acme.trunks[1]
    created = api.create_ok({"export_type": "cdr_out", "filters": {**APRIL, "voice_out_trunk.id": trunk.id}},
                            customer="acme-eu")
    only = table(api, created["attributes"]["url"], "acme-eu")
    assert only and len(only) < len(rows) and {r["Voice OUT Trunk"] for r in only} == {trunk.name}


def test_legacy_day_filter_and_clip_at_creation(api, rt, immediate):
    """A window reaching past the moment of the request only holds calls that had started by then."""
    created = api.create_ok({"export_type": "cdr_out", "filters": {"year": 2026, "month": 4, "day": 20}},
                            customer="acme")
    rows = table(api, created["attributes"]["url"], "acme")
    calls = [c for c in universe_calls(rt, "acme", datetime(2026, 4, 20, tzinfo=UTC),
                                       datetime(2026, 4, 20, 12, tzinfo=UTC)) if c.direction == "out"]
    assert len(rows) == len(calls) > 0
    assert all(r["Date/Time Start (UTC)"] < "2026-04-20 12:00:00" for r in rows)
    rt.clock.advance(timedelta(hours=6))    # the file does not grow afterwards
    assert len(table(api, created["attributes"]["url"], "acme")) == len(rows)


def test_legacy_money_has_three_decimals_and_customer_id(api, immediate):
    created = api.create_ok({"export_type": "cdr_in", "filters": {"year": 2026, "month": 4}}, customer="acme")
    rows = table(api, created["attributes"]["url"], "acme")
    assert rows
    for r in rows:
        assert r["Customer ID"] == "100101"
        for col in ("TollFree Amount (USD)", "Termination Amount (USD)", "Metered Channels Amount (USD)"):
            assert len(r[col].split(".")[1]) == 3


def test_legacy_cdr_out_columns_option():
    columns = ["Call ID", "Date/Time Start (UTC)", "CLI", "Destination", "Amount (USD)"]
    settings = Settings(vendors=("didww",), clock_start="2026-04-20T12:00:00Z", clock_frozen=True,
                        vendor_options={"didww": {"legacy_cdr_out_columns": columns}})
    rt = create_app(settings).extensions["mockcdr"]
    out = rt.vendors["didww"].generate(rt, GenerateRequest(
        tenant="acme", start=datetime(2026, 4, 1, tzinfo=UTC), end=datetime(2026, 4, 2, tzinfo=UTC),
        format="cdr_out", params={"api_version": "2022-05-10"}))
    lines = gzip.decompress(out.read()).decode().splitlines()
    assert lines[0].split(",") == columns
    assert len(lines) > 3 and all(len(line.split(",")) == 5 for line in lines)


def test_generate_equals_the_download(api, rt, immediate):
    created = api.create_ok({"export_type": "cdr_out", "filters": APRIL})
    job = rt.lifecycle.get(created["id"])
    downloaded = api.download(created["attributes"]["url"])
    out = rt.vendors["didww"].generate(rt, GenerateRequest(
        tenant="globex", start=datetime(2026, 4, 1, tzinfo=UTC), end=datetime(2026, 4, 8, tzinfo=UTC),
        format="cdr_out", params={"file_id": job["attrs"]["file_id"]}))
    assert out.read() == downloaded.data
    assert f'filename="{out.filename}"' in downloaded.headers["Content-Disposition"]
    assert out.content_type == downloaded.headers["Content-Type"] and out.compressed


def test_generate_with_a_row_limit_and_the_api_key_as_tenant(rt):
    key = rt.state["didww"].by_name["initech"].api_key
    out = rt.vendors["didww"].generate(rt, GenerateRequest(
        tenant=key, start=datetime(2026, 4, 1, tzinfo=UTC), end=None, limit=7, format="2026-04-16"))
    lines = gzip.decompress(out.read()).decode().splitlines()
    assert lines[0].split(",") == list(formats.HEAD_2026_IN) and len(lines) == 8
    with pytest.raises(ValueError, match="no customer"):
        rt.vendors["didww"].generate(rt, GenerateRequest(tenant="nobody", start=datetime(2026, 4, 1, tzinfo=UTC),
                                                         end=None, limit=1))


def test_cli_generate_writes_the_gzip_file(tmp_path):
    from mockcdr.cli import main

    target = tmp_path / "out.csv.gz"
    assert main(["generate", "didww", "--from", "2026-04-01T00:00:00Z", "--to", "2026-04-02T00:00:00Z",
                 "--tenant", "acme-eu", "--format", "cdr_out", "--param", "file_id=fixed", "-o",
                 str(target)]) == 0
    lines = gzip.decompress(target.read_bytes()).decode().splitlines()
    assert tuple(lines[0].split(",")) == formats.HEAD_2026_OUT and len(lines) > 5
    assert main(["generate", "didww", "--from", "2026-04-01T00:00:00Z", "--format", "sms_in"]) == 2


def test_the_control_api_serves_a_completed_exports_file_byte_for_byte(api, app, rt):
    from mockcdr.control_client import ControlAPIError, ControlClient

    control = ControlClient.for_app(app)
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    pending = control.get_job(created["id"])
    assert pending["file_url"] is None and pending["next"]["state"] == "processing"
    with pytest.raises(ControlAPIError) as exc:
        control.get_job_file(created["id"])
    assert exc.value.status == 404 and "'pending'" in exc.value.message and "'completed'" in exc.value.message
    control.advance_clock("PT1M")
    job = control.get_job(created["id"])
    assert job["state"] == "completed"
    assert job["file_url"] == f"http://localhost/_mockcdr/jobs/{created['id']}/file"
    assert job["next"] == {"state": "deleted", "cause": "retention", "mode": "retention", "polls_left": None,
                           "at": (datetime.fromisoformat(job["entered_at"]) + timedelta(days=30)).isoformat()}
    served = api.download(api.show(created["id"]).json["data"]["attributes"]["url"])
    assert served.status_code == 200
    assert control.get_job_file(created["id"]) == served.data
    resp = app.test_client().get(f"/_mockcdr/jobs/{created['id']}/file")
    assert resp.headers["Content-Disposition"] == served.headers["Content-Disposition"]
