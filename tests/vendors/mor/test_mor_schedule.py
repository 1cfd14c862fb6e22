"""next_run_at per period, across month ends, leap days and daylight-saving changes, and run windows."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from mor_support import Api

from mockcdr.core.clock import parse_instant
from mockcdr.vendors.mor.schedule import following, window
from mockcdr.vendors.mor.zones import MAPPING, fmt, local, tzinfo

# (now, UTC) timezone, period, cdr_export_at_time, monthly_export_day -> next_run_at (task's zone)
NEXT = [
    # hourly: the start of the next hour, the time of day ignored
    ("2026-06-10T10:00:00Z", "London", "hourly", "02:00:00", 1, "2026-06-10 12:00:00"),
    ("2026-06-10T10:59:59Z", "UTC", "hourly", "02:00:00", 1, "2026-06-10 11:00:00"),
    ("2026-06-10T10:00:00Z", "Kolkata", "hourly", "00:00:00", 1, "2026-06-10 16:00:00"),
    ("2026-12-31T23:10:00Z", "UTC", "hourly", "00:00:00", 1, "2027-01-01 00:00:00"),
    # daily: always tomorrow, even when today's time is still ahead
    ("2026-06-10T10:00:00Z", "London", "daily", "02:00:00", 1, "2026-06-11 02:00:00"),
    ("2026-06-10T10:00:00Z", "London", "daily", "23:00:00", 1, "2026-06-11 23:00:00"),
    ("2026-06-30T12:00:00Z", "London", "daily", "02:00:00", 1, "2026-07-01 02:00:00"),
    ("2026-12-31T12:00:00Z", "Berlin", "daily", "00:00:00", 1, "2027-01-01 00:00:00"),
    ("2028-02-28T12:00:00Z", "UTC", "daily", "06:00:00", 1, "2028-02-29 06:00:00"),
    ("2028-02-29T12:00:00Z", "UTC", "daily", "06:00:00", 1, "2028-03-01 06:00:00"),
    ("2026-06-10T23:30:00Z", "Tokyo", "daily", "09:00:00", 1, "2026-06-12 09:00:00"),  # already the 11th there
    # weekly: Monday of next week
    ("2026-06-10T10:00:00Z", "London", "weekly", "02:00:00", 1, "2026-06-15 02:00:00"),
    ("2026-06-14T22:00:00Z", "London", "weekly", "02:00:00", 1, "2026-06-15 02:00:00"),  # a Sunday
    ("2026-06-15T09:00:00Z", "London", "weekly", "08:00:00", 1, "2026-06-22 08:00:00"),  # a Monday
    ("2026-12-30T09:00:00Z", "UTC", "weekly", "00:00:00", 1, "2027-01-04 00:00:00"),
    # bi-weekly: the 16th (covers the 1st-15th) or the 1st of next month (covers the 16th-end)
    ("2026-06-10T10:00:00Z", "London", "bi-weekly", "02:00:00", 1, "2026-06-16 02:00:00"),
    ("2026-06-15T22:59:59Z", "London", "bi-weekly", "02:00:00", 1, "2026-06-16 02:00:00"),
    ("2026-06-15T23:00:00Z", "London", "bi-weekly", "02:00:00", 1, "2026-07-01 02:00:00"),
    ("2026-12-20T10:00:00Z", "London", "bi-weekly", "02:00:00", 1, "2027-01-01 02:00:00"),
    ("2028-02-20T10:00:00Z", "UTC", "bi-weekly", "02:00:00", 1, "2028-03-01 02:00:00"),
    # monthly: the configured day of next month, clamped to the month's last day
    ("2026-06-10T10:00:00Z", "London", "monthly", "02:00:00", 1, "2026-07-01 02:00:00"),
    ("2026-06-10T10:00:00Z", "London", "monthly", "02:00:00", 15, "2026-07-15 02:00:00"),
    ("2027-01-10T10:00:00Z", "UTC", "monthly", "02:00:00", 31, "2027-02-28 02:00:00"),
    ("2028-01-10T10:00:00Z", "UTC", "monthly", "02:00:00", 31, "2028-02-29 02:00:00"),
    ("2028-01-10T10:00:00Z", "UTC", "monthly", "02:00:00", 30, "2028-02-29 02:00:00"),
    ("2026-03-10T10:00:00Z", "UTC", "monthly", "02:00:00", 31, "2026-04-30 02:00:00"),
    ("2026-12-31T10:00:00Z", "UTC", "monthly", "02:00:00", 31, "2027-01-31 02:00:00"),
    # daylight saving: a wall time in the spring-forward gap moves one hour on (ActiveSupport);
    # a wall time that happens twice is the first (summer-time) one
    ("2026-03-28T12:00:00Z", "London", "daily", "01:30:00", 1, "2026-03-29 02:30:00"),
    ("2026-03-29T12:00:00Z", "London", "daily", "01:30:00", 1, "2026-03-30 01:30:00"),
    ("2026-03-07T12:00:00Z", "Eastern Time (US & Canada)", "daily", "02:30:00", 1, "2026-03-08 03:30:00"),
    ("2026-10-24T12:00:00Z", "London", "daily", "01:30:00", 1, "2026-10-25 01:30:00"),
    ("2026-03-29T00:30:00Z", "London", "hourly", "00:00:00", 1, "2026-03-29 02:00:00"),
    ("2026-02-27T12:00:00Z", "London", "monthly", "01:30:00", 29, "2026-03-29 02:30:00"),
    ("2026-09-30T12:00:00Z", "Sydney", "weekly", "02:30:00", 1, "2026-10-05 02:30:00"),
]


@pytest.mark.parametrize("now,zone,period,at,day,expected", NEXT)
def test_next_run_at(client, rt, now, zone, period, at, day, expected):
    rt.clock.set(parse_instant(now))
    api = Api(client, rt)
    task = api.create(timezone=zone, period=period, cdr_export_at_time=at, monthly_export_day=day)
    assert task["next_run_at"] == expected


@pytest.mark.parametrize("zone,local_text,utc_text", [
    ("London", "2026-10-25 01:30:00", "2026-10-25T00:30:00Z"),      # twice: the first (BST)
    ("London", "2026-03-29 01:30:00", "2026-03-29T01:30:00Z"),      # never: 02:30 BST
    ("Eastern Time (US & Canada)", "2026-11-01 01:30:00", "2026-11-01T05:30:00Z"),
    ("Kolkata", "2026-06-10 16:00:00", "2026-06-10T10:30:00Z"),
])
def test_wall_times_resolve_like_activesupport(zone, local_text, utc_text):
    wall = datetime.fromisoformat(local_text)
    assert local(tzinfo(zone), wall.date(), wall.time()) == parse_instant(utc_text)


def _task(period, zone="London", at="02:00:00", day=1):
    return {"period": period, "timezone": zone, "cdr_export_at_time": at, "monthly_export_day": day}


def _chain(task, start_utc: str, count: int) -> list[str]:
    """``count`` successive run instants from ``start_utc``, in the task's zone."""
    tz = tzinfo(task["timezone"])
    out, at = [], following(task, parse_instant(start_utc))
    for _ in range(count):
        out.append(fmt(at, tz))
        at = following(task, at)
    return out


