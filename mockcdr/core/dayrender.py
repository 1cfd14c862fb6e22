"""Export bodies from whole UTC days of rendered rows: cached per day, cut at the window's edges and limit."""
# A vendor describes an export as an ``Export``: the identity of its layout and filters (``key``),
# the tenant, a shape filter, and ``render(calls)``: the CSV lines of some of a day's calls (a
# ``daycalls.Calls``, columns in file order) with the start time of each line. This module walks
# the window's days, takes each day from the World's render cache or renders it (whole, when the
# window needs a fair share of it, so a repeat finds it), slices lines by start time at the
# window's edges and by count at the limit, and streams text or gzip segments. A day is rendered
# and sent a batch at a time (its text is never held whole); deflate runs on a worker thread (it
# releases the GIL), fed batch by batch while the day renders; the cache keeps days deflated.
from __future__ import annotations

import bisect
import mmap
import operator
from array import array
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate, islice, repeat
from typing import Callable, Hashable, Iterator, Sequence

from .cdrs import EPOCH_DAY, US_PER_DAY, TenantProfile
from .daycalls import Calls
from .deflate import Deflater, Segment, inflate, segment

FULL_DAY_SHARE = 0.25       # render (and cache) the whole day when the window needs this share of it
CHUNK = 1024 * 1024          # text is streamed in pieces of at most this many bytes
BATCH = 4096                 # calls rendered at a time (the lines of a batch are Python strings)
INFLIGHT = 4                 # batches (or days' ends) waiting for the deflate thread at most
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


def _encode(lines: Sequence[str], encoding: str, offsets: array | None = None) -> tuple[bytes, array]:
    """The lines as one piece of bytes, and where each ends: appended to ``offsets`` (a day's,
    whose last entry is where this piece starts) or to a new array from 0."""
    text = "".join(lines)
    if offsets is None:
        offsets = array("q", [0])
    if text.isascii():              # one byte per character: offsets from the lines' lengths
        data = text.encode(encoding)
        sizes = map(len, lines)
    else:                           # each line encoded once (a whole non-ASCII text encodes slowly)
        pieces = list(map(str.encode, lines, repeat(encoding)))
        data = b"".join(pieces)
        sizes = map(len, pieces)
    offsets.extend(islice(accumulate(sizes, initial=offsets[-1]), 1, None))
    return data, offsets


def _bytes(lines: Sequence[str], encoding: str) -> bytes:
    """The lines as one piece of bytes (no offsets)."""
    text = "".join(lines)
    return text.encode(encoding) if text.isascii() else b"".join(map(str.encode, lines, repeat(encoding)))


def _ends(lines: Sequence[str], encoding: str, y: int) -> int:
    """The byte length of the first ``y`` lines."""
    head = "".join(lines[:y])
    return len(head.encode(encoding)) if not head.isascii() else len(head)


def _span(starts: Sequence[int], lo_us: int, hi_us: int | None, descending: bool) -> tuple[int, int]:
    """Indexes [a, b) of the starts in [lo_us, hi_us) (``starts`` ascending, or descending)."""
    s = starts
    if descending:
        a = 0 if hi_us is None else bisect.bisect_right(s, -hi_us, key=_neg)
        return a, bisect.bisect_right(s, -lo_us, key=_neg)
    return bisect.bisect_left(s, lo_us), len(s) if hi_us is None else bisect.bisect_left(s, hi_us)


