"""The virtual clock: offset and frozen modes, durations, and in-process time libraries."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from freezegun import freeze_time

from mockcdr.core.clock import Clock, iso, parse_duration, parse_instant

UTC = timezone.utc


@pytest.mark.parametrize("text,seconds", [
    ("PT1H", 3600), ("PT90M", 5400), ("P1D", 86400), ("P1DT2H3M4S", 93784), ("PT0.5S", 0.5),
    ("P2W", 1209600), ("-PT30S", -30), ("90", 90), (45, 45), (1.5, 1.5), ("pt1h", 3600)])
def test_parse_duration_accepts_seconds_and_iso8601(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["P", "PT", "1H", "P1M2", "P1Y", "soon", "", True, "P1DT"])
def test_parse_duration_rejects_garbage_with_a_message(bad):
    with pytest.raises(ValueError, match="duration|seconds"):
        parse_duration(bad)


def test_parse_instant_reads_naive_as_utc_and_converts_offsets():
    assert parse_instant("2026-04-01T10:00:00") == datetime(2026, 4, 1, 10, tzinfo=UTC)
    assert parse_instant("2026-04-01T12:00:00+02:00") == datetime(2026, 4, 1, 10, tzinfo=UTC)
    assert parse_instant("2026-04-01T10:00:00Z") == datetime(2026, 4, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_instant("yesterday")


def test_iso_has_milliseconds_and_z():
    assert iso(datetime(2026, 4, 8, 5, 30, 16, 663900, tzinfo=UTC)) == "2026-04-08T05:30:16.663Z"


def test_advance_and_set_move_now_while_real_time_keeps_flowing():
    clock = Clock()
    before = clock.now()
    clock.advance(timedelta(hours=2))
    assert timedelta(hours=2) <= clock.now() - before < timedelta(hours=2, seconds=5)
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    assert abs(clock.now() - datetime(2030, 1, 1, tzinfo=UTC)) < timedelta(seconds=5)
    assert not clock.frozen


def test_freeze_stops_time_and_unfreeze_resumes_from_the_frozen_instant():
    clock = Clock()
    clock.freeze(datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 2, 28, 23, 59, tzinfo=UTC)
    clock.advance(timedelta(minutes=2))
    assert clock.now() == datetime(2026, 3, 1, 0, 1, tzinfo=UTC)
    clock.unfreeze()
    assert not clock.frozen
    assert timedelta(0) <= clock.now() - datetime(2026, 3, 1, 0, 1, tzinfo=UTC) < timedelta(seconds=5)


def test_reset_returns_to_the_configured_start():
    start = datetime(2026, 1, 15, 12, tzinfo=UTC)
    clock = Clock(start=start, frozen=True)
    clock.advance(timedelta(days=40))
    clock.reset()
    assert clock.now() == start and clock.frozen


def test_listeners_hear_every_change():
    clock = Clock()
    heard = []
    clock.on_change(lambda: heard.append(clock.now()))
    clock.advance(timedelta(seconds=1))
    clock.freeze()
    clock.unfreeze()
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    assert len(heard) == 4


def test_dump_and_load_keep_the_virtual_time():
    a = Clock()
    a.freeze(datetime(2026, 5, 5, tzinfo=UTC))
    b = Clock()
    b.load(a.dump())
    assert b.frozen and b.now() == datetime(2026, 5, 5, tzinfo=UTC)


def test_freezegun_is_honoured_in_process():
    clock = Clock()
    with freeze_time("2026-06-01 12:00:00") as frozen:
        assert clock.now() == datetime(2026, 6, 1, 12, tzinfo=UTC)
        frozen.tick(timedelta(minutes=5))
        assert clock.now() == datetime(2026, 6, 1, 12, 5, tzinfo=UTC)
        clock.advance(timedelta(hours=1))   # the offset applies on top of the frozen time
        assert clock.now() == datetime(2026, 6, 1, 13, 5, tzinfo=UTC)


def test_time_machine_is_honoured_in_process():
    clock = Clock()
    with time_machine.travel(datetime(2027, 3, 1, 8, tzinfo=UTC), tick=False) as traveller:
        assert clock.now() == datetime(2027, 3, 1, 8, tzinfo=UTC)
        traveller.shift(timedelta(days=1))
        assert clock.now() == datetime(2027, 3, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["inf", "nan", 1e300, "-1e300", float("inf")])
def test_parse_duration_refuses_what_no_timedelta_holds(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_iso_pads_years_before_1000():
    assert iso(datetime(623, 11, 13, 14, 54, 22, tzinfo=UTC)) == "0623-11-13T14:54:22.000Z"


@pytest.mark.parametrize("frozen", [True, False])
def test_advance_refuses_to_leave_the_accepted_range_and_stays_put(frozen):
    clock = Clock(datetime(8999, 12, 31, tzinfo=UTC), frozen=frozen)
    with pytest.raises(ValueError, match="9000-01-01"):
        clock.advance(timedelta(days=2))
    assert clock.now().year == 8999
    with pytest.raises(ValueError):
        clock.load({"frozen_at": 1e300})
