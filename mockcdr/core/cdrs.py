"""The call universe: deterministic calls per (seed, tenant, day), the same in every export and format."""
from __future__ import annotations

import bisect
import itertools
import operator
import random
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator, Sequence


from .clock import UTC
from .daycalls import Calls, draw, words

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
from .ids import derive_seed
from .pools import contacts, pools
from .shapes import draw as _shape

US_PER_DAY = 86_400_000_000
EPOCH_DAY = date(1970, 1, 1)

# Share of calls per hour of the day (UTC), a business-hours hump.
_HOURLY = (1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 9, 10, 11, 11, 10, 8, 6, 4, 3, 2, 2, 1)
_HOUR_CUM = []
_acc = 0
for _w in _HOURLY:
    _acc += _w
    _HOUR_CUM.append(_acc / sum(_HOURLY))

_HOUR_TABLE = tuple(bisect.bisect_left(_HOUR_CUM, (i + 0.5) / 1024) * 3_600_000_000
                    for i in range(1024))

@dataclass(frozen=True)
class Trunk:
    id: str
    name: str


@dataclass(frozen=True)
class TenantProfile:
    """Who a tenant is in the call universe: its numbers, trunks and extensions."""
    key: str
    name: str = ""
    country: str = "US"
    dids: tuple[str, ...] = ()
    trunks: tuple[Trunk, ...] = ()
    extensions: tuple[str, ...] = ()
    calls_per_day: int | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)


# Per-call values first, then the values taken from the tenant's pool of call shapes.
_DYNAMIC = ("tag", "seq", "day", "start_us", "connect_us", "end_us", "duration", "billsec",
            "pdd_ms", "cost", "shape_id")
_SHAPE = ("direction", "disposition", "sip_code", "sip_reason", "q850", "initiator", "src",
          "src_name", "dst", "did", "trunk", "extension", "peer_extension", "country", "network",
          "rate", "src_ip", "user_agent", "codec")
_CALL_FIELDS = _DYNAMIC + _SHAPE
SHAPE_INDEX = {name: i for i, name in enumerate(_SHAPE)}   # positions in a shape tuple (for keep filters)
SHAPES_PER_TENANT = 4096
_KINDS = {"answered": 0, "no_answer": 1, "busy": 2, "failed": 3}


class Call(namedtuple("_CallBase", _CALL_FIELDS)):
    """One call. Times are integer microseconds since the epoch (UTC); numbers are E.164 digits.

    ``direction`` is in/out/internal; ``disposition`` answered/no_answer/busy/failed;
    ``initiator`` caller/callee/system (who hung up). A tuple, so building millions is cheap.
    """
    __slots__ = ()

    @property
    def uid(self) -> str:
        """32 hex digits, unique per call and stable across runs."""
        return f"{self.tag}{self.seq:08x}{self.start_us & 0xFFFFFFFFFFFF:012x}"

    @property
    def answered(self) -> bool:
        return self.disposition == "answered"

    @property
    def start(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.start_us)    # exact, and before 1970 too

    def as_dict(self) -> dict:
        out = self._asdict()
        out.pop("tag")
        out["uid"] = self.uid
        out["day"] = self.day.isoformat()
        out["trunk"] = {"id": self.trunk.id, "name": self.trunk.name} if self.trunk else None
        return out


def day_number(d: date) -> int:
    return (d - EPOCH_DAY).days


