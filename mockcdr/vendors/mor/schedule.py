"""When a task runs next (``next_run_at``) and which window of calls each run covers, per period."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from .zones import local, tzinfo

PERIODS = ("hourly", "daily", "weekly", "bi-weekly", "monthly", "only_once")
HOUR = timedelta(hours=1)


def at_time(task: dict) -> time:
    """The task's time of day; like the reference, only hours and minutes count."""
    hh, mm = (int(p) for p in str(task.get("cdr_export_at_time") or "00:00:00").split(":")[:2])
    return time(hh, mm)


def _month_day(year: int, month: int, day: int) -> date:
    """``day`` of the month, clamped to its last day (day 31 runs on Feb 28/29, Apr 30...)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(d: date, months: int, day: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    return _month_day(index // 12, index % 12 + 1, day)


def following(task: dict, ref: datetime) -> datetime | None:
    """The first run strictly after the period containing ``ref``, as the reference derives it.

    hourly: the start of the next hour; daily: tomorrow at the time; weekly: Monday of next
    week; bi-weekly: the 16th (covers the 1st-15th) or the 1st of next month (covers the
    16th-end); monthly: the configured day of next month; only_once: its own instant, once.
    All calendar arithmetic happens in the task's zone.
    """
    period = task["period"]
    if period == "only_once":
        return None
    tz = tzinfo(task["timezone"])
    if period == "hourly":
        wall = (ref + HOUR).astimezone(tz).replace(minute=0, second=0, microsecond=0)
        return wall.astimezone(ref.tzinfo)
    today = ref.astimezone(tz).date()
    if period == "daily":
        day = today + timedelta(days=1)
    elif period == "weekly":
        day = today + timedelta(days=7 - today.weekday())
    elif period == "bi-weekly":
        day = today.replace(day=16) if today.day < 16 else _add_months(today, 1, 1)
    elif period == "monthly":
        day = _add_months(today, 1, int(task.get("monthly_export_day") or 1))
    else:
        raise ValueError(f"unknown period {period!r}")
    return local(tz, day, at_time(task))


def first_run(task: dict, now: datetime) -> datetime | None:
    """``next_run_at`` of a task saved at ``now``."""
    if task["period"] == "only_once":
        return task.get("cdr_export_at_datetime")
    return following(task, now)


def window(task: dict, due: datetime) -> tuple[datetime, datetime]:
    """The calls a run at ``due`` exports: ``[start, end)``.

    A recurring run covers everything since the previous scheduled run (hourly: one hour,
    daily: one day, weekly: seven days, bi-weekly: the half month, monthly: since the
    configured day of the previous month); only_once covers ``s_from`` .. ``s_till``
    inclusive, to the second.
    """
    period = task["period"]
    if period == "only_once":
        return task["s_from"], task["s_till"] + timedelta(seconds=1)
    if period == "hourly":
        return due - HOUR, due
    tz = tzinfo(task["timezone"])
    day = due.astimezone(tz).date()
    if period == "daily":
        start = day - timedelta(days=1)
    elif period == "weekly":
        start = day - timedelta(days=7)
    elif period == "bi-weekly":
        start = day.replace(day=1) if day.day >= 16 else _add_months(day, -1, 16)
    elif period == "monthly":
        start = _add_months(day, -1, int(task.get("monthly_export_day") or 1))
    else:
        raise ValueError(f"unknown period {period!r}")
    return local(tz, start, at_time(task)), due