class _Walk:
    """The days of one export's window, in file order, and what of each goes out: text (``out``
    gives bytes) or, ``deflated``, deflate segments (``out`` gives Segments, or futures of them).

    A day not in the cache is rendered a batch at a time and each batch goes out as soon as it is
    rendered: the text of a day is never held whole. A day the cache will keep is fed, batch by
    batch, to a Deflater on the worker thread, and stored when it ends."""

    def __init__(self, rt, ex: Export, start_us: int, end_us: int | None, limit: int | None,
                 deflated: bool = False):
        self.rt, self.ex, self.deflated = rt, ex, deflated
        self.cache = getattr(rt, "render_cache", None)
        self.start_us, self.end_us, self.limit = start_us, end_us, limit
        universe = rt.universe
        self.base_key = (ex.key, ex.tenant, universe.seed, universe.per_day(ex.tenant))
        self.pool: ThreadPoolExecutor | None = None
        self.inflight: deque = deque()          # work handed to the worker thread, not yet done
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

    def calls(self, index: int) -> Calls:
        calls = self.rt.universe.columns(self.ex.tenant, EPOCH_DAY + timedelta(days=index), self.ex.keep)
        return calls.reversed() if self.ex.descending else calls

    @property
    def caching(self) -> bool:
        return self.cache is not None and self.cache.enabled

    def submit(self, fn, *args):
        """``fn(*args)`` on the worker thread, in order; at most ``INFLIGHT`` pieces of work
        wait there (a slow thread holds back the render rather than piling up text)."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="mockcdr-deflate")
        fut = self.pool.submit(fn, *args)
        pending = self.inflight
        pending.append(fut)
        while pending and (len(pending) > INFLIGHT or pending[0].done()):
            pending.popleft().result()
        return fut

    def close(self) -> None:
        for fut in self.inflight:
            fut.result()
        self.inflight.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def _store(self, key, starts: array, offsets: array, deflater: Deflater) -> Segment:
        seg = deflater.finish()
        rows = DayRows(starts, offsets, seg)
        self.cache.put(key, rows, rows.size)
        return seg

    def _room(self, n: int) -> int:
        """How many of ``n`` more lines the row limit lets out."""
        return n if self.limit is None else max(0, min(n, self.limit - self.ex.lines))

    def out(self) -> Iterator:
        ex = self.ex
        caching = self.caching
        for index in self.day_indexes():
            if self.limit is not None and ex.lines >= self.limit:
                return
            day_lo, day_hi = index * US_PER_DAY, (index + 1) * US_PER_DAY
            lo_us = max(self.start_us, day_lo)
            hi_us = day_hi if self.end_us is None else min(self.end_us, day_hi)
            whole = lo_us == day_lo and hi_us == day_hi
            cached = self.cache.get(self.key(index)) if caching else None
            if cached is not None:
                yield from self._cached(cached, lo_us, hi_us, whole)
            else:
                yield from self._fresh(index, lo_us, hi_us, whole)

    def _cached(self, rows: DayRows, lo_us: int, hi_us: int, whole: bool) -> Iterator:
        n = len(rows.starts)
        a, b = (0, n) if whole else _span(rows.starts, lo_us, hi_us, self.ex.descending)
        b = a + self._room(b - a)
        if a >= b:
            return
        self.ex.lines += b - a
        seg = rows.segment()
        if self.deflated and a == 0 and b == n:
            yield seg                   # served as it is: no compression at all
            return
        text = inflate(seg)
        lo, hi = rows.offsets[a], rows.offsets[b]
        if self.deflated:
            yield self.submit(segment, text[lo:hi])
            return
        while lo < hi:
            yield text[lo:min(hi, lo + CHUNK)]
            lo += CHUNK

    def _fresh(self, index: int, lo_us: int, hi_us: int, whole: bool) -> Iterator:
        """A day rendered now, batch by batch: whole (and kept) when the cache is on and the
        window needs a fair share of it, else only the window's calls."""
        ex = self.ex
        calls = self.calls(index)
        a, b = _span(calls.start, lo_us, hi_us, ex.descending)
        keep = self.caching and (whole or b - a >= FULL_DAY_SHARE * len(calls))
        cut = keep and not whole                # lines out of the window among those rendered
        if not keep:
            calls = calls.take(a, b)
        n = len(calls)
        store = starts = offsets = out = None
        if keep:
            store, starts, offsets = Deflater(), array("q"), array("q", [0])
        if self.deflated:
            # the day's text and the text going out are the same: one deflate serves both
            shared = keep and whole and (self.limit is None or ex.lines + n <= self.limit)
            out = store if shared else Deflater()
        sent = 0
        for i in range(0, n, BATCH):
            room = self.limit is None or ex.lines < self.limit
            if not room and not keep:
                break
            lines, batch_starts = ex.render(calls.take(i, i + BATCH))
            if keep:                    # the day's line offsets, for the cache (and the cut)
                first = len(starts)
                data, _ = _encode(lines, ex.encoding, offsets)
                starts.extend(batch_starts)
                self.submit(store.feed, data)
            else:
                data = _bytes(lines, ex.encoding)
            if not room:
                continue
            m = len(batch_starts)
            x, y = _span(batch_starts, lo_us, hi_us, ex.descending) if cut else (0, m)
            y = x + self._room(y - x)
            if x >= y:
                continue
            ex.lines += y - x
            sent += y - x
            if x == 0 and y == m:
                piece = data
            elif keep:
                at = offsets[first]
                piece = data[offsets[first + x] - at:offsets[first + y] - at]
            else:                       # only the row limit cuts a batch rendered for the window
                piece = data[:_ends(lines, ex.encoding, y)]
            lines = None
            if not self.deflated:
                yield piece
            elif out is not store:
                self.submit(out.feed, piece)
        calls = None
        stored = self.submit(self._store, self.key(index), starts, offsets, store) if keep else None
        if self.deflated and sent:
            yield stored if out is store else self.submit(out.finish)


def text_chunks(rt, ex: Export, start_us: int, end_us: int | None, limit: int | None = None,
                head: bytes = b"") -> Iterator[bytes]:
    """The export's CSV bytes (after ``head``): the lines of calls starting in [start_us, end_us)
    (``end_us`` None: open-ended, ``limit`` needed), at most ``limit`` lines."""
    walk = _Walk(rt, ex, start_us, end_us, limit)
    try:
        if head:
            yield head
        yield from walk.out()
    finally:
        walk.close()


def segments(rt, ex: Export, start_us: int, end_us: int | None, limit: int | None = None,
             head: bytes = b"") -> Iterator[Segment]:
    """The same text as ``text_chunks``, as deflate segments (see core.deflate), a day's text in
    one: a whole day comes from the cache as it is, anything else is deflated on the worker
    thread while it renders."""
    walk = _Walk(rt, ex, start_us, end_us, limit, deflated=True)
    out: deque = deque()
    try:
        if head:
            yield segment(head)
        for item in walk.out():
            out.append(item)
            while len(out) > 1:         # a day's deflate ends while the next one renders
                yield _result(out.popleft())
        while out:
            yield _result(out.popleft())
    finally:
        walk.close()


def _result(item) -> Segment:
    return item if isinstance(item, Segment) else item.result()
