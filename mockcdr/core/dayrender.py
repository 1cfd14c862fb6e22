"""Export bodies from whole UTC days of rendered rows: cached per day, cut at the window's edges and limit."""
# A vendor describes an export as an ``Export``: the identity of its layout and filters (``key``),
# the tenant, a shape filter, and ``render(calls)``: the CSV lines of some of a day's calls (a
# ``daycalls.Calls``, columns in file order) with the start time of each line. This module walks the window's days, takes each day from
# the World's render cache or renders it (whole, when the window needs a fair share of it, so a
# repeat finds it), slices lines by start time at the window's edges and by count at the limit,
# and streams text or gzip segments. Deflate runs on a worker thread (it releases the GIL), so
# compressing one day overlaps rendering the next; the cache keeps days deflated.
from __future__ import annotations

import bisect
import mmap
import operator
from array import array
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate, repeat
from typing import Callable, Hashable, Iterator, Sequence

from .cdrs import EPOCH_DAY, US_PER_DAY, TenantProfile
from .daycalls import Calls
from .deflate import Segment, inflate, segment

FULL_DAY_SHARE = 0.25       # render (and cache) the whole day when the window needs this share of it
CHUNK = 1024 * 1024          # text is streamed in pieces of at most this many bytes
BATCH = 4096                 # calls rendered at a time (the lines of a batch are Python strings)
MAX_DAYS = 36_600            # how far an open-ended window looks for rows
_neg = operator.neg
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)


