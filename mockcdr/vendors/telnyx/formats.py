"""The CDR report CSV: its columns, the field catalogue, filters applied per call shape, and fast rows."""
from __future__ import annotations

import functools

from datetime import datetime
from itertools import repeat
from operator import and_, itemgetter, mul, rshift
from typing import Callable

from ...core.cdrs import Call
from ...core.clock import UTC
from ...core.csvout import escape
from ...core.dayrender import Export, text_chunks, us
from ...core.numbering import plan_for
from ...core.timefmt import TimeFormatter, day_clocks, zone
from ...core.vendor import FileOut
from .fixtures import Account

# The report's columns: the V2 machine field names Telnyx documents (as examples, not a full
# list), in that order. The real V1 header text and order are unknown: change them here.
COLUMNS = (
    "billable_time", "cost", "rate", "billing_group_id", "origination_number", "terminating_number",
    "start_timestamp_utc", "start_timestamp", "answer_timestamp", "end_timestamp", "direction",
    "origination_city", "origination_state", "origination_lata", "origination_country",
    "terminating_city", "terminating_state", "route", "connection_id", "hangup_code", "pdd", "tags",
    "sip_call_id", "mos", "call_leg_id",
)
# GET .../voice/fields: the same names in Telnyx's four groups (grouping inferred).
FIELD_GROUPS = {
    "Billing": ("billable_time", "cost", "rate", "billing_group_id"),
    "Interaction Data": ("origination_number", "terminating_number", "start_timestamp_utc",
                         "start_timestamp", "answer_timestamp", "end_timestamp", "direction", "tags"),
    "Number Information": ("origination_city", "origination_state", "origination_lata",
                           "origination_country", "terminating_city", "terminating_state", "route"),
    "Telephony Data": ("connection_id", "hangup_code", "pdd", "sip_call_id", "mos", "call_leg_id"),
}
assert sorted(COLUMNS) == sorted(n for names in FIELD_GROUPS.values() for n in names)
TAG_SEPARATOR = ";"
CONTENT_TYPE = "text/csv"

# call_types and record_types as the call universe's words
DIRECTIONS = {1: "in", 2: "out"}
RECORDS = {1: ("answered",), 2: ("no_answer", "busy"), 3: ("failed",)}
DIRECTION_WORDS = {"in": "inbound", "out": "outbound"}

# Fake but plausible places for the numbering plans' prefixes: (city, state, LATA).
_PLACES = {
    "1202": ("Washington", "DC", "236"), "1312": ("Chicago", "IL", "358"),
    "1415": ("San Francisco", "CA", "722"), "1646": ("New York", "NY", "132"),
    "1917": ("New York", "NY", "132"), "1310": ("Los Angeles", "CA", "730"),
    "4420": ("London", "", ""), "441632": ("Newcastle", "", ""), "44113": ("Leeds", "", ""),
    "4930": ("Berlin", "", ""), "4989": ("Munich", "", ""), "4940": ("Hamburg", "", ""),
    "331": ("Paris", "", ""), "334": ("Marseille", "", ""), "3120": ("Amsterdam", "", ""),
    "3110": ("Rotterdam", "", ""), "38044": ("Kyiv", "", ""), "38032": ("Lviv", "", ""),
    "3705": ("Vilnius", "", ""), "37037": ("Kaunas", "", ""), "612": ("Sydney", "NSW", ""),
    "613": ("Melbourne", "VIC", ""), "5511": ("Sao Paulo", "SP", ""), "5521": ("Rio de Janeiro", "RJ", ""),
    "9111": ("New Delhi", "DL", ""), "9122": ("Mumbai", "MH", ""),
}
_NO_PLACE = ("", "", "")
_MOS = tuple(f"{3.5 + i / 100:.2f}" for i in range(101))      # answered calls: 3.50 to 4.50

_F = Call._fields
_SHAPE0 = _F.index("direction")            # shape values follow the per-call ones in a Call
S_DIRECTION, S_DISPOSITION, S_SIP, S_SRC, S_DST, S_DID, S_TRUNK, S_NETWORK, S_RATE, S_IP = (
    _F.index(n) - _SHAPE0 for n in ("direction", "disposition", "sip_code", "src", "dst", "did", "trunk",
                                    "network", "rate", "src_ip"))


def _place(digits: str) -> tuple[str, str, str]:
    for size in (6, 5, 4, 3):
        place = _PLACES.get(digits[:size])
        if place is not None:
            return place
    return _NO_PLACE


def _route(digits: str, network: str) -> str:
    plan = plan_for(digits)
    return f"{plan.name} - {network.capitalize()}" if plan else ""


def _match(value: str, how: str, digits: str) -> bool:
    value = value.strip().lstrip("+")
    if how == "starts_with":
        return digits.startswith(value)
    if how == "ends_with":
        return digits.endswith(value)
    return value in digits


