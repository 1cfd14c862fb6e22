"""verify(): did a vendor operation receive the requests a test expects? Near misses when not."""
from __future__ import annotations

import difflib
from typing import Any, Callable, Mapping

Where = Mapping[str, Any] | Callable[[dict], bool] | None


class VerificationError(AssertionError):
    """The requests a test expected did not reach the mock; the message lists the near misses."""


def _find(doc: dict, vendor: str, operation: str) -> tuple[dict, dict]:
    vendors = {v["vendor"]: v for v in doc["vendors"]}
    if vendor not in vendors:
        raise ValueError(f"no vendor {vendor!r} in this session; vendors: {', '.join(vendors) or 'none'}")
    ops = {op["operation"]: op for op in vendors[vendor]["operations"]}
    if operation not in ops:
        close = difflib.get_close_matches(operation, list(ops), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; its operations: {', '.join(ops)}"
        raise ValueError(f"{vendor} has no operation {operation!r}{hint}")
    return vendors[vendor], ops[operation]


def by_status(op: dict) -> dict[int, int]:
    """Requests of an operation by the status the client got (faults' own statuses included)."""
    out: dict[int, int] = {}

    def add(status, hits):
        if hits:
            out[int(status)] = out.get(int(status), 0) + hits
    for r in op["responses"]:
        if r.get("seen"):
            for status, hits in r["seen"].items():
                add(status, hits)
            if r["status"].isdigit():
                add(r["status"], r["hits"] - sum(r["seen"].values()))
        elif r["status"].isdigit():
            add(r["status"], r["hits"])
    for u in op["undocumented"]:
        add(u["status"], u["hits"])
    for f in op["faults"]:
        if f["fault"] != "latency":          # a delayed answer is counted as the answer it was
            add(f["status"], f["hits"])
    return out


def _describe_status(op: dict, status: int, hits: int) -> str:
    notes = [f"kind {k['kind']}" for r in op["responses"] if r["status"] == str(status)
             for k in r.get("kinds", ()) if k["hits"]]
    notes += [f"injected {f['fault']}" for f in op["faults"] if f["status"] == status and f["fault"] != "latency"]
    return f"{status} x{hits}" + (f" ({', '.join(notes)})" if notes else "")


def near_misses(vendor: dict, op: dict, status: int | None) -> list[str]:
    """Same operation with another status; the same path with another method."""
    lines = []
    other = [_describe_status(op, s, n) for s, n in sorted(by_status(op).items()) if status is None or s != status]
    if other and status is not None:
        lines.append(f"same operation, other status: {', '.join(other)}")
    siblings = [f"{o['method']} {o['operation']} x{o['hits']}" for o in vendor["operations"]
                if o["path"] == op["path"] and o is not op and o["hits"]]
    siblings += [f"{o['method']} (no operation) -> {o['status']} x{o['hits']}" for o in vendor["other"]
                 if o["path"] == op["path"]]
    if siblings:
        lines.append(f"same path {op['path']}, other method: {', '.join(siblings)}")
    return lines


def _get(entry: dict, dotted: str):
    value: Any = entry
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def matches(entry: dict, where: Where) -> bool:
    """``where``: a callable on the journal entry, or a mapping of (dotted) entry fields to values
    or to callables testing the value (``{"tenant": "acme", "request.body": lambda b: "x" in b}``)."""
    if where is None:
        return True
    if callable(where):
        return bool(where(entry))
    for key, expected in where.items():
        value = _get(entry, key)
        if not (expected(value) if callable(expected) else value == expected):
            return False
    return True


def _short(entry: dict) -> str:
    body = (entry.get("request") or {}).get("body") or ""
    body = body if len(body) <= 60 else body[:57] + "..."
    query = f"?{entry['query']}" if entry.get("query") else ""
    return (f"#{entry['seq']} {entry['method']} {entry['path']}{query} -> {entry['status']}"
            + (f" tenant={entry['tenant']}" if entry.get("tenant") else "") + (f" body={body}" if body else ""))


def verify(doc: dict, vendor: str, operation: str, count: int | None = None, status: int | None = None,
           where: Where = None, journal: list[dict] | None = None) -> int:
    """How many requests ``operation`` received (answered ``status``, matching ``where``); raise
    VerificationError when that is not ``count`` (None: at least one). ``doc`` is the session's
    coverage document; ``journal`` its journal entries of the operation (needed for ``where``)."""
    __tracebackhide__ = True
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ValueError("count must be an integer >= 0 (None: at least once)")
    vendor_doc, op = _find(doc, vendor, operation)
    found = op["hits"] if status is None else by_status(op).get(int(status), 0)
    unmatched: list[dict] = []
    if where is not None:
        entries = [e for e in journal or () if e["method"] == op["method"]]
        if len(entries) < op["hits"]:
            raise ValueError(f"the journal kept {len(entries)} of the {op['hits']} requests to {vendor} "
                             f"{operation} (it is a bounded ring buffer, or was cleared on its own): "
                             f"verify with where= needs them all; raise journal_size")
        wanted = [e for e in entries if status is None or e["status"] == int(status)]
        hits = [e for e in wanted if matches(e, where)]
        unmatched = [e for e in wanted if not matches(e, where)]
        found = len(hits)
    if (found >= 1) if count is None else (found == count):
        return found
    what = f"{vendor} {operation} ({op['method']} {op['path']})"
    answered = "" if status is None else f" answered {status}"
    matching = "" if where is None else " matching where"
    expected = "at least 1 request" if count is None else f"{count} request{'s' if count != 1 else ''}"
    got = f"got {found}"
    if status is None and where is None and found:
        got += ": " + ", ".join(_describe_status(op, s, n) for s, n in sorted(by_status(op).items()))
    lines = [f"{what}: expected {expected}{answered}{matching}, {got}"]
    if unmatched:
        lines.append(f"same operation{answered}, not matching where: "
                     + "; ".join(_short(e) for e in unmatched[-5:]))
    lines += near_misses(vendor_doc, op, None if status is None else int(status))
    if len(lines) == 1:
        reached = [f"{o['operation']} x{o['hits']}" for o in vendor_doc["operations"] if o["hits"]]
        lines.append(f"{vendor} received: {', '.join(reached)}" if reached else
                     f"{vendor} received no request in this session")
    raise VerificationError("\n  ".join(lines))
