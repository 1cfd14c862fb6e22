"""CSV layouts of export files (per creating API version and export type) and their row builders."""
# Rows are built from the call universe's columns of a day: everything that depends
# only on a call's *shape* (who, which way, how it ended) is rendered once per shape, on first use,
# into a mapping by ``shape_id``; the per-row work is times, durations, money and the call id.
from __future__ import annotations

from operator import itemgetter

from mockcdr.core.cdrs import SHAPE_INDEX
from mockcdr.core.csvout import cell_escaper
from mockcdr.core.numbering import PLANS
from mockcdr.core.daycalls import cost_texts, seq_hex
from mockcdr.core.timefmt import TimeFormatter, day_clocks

HEAD_2026_IN = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Status", "Source",
    "Source Name", "Destination DID", "Duration (sec)", "Attempt", "Disconnect Code", "Response",
    "Disconnect Initiator", "Voice IN Trunk", "Destination", "Trunk Group", "Capacity Group",
    "Toll-free (USD)", "PSTN (USD)", "Metered (USD)", "CNAM IN (USD)", "Total (USD)", "Call ID")
HEAD_2026_OUT = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Status", "Source", "CLI",
    "Destination Number", "Call Duration (sec)", "Billing Duration (sec)", "Disconnect Code",
    "Disconnect Reason", "Voice OUT Trunk", "Destination Country", "Network", "Call Type", "Rate (USD)",
    "Charged (USD)", "P-Charge-Info", "Call ID")
HEAD_LEGACY_IN = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "DID",
    "Destination", "Duration (secs)", "Disconnect Initiator", "Disconnect Code", "Response",
    "TollFree Amount (USD)", "Termination Amount (USD)", "Metered Channels Amount (USD)", "Customer ID",
    "Sell Amount (Points)")
# The legacy cdr_out layout was not found in any source: these are the columns the mock can
# render (in the legacy cdr_in style), and LEGACY_OUT_DEFAULT is the layout it chooses.
LEGACY_OUT_VOCABULARY = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "CLI",
    "Destination", "Duration (secs)", "Billing Duration (secs)", "Disconnect Code", "Response",
    "Disconnect Initiator", "Voice OUT Trunk", "Destination Country", "Network", "Rate (USD)",
    "Amount (USD)", "Customer ID", "Call ID")
LEGACY_OUT_DEFAULT = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "CLI",
    "Destination", "Duration (secs)", "Billing Duration (secs)", "Disconnect Code", "Response",
    "Voice OUT Trunk", "Rate (USD)", "Amount (USD)", "Customer ID")

INITIATOR = {"caller": "Caller", "callee": "Callee", "system": "System"}
NETWORK = {"fixed": "Fixed", "mobile": "Mobile", "tollfree": "Toll-free"}
ZERO5, ZERO3 = "0.00000", "0.000"
_UID_MASK = 0xFFFFFFFFFFFF
_DIRECTION, _DID, _TRUNK = SHAPE_INDEX["direction"], SHAPE_INDEX["did"], SHAPE_INDEX["trunk"]
_ESC = cell_escaper()     # a cell as the csv module writes it (the files are comma-separated, LF)


def _digits(text: str | None) -> str | None:
    return "".join(ch for ch in text if ch.isdigit()) if text else None


class Statics(dict):
    """shape id -> the shape's rendered columns, or None when its calls are not in the file.

    Rendered on first use: a day's export touches a few dozen of the tenant's 4,096 shapes, a
    big one renders each once. ``keep`` (a list by shape id) is decided for every shape up front.
    """

    def __init__(self, shapes, keep: list, render):
        super().__init__()
        self.shapes, self.keep, self.render = shapes, keep, render

    def __missing__(self, shape_id: int):
        value = self[shape_id] = self.render(self.shapes[shape_id]) if self.keep[shape_id] else None
        return value