def filters_match(filters: list[dict], orig: str, term: str, tags: tuple, billing_group: str) -> bool:
    """The filter list read left to right from True: ``f1 AND f2 ... OR fk OR ...``.

    The seed's two ordering rules (first is ``and``; no ``and`` after an ``or``) make that the
    same as SQL precedence: (all the ``and`` filters) or any one of the ``or`` filters.
    """
    result = True
    for f in filters:
        if "cli" in f:
            hit = _match(f["cli"], f["cli_filter"], orig)
        elif "cld" in f:
            hit = _match(f["cld"], f["cld_filter"], term)
        elif "tags_list" in f:
            wanted = [f["tags_list"]] if isinstance(f["tags_list"], str) else f["tags_list"]
            hit = any(t in tags for t in wanted)
        else:
            hit = f["billing_group"].lower() == billing_group.lower()
        result = (result and hit) if f["filter_type"] == "and" else (result or hit)
    return result


PENDING = object()      # a kept shape whose cells are not rendered yet
RENDERED_BY = ("call_types", "record_types", "connections", "filters", "timezone", "fields")   # the rows' params


def shape_table(account: Account, shapes: tuple, params: dict) -> tuple[list, Callable[[int], tuple]]:
    """(table, fill): per call shape, None when the request's filters drop it, else its
    pre-rendered cells, or PENDING until ``fill(shape_id)`` renders them on first use.

    Everything a filter looks at (direction, outcome, trunk, numbers, tags) is a property of the
    shape, so filtering a call is one list lookup; text cells are escaped once per shape, and
    only for the shapes a window uses (a day touches a few dozen of the tenant's 4,096).
    """
    directions = {DIRECTIONS[t] for t in params["call_types"]}
    outcomes = {word for t in params["record_types"] for word in RECORDS[t]}
    wanted = set(params["connections"])
    filters = params["filters"]
    by_trunk = {c.trunk: c for c in account.connections}
    table: list = []
    kept: dict[int, tuple] = {}
    for shape_id, shape in enumerate(shapes):
        direction = shape[S_DIRECTION]
        trunk = shape[S_TRUNK]
        conn = by_trunk.get(trunk.id) if trunk is not None else None
        if (direction not in directions or shape[S_DISPOSITION] not in outcomes
                or (wanted and (conn is None or conn.id not in wanted))):
            table.append(None)
            continue
        orig, term = shape[S_SRC], shape[S_DST]
        own = shape[S_DID] if direction == "in" else orig     # the account's own number
        tags = account.number_tags.get(own, ())
        billing_group = conn.billing_group_id if conn else ""
        if filters and not filters_match(filters, orig, term, tags, billing_group):
            table.append(None)
            continue
        table.append(PENDING)
        kept[shape_id] = (conn, tags, billing_group)

    def fill(shape_id: int) -> tuple:
        shape = shapes[shape_id]
        conn, tags, billing_group = kept[shape_id]
        direction, orig, term = shape[S_DIRECTION], shape[S_SRC], shape[S_DST]
        remote = orig if direction == "in" else term
        o_city, o_state, o_lata = _place(orig)
        t_city, t_state, _ = _place(term)
        o_plan = plan_for(orig)
        rate = shape[S_RATE]
        head = (f"{rate:.4f}", billing_group, f"+{orig}", f"+{term}")
        mid = (DIRECTION_WORDS[direction], o_city, o_state, o_lata, o_plan.iso if o_plan else "",
               t_city, t_state, _route(remote, shape[S_NETWORK]), conn.id if conn else "",
               str(shape[S_SIP]))
        head, mid = tuple(map(escape, head)), tuple(map(escape, mid))
        cells = table[shape_id] = (head, mid, escape(TAG_SEPARATOR.join(tags)), round(rate * 10_000),
                                   escape(f"@{shape[S_IP]}"), ",".join(head), ",".join(mid),
                                   _cost_texts(round(rate * 10_000)))
        return cells
    return table, fill


class _CostTexts(dict):
    """billable minutes -> the cost text at one rate (in 1/10,000 of a unit per minute)."""
    __slots__ = ("units",)

    def __init__(self, units: int):
        super().__init__()
        self.units = units

    def __missing__(self, minutes: int) -> str:
        units = self.units * minutes
        text = self[minutes] = f"{units // 10_000}.{units % 10_000:04d}"
        return text


_COSTS: dict[int, _CostTexts] = {}


def _cost_texts(rate_units: int) -> _CostTexts:
    table = _COSTS.get(rate_units)
    if table is None:
        if len(_COSTS) > 1024:
            _COSTS.clear()
        table = _COSTS[rate_units] = _CostTexts(rate_units)
    return table


_BILLABLE = tuple(str(m * 60) for m in range(1000))      # calls last at most 90 minutes
_PDD = tuple(str(ms) for ms in range(10_000))


@functools.cache
def _hex4() -> tuple:
    """Every 16-bit value as 4 hex digits: built on the first report (4 MB and 10 ms that the
    start-up and an idle server need not hold)."""
    return tuple(f"{i:04x}" for i in range(1 << 16))


_MIX = 0x9E3779B97F4A7C15


