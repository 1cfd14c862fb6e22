"""CSV, gzip, tgz/zip writers and the fast time formatter."""
import csv
import gzip
import io
import tarfile
import zipfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mockcdr.core.archives import archive_chunks, tgz_chunks, zip_chunks
from mockcdr.core.csvout import csv_chunks, gzip_chunks, joined_chunks
from mockcdr.core.timefmt import TimeFormatter, zone

UTC = timezone.utc
ROWS = [("a", 1, None, 'say "hi", ok'), ("b", 2.5, "", "x")]


def test_minimal_quoting_round_trips_through_the_csv_module():
    text = b"".join(csv_chunks(["k", "n", "none", "text"], ROWS)).decode()
    assert text.splitlines()[0] == "k,n,none,text"
    assert list(csv.reader(io.StringIO(text)))[1] == ["a", "1", "", 'say "hi", ok']


def test_joined_rows_of_one_empty_cell_are_rows_as_the_csv_module_writes_them():
    rows = [("",), ("x",), ("",)]
    text = b"".join(joined_chunks(["only"], rows)).decode()
    assert text == b"".join(csv_chunks(["only"], rows)).decode() == 'only\n""\nx\n""\n'
    assert list(csv.reader(io.StringIO(text)))[1:] == [[""], ["x"], [""]]


def test_nonnull_quoting_is_postgres_force_quote():
    text = b"".join(csv_chunks(["k", "n", "none", "text"], ROWS, quoting="nonnull")).decode()
    assert text == 'k,n,none,text\n"a","1",,"say ""hi"", ok"\n"b","2.5","","x"\n'


def test_all_quoting_and_other_dialects():
    text = b"".join(csv_chunks(["a"], [("x",)], quoting="all", delimiter=";", lineterminator="\r\n"))
    assert text == b'"a"\r\n"x"\r\n'


def test_large_outputs_come_in_bounded_chunks():
    rows = (("row", i, "x" * 50) for i in range(50_000))
    sizes = [len(c) for c in csv_chunks(["a", "b", "c"], rows, chunk_size=65536)]
    assert len(sizes) > 10 and max(sizes) < 65536 + 512 * 80


def test_gzip_stream_is_valid_single_member_and_reproducible():
    chunks = [b"hello,", b"world\n" * 1000]
    data = b"".join(gzip_chunks(iter(chunks)))
    assert data[:2] == b"\x1f\x8b" and gzip.decompress(data) == b"".join(chunks)
    assert data == b"".join(gzip_chunks(iter(chunks)))


def test_tgz_and_zip_hold_one_member_with_the_bytes():
    payload = [b"x,y\n" * 100_000]
    with tarfile.open(fileobj=io.BytesIO(b"".join(tgz_chunks("f.csv", iter(payload), 1_700_000_000))),
                      mode="r:gz") as tar:
        member = tar.getmember("f.csv")
        assert member.size == 400_000 and member.mtime == 1_700_000_000
        assert tar.extractfile(member).read() == payload[0]
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_chunks("f.csv", iter(payload), 1_700_000_000)))) as z:
        assert z.read("f.csv") == payload[0] and z.testzip() is None
    assert b"".join(archive_chunks("none", "f.csv", iter(payload))) == payload[0]
    with pytest.raises(ValueError, match="tgz, zip or none"):
        archive_chunks("rar", "f.csv", iter(payload))


@pytest.mark.parametrize("name", ["UTC", "Europe/Kyiv", "Asia/Kolkata", "America/St_Johns",
                                  "Australia/Lord_Howe", "America/New_York", "Asia/Kathmandu"])