def _inbound(shapes, did_number: str | None) -> Statics:
    """Inbound calls to the customer's DIDs (or the given one): their shape's columns, escaped."""
    want = _digits(did_number)
    keep = [shape[_DIRECTION] == "in" and (want is None or shape[_DID] == want) for shape in shapes]

    def render(shape) -> tuple:
        (_direction, disposition, code, reason, _q850, initiator, src, src_name, _dst, did, trunk,
         extension, _peer, _country, network, *_rest) = shape
        answered = disposition == "answered"
        cells = tuple(map(_ESC, ("Completed" if answered else "Failed", src, src_name, did, str(code), reason,
                                 INITIATOR.get(initiator, initiator), trunk.name if trunk else "",
                                 extension or "")))
        free = network == "tollfree"
        rate = shape[15]
        # 0 answered, 1 toll-free, 2..10 the cells, 11 and 12 the runs of cells the 2026 layout prints,
        # 13 and 14 what its charges print before and after the amount, 15 and 16 the amounts (5 and 3
        # decimals) by billsec, 17 and 18 the legacy layout's before and after the amount
        return ((answered, free) + cells + (",".join(cells[:4]), ",".join(cells[4:]))
                + (("", f",{ZERO5},{ZERO5},{ZERO5}") if free else (f"{ZERO5},{ZERO5},", f",{ZERO5}"))
                + (cost_texts(rate, 5), cost_texts(rate, 3))
                + (("", f",{ZERO3},{ZERO3}") if free else (f"{ZERO3},{ZERO3},", "")))
    return Statics(shapes, keep, render)


def _outbound(shapes, trunk_id: str | None, home_country: str) -> Statics:
    """Outbound calls (through the given trunk only, if one is given): their shape's columns, escaped."""
    want = trunk_id.lower() if trunk_id else None
    keep = [shape[_DIRECTION] == "out" and (want is None or (
        shape[_TRUNK] is not None and shape[_TRUNK].id.lower() == want)) for shape in shapes]

    def render(shape) -> tuple:
        (_direction, disposition, code, reason, _q850, initiator, src, _src_name, dst, _did, trunk,
         _ext, _peer, country, network, rate, src_ip, *_rest) = shape
        answered = disposition == "answered"
        plan = PLANS.get(country)
        cells = tuple(map(_ESC, ("Completed" if answered else "Failed", src_ip, src, dst, str(code), reason,
                                 trunk.name if trunk else "", plan.name if plan else country,
                                 NETWORK.get(network, network),
                                 "Domestic" if country == home_country else "International",
                                 f"{rate:.5f}", INITIATOR.get(initiator, initiator))))
        # 0 answered, 1..12 the cells, 13 and 14 the runs of cells the 2026 layout prints, 15 and 16
        # the amounts (5 and 3 decimals) by billsec
        return ((answered,) + cells + (",".join(cells[:4]), ",".join(cells[4:11]))
                + (cost_texts(rate, 5), cost_texts(rate, 3)))
    return Statics(shapes, keep, render)


# Line builders, one list comprehension over a day's columns (core.daycalls.Calls) each: per-call
# cells are digits, times, money and hex, which never need quoting, and come from tables (times
# from a DayClock, money per rate and billsec, call numbers in hex); the shape's cells come
# escaped from Statics.
def _times(calls, clock_for) -> tuple:
    """(start, connect, end indexes, dates, hms): a time's text is ``dates[i // 86400] + hms[i]``;
    connect is "" for a call not answered (print ``c and e`` for an end that is blank then too)."""
    clock = clock_for(calls.day_index)
    start, dates, hms = clock.pieces(calls.start)
    if clock.offset is None:        # texts of their own: every index is into a table of its column
        return (start, clock.pieces(calls.connect)[0], clock.pieces(calls.end)[0],
                (dates, clock.pieces(calls.connect)[1], clock.pieces(calls.end)[1]),
                (hms, clock.pieces(calls.connect)[2], clock.pieces(calls.end)[2]))
    return start, clock.index(calls.connect), clock.pieces(calls.end)[0], (dates,) * 3, (hms,) * 3


def lines_2026_in(calls, statics: Statics, clock_for) -> list[str]:
    S, M = statics, _UID_MASK
    starts, connects, ends, (D, DC, DE), (H, HC, HE) = _times(calls, clock_for)
    tag = calls.tag
    return [f"{D[s // 86400]}{H[s]},{DC[c // 86400]}{HC[c]},{(DE[e // 86400] + HE[e]) if st[0] else ''},{st[11]},{b},1,"
            f"{st[12]},,,{st[13]}{(m := st[15][b])}{st[14]},{m},{tag}{q}{'%012x' % (u & M)}\n"
            for s, c, e, b, q, u, st in zip(starts, connects, ends, calls.billsec, seq_hex(calls.seq), calls.start,
                                            map(S.__getitem__, calls.shape))]


