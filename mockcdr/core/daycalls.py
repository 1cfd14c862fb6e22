"""A day's calls as columns: drawn in bulk from the day's random blocks, filtered, sliced and reversed."""
# The call universe (cdrs.py) decides what a day's calls are; this module computes them a column
# at a time, each column one list comprehension or one C-level map over the whole day, instead of
# one Python loop iteration per call. Exports render rows from these columns the same way.
from __future__ import annotations

import functools
import sys
from array import array
from itertools import compress
from operator import itemgetter
from math import log
from datetime import date
from typing import Callable, Sequence

US_PER_DAY = 86_400_000_000
EPOCH_DAY = date(1970, 1, 1)
TO_UNIT = 2.0 ** -32                  # a 32-bit word to (0, 1)
# how long an unanswered call rings (µs): from, and spread, per outcome kind (no answer, busy, failed)
RING_BASE = (0, 15_000_000, 1_000_000, 0)
RING_SPAN = (0, 30_000_000, 4_000_000, 3_000_000)
LONGEST_TALK_US = 5_400_000_000
COSTS: dict[float, float] = {}        # rate * billsec -> cost, shared by every day and tenant


def words(data: bytes) -> array:
    """Random bytes as unsigned 32-bit words, little-endian on every machine."""
    out = array("I", data)
    if out.itemsize != 4:               # pragma: no cover - 'I' is 4 bytes on every platform we ship for
        out = array("L", data)
    if sys.byteorder == "big":
        out.byteswap()
    return out


