"""Coverage documents: merging many sessions' into one, the summary lines, the percentage, the table."""
from __future__ import annotations

import copy
from typing import Iterable

from .core.coverage import finish


def _bump(items: list, item: dict, keys: tuple[str, ...]) -> None:
    for mine in items:
        if all(mine.get(k) == item.get(k) for k in keys):
            mine["hits"] += item["hits"]
            return
    items.append(dict(item))


def _merge_response(mine: dict, theirs: dict) -> None:
    mine["hits"] += theirs["hits"]
    for status, hits in (theirs.get("seen") or {}).items():
        seen = mine.setdefault("seen", {})
        seen[status] = seen.get(status, 0) + hits
    if "kinds" in theirs:
        mine.setdefault("kinds", [])
        mine.setdefault("undeclared", [])
        for kind in theirs["kinds"]:
            _bump(mine["kinds"], kind, ("kind",))
        for kind in theirs.get("undeclared", ()):
            _bump(mine["undeclared"], kind, ("kind",))


def _merge_vendor(mine: dict, theirs: dict) -> None:
    ops = {op["operation"]: op for op in mine["operations"]}
    for op in theirs["operations"]:
        have = ops.get(op["operation"])
        if have is None:
            mine["operations"].append(ops.setdefault(op["operation"], copy.deepcopy(op)))
            continue
        have["hits"] += op["hits"]
        responses = {r["status"]: r for r in have["responses"]}
        for r in op["responses"]:
            if r["status"] in responses:
                _merge_response(responses[r["status"]], r)
            else:
                have["responses"].append(copy.deepcopy(r))
        for u in op["undocumented"]:
            _bump(have["undocumented"], u, ("status",))
        for f in op["faults"]:
            _bump(have["faults"], f, ("fault", "status"))
    for o in theirs["other"]:
        _bump(mine["other"], o, ("method", "path", "status"))


def merge(docs: Iterable[dict]) -> dict:
    """One document for many sessions (and processes): every hit summed, totals recomputed."""
    docs = [d for d in docs if d]
    out = {"session": docs[0]["session"] if len(docs) == 1 else "merged",
           "since": min((d["since"] for d in docs), default=None), "sessions": 0, "vendors": []}
    vendors: dict[str, dict] = {}
    for doc in docs:
        out["sessions"] += doc.get("sessions", 1)
        for vendor in doc["vendors"]:
            mine = vendors.get(vendor["vendor"])
            if mine is None:
                vendors[vendor["vendor"]] = copy.deepcopy(vendor)
                out["vendors"].append(vendors[vendor["vendor"]])
            else:
                _merge_vendor(mine, vendor)
    return finish(out)


# -- reading a document -----------------------------------------------------------------------------
def percent(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def exercised(doc: dict, vendors: Iterable[str] | None = None) -> list[dict]:
    """The vendors a percentage is over: those named, else those that received any request."""
    if vendors is not None:
        wanted = list(vendors)
        return [v for v in doc["vendors"] if v["vendor"] in wanted]
    return [v for v in doc["vendors"] if v["totals"]["requests"]]


def responses_percent(doc: dict, vendors: Iterable[str] | None = None) -> float:
    """Documented responses (and kinds) reached, in % of those of the vendors counted."""
    counted = exercised(doc, vendors)
    return percent(sum(v["totals"]["responses_hit"] for v in counted),
                   sum(v["totals"]["responses"] for v in counted))


def summary_line(vendor: dict) -> str:
    """``didww: 5/6 operations, 14/64 responses (22%)``, then faults and what fell outside the spec."""
    t = vendor["totals"]
    line = (f"{vendor['vendor']}: {t['operations_hit']}/{t['operations']} operations, "
            f"{t['responses_hit']}/{t['responses']} responses ({percent(t['responses_hit'], t['responses']):.0f}%)")
    if not t["requests"]:
        return f"{line}, not exercised"
    extra = [f"{t[k]} {word}" for k, word in (("faults", "injected faults"), ("undocumented", "undocumented"),
                                              ("undeclared", "undeclared kinds"), ("other", "other requests"))
             if t[k]]
    return ", ".join([line] + extra)


def summary_lines(doc: dict) -> list[str]:
    return [summary_line(v) for v in doc["vendors"]]


def _rows(vendor: dict) -> list[tuple[str, str, int, str]]:
    rows = []
    for op in vendor["operations"]:
        rows.append((f"  {op['operation']}  {op['method']} {op['path']}", "", op["hits"], ""))
        for r in op["responses"]:
            mark = "" if r["hits"] or r.get("catch_all") or r.get("kinds") else "never"
            seen = ", ".join(f"{s} x{n}" for s, n in sorted((r.get("seen") or {}).items()))
            rows.append((f"    {r['status']}", r["description"][:64] + (f" ({seen})" if seen else ""),
                         r["hits"], mark))
            for k in r.get("kinds", ()):
                rows.append((f"      {k['kind']}", k["title"][:64], k["hits"], "" if k["hits"] else "never"))
            for u in r.get("undeclared", ()):
                rows.append((f"      {u['kind']}", "not declared by the vendor", u["hits"], "undeclared"))
        for u in op["undocumented"]:
            rows.append((f"    {u['status']}", "not in the spec", u["hits"], "undocumented"))
        for f in op["faults"]:
            rows.append((f"    {f['status']}", f"injected fault: {f['fault']}", f["hits"], "fault"))
    for o in vendor["other"]:
        rows.append((f"  {o['method']} {o['path']} -> {o['status']}", "no operation matched", o["hits"], "other"))
    return rows


def table(doc: dict) -> str:
    """Every operation, response and kind with its hits, for a terminal (``--format table``);
    what was never reached is marked ``never``."""
    lines = []
    for vendor in doc["vendors"]:
        lines.append(summary_line(vendor))
        rows = _rows(vendor)
        width = max((len(r[0]) for r in rows if r[1]), default=0)
        desc = max((len(r[1]) for r in rows), default=0)
        for label, text, hits, mark in rows:
            if not text:                 # an operation: its own line
                lines.append(f"{label}  ({hits} requests)")
                continue
            lines.append(f"{label.ljust(width)}  {text.ljust(desc)}  {hits:>6}  {mark}".rstrip())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