class Universe:
    """Calls are a pure function of (seed, tenant, day); windows and filters only select from them."""

    def __init__(self, seed: object, calls_per_day: int = 40):
        self.seed = seed
        self.calls_per_day = calls_per_day
        self._shapes: dict[tuple, tuple] = {}
        self.produced = 0   # calls generated so far (progress reporting)

    def per_day(self, tenant: TenantProfile) -> int:
        """The tenant's own calls_per_day if it sets one (0 included), else the setting."""
        return self.calls_per_day if tenant.calls_per_day is None else tenant.calls_per_day

    def _plan(self, tenant: TenantProfile) -> tuple:
        """(shapes, outcome kind per shape: 0 answered, 1 no answer, 2 busy, 3 failed, rate per shape)."""
        key = (tenant.key, tenant.country, tenant.dids, tenant.trunks, tenant.extensions, tenant.name)
        cached = self._shapes.get(key)
        if cached is None:
            rng = random.Random(derive_seed(self.seed, "shapes", tenant.key))
            people = contacts(self.seed, tenant.key, tenant.country)
            pool = pools(self.seed)
            shapes = tuple(_shape(rng, tenant, people, pool) for _ in range(SHAPES_PER_TENANT))
            kinds = tuple(_KINDS[s[1]] for s in shapes)
            cached = (shapes, kinds, tuple(s[15] for s in shapes))
            if len(self._shapes) > 256:
                self._shapes.clear()
            self._shapes[key] = cached
        return cached

    def shapes(self, tenant: TenantProfile) -> tuple[tuple, ...]:
        """The tenant's pool of call shapes (who, which way, how it ended), drawn once per seed."""
        return self._plan(tenant)[0]

    def _draws(self, tenant: TenantProfile, d: date) -> tuple[random.Random, int]:
        """The day's generator and its number of calls (the first draw)."""
        per_day = self.per_day(tenant)
        rng = random.Random(derive_seed(self.seed, "calls", tenant.key, d.isoformat()))
        n = int(per_day * (0.8 + 0.4 * rng.random()) + 0.5) if per_day > 2 else max(per_day, 0)
        return rng, n

    def columns(self, tenant: TenantProfile, d: date, keep: Sequence | None = None) -> Calls:
        """Every call of the tenant that starts on UTC day ``d``, in start order, as columns (see
        ``daycalls.Calls``). ``keep``, indexed by shape id, skips calls whose shape a caller will not
        use: every call draws its random numbers in bulk, up front, so a kept call is exactly what
        it is unfiltered, and the others are never worked out."""
        rng, n = self._draws(tenant, d)
        _shapes, kinds, rates = self._plan(tenant)
        tag = f"{derive_seed(self.seed, tenant.key) & 0xFFFFFFFF:08x}{day_number(d) & 0xFFFF:04x}"
        self.produced += max(n, 0)
        return draw(rng, max(n, 0), day_number(d) * US_PER_DAY, tag, d, kinds, rates, _HOUR_TABLE, keep)

    def day(self, tenant: TenantProfile, d: date, keep: Sequence | None = None, *,
            bare: bool = False) -> list[Call]:
        """Every call of the tenant that starts on UTC day ``d``, in start order (see ``columns``).

        ``bare``: plain tuples of the per-call values only (a Call's first fields, up to
        ``shape_id``; the shape is ``shapes(tenant)[shape_id]``).
        """
        out = self.columns(tenant, d, keep).rows()
        if not bare:
            shapes = self._plan(tenant)[0]
            new = tuple.__new__
            out = [new(Call, values + shapes[values[10]]) for values in out]
        return out

    def count(self, tenant: TenantProfile, d: date, keep: Sequence | None = None) -> int:
        """``len(self.day(tenant, d, keep))`` without building the calls: the same draws, only
        the shape picks read."""
        rng, n = self._draws(tenant, d)
        if n <= 0:
            return 0
        if keep is None:
            return n
        rng.randbytes(8 * n)            # the start times
        picks = words(rng.randbytes(4 * n))
        return sum(map(keep.__getitem__, map(operator.rshift, picks, itertools.repeat(20))))

    def calls(self, tenant: TenantProfile, start: datetime, end: datetime,
              descending: bool = False, keep: Sequence | None = None, *, bare: bool = False) -> Iterator[Call]:
        """Calls with ``start <= call start < end``, generated one day at a time (flat memory).

        ``keep`` (indexed by shape id) leaves out calls of unwanted shapes cheaply; ``bare`` yields
        per-call values only; see ``day``.
        """
        start_us = int(start.timestamp() * 1_000_000)
        end_us = int(end.timestamp() * 1_000_000)
        if end_us <= start_us:
            return
        first = start.astimezone(UTC).date()
        last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if descending:
            days.reverse()
        for d in days:
            calls = self.day(tenant, d, keep, bare=bare)
            if descending:
                calls.reverse()
            base = day_number(d) * US_PER_DAY
            if start_us <= base and base + US_PER_DAY <= end_us:
                yield from calls        # the whole day is in the window
                continue
            for call in calls:
                if start_us <= call[3] < end_us:
                    yield call

    def open_ended(self, tenant: TenantProfile, start: datetime, limit: int,
                   keep: Sequence | None = None, *, bare: bool = False) -> Iterator[Call]:
        """The first ``limit`` calls from ``start`` on, however many days that takes.

        With ``keep``, ``limit`` counts kept calls; a filter that keeps no shape yields nothing.
        """
        produced = 0
        if self.per_day(tenant) <= 0 or (keep is not None and not any(keep)):
            return
        d = start.astimezone(UTC).date()
        start_us = int(start.timestamp() * 1_000_000)
        while produced < limit:
            for call in self.day(tenant, d, keep, bare=bare):
                if call[3] >= start_us:
                    yield call
                    produced += 1
                    if produced >= limit:
                        return
            d += timedelta(days=1)
