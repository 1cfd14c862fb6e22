"""The CDR file: the 14 CSV columns in the order real clients read them, and the row renderer."""
from __future__ import annotations

from itertools import chain
from typing import Iterable, Iterator

from ...core.cdrs import Call
from ...core.csvout import cell_escaper, row_text
from ...core.timefmt import TimeFormatter
from ...core.vendor import FileOut

# [V] order from two independent clients; the header text itself is unknown (option csv_header).
COLUMNS = ("callid", "timestart", "callfrom", "callto", "callduraction", "talkduraction",
           "srctrunkname", "dsttrunkname", "status", "type", "pincode", "recording", "didnumber",
           "sn")

STATUS = {"answered": "ANSWERED", "no_answer": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}

_I = {name: i for i, name in enumerate(Call._fields)}
_SEQ, _START, _DUR, _BILL = _I["seq"], _I["start_us"], _I["duration"], _I["billsec"]
_DIR, _DISP, _SRC, _DST, _DID = _I["direction"], _I["disposition"], _I["src"], _I["dst"], _I["did"]
_TRUNK, _EXT, _PEER = _I["trunk"], _I["extension"], _I["peer_extension"]
_SHAPE_ID = _I["shape_id"]
_MISS = object()


def _shape_cells(c, wanted, esc) -> tuple | None:
    """What a call's shape fixes: None if the call is not in the file, else (the raw values;
    from,to cells; trunks,status,type,pincode cells; did cell; answered; the from-to-type tail of
    a recording name when it needs no quoting; whether every cell escapes alike with CR LF)."""
    ext = c[_EXT]
    if wanted is not None and ext not in wanted and c[_PEER] not in wanted:
        return None
    direction = c[_DIR]
    trunk = c[_TRUNK]
    trunk_name = trunk.name if trunk is not None else ""
    if direction == "in":
        raw = (c[_SRC], ext or "", "Inbound", trunk_name, "", c[_DID])
    elif direction == "out":
        raw = (ext or c[_SRC], c[_DST], "Outbound", "", trunk_name, "")
    else:
        raw = (ext, c[_PEER], "Internal", "", "", "")
    frm, to, kind, src_trunk, dst_trunk, did = raw
    rec = f"-{frm}-{to}-{kind}.wav"
    status = STATUS[c[_DISP]]
    return (raw, f"{esc(frm)},{esc(to)}", f"{esc(src_trunk)},{esc(dst_trunk)},{esc(status)},{esc(kind)},",
            esc(did), status == "ANSWERED", rec if rec == esc(rec) else None,
            not any("\r" in str(v) for v in raw))


def rows(calls: Iterable[Call], tz, sn: str, exts: Iterable[str] | None,
         recordings: bool = True, memo: dict | None = None) -> Iterator[str | tuple]:
    """One CSV row per call that involves one of ``exts`` (every call when ``exts`` is None).

    ``timestart`` is in the PBX's local zone ``tz``; ``callid`` has the Asterisk ``epoch.seq``
    shape; answered calls carry a recording file name when ``recordings``. A row is its line
    (no terminator; what depends on the call's shape is escaped once per shape), or a tuple of
    its cells when a cell holds a CR (whose quoting depends on the line terminator). ``memo``
    keeps what was worked out per shape (and the time formatter) across calls of one file.
    """
    memo = {} if memo is None else memo
    if not memo:
        memo.update(seconds=TimeFormatter(tz).seconds, esc=cell_escaper(",", "\n"), shapes={})
    seconds, esc, shapes = memo["seconds"], memo["esc"], memo["shapes"]
    wanted = None if exts is None else frozenset(exts)
    tail = "," + esc(sn)
    plain_sn = "\r" not in sn
    for c in calls:
        cells = shapes.get(c[_SHAPE_ID], _MISS)
        if cells is _MISS:
            cells = shapes[c[_SHAPE_ID]] = _shape_cells(c, wanted, esc)
        if cells is None:
            continue
        start_us = c[_START]
        ts = seconds(start_us)
        callid = f"{start_us // 1_000_000}.{c[_SEQ]}"
        if recordings and cells[4]:
            rec = f"{ts[0:4]}{ts[5:7]}{ts[8:10]}{ts[11:13]}{ts[14:16]}{ts[17:19]}-{callid}"
            if cells[5] is not None:        # digits, dots and dashes: the cell is the name itself
                rec = rec_cell = rec + cells[5]
            else:
                frm, to, kind = cells[0][:3]
                rec = f"{rec}-{frm}-{to}-{kind}.wav"
                rec_cell = esc(rec)
        else:
            rec = rec_cell = ""
        if cells[6] and plain_sn:
            yield f"{callid},{ts},{cells[1]},{c[_DUR]},{c[_BILL]},{cells[2]},{rec_cell},{cells[3]}{tail}"
        else:
            frm, to, kind, src_trunk, dst_trunk, did = cells[0]
            yield (callid, ts, frm, to, c[_DUR], c[_BILL], src_trunk, dst_trunk, STATUS[c[_DISP]], kind, "",
                   rec, did, sn)


def lines(rows: Iterable[str | tuple], terminator: str) -> list[str]:
    """The rows of ``rows`` as CSV lines ending in ``terminator``."""
    return [row + terminator if row.__class__ is str else row_text(row, ",", terminator) for row in rows]


def cdr_file(body: Iterable[bytes], options: dict) -> FileOut:
    """The CSV download: a header row, then the lines, streamed; plain text, not compressed."""
    head = options["csv_header"]
    chunks = body if head is None else chain((row_text(head, ",", options["csv_line_terminator"]).encode(),), body)
    return FileOut("cdr.csv", options["csv_content_type"], chunks, compressed=False)