def _legs(calls) -> list[str]:
    """call_leg_id per call: unique per (tenant, day, seq, start), in UUID v4 layout."""
    tag = calls.tag         # the tenant-and-day part of the id
    middle = f"-4{tag[1:4]}-{'89ab'[int(tag[4], 16) & 3]}{tag[5:8]}-{tag[8:12]}"
    hex4 = _hex4()
    # the mixed start's bits 16..63 (48 bits: 8 hex digits, a dash, 4 more), worked out at C level
    mixed = map(and_, map(rshift, map(mul, calls.start, repeat(_MIX)), repeat(16)), repeat(0xFFFFFFFFFFFF))
    return [f"{m.to_bytes(6, 'big').hex('-', -4)}{middle}{hex4[q & 0xFFFF]}{hex4[s]}"
            for m, s, q in zip(mixed, map(and_, calls.start, repeat(0xFFFF)), calls.seq)]


class Clocks:
    """The DayClocks of one report: start_timestamp_utc in UTC, the other times in the report's zone."""

    def __init__(self, tz):
        self.utc = day_clocks(TimeFormatter(UTC), "T")
        self.local = None if tz is UTC else day_clocks(TimeFormatter(tz), "T")


def _filled(calls, table: list, fill) -> list:
    """The shape cells of each call (filled on first use)."""
    if fill is not None:
        for shape_id in set(calls.shape):
            if table[shape_id] is PENDING:
                fill(shape_id)
    return list(map(table.__getitem__, calls.shape))


def _texts(calls, clocks: Clocks):
    utc = clocks.utc(calls.day_index).iso(calls.start)
    local = clocks.utc if clocks.local is None else clocks.local
    clock = local(calls.day_index)
    start = utc if clocks.local is None else clock.iso(calls.start)
    return utc, start, clock.iso(calls.connect), clock.iso(calls.end)


def rows(calls, table: list, clocks: Clocks, fill: Callable[[int], tuple] | None = None) -> list[tuple]:
    """One tuple of text cells per call (a day's columns, every call kept by the table), in COLUMNS
    order. Times come from DayClocks, costs per rate and billable minutes, small integers from tables."""
    utc, start, answered, ended = _texts(calls, clocks)
    billable, pdds, mos = _BILLABLE, _PDD, _MOS
    return [(billable[minutes], st[7][minutes]) + st[0] + (u, s, a, e) + st[1]
            + (pdds[p], st[2], leg + st[4], a and mos[us % 101], leg)
            for u, s, a, e, minutes, p, leg, us, st in zip(
                utc, start, answered, ended, [(b + 59) // 60 for b in calls.billsec], calls.pdd, _legs(calls),
                calls.start, _filled(calls, table, fill))]


def lines(calls, table: list, clocks: Clocks, fill: Callable[[int], tuple] | None = None) -> list[str]:
    """The CSV lines of ``rows`` with every column (no cell of ours needs quoting beyond the
    shape's, escaped once)."""
    utc, start, answered, ended = _texts(calls, clocks)
    billable, pdds, mos = _BILLABLE, _PDD, _MOS
    return [f"{billable[minutes]},{st[7][minutes]},{st[5]},{u},{s},{a},{e},{st[6]},{pdds[p]},{st[2]},{leg}{st[4]},"
            f"{a and mos[us % 101]},{leg}\n"
            for u, s, a, e, minutes, p, leg, us, st in zip(
                utc, start, answered, ended, [(b + 59) // 60 for b in calls.billsec], calls.pdd, _legs(calls),
                calls.start, _filled(calls, table, fill))]


def select(fields: list[str] | None):
    """(header, row picker or None) for a V2 ``fields`` choice; None keeps every column."""
    if not fields:
        return COLUMNS, None
    idx = [COLUMNS.index(f) for f in fields]
    if len(idx) == 1:
        only = idx[0]
        return tuple(fields), lambda row: (row[only],)
    return tuple(fields), itemgetter(*idx)


def report(rt, account: Account, params: dict, start: datetime, end: datetime | None,
           filename: str, limit: int | None = None) -> FileOut:
    """The report CSV for stored request parameters over [start, end) (open-ended with ``limit``)."""
    profile = rt.tenant(account.tenant)
    table, fill = shape_table(account, rt.universe.shapes(profile), params)
    keep = [cells is not None for cells in table]   # dropped shapes are never built
    tz = zone(params["timezone"])
    header, pick = select(params["fields"])

    clocks = Clocks(tz)

    def render(calls):      # every call the shape table keeps is one line
        if pick is None:
            return lines(calls, table, clocks, fill), calls.start
        return [(",".join(cells) or ('""' if len(cells) == 1 else "")) + "\n"
                for cells in map(pick, rows(calls, table, clocks, fill))], calls.start
    ex = Export(key=("telnyx", account, _frozen(account.number_tags), tuple(header),
                     _frozen({k: params[k] for k in RENDERED_BY})), tenant=profile, render=render, keep=keep)
    head = (",".join(escape(h) for h in header) + "\n").encode()
    body = text_chunks(rt, ex, us(start), None if end is None else us(end), limit, head=head)
    return FileOut(filename, CONTENT_TYPE, body)


def _frozen(value):
    """A hashable copy of request parameters (dicts and lists inside)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(v) for v in value)
    return value
