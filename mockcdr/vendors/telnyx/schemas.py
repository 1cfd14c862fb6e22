"""CDR request bodies (V1 and V2) and list paging: the seed's rules, each broken one a 400 naming its field."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from ...core.clock import parse_instant
from ...core.errors import Problem, ValidationFailed
from ...core.timefmt import zone
from .errors import MISSING

V1_SOURCES = ("calls", "call-control")
V2_SOURCES = ("calls", "call-control", "fax-api", "webrtc")
CALL_TYPES = (1, 2)            # inbound, outbound
RECORD_TYPES = (1, 2, 3)       # complete, incomplete, errors
MATCHES = ("contains", "starts_with", "ends_with")
CRITERIA = ("cli", "cld", "tags_list", "billing_group")
END_HORIZON = timedelta(hours=24)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DIGITS = re.compile(r"[0-9]{1,19}\Z")
_RFC3339 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                      r"([Zz]|[+-][0-9]{2}:[0-9]{2})$")
INT64_MAX = 2 ** 63 - 1


class _Problems(list):
    def missing(self, pointer: str, name: str) -> None:
        self.append(Problem(f"{name} is required.", pointer=pointer, code=MISSING[0], title=MISSING[1]))

    def invalid(self, pointer: str, detail: str) -> None:
        self.append(Problem(detail, pointer=pointer))


def _absent(body: dict, name: str) -> bool:
    return body.get(name) is None


def _instant(body: dict, name: str, problems: _Problems, required: bool, strict: bool) -> datetime | None:
    """V1 reads any ISO 8601 date-time (no offset: UTC); V2 wants RFC 3339 (``strict``)."""
    value = body.get(name)
    if value is None:
        if required:
            problems.missing(f"/{name}", name)
        return None
    if isinstance(value, str) and (not strict or _RFC3339.match(value)):
        try:
            return parse_instant(value)
        except ValueError:
            pass
    problems.invalid(f"/{name}", f"{name} must be a UTC date-time such as 2022-07-29T00:00:00+00:00.")
    return None


def _int_list(body: dict, name: str, allowed: tuple[int, ...], default: list, problems: _Problems) -> list:
    if _absent(body, name):
        return list(default)
    value = body[name]
    if (not isinstance(value, list) or not value
            or any(isinstance(v, bool) or not isinstance(v, int) or v not in allowed for v in value)):
        problems.invalid(f"/{name}", f"{name} must be a non-empty array of integers from "
                                     f"{', '.join(map(str, allowed))}.")
        return list(default)
    return list(value)


def _connections(body: dict, problems: _Problems, v2: bool) -> list[str]:
    """Connection IDs, stored as digit strings: V1 documents strings (integers are taken too),
    V2 integers."""
    value = body.get("connections")
    if value is None:
        return []
    if not isinstance(value, list):
        problems.invalid("/connections", "connections must be an array of connection IDs.")
        return []
    out = []
    for i, v in enumerate(value):
        text = str(v) if isinstance(v, int) and not isinstance(v, bool) else (None if v2 else v)
        if not isinstance(text, str) or not _DIGITS.match(text) or int(text) > INT64_MAX:
            problems.invalid(f"/connections/{i}", "a connection ID is an integer" + (
                "." if v2 else " or a string of digits."))
            continue
        out.append(text)
    return out


def _string(body: dict, name: str, default, problems: _Problems, choices: tuple[str, ...] = ()):
    if _absent(body, name):
        return default
    value = body[name]
    if not isinstance(value, str) or (choices and value not in choices):
        problems.invalid(f"/{name}", f"{name} must be " + (
            f"one of {', '.join(repr(c) for c in choices)}." if choices else "a string."))
        return default
    return value


def _bool(body: dict, name: str, problems: _Problems) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.invalid(f"/{name}", f"{name} must be true or false.")
        return False
    return value


def _filter(item, i: int, seen_or: bool, problems: _Problems) -> dict | None:
    at = f"/filters/{i}"
    if not isinstance(item, dict):
        problems.invalid(at, "each filter must be an object.")
        return None
    kind = item.get("filter_type")
    if kind is None:
        problems.missing(f"{at}/filter_type", "filter_type")
    elif kind not in ("and", "or"):
        problems.invalid(f"{at}/filter_type", "filter_type must be 'and' or 'or'.")
    elif i == 0 and kind != "and":
        problems.invalid(f"{at}/filter_type", "The first filter must have filter_type 'and'.")
    elif seen_or and kind == "and":
        problems.invalid(f"{at}/filter_type", "An 'or' filter cannot be followed by an 'and' filter.")
    present = [c for c in CRITERIA if item.get(c) is not None]
    for number in ("cli", "cld"):
        if item.get(f"{number}_filter") is not None and number not in present:
            problems.missing(f"{at}/{number}", number)
            return None
    if not present:
        problems.invalid(at, "a filter needs one of cli, cld, tags_list or billing_group.")
        return None
    if len(present) > 1:
        problems.invalid(at, f"a filter takes one criterion; this one has {' and '.join(present)}.")
        return None
    crit = present[0]
    out = {"filter_type": kind, crit: item[crit]}
    value = item[crit]
    if crit in ("cli", "cld"):
        if not isinstance(value, str) or not value.strip():
            problems.invalid(f"{at}/{crit}", f"{crit} must be a non-empty string.")
        match = item.get(f"{crit}_filter")
        if match is None:
            problems.missing(f"{at}/{crit}_filter", f"{crit}_filter")
        elif match not in MATCHES:
            problems.invalid(f"{at}/{crit}_filter", f"{crit}_filter must be one of {', '.join(MATCHES)}.")
        out[f"{crit}_filter"] = match
    elif crit == "tags_list":
        tags = [value] if isinstance(value, str) else value
        if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
            problems.invalid(f"{at}/tags_list", "tags_list must be a tag or a non-empty list of tags.")
    elif not isinstance(value, str) or not _UUID.match(value):
        problems.invalid(f"{at}/billing_group", "billing_group must be a billing group UUID.")
    return out


def _filters(body: dict, problems: _Problems) -> list[dict]:
    value = body.get("filters")
    if value is None:
        return []
    if not isinstance(value, list):
        problems.invalid("/filters", "filters must be an array of filter objects.")
        return []
    out, seen_or = [], False
    for i, item in enumerate(value):
        parsed = _filter(item, i, seen_or, problems)
        seen_or = seen_or or (isinstance(item, dict) and item.get("filter_type") == "or")
        if parsed is not None:
            out.append(parsed)
    return out


def _v2_extras(body: dict, catalogue: tuple[str, ...], problems: _Problems) -> dict:
    fields = body.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or not fields:
            problems.invalid("/fields", "fields must be a non-empty array of field names.")
            fields = None
        else:
            for i, name in enumerate(fields):
                if name not in catalogue or fields.index(name) != i:
                    problems.invalid(f"/fields/{i}", "not a field of the report (see GET .../voice/fields), "
                                                     "or named twice.")
    tz = _string(body, "timezone", "UTC", problems)
    try:
        zone(tz)
    except ValueError:
        problems.invalid("/timezone", "timezone must be an IANA time zone name such as America/Chicago.")
        tz = "UTC"
    managed = body.get("managed_accounts")
    managed = [] if managed is None else managed
    if not isinstance(managed, list) or not all(isinstance(m, str) and _UUID.match(m) for m in managed):
        problems.invalid("/managed_accounts", "managed_accounts must be an array of account UUIDs.")
        managed = []
    return {"fields": fields, "timezone": tz, "managed_accounts": managed,
            "include_all_metadata": _bool(body, "include_all_metadata", problems),
            "select_all_managed_accounts": _bool(body, "select_all_managed_accounts", problems)}


def parse_request(body, *, v2: bool, now: datetime | None, lookback_days: float,
                  catalogue: tuple[str, ...]) -> dict:
    """A create body as stored parameters, or ValidationFailed (400) listing every broken rule.

    ``now=None`` skips the rules relative to the clock (for ``mockcdr generate``).
    """
    problems = _Problems()
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.", status=400,
                               problems=[Problem("The request body must be a JSON object.", pointer="")])
    start = _instant(body, "start_time", problems, required=True, strict=v2)
    end = _instant(body, "end_time", problems, required=v2, strict=v2)
    params = {
        "call_types": _int_list(body, "call_types", CALL_TYPES, [1], problems),
        "record_types": _int_list(body, "record_types", RECORD_TYPES, [1], problems),
        "connections": _connections(body, problems, v2),
        "report_name": _string(body, "report_name", "", problems),
        "source": _string(body, "source", "calls", problems, V2_SOURCES if v2 else V1_SOURCES),
        "filters": _filters(body, problems),
    }
    params.update(_v2_extras(body, catalogue, problems) if v2 else
                  {"fields": None, "timezone": "UTC", "managed_accounts": [],
                   "include_all_metadata": False, "select_all_managed_accounts": False})
    end_given = body.get("end_time") is not None
    if now is not None:
        if end is None and not end_given and not v2:
            end = now   # V1: end_time is optional; the report runs up to the request
        _window(start, end, now, lookback_days, end_given, problems)
    if problems:
        raise ValidationFailed(problems[0].detail, status=400, problems=list(problems))
    params["start_time"] = start
    params["end_time"] = end
    return params


def _window(start, end, now: datetime, lookback_days: float, end_given: bool, problems: _Problems) -> None:
    if end is not None and end >= now + END_HORIZON:
        problems.invalid("/end_time", "end_time must be less than 24 hours from now.")
    if start is not None and start < now - timedelta(days=lookback_days):
        problems.invalid("/start_time", f"CDRs are available for {lookback_days:g} days: start_time may not "
                                        f"be earlier than that.")
    if start is not None and end is not None and start >= end:
        if end_given:
            problems.invalid("/end_time", "end_time must be later than start_time.")
        else:
            problems.invalid("/start_time", "start_time must be earlier than end_time (which defaults to now).")


def page_params(args, *, default_size: int, max_size: int, v1: bool) -> tuple[int, int]:
    """(page number, page size) from ``page[number]``/``page[size]`` or, on V1, ``page``/``per_page``.

    Every given parameter is checked; the V2-style one wins when both forms are given.
    """
    problems = _Problems()
    names = (("page[number]", "page"), ("page[size]", "per_page")) if v1 else (
        ("page[number]",), ("page[size]",))
    out = []
    for choices, default, high in ((names[0], 1, None), (names[1], default_size, max_size)):
        values = []
        for name in choices:
            if name not in args:
                continue
            raw = args.get(name, "").strip()
            value = int(raw) if raw.isdigit() and raw.isascii() else 0
            if value < 1 or (high is not None and value > high):
                limit = f" and at most {high}" if high else ""
                problems.append(Problem(f"{name} must be an integer of at least 1{limit}.", field=name))
            values.append(value)
        out.append(values[0] if values else default)
    if problems:
        raise ValidationFailed(problems[0].detail, status=400, problems=list(problems))
    return out[0], out[1]
