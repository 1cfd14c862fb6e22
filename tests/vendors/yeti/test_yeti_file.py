"""The downloaded file: headers, gzip, 29 columns, FORCE_QUOTE quoting, order, time formats, every filter."""
from __future__ import annotations

import gzip
import re
from datetime import datetime, timezone

import pytest

from mockcdr.core.vendor import GenerateRequest
from mockcdr.settings import Settings

from yeti_helpers import ACME_BACKUP, ACME_PRIMARY, START, read_csv

COLUMNS = ["Time Start", "Time Connect", "Time End", "Success", "Duration", "Src Name In", "Src Prefix In",
           "Dst Prefix In", "From Domain", "To Domain", "Ruri Domain", "Lega Disconnect Code",
           "Lega Disconnect Reason", "Auth Orig Ip", "Auth Orig Port", "Src Prefix Routing", "Dst Prefix Routing",
           "Destination Prefix", "Destination Initial Interval", "Destination Next Interval",
           "Destination Initial Rate", "Destination Next Rate", "Destination Fee", "Customer Price",
           "Customer Duration", "Orig Call", "Local Tag", "Lega User Agent", "Diversion In"]
WINDOW = {"time_start_gteq": "2026-07-14 00:00:00", "time_start_lt": "2026-07-16 00:00:00"}
FIELD = re.compile(r'("(?:[^"]|"")*"|[^,"]*)(,|$)')
TIME_FORMATS = {
    "with_timezone": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,5}[1-9])?[+-]\d\d(:\d\d)?$"),
    "without_timezone": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,5}[1-9])?$"),
    "round_to_seconds": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
}


@pytest.fixture(autouse=True)
def immediate(rt):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})


def export_rows(yeti, **kw):
    export = yeti.create(**dict({"filters": WINDOW}, **kw))
    r = yeti.download(export["id"])
    assert r.status_code == 200
    table = read_csv(r.data)
    assert table[0] == COLUMNS
    assert export["attributes"]["rows-count"] == len(table) - 1
    return [dict(zip(COLUMNS, row)) for row in table[1:]]


def instant(text: str) -> float:
    """A with_timezone cell as a UTC timestamp (PostgreSQL's +HH or +HH:MM offsets)."""
    m = re.match(r"^(.*?)([+-]\d\d)(?::(\d\d))?$", text)
    offset = m.group(2) + ":" + (m.group(3) or "00")
    return datetime.fromisoformat(m.group(1) + offset).timestamp()


def test_download_is_gzip_labelled_text_csv_with_the_uuid_filename(yeti):
    export_id = yeti.create(filters=WINDOW)["id"]
    r = yeti.download(export_id)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{export_id}.csv.gz"'
    assert "Content-Encoding" not in r.headers
    assert r.data[:2] == b"\x1f\x8b"


def test_header_is_bare_and_every_non_null_value_is_quoted(yeti):
    export_id = yeti.create(filters=WINDOW)["id"]
    lines = gzip.decompress(yeti.download(export_id).data).decode().split("\n")
    assert lines[0] == ",".join(COLUMNS) and lines[-1] == ""
    nulls = set()
    for line in lines[1:-1]:
        cells = [m.group(1) for m in FIELD.finditer(line)][:29]
        assert len(cells) == 29
        for name, cell in zip(COLUMNS, cells):
            assert cell == "" or (cell.startswith('"') and cell.endswith('"')), (name, cell)
            if cell == "":
                nulls.add(name)
    assert nulls == {"Time Connect", "Diversion In"}       # unanswered calls never connected


def test_rows_are_newest_first_and_booleans_are_t_or_f(yeti):
    rows = export_rows(yeti)
    starts = [instant(r["Time Start"]) for r in rows]
    assert starts == sorted(starts, reverse=True) and len(rows) > 5
    for r in rows:
        assert r["Success"] in ("t", "f")
        assert (r["Success"] == "t") == (r["Time Connect"] != "")
        assert r["Duration"] == r["Customer Duration"]
        assert (int(r["Duration"]) > 0) == (r["Success"] == "t")


