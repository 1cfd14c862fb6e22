"""The cdr-exports index: yeti's RansackFilterBuilder filters, JR sorting (NULLs as PostgreSQL) and paging."""
from __future__ import annotations

import csv

from . import errors
from .jobs import STATUSES
from .fixtures import UUID_RE
from .form import TIME_FORMATS, cast_time
from .jsonapi import ruby_to_i

_CMP = ("eq", "not_eq", "gt", "gteq", "lt", "lteq", "in", "not_in")
# attribute -> (value kind, predicates)
_RANSACK = {
    "status": ("status", ("eq", "not_eq", "in", "not_in")),
    "rows_count": ("int", _CMP),
    "created_at": ("time", _CMP),
    "updated_at": ("time", _CMP),
    "time_zone_name": ("str", ("eq", "not_eq", "cont", "start", "end", "in", "not_in", "cont_any")),
    "account_id": ("account", ("eq", "not_eq", "in", "not_in")),
}
MULTI = ("in", "not_in", "cont_any")
FILTERS = {f"{attr}_{pred}": (attr, pred) for attr, (_, preds) in _RANSACK.items() for pred in preds}
ALLOWED_FILTERS = frozenset(FILTERS) | {"time_format", "id"}
SORTABLE = frozenset(("id", "status", "rows_count", "created_at", "updated_at", "time_format", "time_zone_name"))
DEFAULT_SORT = (("created_at", True),)


def _values(raw) -> list:
    """JR's verify_filter: a string is one CSV line of values, anything else is one value."""
    if isinstance(raw, list):
        return [v for v in raw if v not in (None, "")]
    if raw is None or raw == "":
        return []
    if not isinstance(raw, str):
        return [raw]
    try:
        return [v for v in next(csv.reader([raw]), [])]
    except csv.Error:
        return [raw]


def _field(job: dict, attr: str):
    attrs = job["attrs"]
    if attr == "status":
        return job["state"]
    if attr == "created_at":
        return job["created_at"]
    if attr == "updated_at":
        return job["entered_at"]
    if attr == "account_id":
        return attrs["account"]
    if attr == "id":
        return job["id"]
    return attrs[attr]


def _predicate(pred: str, kind: str, values: list):
    """A test for one ransack condition (SQL semantics: a NULL column matches nothing)."""
    if kind == "int":
        values = [ruby_to_i(v) for v in values]
    elif kind == "time":
        values = [cast_time(v) for v in values]
        if any(v is None for v in values):
            return None                                   # ransack drops a condition it cannot cast
    elif kind == "account":
        values = [str(v).lower() for v in values]
    one = values[0]
    if pred in ("cont", "start", "end", "cont_any"):      # ILIKE, wildcards escaped
        needles = [str(v).lower() for v in values]
        test = {"cont": lambda x: needles[0] in x, "start": lambda x: x.startswith(needles[0]),
                "end": lambda x: x.endswith(needles[0]), "cont_any": lambda x: any(n in x for n in needles)}[pred]
        return lambda x: x is not None and test(x.lower())
    tests = {
        "eq": lambda x: x == one, "not_eq": lambda x: x != one, "gt": lambda x: x > one,
        "gteq": lambda x: x >= one, "lt": lambda x: x < one, "lteq": lambda x: x <= one,
        "in": lambda x: x in values, "not_in": lambda x: x not in values,
    }
    test = tests[pred]
    return lambda x: x is not None and test(x)


def apply_filters(jobs: list[dict], filters: dict) -> list[dict]:
    """Verify every filter (400s in the order given), then keep the jobs matching all of them."""
    tests = []
    for name, raw in filters.items():
        values = _values(raw)
        if name == "time_format":
            for v in values:
                if v not in TIME_FORMATS:
                    raise errors.invalid_filter_value("with_timezone", v)   # sic: yeti names the filter so
            tests.append(("time_format", lambda x, vs=values: x in vs))
            continue
        if name == "id":
            for v in values:
                if not UUID_RE.match(str(v)):
                    raise errors.invalid_field_value(v)
            tests.append(("id", lambda x, vs={str(v).lower() for v in values}: x in vs))
            continue
        attr, pred = FILTERS[name]
        kind = _RANSACK[attr][0]
        if pred not in MULTI and len(values) > 1:
            raise errors.invalid_filter_value(name, ",".join(str(v) for v in values))
        if kind == "status":
            for v in values:
                if v not in STATUSES:
                    raise errors.invalid_filter_value(name, v)
        if not values:
            continue                                      # a blank value is ignored
        test = _predicate(pred, kind, values)
        if test is not None:
            tests.append((attr, test))
    if not tests:
        return list(jobs)
    return [job for job in jobs if all(test(_field(job, attr)) for attr, test in tests)]


def apply_sort(jobs: list[dict], sort) -> list[dict]:
    """Stable sorts, last key first; NULLs last ascending and first descending, as PostgreSQL does."""
    out = sorted(jobs, key=lambda j: j["attrs"]["seq"], reverse=sort is None)
    for name, desc in reversed(sort or DEFAULT_SORT):
        out.sort(key=lambda j, n=name: (1,) if _field(j, n) is None else (0, _field(j, n)), reverse=desc)
    return out


def page(jobs: list[dict], number: int, size: int) -> list[dict]:
    start = (number - 1) * size
    return jobs[start:start + size]