def test_time_formatter_matches_datetime_in_every_zone_across_dst(name):
    tz = zone(name)
    fmt = TimeFormatter(tz)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for step in range(0, 24 * 300, 7):   # every 7 hours for 300 days, odd minutes and micros
        dt = start + timedelta(hours=step, minutes=step % 60, seconds=step % 59, microseconds=step * 37 % 1_000_000)
        us = int(dt.timestamp()) * 1_000_000 + dt.microsecond
        local = dt.astimezone(tz)
        assert fmt.seconds(us) == local.strftime("%Y-%m-%d %H:%M:%S")
        assert fmt.micros(us) == local.strftime("%Y-%m-%d %H:%M:%S.%f")
        assert fmt.seconds(us, sep="T") == local.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize("name", ["America/St_Johns", "Australia/Lord_Howe", "Europe/London", "Asia/Kolkata"])
def test_time_formatter_is_exact_minute_by_minute_around_each_offset_change(name):
    """St John's and Lord Howe change their offset mid-hour in UTC (02:00 at -03:30; half an hour
    of DST at Lord Howe): each minute around every change of 2025 and 2026 reads as datetime says."""
    tz = zone(name)
    fmt = TimeFormatter(tz)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    changes = [start + timedelta(hours=h) for h in range(2 * 365 * 24)
               if (start + timedelta(hours=h)).astimezone(tz).utcoffset()
               != (start + timedelta(hours=h + 1)).astimezone(tz).utcoffset()]
    assert len(changes) == (0 if name == "Asia/Kolkata" else 4)
    for change in changes or [start]:
        for minute in range(-90, 150):
            dt = change + timedelta(minutes=minute, seconds=minute % 60, microseconds=517)
            us = int(dt.timestamp()) * 1_000_000 + dt.microsecond
            local = dt.astimezone(tz)
            assert fmt.seconds(us) == local.strftime("%Y-%m-%d %H:%M:%S"), dt
            assert fmt.micros(us, with_offset=True)[:26] == local.strftime("%Y-%m-%d %H:%M:%S.%f"), dt
            assert fmt.iso(us) == local.isoformat(timespec="milliseconds"), dt


def test_time_formatter_offsets_and_iso():
    kyiv = TimeFormatter(ZoneInfo("Europe/Kyiv"))
    us = int(datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=UTC).timestamp() * 1_000_000)
    assert kyiv.micros(us, with_offset=True) == "2026-07-01 15:00:00.123456+03"
    assert TimeFormatter().micros(us, with_offset=True) == "2026-07-01 12:00:00.123456+00"
    assert TimeFormatter().iso(us) == "2026-07-01T12:00:00.123Z"
    assert kyiv.iso(us) == "2026-07-01T15:00:00.123+03:00"
    assert TimeFormatter(ZoneInfo("Asia/Kolkata")).micros(us, with_offset=True).endswith("+05:30")
    assert TimeFormatter().seconds(None) == "" and TimeFormatter().micros(None) == ""


def test_zone_names():
    assert zone(None) is UTC and zone("utc") is UTC
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")


def test_nonnull_quoting_handles_nulls_everywhere_and_refuses_reserved_characters():
    rows = [(None, "a", None), (None,), ("x", None), ('q"q', 1, None, "")]
    text = b"".join(csv_chunks(None, rows, quoting="nonnull")).decode()
    assert text == ',"a",\n\n"x",\n"q""q","1",,""\n'
    with pytest.raises(ValueError, match="control character"):
        b"".join(csv_chunks(None, [("a\x1fb",)], quoting="nonnull"))
    with pytest.raises(ValueError, match="control character"):
        b"".join(csv_chunks(None, [("\x00", None)], quoting="nonnull"))


def test_cell_escaper_is_safe_to_share_between_threads():
    from concurrent.futures import ThreadPoolExecutor

    from mockcdr.core.csvout import cell_escaper

    escaped = cell_escaper()
    values = [f'a,{i}"' if i % 2 else f"plain {i}" for i in range(20_000)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(escaped, values, chunksize=50))
    assert got == [f'"a,{i}"""' if i % 2 else f"plain {i}" for i in range(20_000)]