def test_rows_are_the_accounts_outbound_calls_that_had_ended(yeti, rt):
    primary = export_rows(yeti, account=ACME_PRIMARY, time_format="without_timezone")
    backup = export_rows(yeti, account=ACME_BACKUP, time_format="without_timezone")
    tenant = rt.tenant("acme")
    start, end = (datetime.fromisoformat(WINDOW[k]).replace(tzinfo=timezone.utc)
                  for k in ("time_start_gteq", "time_start_lt"))
    calls = [c for c in rt.universe.calls(tenant, start, end) if c.direction == "out"]
    by_trunk = {t.id: {f"{c.uid}@{c.src_ip}" for c in calls if c.trunk == t} for t in tenant.trunks}
    assert {r["Orig Call"] for r in primary} == by_trunk["457bf47d-446d-41cd-91c3-dfbda7bf0753"]
    assert {r["Orig Call"] for r in backup} == by_trunk["9a0c1f3e-5b2d-4c8e-8f7a-2e6d4b1a0c93"]
    expected = {f"{c.uid}@{c.src_ip}": c for c in calls}
    for r in primary:
        c = expected[r["Orig Call"]]
        assert r["Time Start"] == datetime.fromtimestamp(c.start_us / 1e6, timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
        assert (r["Src Prefix Routing"], r["Dst Prefix Routing"], r["Lega Disconnect Code"]) == (
            c.src, c.dst, str(c.sip_code))


@pytest.mark.parametrize("time_format", list(TIME_FORMATS))
@pytest.mark.parametrize("zone, offset", [(None, "+00"), ("Europe/Kyiv", "+03"), ("Asia/Kolkata", "+05:30"),
                                          ("America/New_York", "-04")])
def test_time_columns_follow_the_format_and_the_zone(yeti, time_format, zone, offset):
    utc = export_rows(yeti)
    rows = export_rows(yeti, time_format=time_format, time_zone_name=zone)
    assert len(rows) == len(utc)
    for r, u in zip(rows, utc):
        for column in ("Time Start", "Time Connect", "Time End"):
            if u[column] == "":
                assert r[column] == ""
                continue
            assert TIME_FORMATS[time_format].match(r[column]), r[column]
            cell = r[column] if time_format == "with_timezone" else r[column] + offset
            if time_format == "with_timezone":
                assert r[column].endswith(offset)
                assert instant(cell) == instant(u[column])
            else:
                assert int(instant(cell)) == int(instant(u[column]))


def by_call(rows):
    return {r["Orig Call"]: r for r in rows}


@pytest.mark.parametrize("extra, keep", [
    ({"success_eq": True}, lambda r: r["Success"] == "t"),
    ({"success_eq": "false"}, lambda r: r["Success"] == "f"),
    ({"duration_gteq": 60}, lambda r: int(r["Duration"]) >= 60),
    ({"duration_lteq": "30"}, lambda r: int(r["Duration"]) <= 30),
    ({"duration_eq": 0}, lambda r: r["Duration"] == "0"),
    ({"duration_gteq": 10, "duration_lteq": 120, "success_eq": True},
     lambda r: 10 <= int(r["Duration"]) <= 120 and r["Success"] == "t"),
])
def test_every_filter_is_honoured(yeti, extra, keep):
    everything = export_rows(yeti)
    filtered = export_rows(yeti, filters=dict(WINDOW, **extra))
    assert by_call(filtered) == {k: r for k, r in by_call(everything).items() if keep(r)}
    assert 0 < len(filtered) < len(everything)


@pytest.mark.parametrize("column, key", [("Src Prefix Routing", "src_prefix_routing_eq"),
                                         ("Dst Prefix Routing", "dst_prefix_routing_eq")])
def test_prefix_filters_match_exactly(yeti, column, key):
    everything = export_rows(yeti)
    value = everything[0][column]
    filtered = export_rows(yeti, filters=dict(WINDOW, **{key: value}))
    assert by_call(filtered) == {k: r for k, r in by_call(everything).items() if r[column] == value}
    assert export_rows(yeti, filters=dict(WINDOW, **{key: value[:-1]})) == []


def test_the_window_is_gteq_start_and_lt_end(yeti):
    everything = export_rows(yeti, time_format="without_timezone")
    newest, oldest = everything[0]["Time Start"], everything[-1]["Time Start"]
    window = {"time_start_gteq": oldest, "time_start_lt": newest}
    inner = export_rows(yeti, filters=window, time_format="without_timezone")
    assert [r["Orig Call"] for r in inner] == [r["Orig Call"] for r in everything[1:]]


def test_an_empty_window_has_only_the_header(yeti):
    assert export_rows(yeti, filters={"time_start_gteq": "2026-07-15", "time_start_lt": "2026-07-15"}) == []


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"hidden_fields": ["lega_user_agent",
                                                                                          "orig_call_id"]}})])
