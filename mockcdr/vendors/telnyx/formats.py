"""The CDR report CSV: its columns, the field catalogue, filters applied per call shape, and fast rows."""
from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Callable, Iterable, Iterator

from ...core.cdrs import Call
from ...core.clock import UTC
from ...core.csvout import escape
from ...core.dayrender import Export, text_chunks, us
from ...core.numbering import plan_for
from ...core.timefmt import MINUTE_CACHE, TimeFormatter, zone
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
C_TAG, C_SEQ, C_START, C_CONNECT, C_END, C_BILLSEC, C_PDD, C_SHAPE = (
    _F.index(n) for n in ("tag", "seq", "start_us", "connect_us", "end_us", "billsec", "pdd_ms", "shape_id"))


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
        cells = table[shape_id] = (tuple(map(escape, head)), tuple(map(escape, mid)),
                                   escape(TAG_SEPARATOR.join(tags)), round(rate * 10_000),
                                   escape(f"@{shape[S_IP]}"))
        return cells
    return table, fill


_BILLABLE = tuple(str(m * 60) for m in range(1000))      # calls last at most 90 minutes
_PDD = tuple(str(ms) for ms in range(10_000))


def rows(calls: Iterable[tuple], table: list, tz, fill: Callable[[int], tuple] | None = None) -> Iterator[tuple]:
    """One tuple of text cells per kept call (the universe's per-call values), in COLUMNS order.

    Times are cached per minute (``2024-02-12T14:05:`` + ``07Z`` or ``07-05:00``), costs per
    amount, small integers come from tables: no datetime objects or formatting calls per row.
    """
    formatters = {UTC: TimeFormatter(UTC), tz: TimeFormatter(tz)}
    second_tables: dict[str, tuple[str, ...]] = {}
    utc_minutes: dict[int, tuple] = {}
    local_minutes: dict[int, tuple] = utc_minutes if tz is UTC else {}

    def minute_of(cache: dict, zone_tz, minute: int) -> tuple[str, tuple[str, ...]]:
        if len(cache) > MINUTE_CACHE:
            cache.clear()
        hour, mm, _s, _u, short = formatters[zone_tz].parts(minute * 60_000_000)
        suffix = "Z" if zone_tz is UTC else (short if ":" in short else short + ":00")
        secs = second_tables.get(suffix)
        if secs is None:
            secs = second_tables[suffix] = tuple(f"{i:02d}{suffix}" for i in range(61))
        cache[minute] = entry = (f"{hour.replace(' ', 'T')}:{mm:02d}:", secs)
        return entry

    def in_zone(us: int) -> str:
        minute, rest = divmod(us, 60_000_000)
        prefix, secs = local_minutes.get(minute) or minute_of(local_minutes, tz, minute)
        return prefix + secs[rest // 1_000_000]

    local = None if tz is UTC else in_zone

    billable, pdds, mos_table = _BILLABLE, _PDD, _MOS
    costs: dict[int, str] = {}
    last_tag, id_middle = None, ""       # call_leg_id: unique per (tenant, day, seq, start)
    for c in calls:
        static = table[c[C_SHAPE]]
        if static is None:
            continue
        if static is PENDING:
            static = fill(c[C_SHAPE])
        head, mid, tags, rate_units, at_ip = static
        minutes = (c[C_BILLSEC] + 59) // 60
        units = rate_units * minutes
        cost = costs.get(units)
        if cost is None:
            cost = costs[units] = f"{units // 10_000}.{units % 10_000:04d}"
        start = c[C_START]
        minute, rest = divmod(start, 60_000_000)
        prefix, secs = utc_minutes.get(minute) or minute_of(utc_minutes, UTC, minute)
        start_utc = prefix + secs[rest // 1_000_000]
        connect = c[C_CONNECT]
        if connect is not None:
            minute, rest = divmod(connect, 60_000_000)
            prefix, secs = local_minutes.get(minute) or minute_of(local_minutes, tz, minute)
            answered, mos = prefix + secs[rest // 1_000_000], mos_table[start % 101]
        else:
            answered = mos = ""
        minute, rest = divmod(c[C_END], 60_000_000)
        prefix, secs = local_minutes.get(minute) or minute_of(local_minutes, tz, minute)
        ended = prefix + secs[rest // 1_000_000]
        tag = c[C_TAG]
        if tag is not last_tag:     # the tenant-and-day part of the id, in UUID v4 layout
            last_tag, id_middle = tag, f"-4{tag[1:4]}-{'89ab'[int(tag[4], 16) & 3]}{tag[5:8]}-{tag[8:12]}"
        mixed = (start * 0x9E3779B97F4A7C15) >> 16 & 0xFFFFFFFFFFFF
        leg = f"{mixed >> 16:08x}-{mixed & 0xFFFF:04x}{id_middle}{c[C_SEQ] & 0xFFFF:04x}{start & 0xFFFF:04x}"
        yield ((billable[minutes], cost) + head
               + (start_utc, start_utc if local is None else local(start), answered, ended)
               + mid + (pdds[c[C_PDD]], tags, leg + at_ip, mos, leg))


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

    def render(calls: list):      # every call the shape table keeps is one line
        out = rows(calls, table, tz, fill)
        if pick is not None:
            out = map(pick, out)
        return [(",".join(cells) or ('""' if len(cells) == 1 else "")) + "\n" for cells in out], \
            [c[C_START] for c in calls]
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
