"""Fast rendering of epoch-microsecond call times as text, in UTC or any IANA zone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import UTC

_US_HOUR = 3_600_000_000
_SECONDS = tuple(f"{s:02d}" for s in range(60))
# Minutes cached per formatter: an export's calls come in time order, so a few thousand cover
# every neighbour that repeats, and a million-row export does not hold every minute it passed.
MINUTE_CACHE = 4096
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LAST_US = timedelta(microseconds=_US_HOUR - 1)


def _short(offset: timedelta) -> str:
    """A PostgreSQL-style offset: ``+00``, ``-05``, ``+05:30``."""
    seconds = int(offset.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hh, mm = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hh:02d}" if mm == 0 else f"{sign}{hh:02d}:{mm:02d}"


def zone(name: str | None):
    """A tzinfo for an IANA name (``UTC`` when empty); raises ValueError for an unknown name."""
    if not name or name.upper() in ("UTC", "ETC/UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):   # OSError: a name too long for a path
        raise ValueError(f"unknown time zone {name!r}") from None


class TimeFormatter:
    """Formats epoch microseconds in one zone; offsets and date strings are cached per hour.

    Rendering millions of timestamps through ``datetime.strftime`` is the slowest part of a
    CSV export, so this does the arithmetic itself.
    """

    def __init__(self, tz=UTC):
        self.tz = tz
        self._hours: dict[int, tuple[str, int, str]] = {}
        self._minutes: dict[int, str] = {}

    def _hour(self, hour_index: int) -> tuple[str, int, str] | None:
        """The UTC hour's local ``YYYY-MM-DD HH``, offset and short offset; None for an hour in
        which the offset changes (a zone whose transitions fall mid-hour in UTC, such as
        America/St_Johns or Australia/Lord_Howe): its instants are converted one by one."""
        try:
            return self._hours[hour_index]
        except KeyError:
            pass
        if len(self._hours) > 10_000:
            self._hours.clear()
        utc = _EPOCH + timedelta(hours=hour_index)
        local = utc.astimezone(self.tz)
        offset = local.utcoffset()
        if (utc + _LAST_US).astimezone(self.tz).utcoffset() != offset:
            cached = None
        else:
            cached = (local.strftime("%Y-%m-%d %H"), int(offset.total_seconds()), _short(offset))
        self._hours[hour_index] = cached
        return cached

    def _exact(self, us: int) -> tuple[str, int, int, int, str]:
        local = (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz)
        return (local.strftime("%Y-%m-%d %H"), local.minute, local.second, local.microsecond,
                _short(local.utcoffset()))

    def parts(self, us: int) -> tuple[str, int, int, int, str]:
        """(``YYYY-MM-DD HH`` local, minute, second, microsecond, short offset like ``+00``)."""
        hour_index, rest = divmod(us, _US_HOUR)
        hour = self._hour(hour_index)
        if hour is None:
            return self._exact(us)
        prefix, offset, short = hour
        if offset % 3600:
            # zones with a non-whole-hour offset: shift the remainder into the minutes
            rest += (offset % 3600) * 1_000_000
            if rest >= _US_HOUR:
                rest -= _US_HOUR
                following = self._hour(hour_index + 1)
                if following is None or following[1] != offset:
                    return self._exact(us)
                prefix = following[0]
        minute, rest = divmod(rest, 60_000_000)
        second, micro = divmod(rest, 1_000_000)
        return prefix, minute, second, micro, short

    def seconds(self, us: int | None, sep: str = " ") -> str:
        """``YYYY-MM-DD HH:MM:SS`` (``sep`` between date and time)."""
        if us is None:
            return ""
        minute_index, rest = divmod(us, 60_000_000)
        prefix = self._minutes.get(minute_index)
        if prefix is None:
            if len(self._minutes) > MINUTE_CACHE:
                self._minutes.clear()
            hour, minute, _s, _m, _o = self.parts(minute_index * 60_000_000)
            prefix = self._minutes[minute_index] = f"{hour}:{minute:02d}:"
        text = prefix + _SECONDS[rest // 1_000_000]
        return text if sep == " " else text.replace(" ", sep)

    def micros(self, us: int | None, with_offset: bool = False) -> str:
        """``YYYY-MM-DD HH:MM:SS.ffffff`` and, optionally, a PostgreSQL-style ``+00`` offset."""
        if us is None:
            return ""
        prefix, minute, second, micro, short = self.parts(us)
        text = f"{prefix}:{minute:02d}:{second:02d}.{micro:06d}"
        return text + short if with_offset else text

    def iso(self, us: int | None) -> str:
        """ISO 8601 with milliseconds and the zone offset (``Z`` in UTC)."""
        if us is None:
            return ""
        prefix, minute, second, micro, short = self.parts(us)
        suffix = "Z" if self.tz is UTC else (short if ":" in short else short + ":00")
        return f"{prefix.replace(' ', 'T')}:{minute:02d}:{second:02d}.{micro // 1000:03d}{suffix}"


# -- a day's instants as text, a column at a time --------------------------------------------------
_HMS4: dict[bool, tuple[str, ...]] = {}
_DAY_S = 86_400
SPAN_S = _DAY_S + 2 * 3600        # what a day's columns hold: its starts, and ends up to 2 h after it
_COMPACT = str.maketrans("", "", "-: T")


def _hms4(compact: bool = False) -> tuple[str, ...]:
    """``HH:MM:SS`` (or ``HHMMSS``) of every second of four days in a row, then "" (index -1: no
    instant): built once per process."""
    table = _HMS4.get(compact)
    if table is None:
        sep = "" if compact else ":"
        one = tuple([hm + ss for hm in [f"{h:02d}{sep}{m:02d}{sep}" for h in range(24) for m in range(60)]
                     for ss in _SECONDS])
        table = _HMS4[compact] = one * 4 + ("",)
    return table


class DayClock:
    """Instants of one UTC day, and of the two hours after it (calls that end after midnight), as
    text in one zone, a whole column at a time.

    When the zone's offset is the same over that span (every day but a few), an instant's text is
    two table lookups: ``dates[i // 86400]`` and ``hms[i]`` with ``i = us // 1_000_000 - base``
    (``index``). Otherwise (a day with an offset change in it) ``offset`` is None and the
    column methods convert instant by instant through the TimeFormatter.
    """

    def __init__(self, formatter: TimeFormatter, day_index: int, date_sep: str = " "):
        self.formatter, self.sep, self.day_index = formatter, date_sep, day_index
        first_hour = day_index * 24
        hours = [formatter._hour(h) for h in range(first_hour, first_hour + SPAN_S // 3600)]
        offsets = {h[1] if h is not None else None for h in hours}
        self.offset = offsets.pop() if len(offsets) == 1 else None
        self.hms = _hms4()
        if self.offset is not None:
            local0 = (day_index * _DAY_S + self.offset) // _DAY_S - 1      # local day before the start's
            self.base = local0 * _DAY_S - self.offset
            self.dates = tuple((_EPOCH + timedelta(days=local0 + k)).strftime("%Y-%m-%d") + date_sep
                               for k in range(4)) + ("",)
            self.short = _short(timedelta(seconds=self.offset))

    def index(self, col) -> list[int]:
        """Table indexes of the instants of ``col`` (µs; None gives -1, whose texts are "")."""
        base = self.base
        return [u // 1_000_000 - base if u is not None else -1 for u in col]

    def pieces(self, col) -> tuple[list[int], Sequence[str], Sequence[str]]:
        """(index, dates, hms): ``dates[i // 86400] + hms[i]`` is the ``seconds`` text of the
        instant whose index is ``i`` ("" for None), for rows that splice the two pieces into
        their own f-string instead of building each time's text first."""
        if self.offset is None:
            texts = self.seconds(col)
            return list(range(len(texts))), ("",) * (len(texts) // 86400 + 1), texts
        if None in col:
            return self.index(col), self.dates, self.hms
        base = self.base
        return [u // 1_000_000 - base for u in col], self.dates, self.hms

    def seconds(self, col) -> list[str]:
        """``YYYY-MM-DD HH:MM:SS`` (the date separator given) of each instant, "" for None."""
        if self.offset is None:
            sec, sep = self.formatter.seconds, self.sep
            return [sec(u, sep) if u is not None else "" for u in col]
        dates, hms, base_us = self.dates, self.hms, self.base * 1_000_000
        # one pass (a column of indexes first, or instants kept apart from None, costs more)
        return [dates[(i := (u - base_us) // 1_000_000) // 86400] + hms[i] if u is not None else ""
                for u in col]

    def compact(self, col) -> list[str]:
        """``YYYYMMDDHHMMSS`` of each instant (no None)."""
        if self.offset is None:
            return [text.translate(_COMPACT) for text in self.seconds(col)]
        dates, hms = self.compact_dates, _hms4(compact=True)
        return [dates[i // 86400] + hms[i] for i in self.index(col)]

    @property
    def compact_dates(self) -> tuple[str, ...]:
        return tuple(d[:4] + d[5:7] + d[8:10] for d in self.dates[:4]) + ("",)

    def _each(self, col, text) -> list[str]:
        """Each instant's text one at a time (a day whose offset changes): ``text(prefix, minute,
        second, micro, short)`` of the formatter's parts; ``""`` for a missing instant."""
        parts = self.formatter.parts
        return ["" if u is None else text(*parts(u)) for u in col]

    def iso(self, col, utc_z: bool = True) -> list[str]:
        """``YYYY-MM-DDTHH:MM:SS`` and the offset (``Z`` in UTC when ``utc_z``, else ``+05:30``)."""
        def suffix(short: str) -> str:
            if utc_z and self.formatter.tz is UTC:
                return "Z"
            return short if ":" in short else short + ":00"
        if self.offset is None:
            return self._each(col, lambda prefix, minute, second, _micro, short:
                              f"{prefix.replace(' ', 'T')}:{minute:02d}:{second:02d}{suffix(short)}")
        dates, hms, tail = self.dates, self.hms, suffix(self.short)
        if self.sep != "T":                 # built for another date separator: ISO wants a T
            dates = tuple(d[:10] + "T" if d else "" for d in dates)
        base_us = self.base * 1_000_000
        return [f"{dates[(i := (u - base_us) // 1_000_000) // 86400]}{hms[i]}{tail}" if u is not None else ""
                for u in col]

    def micros(self, col, with_offset: bool) -> list[str]:
        """``YYYY-MM-DD HH:MM:SS.ffffff`` as PostgreSQL prints it (the fraction's trailing zeros
        dropped, no fraction when it is 0), with the short offset (``+00``, ``+05:30``) if asked."""
        if self.offset is None:
            return self._each(col, lambda prefix, minute, second, micro, short:
                              f"{prefix}:{minute:02d}:{second:02d}{_fraction(micro)}{short if with_offset else ''}")
        dates, hms, base = self.dates, self.hms, self.base
        base_us = base * 1_000_000
        tail = self.short if with_offset else ""
        if self.day_index <= 0:     # instants that may have fewer than 7 digits
            return ["" if u is None else
                    f"{dates[(i := u // 1_000_000 - base) // 86400]}{hms[i]}{_fraction(u % 1_000_000)}{tail}"
                    for u in col]
        # nine fractions in ten end in a non-zero digit: nothing to strip, and the fraction's six
        # digits are the last six of the instant's
        return ["" if u is None else
                f"{dates[(i := (u - base_us) // 1_000_000) // 86400]}{hms[i]}.{str(u)[-6:]}{tail}" if u % 10
                else f"{dates[(i := u // 1_000_000 - base) // 86400]}{hms[i]}{_fraction(u % 1_000_000)}{tail}"
                for u in col]


def _fraction(micro: int) -> str:
    return f".{micro:06d}".rstrip("0") if micro else ""


def day_clocks(formatter: TimeFormatter, date_sep: str = " "):
    """day index -> its DayClock in the formatter's zone, the last few kept (one export walks days
    in order, several threads may share one)."""
    clocks: dict[int, DayClock] = {}

    def clock_for(day_index: int) -> DayClock:
        clock = clocks.get(day_index)
        if clock is None:
            if len(clocks) > 8:
                clocks.clear()
            clock = clocks[day_index] = DayClock(formatter, day_index, date_sep)
        return clock
    return clock_for