def test_hidden_fields_drop_columns(yeti):
    export_id = yeti.create(filters=WINDOW)["id"]
    table = read_csv(yeti.download(export_id).data)
    assert table[0] == [c for c in COLUMNS if c not in ("Lega User Agent", "Orig Call")]
    assert all(len(row) == 27 for row in table)


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               calls_per_day=400,
                                               vendor_options={"yeti": {"filters_in_time_zone": True}})])
def test_the_window_can_be_read_in_the_export_zone(yeti):
    """With the option, 2026-07-14 00:00 means Kyiv's midnight (21:00 UTC the day before, in summer).
    (400 calls a day, so the three evening hours that differ hold calls whatever the seed draws.)"""
    shifted = export_rows(yeti, time_zone_name="Europe/Kyiv")
    utc = export_rows(yeti, filters={"time_start_gteq": "2026-07-13T21:00:00Z",
                                     "time_start_lt": "2026-07-15T21:00:00Z"})
    assert [r["Orig Call"] for r in shifted] == [r["Orig Call"] for r in utc]
    assert [r["Orig Call"] for r in shifted] != [r["Orig Call"] for r in export_rows(yeti)]


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"directions": ["out", "in"]}})])
def test_directions_option_adds_inbound_calls(yeti, rt):
    rows = export_rows(yeti)
    dids = set(rt.tenant("acme").dids)
    assert any(r["Dst Prefix In"] in dids for r in rows) and any(r["Src Prefix In"] in dids for r in rows)


def test_generate_gives_the_bytes_a_download_serves(yeti, rt):
    export = yeti.create(filters=WINDOW, time_format="round_to_seconds", time_zone_name="Asia/Kolkata")
    downloaded = yeti.download(export["id"]).data
    out = rt.vendors["yeti"].generate(rt, GenerateRequest(
        tenant="acme-api", start=datetime(2026, 7, 14, tzinfo=timezone.utc),
        end=datetime(2026, 7, 16, tzinfo=timezone.utc), format="round_to_seconds",
        params={"time_zone_name": "Asia/Kolkata", "account": ACME_PRIMARY}))
    assert out.content_type == "text/csv; charset=utf-8" and out.compressed
    assert out.read() == downloaded


def test_generate_with_a_row_limit_takes_the_first_calls_from_the_start(yeti, rt):
    everything = export_rows(yeti)
    out = rt.vendors["yeti"].generate(rt, GenerateRequest(
        tenant=None, start=datetime(2026, 7, 14, tzinfo=timezone.utc), end=None, limit=3))
    rows = read_csv(out.read())
    assert rows[0] == COLUMNS
    assert [r[25] for r in rows[1:]] == [r["Orig Call"] for r in everything[-3:]]


def test_the_control_api_serves_a_completed_exports_file_without_a_jwt(yeti, app):
    from mockcdr.control_client import ControlClient

    control = ControlClient.for_app(app)
    export = yeti.create(filters=WINDOW)
    job = control.get_job(export["id"])
    assert job["state"] == "Completed" and job["next"] is None
    assert job["file_url"].endswith(f"/_mockcdr/jobs/{export['id']}/file")
    served = yeti.download(export["id"])
    assert served.status_code == 200
    assert control.get_job_file(export["id"]) == served.data
    assert read_csv(served.data)[0] == COLUMNS