def test_monthly_day_31_clamps_and_comes_back():
    assert _chain(_task("monthly", "UTC", "00:00:00", 31), "2027-12-05T00:00:00Z", 5) == [
        "2028-01-31 00:00:00", "2028-02-29 00:00:00", "2028-03-31 00:00:00", "2028-04-30 00:00:00",
        "2028-05-31 00:00:00"]


def test_hourly_runs_through_both_clock_changes_every_real_hour():
    spring = _chain(_task("hourly"), "2026-03-28T23:30:00Z", 4)
    assert spring == ["2026-03-29 00:00:00", "2026-03-29 02:00:00", "2026-03-29 03:00:00",
                      "2026-03-29 04:00:00"]
    autumn = _chain(_task("hourly"), "2026-10-24T23:30:00Z", 4)
    assert autumn == ["2026-10-25 01:00:00", "2026-10-25 01:00:00", "2026-10-25 02:00:00",
                      "2026-10-25 03:00:00"]


def test_bi_weekly_alternates_between_the_16th_and_the_1st():
    assert _chain(_task("bi-weekly"), "2026-01-20T00:00:00Z", 5) == [
        "2026-02-01 02:00:00", "2026-02-16 02:00:00", "2026-03-01 02:00:00", "2026-03-16 02:00:00",
        "2026-04-01 02:00:00"]


@pytest.mark.parametrize("task,due,start,end", [
    (_task("hourly"), "2026-06-10 12:00:00", "2026-06-10 11:00:00", "2026-06-10 12:00:00"),
    (_task("daily"), "2026-06-11 02:00:00", "2026-06-10 02:00:00", "2026-06-11 02:00:00"),
    (_task("daily", at="01:30:00"), "2026-03-30 01:30:00", "2026-03-29 02:30:00", "2026-03-30 01:30:00"),
    (_task("weekly"), "2026-06-15 02:00:00", "2026-06-08 02:00:00", "2026-06-15 02:00:00"),
    (_task("bi-weekly"), "2026-06-16 02:00:00", "2026-06-01 02:00:00", "2026-06-16 02:00:00"),
    (_task("bi-weekly"), "2026-07-01 02:00:00", "2026-06-16 02:00:00", "2026-07-01 02:00:00"),
    (_task("bi-weekly"), "2026-03-01 02:00:00", "2026-02-16 02:00:00", "2026-03-01 02:00:00"),
    (_task("monthly"), "2026-07-01 02:00:00", "2026-06-01 02:00:00", "2026-07-01 02:00:00"),
    (_task("monthly", day=31), "2028-02-29 02:00:00", "2028-01-31 02:00:00", "2028-02-29 02:00:00"),
    (_task("monthly", day=31), "2028-03-31 02:00:00", "2028-02-29 02:00:00", "2028-03-31 02:00:00"),
])
def test_windows_cover_the_period_since_the_previous_run(task, due, start, end):
    tz = tzinfo(task["timezone"])
    wall = datetime.fromisoformat(due)
    first, last = window(task, local(tz, wall.date(), wall.time()))
    assert (fmt(first, tz), fmt(last, tz)) == (start, end)


def test_daily_window_across_spring_forward_is_23_hours():
    task = _task("daily", "London", "00:00:00")
    start, end = window(task, datetime(2026, 3, 29, 23, 0, tzinfo=timezone.utc))   # 30th 00:00 BST
    assert (end - start).total_seconds() == 23 * 3600


def test_every_rails_zone_name_resolves():
    assert len(MAPPING) > 140 and MAPPING["London"] == "Europe/London"
    now = parse_instant("2026-06-10T10:00:00Z")
    for name in MAPPING:
        assert now.astimezone(tzinfo(name)).utcoffset() is not None, name
