"""CSV layouts of export files (per creating API version and export type) and their row builders."""
# Rows are built from the call universe's ``Call`` tuples by position: everything that depends
# only on a call's *shape* (who, which way, how it ended) is rendered once per shape, on first use,
# into a mapping by ``shape_id``; the per-row work is times, durations, money and the call id.
from __future__ import annotations

from operator import itemgetter
from typing import Iterable, Iterator

from mockcdr.core.cdrs import SHAPE_INDEX
from mockcdr.core.csvout import cell_escaper
from mockcdr.core.numbering import PLANS
from mockcdr.core.timefmt import TimeFormatter

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
        # 0 answered, 1 toll-free, 2..10 the cells, 11 and 12 the runs of cells the 2026 layout prints
        return (answered, network == "tollfree") + cells + (",".join(cells[:4]), ",".join(cells[4:]))
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
        # 0 answered, 1..12 the cells, 13 and 14 the runs of cells the 2026 layout prints
        return (answered,) + cells + (",".join(cells[:4]), ",".join(cells[4:11]))
    return Statics(shapes, keep, render)


# Line builders: per-call cells are digits, times, money and hex, which never need quoting; the
# shape's cells come escaped from Statics. ``calls`` are the universe's per-call values (bare).
def lines_2026_in(calls: Iterable, statics: Statics, sec) -> Iterator[str]:
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        money = f"{c[9]:.5f}"
        times = f"{sec(start)},{sec(c[4])},{sec(c[5])}" if s[0] else f"{sec(start)},,"
        charges = f"{money},{ZERO5},{ZERO5},{ZERO5}" if s[1] else f"{ZERO5},{ZERO5},{money},{ZERO5}"
        yield (f"{times},{s[11]},{c[7]},1,{s[12]},,,{charges},{money},"
               f"{c[0]}{c[1]:08x}{start & _UID_MASK:012x}\n")


def lines_2026_out(calls: Iterable, statics: Statics, sec) -> Iterator[str]:
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        if s[0]:
            times = f"{sec(start)},{sec(c[4])},{sec(c[5])},{s[13]},{(c[5] - c[4]) // 1_000_000}"
        else:
            times = f"{sec(start)},,,{s[13]},0"
        yield (f"{times},{c[7]},{s[14]},{c[9]:.5f},,{c[0]}{c[1]:08x}{start & _UID_MASK:012x}\n")


def lines_legacy_in(calls: Iterable, statics: Statics, sec, customer_id: int) -> Iterator[str]:
    customer = _ESC(customer_id)
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        money = f"{c[9]:.3f}"
        times = f"{sec(c[3])},{sec(c[4])},{sec(c[5])}" if s[0] else f"{sec(c[3])},,"
        charges = f"{money},{ZERO3},{ZERO3}" if s[1] else f"{ZERO3},{ZERO3},{money}"
        yield f"{times},{s[3]},{s[5]},{s[10]},{c[7]},{s[8]},{s[6]},{s[7]},{charges},{customer},{money}\n"


def lines_legacy_out(calls: Iterable, statics: Statics, sec, customer_id: int, pick) -> Iterator[str]:
    """Every LEGACY_OUT_VOCABULARY value, then ``pick`` (an itemgetter) keeps the chosen layout."""
    customer = _ESC(customer_id)
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        if s[0]:
            connect, end, talk = sec(c[4]), sec(c[5]), str((c[5] - c[4]) // 1_000_000)
        else:
            connect = end = ""
            talk = "0"
        yield (",".join(pick((sec(start), connect, end, s[2], s[3], s[4], talk, str(c[7]), s[5], s[6], s[12],
                             s[7], s[8], s[9], s[11], f"{c[9]:.3f}", customer,
                             f"{c[0]}{c[1]:08x}{start & _UID_MASK:012x}"))) or '""') + "\n"


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
    per-call values (``Universe.calls(bare=True)``)."""
    sec = TimeFormatter().seconds
    if export_type == "cdr_in":
        statics = _inbound(shapes, did_number)
        keep = statics.keep
        if legacy:
            return HEAD_LEGACY_IN, lambda calls: lines_legacy_in(calls, statics, sec, customer_id), keep
        return HEAD_2026_IN, lambda calls: lines_2026_in(calls, statics, sec), keep
    statics = _outbound(shapes, trunk_id, home_country)
    keep = statics.keep
    if legacy:
        names, pick = legacy_out_layout(legacy_out_columns)
        return names, lambda calls: lines_legacy_out(calls, statics, sec, customer_id, pick), keep
    return HEAD_2026_OUT, lambda calls: lines_2026_out(calls, statics, sec), keep
