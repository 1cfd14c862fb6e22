"""CDR export template columns: their header texts and how each is drawn from a call of the universe."""
from __future__ import annotations

from ...core.numbering import PLANS, plan_for

DISPOSITIONS = {"answered": "ANSWERED", "no_answer": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}
DIRECTIONS = {"out": "Outgoing", "in": "Incoming", "internal": "Local"}
TERMINATED_BY = {"caller": "originator", "callee": "terminator", "system": "system"}


# Columns computed per call: Python expressions over one call's values, as the generated row
# function (``rows.row_function``) names them: ``s`` start, ``c`` connect (None if not answered),
# ``e`` end (µs), ``q`` seq, ``du`` duration, ``b`` billsec, ``p`` pdd (ms); ``ts``, ``tc``, ``te``
# the start, connect and end as local ``YYYY-MM-DD HH:MM:SS`` ("" for no connect); ``pt`` the
# shape's price texts by billsec (originator, terminator); ``IDB`` the day's first call id
# (``day * 10,000,000 + 1``, the day of every start in a row function's call); decimals go
# through ``D`` (the decimal separator). The first element of each entry is the header text.
ROW = {
    "calldate2": ("Date", "ts"),
    "answer_time": ("Answer time", "tc"),
    "end_time": ("End time", "te"),
    "id": ("Call ID", "IDB + q"),
    "uniqueid": ("Unique ID", "f'{s // 1000000}.{q}'"),
    "duration": ("Duration", "du"),
    "billsec": ("Billsec", "b"),
    "nice_billsec": ("Originator Billsec", "(HMS[b] if b < HMS_SIZE else hms(b))"),
    "provider_billsec": ("Terminator Billsec", "b"),
    "real_duration": ("Real Duration", "D(f'{(e - s) / 1000000:.6f}')"),
    "real_billsec": ("Real Billsec", "(D(f'{(e - c) / 1000000:.6f}') if c is not None else ZERO6)"),
    "pdd": ("PDD", "PDD[p]"),
    "user_price": ("Originator Price", "pt[0][b]"),
    "provider_price": ("Terminator Price", "pt[1][b]"),
}
# How each decimal drawn per call prints (``pr``: the provider cost ratio): the pdd by its value,
# the prices by the call's cost (``round(rate * billsec / 60, 5)``).
MEMO_FORMATS = {
    "pdd": lambda v, pr: f"{v / 1000:.3f}",
    "user_price": lambda v, pr: f"{v:.5f}",
    "provider_price": lambda v, pr: f"{v * pr:.5f}",
}


def _caller_device(s, w):
    return w.device(s["extension"]) if s["direction"] != "in" else None


def _callee_device(s, w):
    if s["direction"] == "in":
        return w.device(s["extension"])
    return w.device(s["peer_extension"]) if s["direction"] == "internal" else None


def _provider(s, w):
    return w.provider_for(s["trunk"]) if s["direction"] != "internal" else None


def _dialled(s) -> tuple:
    """(plan, network) of the dialled number: the peer for outgoing calls, the DID for incoming."""
    if s["direction"] == "out":
        return PLANS.get(s["country"]), s["network"]
    if s["direction"] == "in":
        plan = plan_for(s["dst"])
        national = s["dst"][len(plan.cc):] if plan else ""
        free = plan is not None and national.startswith(plan.tollfree)
        return plan, "tollfree" if free else "fixed"
    return None, None


def _prefix(s, _w):
    plan = _dialled(s)[0]
    return plan.cc if plan else ""


def _destination(s, _w):
    plan, network = _dialled(s)
    return f"{plan.name} {network}" if plan else "Local"


def _clid(s, _w):
    return f'"{s["src_name"]}" <{s["src"]}>' if s["src_name"] else s["src"]


def _dev_id(d):
    return d.id if d else ""


def _user_name(d):
    return d.user_name if d else ""


# Columns that depend only on the call's shape (who, which way, how it ended): computed once per
# shape of the tenant's pool, then picked per row. ``s`` is the shape as a dict, ``w`` the directory.
SHAPE = {
    "clid": ("Called from", _clid),
    "src": ("Source Number", lambda s, w: s["src"]),
    "pai_number": ("PAI Number", lambda s, w: s["src"]),
    "dst": ("Called to", lambda s, w: s["dst"]),
    "dst_original": ("Destination Number", lambda s, w: s["dst"]),
    "prefix": ("Prefix", _prefix),
    "destination": ("Destination", _destination),
    "destination_name": ("Destination Name", _destination),
    "direction_name": ("Direction", lambda s, w: DIRECTIONS[s["direction"]]),
    "disposition": ("Disposition", lambda s, w: DISPOSITIONS[s["disposition"]]),
    "dispod": ("Hangup cause", lambda s, w: f"{DISPOSITIONS[s['disposition']]}({s['q850']})"),
    "hangupcause": ("Hangup Cause Code", lambda s, w: s["q850"]),
    "terminated_by": ("Terminated by", lambda s, w: TERMINATED_BY[s["initiator"]]),
    "provider": ("Terminator", lambda s, w: (_provider(s, w) or (None, ""))[1]),
    "provider_rate": ("Terminator Rate", lambda s, w: w.dec(f"{s['rate'] * w.provider_ratio:.5f}")),
    "user": ("Originator", lambda s, w: _user_name(_caller_device(s, w))),
    "user_rate": ("Originator Rate", lambda s, w: w.dec(f"{s['rate']:.5f}")),
    "src_device_id": ("Source Device ID", lambda s, w: _dev_id(_caller_device(s, w))),
    "dst_device_id": ("Destination Device ID", lambda s, w: _dev_id(_callee_device(s, w))),
    "nice_src_device": ("Source Device",
                        lambda s, w: f"SIP/{s['extension']}" if _caller_device(s, w) else ""),
    "src_user_id": ("Originator ID", lambda s, w: (_caller_device(s, w) or _NO).user_id),
    "dst_user_id": ("Destination User ID", lambda s, w: (_callee_device(s, w) or _NO).user_id),
    "originator_ip": ("Originator IP", lambda s, w: s["src_ip"]),
    "terminator_ip": ("Terminator IP", lambda s, w: w.trunk_ip(s["trunk"])
                      if s["direction"] == "out" else ""),
    "server_id": ("Server ID", lambda s, w: 1),
}


class _NoDevice:
    user_id = ""


_NO = _NoDevice()

KNOWN = tuple(sorted(set(ROW) | set(SHAPE)))


def header(key: str) -> str:
    return (ROW.get(key) or SHAPE[key])[0]


def shape_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in columns if k not in ROW)
