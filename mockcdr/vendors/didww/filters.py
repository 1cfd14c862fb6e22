"""Export filters per API version: validation (JSON:API 422 problems) and the CDR window they select."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from mockcdr.core.clock import UTC
from mockcdr.core.errors import Problem

from .errors import invalid

EXPORT_TYPES = ("cdr_in", "cdr_out")
TRUNK_KEY = "voice_out_trunk.id"
LEGACY_KEYS = {"cdr_in": ("year", "month", "did_number"),
               "cdr_out": ("year", "month", "day", TRUNK_KEY)}
MODERN_KEYS = {"cdr_in": ("from", "to", "did_number"),
               "cdr_out": ("from", "to", TRUNK_KEY)}
_INT = re.compile(r"^\s*\d{1,9}\s*$", re.ASCII)       # Rails: ASCII digits (a Gujarati 6 is no 6)
_INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?"
                      r"\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE | re.ASCII)


@dataclass
class Window:
    """What an export selects: ``start <= call start < end``, plus optional DID or trunk."""
    start: datetime
    end: datetime
    echo: dict                 # the filters as the 2026-04-16 representation echoes them
    did_number: str | None = None
    trunk_id: str | None = None


def month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def range_start(now: datetime, months: int) -> datetime:
    """The first instant an export may cover: the start of the month ``months - 1`` before now."""
    return month_start(*add_months(now.year, now.month, -(months - 1)))


def within(months: int) -> str:
    """The documented phrase: ``within the current and 2 previous months`` for the default 3."""
    return f"within the current and {months - 1} previous months"


def _message(problems: list[Problem], text: str) -> None:
    problems.append(invalid("filters", text))


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    return None


def _text(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def parse_instant(value) -> datetime | None:
    """``YYYY-MM-DD[ HH:MM[:SS[.f]]]`` (space or ``T``), optionally ``Z`` or an offset; UTC otherwise."""
    if not isinstance(value, str):
        return None
    m = _INSTANT.match(value.strip())
    if not m:
        return None
    y, mo, d, hh, mi, ss, zone = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt


def _optional_selectors(export_type: str, filters: dict,
                        problems: list[Problem]) -> tuple[str | None, str | None]:
    did = trunk = None
    if export_type == "cdr_in" and "did_number" in filters:
        did = _text(filters["did_number"])
        if did is None:
            _message(problems, "did_number not valid")
        elif not did:
            _message(problems, "did_number can't be blank")
    if export_type == "cdr_out" and TRUNK_KEY in filters:
        trunk = _text(filters[TRUNK_KEY])
        if trunk is None:
            _message(problems, f"{TRUNK_KEY} not valid")
        elif not trunk:
            _message(problems, f"{TRUNK_KEY} can't be blank")
    return did or None, trunk or None


def _unknown_keys(filters: dict, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    for key in filters:
        if key not in allowed:
            _message(problems, f"{key} is not allowed")


def legacy_window(export_type: str, filters: dict, now: datetime, months: int,
                  problems: list[Problem]) -> Window | None:
    """2021-12-15 / 2022-05-10: ``year`` and ``month`` (required), ``day`` (cdr_out), DID or trunk."""
    _unknown_keys(filters, LEGACY_KEYS[export_type], problems)
    values = {}
    for key in ("year", "month"):
        if filters.get(key) in (None, ""):
            _message(problems, f"{key} can't be blank")
            continue
        number = _int(filters[key])
        low, high = (1970, 9999) if key == "year" else (1, 12)
        if number is None or not low <= number <= high:
            _message(problems, f"{key} not valid")
        else:
            values[key] = number
    day = None
    if export_type == "cdr_out" and filters.get("day") not in (None, ""):
        day = _int(filters["day"])
        if day is None or day < 1 or ("year" in values and "month" in values and
                                      day > calendar.monthrange(values["year"], values["month"])[1]):
            _message(problems, "day not valid")
            day = None
    did, trunk = _optional_selectors(export_type, filters, problems)
    if len(values) < 2:
        return None
    year, month = values["year"], values["month"]
    start = month_start(year, month)
    if start < range_start(now, months) or start > now:
        _message(problems, f"month must be {within(months)}")
        return None
    end = month_start(*add_months(year, month, 1))
    echo = {"year": year, "month": month}
    if day is not None:
        start = datetime(year, month, day, tzinfo=UTC)
        if start > now:
            _message(problems, "day can't be in the future")
            return None
        end = start + timedelta(days=1)
        echo["day"] = day
    if problems:
        return None
    if did:
        echo["did_number"] = did
    if trunk:
        echo[TRUNK_KEY] = trunk
    return Window(start, end, echo, did, trunk)


def modern_window(export_type: str, filters: dict, now: datetime, months: int,
                  problems: list[Problem]) -> Window | None:
    """2026-04-16: ``from`` (inclusive) and ``to`` (exclusive), UTC, within the available months."""
    _unknown_keys(filters, MODERN_KEYS[export_type], problems)
    bounds = {}
    for key in ("from", "to"):
        if filters.get(key) in (None, ""):
            _message(problems, f"{key} can't be blank")
            continue
        instant = parse_instant(filters[key])
        if instant is None:
            _message(problems, f"{key} not valid")
        else:
            bounds[key] = instant
    did, trunk = _optional_selectors(export_type, filters, problems)
    earliest = range_start(now, months)
    for key, instant in bounds.items():
        if instant < earliest:
            _message(problems, f"{key} must be {within(months)}")
        elif instant > now:
            _message(problems, f"{key} can't be in the future")
    if len(bounds) == 2 and bounds["from"] >= bounds["to"]:
        _message(problems, "to must be after from")
    if problems or len(bounds) < 2:
        return None
    echo = {"from": bounds["from"].strftime("%Y-%m-%d %H:%M:%S"),
            "to": bounds["to"].strftime("%Y-%m-%d %H:%M:%S")}
    if did:
        echo["did_number"] = did
    if trunk:
        echo[TRUNK_KEY] = trunk
    return Window(bounds["from"], bounds["to"], echo, did, trunk)
