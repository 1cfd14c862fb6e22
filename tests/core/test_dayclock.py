"""DayClock: a day's instants as text a column at a time, the same as the formatter gives one by one."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from mockcdr.core.timefmt import SPAN_S, DayClock, TimeFormatter, zone

DAYS = [("UTC", "2026-04-16"), ("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-03-28"),
        ("America/St_Johns", "2026-03-08"), ("America/St_Johns", "2026-11-01"),
        ("Australia/Lord_Howe", "2026-04-05"), ("Asia/Kolkata", "2026-07-01"),
        ("UTC", "1970-01-01"), ("Asia/Kolkata", "1970-01-01")]      # instants of fewer than 7 digits


def _column(day: str) -> list[int | None]:
    start = int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()) * 1_000_000
    rng = random.Random(day)
    col = [start + rng.randrange(SPAN_S * 1_000_000) for _ in range(3000)]
    col += [start, start + SPAN_S * 1_000_000 - 1, None]
    return sorted(col[:-1]) + [None] + col[-1:]


def _expected(fmt: TimeFormatter, u: int | None, what: str) -> str:
    if u is None:
        return ""
    prefix, minute, second, micro, short = fmt.parts(u)
    if what == "iso":
        suffix = "Z" if fmt.tz is timezone.utc or str(fmt.tz) == "UTC" else (short if ":" in short else short + ":00")
        return f"{prefix.replace(' ', 'T')}:{minute:02d}:{second:02d}{suffix}"
    fraction = f".{micro:06d}".rstrip("0") if micro else ""
    return f"{prefix}:{minute:02d}:{second:02d}{fraction}{short}"


@pytest.mark.parametrize("name,day", DAYS)
def test_columns_read_as_the_formatter_reads_each_instant(name, day):
    fmt = TimeFormatter(zone(name))
    index = int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()) // 86_400
    clock = DayClock(fmt, index)
    col = _column(day)
    assert clock.seconds(col) == [fmt.seconds(u) for u in col]
    assert clock.iso(col) == [_expected(fmt, u, "iso") for u in col]
    assert clock.micros(col, with_offset=True) == [_expected(fmt, u, "micros") for u in col]
    present = [u for u in col if u is not None]
    assert clock.compact(present) == [fmt.seconds(u).replace("-", "").replace(":", "").replace(" ", "")
                                      for u in present]


def test_a_day_with_an_offset_change_is_read_instant_by_instant_and_others_by_table():
    berlin = TimeFormatter(zone("Europe/Berlin"))
    change = int(datetime(2026, 3, 29, tzinfo=timezone.utc).timestamp()) // 86_400
    assert DayClock(berlin, change).offset is None
    assert DayClock(berlin, change - 1).offset is None        # its two hours after midnight: still +01
    assert DayClock(berlin, change - 2).offset == 3600
    assert DayClock(berlin, change + 1).offset == 7200