def lines_2026_out(calls, statics: Statics, clock_for) -> list[str]:
    S, M = statics, _UID_MASK
    starts, connects, ends, (D, DC, DE), (H, HC, HE) = _times(calls, clock_for)
    tag = calls.tag
    return [f"{D[s // 86400]}{H[s]},{DC[c // 86400]}{HC[c]},{(DE[e // 86400] + HE[e]) if st[0] else ''},{st[13]},"
            f"{(e_ - c_) // 1_000_000 if c_ is not None else 0},{b},{st[14]},{st[15][b]},,{tag}{q}{'%012x' % (u & M)}\n"
            for s, c, e, b, q, u, c_, e_, st in zip(starts, connects, ends, calls.billsec, seq_hex(calls.seq),
                                                    calls.start, calls.connect, calls.end,
                                                    map(S.__getitem__, calls.shape))]


def lines_legacy_in(calls, statics: Statics, clock_for, customer_id: int) -> list[str]:
    S = statics
    customer = _ESC(customer_id)
    starts, connects, ends, (D, DC, DE), (H, HC, HE) = _times(calls, clock_for)
    return [f"{D[s // 86400]}{H[s]},{DC[c // 86400]}{HC[c]},{(DE[e // 86400] + HE[e]) if st[0] else ''},{st[3]},"
            f"{st[5]},{st[10]},{b},{st[8]},{st[6]},{st[7]},{st[17]}{(m := st[16][b])}{st[18]},{customer},{m}\n"
            for s, c, e, b, st in zip(starts, connects, ends, calls.billsec, map(S.__getitem__, calls.shape))]


def lines_legacy_out(calls, statics: Statics, clock_for, customer_id: int, pick) -> list[str]:
    """Every LEGACY_OUT_VOCABULARY value, then ``pick`` (an itemgetter) keeps the chosen layout."""
    S, M = statics, _UID_MASK
    customer = _ESC(customer_id)
    clock = clock_for(calls.day_index)
    starts, connects, ends = clock.seconds(calls.start), clock.seconds(calls.connect), clock.seconds(calls.end)
    tag = calls.tag
    return [(",".join(pick((s, c, c and e, st[2], st[3], st[4], str((e_ - c_) // 1_000_000) if c_ is not None else "0",
                            str(b), st[5], st[6], st[12], st[7], st[8], st[9], st[11], st[16][b], customer,
                            f"{tag}{q}{'%012x' % (u & M)}"))) or '""') + "\n"
            for s, c, e, b, q, u, c_, e_, st in zip(starts, connects, ends, calls.billsec, seq_hex(calls.seq),
                                                    calls.start, calls.connect, calls.end,
                                                    map(S.__getitem__, calls.shape))]


def header_line(names) -> str:
    return ",".join(map(_ESC, names)) + "\n"


def legacy_out_layout(columns) -> tuple[tuple[str, ...], itemgetter]:
    names = tuple(columns) if columns else LEGACY_OUT_DEFAULT
    unknown = [n for n in names if n not in LEGACY_OUT_VOCABULARY]
    if unknown or not names:
        raise ValueError(f"legacy_cdr_out_columns: unknown columns {unknown}; choose from "
                         f"{', '.join(LEGACY_OUT_VOCABULARY)}")
    idx = [LEGACY_OUT_VOCABULARY.index(n) for n in names]
    getter = itemgetter(*idx)
    pick = getter if len(idx) > 1 else (lambda row, _g=getter: (_g(row),))
    return names, pick


def layout(export_type: str, legacy: bool, shapes, *, did_number=None, trunk_id=None, home_country="US",
           customer_id: int = 0, legacy_out_columns=None):
    """(header, lines(calls) -> CSV lines, keep) for one export; ``keep`` says per shape whether
    its calls belong in the file, so the call universe need not build the others. ``calls`` are
    a day's columns (``Universe.columns``)."""
    clock_for = day_clocks(TimeFormatter())
    if export_type == "cdr_in":
        statics = _inbound(shapes, did_number)
        keep = statics.keep
        if legacy:
            return HEAD_LEGACY_IN, lambda calls: lines_legacy_in(calls, statics, clock_for, customer_id), keep
        return HEAD_2026_IN, lambda calls: lines_2026_in(calls, statics, clock_for), keep
    statics = _outbound(shapes, trunk_id, home_country)
    keep = statics.keep
    if legacy:
        names, pick = legacy_out_layout(legacy_out_columns)
        return names, lambda calls: lines_legacy_out(calls, statics, clock_for, customer_id, pick), keep
    return HEAD_2026_OUT, lambda calls: lines_2026_out(calls, statics, clock_for), keep