def us(dt: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact)."""
    return (dt - _EPOCH) // _US


class DayRows:
    """One day's rendered lines, as the cache keeps them: the start time and byte offset of each
    line, and the text deflated, all in one anonymous memory map of their own. Kept days live
    for long among short-lived buffers of several MB: outside the heap, they cannot pin it."""
    __slots__ = ("starts", "offsets", "size", "_map", "_seg")

    def __init__(self, starts: array, offsets: array, seg: Segment):
        data = seg.data
        n, m = len(starts) * 8, len(offsets) * 8
        self.size = n + m + len(data) + 256
        self._map = mm = mmap.mmap(-1, max(1, n + m + len(data)))
        mm.write(starts.tobytes())
        mm.write(offsets.tobytes())
        mm.write(data)
        view = memoryview(mm)
        self.starts = view[:n].cast("q")
        self.offsets = view[n:n + m].cast("q")
        self._seg = (n + m, len(data), seg.crc, seg.size)

    def segment(self) -> Segment:
        at, length, crc, size = self._seg
        return Segment(self._map[at:at + length], crc, size)


@dataclass
class Export:
    """What a vendor's file holds, as far as this module needs to know.

    ``key``: everything besides (seed, tenant, calls per day, day) that the lines depend on
    (vendor, format, layout options, filters), hashable. ``render(calls)``: (lines, starts) for
    some of a day's calls (a ``daycalls.Calls`` in file order, already reduced by ``keep``); each
    line ends with its terminator, and ``starts[i]`` is the start of the call on line ``i`` (a
    render may drop calls). ``day_key``: an extra key part per day index (e.g. a cut that only
    touches the days near it).
    """
    key: Hashable
    tenant: TenantProfile
    render: Callable[[Calls], tuple[Sequence[str], Sequence[int]]]
    keep: Sequence[bool] | None = None
    descending: bool = False
    encoding: str = "utf-8"
    day_key: Callable[[int], Hashable] | None = None
    lines: int = field(default=0, init=False)        # lines streamed so far (the header not counted)


def _encode(lines: Sequence[str], encoding: str) -> tuple[bytes, array]:
    text = "".join(lines)
    data = text.encode(encoding)
    offsets = array("q", [0])
    if len(data) == len(text):      # one byte per character: offsets from the lines' lengths
        offsets.extend(accumulate(map(len, lines)))
    else:
        offsets.extend(accumulate(map(len, map(str.encode, lines, repeat(encoding)))))
    return data, offsets


class _Day:
    """A day's lines in hand: rendered now (``parts``: the text of each batch, in order) or from
    the cache (``seg``); the text is joined, or inflated, only when a slice of it is needed."""
    __slots__ = ("starts", "offsets", "parts", "seg")

    def __init__(self, starts, offsets, parts: list[bytes] | None, seg: Segment | None):
        self.starts, self.offsets, self.parts, self.seg = starts, offsets, parts, seg

    def body(self) -> bytes:
        if self.parts is None:
            self.parts = [inflate(self.seg)]
        elif len(self.parts) > 1:
            self.parts = [b"".join(self.parts)]
        return self.parts[0] if self.parts else b""

    def pieces(self) -> list[bytes]:
        """The whole text, in pieces."""
        if self.parts is None:
            self.body()
        return self.parts

    def span(self, lo_us: int, hi_us: int | None, descending: bool) -> tuple[int, int]:
        """Line indexes [a, b) of the calls starting in [lo_us, hi_us)."""
        return _span(self.starts, lo_us, hi_us, descending)


def _span(starts: Sequence[int], lo_us: int, hi_us: int | None, descending: bool) -> tuple[int, int]:
    """Indexes [a, b) of the starts in [lo_us, hi_us) (``starts`` ascending, or descending)."""
    s = starts
    if descending:
        a = 0 if hi_us is None else bisect.bisect_right(s, -hi_us, key=_neg)
        return a, bisect.bisect_right(s, -lo_us, key=_neg)
    return bisect.bisect_left(s, lo_us), len(s) if hi_us is None else bisect.bisect_left(s, hi_us)


class _Walk:
    """The days of one export's window, in file order, and what of each goes out."""

    def __init__(self, rt, ex: Export, start_us: int, end_us: int | None, limit: int | None):
        self.rt, self.ex = rt, ex
        self.cache = getattr(rt, "render_cache", None)
        self.start_us, self.end_us, self.limit = start_us, end_us, limit
        universe = rt.universe
        self.base_key = (ex.key, ex.tenant, universe.seed, universe.per_day(ex.tenant))
        self.pool: ThreadPoolExecutor | None = None
        self.pending: deque = deque()          # deflates for the cache, in flight
        ex.lines = 0

    def day_indexes(self) -> Iterator[int]:
        first = self.start_us // US_PER_DAY
        if self.end_us is None:
            if self.rt.universe.per_day(self.ex.tenant) <= 0 or (
                    self.ex.keep is not None and not any(self.ex.keep)):
                return
            yield from range(first, first + MAX_DAYS)
            return
        if self.end_us <= self.start_us:
            return
        last = (self.end_us - 1) // US_PER_DAY
        yield from (range(last, first - 1, -1) if self.ex.descending else range(first, last + 1))

    def key(self, index: int):
        ex = self.ex
        return self.base_key + (index, ex.day_key(index) if ex.day_key else None)

    def render(self, index: int, calls: Calls | None = None) -> _Day:
        """A day's lines (``calls``: the day's, or those of the window in it), rendered in batches
        so that only a batch of lines is held as Python strings at a time."""
        ex = self.ex
        if calls is None:
            calls = self.calls(index)
        parts: list[bytes] = []
        starts = array("q")
        offsets = array("q", [0])
        for i in range(0, len(calls), BATCH):
            lines, batch_starts = ex.render(calls.take(i, i + BATCH))
            data, batch_offsets = _encode(lines, ex.encoding)
            base = offsets[-1]
            offsets.extend([base + o for o in batch_offsets[1:]] if base else batch_offsets[1:])
            starts.extend(batch_starts)
            parts.append(data)
        return _Day(starts, offsets, parts, None)

    def calls(self, index: int) -> Calls:
        calls = self.rt.universe.columns(self.ex.tenant, EPOCH_DAY + timedelta(days=index), self.ex.keep)
        return calls.reversed() if self.ex.descending else calls

    @property
    def caching(self) -> bool:
        return self.cache is not None and self.cache.enabled

    def remember(self, index: int, day: _Day, deflated=None) -> None:
        """Store a day rendered now, deflated on the worker thread (or by ``deflated``, a future
        of its segment already submitted there)."""
        if not self.caching:
            return
        while self.pending and (len(self.pending) >= 2 or self.pending[0].done()):
            self.pending.popleft().result()
        parts = day.pieces() if deflated is None else None
        self.pending.append(self.submit(self._store, self.key(index), day.starts, day.offsets, parts, deflated))

    def _store(self, key, starts, offsets, parts: list[bytes] | None, deflated) -> None:
        rows = DayRows(starts, offsets, deflated.result() if deflated is not None else segment(parts))
        self.cache.put(key, rows, rows.size)

    def submit(self, fn, *args):
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="mockcdr-deflate")
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        for fut in self.pending:
            fut.result()
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def pieces(self) -> Iterator[tuple[_Day, int, int, int, bool]]:
        """(day, first line, end line, day index, whether rendered now) for each day with lines out."""
        ex, cache = self.ex, self.cache
        caching = self.caching
        for index in self.day_indexes():
            if self.limit is not None and ex.lines >= self.limit:
                return
            day_lo, day_hi = index * US_PER_DAY, (index + 1) * US_PER_DAY
            lo_us = max(self.start_us, day_lo)
            hi_us = day_hi if self.end_us is None else min(self.end_us, day_hi)
            whole = lo_us == day_lo and hi_us == day_hi
            cached = cache.get(self.key(index)) if caching else None
            fresh = False
            if cached is not None:
                day = _Day(cached.starts, cached.offsets, None, cached.segment())
            else:
                calls = self.calls(index)
                a, b = _span(calls.start, lo_us, hi_us, ex.descending)
                if not whole and caching:
                    whole_day = b - a >= FULL_DAY_SHARE * len(calls)
                else:
                    whole_day = whole
                if whole_day:
                    day = self.render(index, calls)
                    fresh = True
                else:
                    day = self.render(index, calls.take(a, b))
                calls = None        # a day's calls are not held while the next one renders
            a, b = (0, len(day.starts)) if whole else day.span(lo_us, hi_us, ex.descending)
            if self.limit is not None:
                b = min(b, a + self.limit - ex.lines)
            ex.lines += b - a
            yield day, a, b, index, fresh


