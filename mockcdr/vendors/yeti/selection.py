"""Which calls an export holds: the filtered calls newest first, row counts, the window for a row limit."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from mockcdr.core.cdrs import EPOCH_DAY, US_PER_DAY

LONGEST_CALL_US = 5_500_000_000    # a call ends less than 92 minutes after it starts


def bounds(spec) -> tuple[int, int]:
    """[start, end) of the calls' start times: the window within the history kept, before the cap."""
    start_us = spec.start_us if spec.floor_us is None else max(spec.start_us, spec.floor_us)
    end_us = spec.end_us if spec.cap_us is None else min(spec.end_us, spec.cap_us)
    return start_us, end_us


def shape_keep(rt, spec) -> list[bool]:
    """Per shape id of the tenant: may its calls be in the export (what depends only on the shape)."""
    trunks, directions = spec.trunks, spec.directions
    success, src_eq, dst_eq = spec.success, spec.src_eq, spec.dst_eq
    return [trunk is not None and trunk.id in trunks and direction in directions
            and (success is None or (disposition == "answered") == success)
            and (src_eq is None or src == src_eq) and (dst_eq is None or dst == dst_eq)
            for direction, disposition, _c, _r, _q, _i, src, _n, dst, _d, trunk, *_rest
            in rt.universe.shapes(rt.tenant(spec.tenant))]


def matching_calls(rt, spec, keep: list | None = None):
    """The export's calls, newest first (``ORDER BY time_start DESC``), every filter applied: their
    per-call values (``Universe.day(bare=True)``: start at 3, end at 5, billsec at 7, shape id at 10)."""
    start_us, end_us = bounds(spec)
    if end_us <= start_us:
        return
    tenant = rt.tenant(spec.tenant)
    day = rt.universe.day
    cap = spec.cap_us
    d_eq, d_ge, d_le = spec.duration_eq, spec.duration_gteq, spec.duration_lteq
    # what depends only on a call's shape is decided once per shape, and unwanted calls are not built
    keep = shape_keep(rt, spec) if keep is None else keep
    if not any(keep):
        return
    for index in range((end_us - 1) // US_PER_DAY, start_us // US_PER_DAY - 1, -1):
        for c in reversed(day(tenant, EPOCH_DAY + timedelta(days=index), keep, bare=True)):
            s = c[3]
            if s >= end_us:
                continue
            if s < start_us:
                break
            if cap is not None and c[5] > cap:
                continue
            d = c[7]
            if (d_eq is not None and d != d_eq) or (d_ge is not None and d < d_ge) or (
                    d_le is not None and d > d_le):
                continue
            yield c


def _count_span(rt, spec, keep: list, lo: int, hi: int) -> int:
    """Rows whose calls start in [lo, hi), within one UTC day. A whole day that no per-call filter
    (the cap, a duration) can cut is counted without building its calls."""
    cap = spec.cap_us
    if (lo % US_PER_DAY == 0 and hi - lo == US_PER_DAY and (cap is None or hi + LONGEST_CALL_US <= cap)
            and spec.duration_eq is None and spec.duration_gteq is None and spec.duration_lteq is None):
        return rt.universe.count(rt.tenant(spec.tenant), EPOCH_DAY + timedelta(days=lo // US_PER_DAY), keep)
    return sum(1 for _ in matching_calls(rt, replace(spec, start_us=lo, end_us=hi), keep))


def count_rows(rt, spec) -> int:
    start_us, end_us = bounds(spec)
    keep = shape_keep(rt, spec)
    total, lo = 0, start_us
    while lo < end_us and any(keep):
        hi = min(lo - lo % US_PER_DAY + US_PER_DAY, end_us)
        total += _count_span(rt, spec, keep, lo, hi)
        lo = hi
    return total


def end_for_limit(rt, spec, limit: int) -> int:
    """The window end that holds the first ``limit`` matching calls from the start (or the cap)."""
    lo, cap, seen = max(spec.start_us, spec.floor_us), spec.cap_us, 0
    keep = shape_keep(rt, spec)
    if not any(keep):
        return cap if limit > 0 else lo
    while lo < cap and limit > 0:
        hi = min(lo - lo % US_PER_DAY + US_PER_DAY, cap)
        count = _count_span(rt, spec, keep, lo, hi)
        if seen + count >= limit:
            day = list(matching_calls(rt, replace(spec, start_us=lo, end_us=hi), keep))
            return day[len(day) - (limit - seen)][3] + 1
        seen += count
        lo = hi
    return cap if limit > 0 else lo