class Calls:
    """Calls of one tenant and UTC day, in file order, as parallel columns (lists).

    Always there: ``seq`` (the call's number in its day), ``start``, ``connect`` (None when not
    answered), ``end`` (µs since the epoch), ``billsec``, ``shape`` (index into the tenant's pool of
    call shapes). Worked out on first use: ``duration`` (whole seconds, rounded up), ``pdd`` (ms),
    ``cost`` (float, 5 decimals). ``tag``: the tenant-and-day part of call ids; ``day``: the day.
    """
    __slots__ = ("tag", "day", "rates", "seq", "start", "connect", "end", "billsec", "shape",
                 "_pick", "_duration", "_pdd", "_cost")

    def __init__(self, tag: str, day, rates: Sequence[float], seq, start, connect, end, billsec, shape, pick):
        self.tag, self.day, self.rates = tag, day, rates
        self.seq, self.start, self.connect, self.end = seq, start, connect, end
        self.billsec, self.shape, self._pick = billsec, shape, pick
        self._duration = self._pdd = self._cost = None

    def __len__(self) -> int:
        return len(self.start)

    @property
    def day_index(self) -> int:
        """The UTC day as days since the epoch."""
        return (self.day - EPOCH_DAY).days

    @property
    def duration(self) -> list[int]:
        if self._duration is None:
            self._duration = [(e - s + 999_999) // 1_000_000 for s, e in zip(self.start, self.end)]
        return self._duration

    @property
    def pdd(self) -> list[int]:
        if self._pdd is None:
            self._pdd = [80 + ((p & 0xFFFFF) * 2400 >> 20) for p in self._pick]
        return self._pdd

    @property
    def cost(self) -> list[float]:
        """round(rate * billsec / 60, 5), worked out once per distinct product (round() is slow)."""
        if self._cost is None:
            costs = COSTS
            if len(costs) > 200_000:
                costs.clear()
            rates = self.rates

            def cost(product: float) -> float:
                value = costs.get(product)
                if value is None:
                    value = costs[product] = round(product / 60.0, 5)
                return value
            self._cost = [cost(rates[h] * b) if b else 0.0 for h, b in zip(self.shape, self.billsec)]
        return self._cost

    def _derived(self, pick) -> tuple:
        return tuple(None if v is None else pick(v) for v in (self._duration, self._pdd, self._cost))

    def _new(self, pick) -> "Calls":
        out = Calls(self.tag, self.day, self.rates, pick(self.seq), pick(self.start), pick(self.connect),
                    pick(self.end), pick(self.billsec), pick(self.shape), pick(self._pick))
        out._duration, out._pdd, out._cost = self._derived(pick)
        return out

    def take(self, a: int, b: int) -> "Calls":
        """Calls [a, b) of these (the same order)."""
        if a <= 0 and b >= len(self):
            return self
        return self._new(lambda col: col[a:b])

    def reversed(self) -> "Calls":
        return self._new(lambda col: col[::-1])

    def where(self, mask: Sequence[bool]) -> "Calls":
        """The calls whose ``mask`` entry is true (the same order)."""
        return self._new(lambda col: list(compress(col, mask)))

    def between(self, lo_us: int, hi_us: int) -> "Calls":
        """The calls starting in [lo_us, hi_us)."""
        return self.where([lo_us <= s < hi_us for s in self.start])

    def rows(self) -> list[tuple]:
        """One tuple per call: (tag, seq, day, start, connect, end, duration, billsec, pdd, cost, shape),
        the universe's ``bare`` calls."""
        n = len(self)
        tags, days = [self.tag] * n, [self.day] * n
        return list(zip(tags, self.seq, days, self.start, self.connect, self.end, self.duration, self.billsec,
                        self.pdd, self.cost, self.shape))


class CostTexts(dict):
    """billsec -> the text of a call's cost at one rate: ``fmt`` of ``round(rate * billsec / 60, 5)``
    (the ``cost`` column), worked out once per billsec (a table lookup per row instead of a float
    format)."""
    __slots__ = ("rate", "fmt")

    def __init__(self, rate: float, fmt: Callable[[float], str]):
        super().__init__()
        self.rate, self.fmt = rate, fmt

    def __missing__(self, billsec: int) -> str:
        text = self[billsec] = self.fmt(round(self.rate * billsec / 60.0, 5) if billsec else 0.0)
        return text


_COST_TEXTS: dict[tuple[float, int], CostTexts] = {}


@functools.cache
def _seq_hex_table() -> tuple:
    """The 65,536 first call numbers as 8 hex digits: built on the first file that needs them
    (4 MB and 10 ms that the start-up and an idle server need not hold)."""
    return tuple(f"{i:08x}" for i in range(1 << 16))


def seq_hex(seq: Sequence[int]) -> list[str]:
    """Call numbers (a ``seq`` column) as 8 lowercase hex digits each, by table."""
    table = _seq_hex_table()
    return [table[q] if q < 65536 else f"{q:08x}" for q in seq]


def cost_texts(rate: float, decimals: int) -> CostTexts:
    """The (shared) CostTexts of a rate, printed with ``decimals`` decimals."""
    table = _COST_TEXTS.get((rate, decimals))
    if table is None:
        if len(_COST_TEXTS) > 1024:
            _COST_TEXTS.clear()
        table = _COST_TEXTS[(rate, decimals)] = CostTexts(rate, f"{{:.{decimals}f}}".format)
    return table


def _hour_keys(hour_table: Sequence[int]) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Per hour-table entry, the hour as a sort key (hour << 32, a float), and per hour its start (µs)."""
    keys = _HOUR_KEYS.get(id(hour_table))
    if keys is None:
        hours = [h // 3_600_000_000 for h in hour_table]
        keys = _HOUR_KEYS[id(hour_table)] = (tuple(float(h << 32) for h in hours),
                                             tuple(h * 3_600_000_000 for h in range(max(hours) + 1)), hour_table)
    return keys[0], keys[1]


_HOUR_KEYS: dict[int, tuple] = {}


def draw(rng, n: int, base_us: int, tag: str, day, kinds: Sequence[int], rates: Sequence[float],
         hour_table: Sequence[int], keep: Sequence[bool] | None = None) -> Calls:
    """The day's ``n`` calls from its generator ``rng`` (its count already drawn), as columns.

    Three blocks of random words: start times (an hour from ``hour_table`` by the top bits, a
    uniform instant in it by the low word), then per call one word of shape pick and pdd, then two
    words of times (ring or connect delay, and talk time). Starts are sorted; the i-th call takes
    the i-th sorted start and the i-th words of the other blocks. ``keep`` (by shape id) leaves
    calls out before anything else is worked out for them.
    """
    hour_keys, hour_starts = _hour_keys(hour_table)
    block = words(rng.randbytes(8 * n))
    # a start is (hour, low word) in that order of significance, so it sorts as hour << 32 | low,
    # a float below 2**37 (exact, and floats sort fastest); the time in µs is worked out after
    keys = sorted([hour_keys[h >> 22] + lo for lo, h in zip(block[0::2], block[1::2])])
    pick = words(rng.randbytes(4 * n))
    times = words(rng.randbytes(8 * n))
    lo, hi = times[0::2], times[1::2]
    if keep is not None and not all(mask := [keep[p >> 20] for p in pick]):
        index = list(compress(range(n), mask))
        if not index:
            return Calls(tag, day, rates, [], [], [], [], [], [], [])
        get = itemgetter(*index) if len(index) > 1 else (lambda col, _i=index[0]: (col[_i],))
        seq, keys, pick, lo, hi = index, get(keys), get(pick), get(lo), get(hi)
    else:
        seq = list(range(n))
    shape = [p >> 20 for p in pick]
    # the low word's share of the hour: lo * 3,600,000,000 >> 32, i.e. lo * 3,515,625 >> 22 (exact)
    hour_base = [h + base_us for h in hour_starts]
    start = [hour_base[(k := int(f)) >> 32] + ((k & 0xFFFFFFFF) * 3_515_625 >> 22) for f in keys]
    kind = list(map(kinds.__getitem__, shape))
    answered = [k == 0 for k in kind]
    # answered calls: connect 2-20 s after the start, talk 1 s + exponential (mean 150 s), at most 90 min
    talk = [t if (t := 1_000_000 + int(-150_000_000.0 * log((x + 0.5) * TO_UNIT))) < LONGEST_TALK_US
            else LONGEST_TALK_US for x in compress(lo, answered)]
    connect = [s + 2_000_000 + (h * 18_000_000 >> 32) if a else None for s, h, a in zip(start, hi, answered)]
    next_talk = iter(talk).__next__
    end = [c + next_talk() if c is not None else s + RING_BASE[k] + (h * RING_SPAN[k] >> 32)
           for s, c, h, k in zip(start, connect, hi, kind)]
    next_bill = iter([(t + 999_999) // 1_000_000 for t in talk]).__next__
    billsec = [next_bill() if a else 0 for a in answered]
    return Calls(tag, day, rates, seq, start, connect, end, billsec, shape, pick)