def text_chunks(rt, ex: Export, start_us: int, end_us: int | None, limit: int | None = None,
                head: bytes = b"") -> Iterator[bytes]:
    """The export's CSV bytes (after ``head``): the lines of calls starting in [start_us, end_us)
    (``end_us`` None: open-ended, ``limit`` needed), at most ``limit`` lines."""
    walk = _Walk(rt, ex, start_us, end_us, limit)
    try:
        if head:
            yield head
        for day, a, b, index, fresh in walk.pieces():
            if fresh:
                walk.remember(index, day)
            if a >= b:
                continue
            if a == 0 and b == len(day.starts) and day.parts is not None:
                yield from (p for p in day.parts if p)       # a whole day rendered now, batch by batch
                continue
            text = day.body()
            lo, hi = day.offsets[a], day.offsets[b]
            while lo < hi:
                yield text[lo:min(hi, lo + CHUNK)]
                lo += CHUNK
    finally:
        walk.close()


def segments(rt, ex: Export, start_us: int, end_us: int | None, limit: int | None = None,
             head: bytes = b"") -> Iterator[Segment]:
    """The same text as ``text_chunks``, as deflate segments (see core.deflate): a whole day
    comes from the cache as it is, anything else is deflated on the worker thread, a day ahead."""
    walk = _Walk(rt, ex, start_us, end_us, limit)
    out: deque = deque()
    try:
        if head:
            yield segment(head)
        for day, a, b, index, fresh in walk.pieces():
            whole = a == 0 and b == len(day.starts)
            if day.seg is not None and whole:
                out.append(day.seg)
            elif a < b:
                piece = day.pieces() if whole else day.body()[day.offsets[a]:day.offsets[b]]
                fut = walk.submit(segment, piece)
                out.append(fut)
                if fresh:
                    walk.remember(index, day, fut if whole else None)
            elif fresh:
                walk.remember(index, day)
            while len(out) > 1:         # one day deflating while the next renders
                yield _result(out.popleft())
        while out:
            yield _result(out.popleft())
    finally:
        walk.close()


def _result(item) -> Segment:
    return item if isinstance(item, Segment) else item.result()
