"""API coverage of a session: counts per documented operation, response and kind, faults apart."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Iterable

from .catalogue import Catalogue, catalogue

OTHER_LIMIT = 200       # distinct (method, path, status) of requests no operation matches, per session


def fault_status(fault: dict, status: int) -> int:
    """The status a client saw under a fault: the fault's own for errors, else the response's."""
    return (fault.get("status") or status) if fault["kind"] in ("error", "rate_limit") else status


class Coverage:
    """What a session's vendor requests reached, counted on the request path (never re-read from
    the journal, which forgets). One dict increment per request under a lock; the body is read
    only for the (operation, status) pairs whose vendor declares kinds."""

    def __init__(self, vendors: dict):
        self._vendors = vendors          # the World's vendors by slug
        self._catalogues: dict[str, Catalogue] = {}
        self._lock = threading.Lock()
        self._counts: dict[tuple, int] = {}
        self._other_keys = 0
        self.since = time.time()

    def catalogue(self, slug: str) -> Catalogue:
        cat = self._catalogues.get(slug)
        if cat is None:
            cat = self._catalogues[slug] = catalogue(self._vendors[slug])
        return cat

    def record(self, vendor: str, operation: str | None, method: str, path: str, status: int,
               body: bytes | None, faults: tuple[tuple[str, int], ...] = (), real: bool = True) -> None:
        """One vendor request. ``faults``: (kind, status) of each injected fault that acted on it;
        ``real``: whether the client got the mock's own response (not one a fault made or broke)."""
        cat = self._catalogues.get(vendor) or self.catalogue(vendor)
        op = cat.by_id.get(operation) if operation is not None else None
        if op is not None and op.method == method:
            kinds: tuple[str, ...] = ()
            if real and (operation, status) in cat.reads:
                kinds = self._kinds(cat, status, body)
            key: tuple = (vendor, operation, status, kinds, faults, real)
        else:
            where = (op.path if op is not None else None) or cat.template_of(path) or path
            key = (vendor, None, method, where, status, faults, real)
        with self._lock:
            count = self._counts.get(key)
            if count is None and key[1] is None:
                if self._other_keys >= OTHER_LIMIT:
                    key = (vendor, None, method, "(other paths)", status, faults, real)
                    count = self._counts.get(key)
                else:
                    self._other_keys += 1
            self._counts[key] = (count or 0) + 1

    @staticmethod
    def _kinds(cat: Catalogue, status: int, body: bytes | None) -> tuple[str, ...]:
        try:
            kinds = cat.read(status, body)
            if len(kinds) == 1:
                return (str(kinds[0]),)
            return tuple(sorted({str(k) for k in kinds}))
        except Exception:        # a body the reader cannot read: shown as an undeclared kind
            return ("(unreadable)",)

    def counts(self) -> dict[tuple, int]:
        with self._lock:
            return dict(self._counts)

    def clear(self) -> int:
        """Forget every count; returns how many requests were counted."""
        with self._lock:
            n = sum(self._counts.values())
            self._counts.clear()
            self._other_keys = 0
            self.since = time.time()
            return n

    def __len__(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def document(self, session: str = "default", vendors: Iterable[str] | None = None) -> dict:
        """The coverage document (``GET /_mockcdr/coverage``) of the vendors named (default: all)."""
        slugs = list(self._vendors) if vendors is None else list(vendors)
        return document(self.counts(), [self.catalogue(s) for s in slugs], session, self.since)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _skeleton(cat: Catalogue) -> dict:
    ops = []
    for op in cat.operations:
        responses = []
        for r in op.responses:
            entry = {"status": r.status, "description": r.description, "hits": 0}
            if r.catch_all:
                entry["catch_all"] = True
            if r.kinds:
                entry["kinds"] = [{"kind": k.kind, "title": k.title, "hits": 0} for k in r.kinds]
                entry["undeclared"] = []
            responses.append(entry)
        ops.append({"operation": op.id, "method": op.method, "path": op.path, "hits": 0,
                    "responses": responses, "undocumented": [], "faults": []})
    return {"vendor": cat.slug, "title": cat.title, "totals": {}, "operations": ops, "other": []}


def _bump(items: list, match: dict, hits: int) -> None:
    for item in items:
        if all(item.get(k) == v for k, v in match.items()):
            item["hits"] += hits
            return
    items.append(dict(match, hits=hits))


def document(counts: dict[tuple, int], catalogues: list[Catalogue], session: str, since: float) -> dict:
    vendors = {cat.slug: _skeleton(cat) for cat in catalogues}
    index = {(cat.slug, op.id): (op, doc) for cat in catalogues
             for op, doc in zip(cat.operations, vendors[cat.slug]["operations"])}
    for key, hits in counts.items():
        vendor = vendors.get(key[0])
        if vendor is None:
            continue
        if key[1] is None:
            _, _, method, path, status, faults, real = key
            _bump(vendor["other"], {"method": method, "path": path, "status": status}, hits)
            continue
        _, name, status, kinds, faults, real = key
        op, doc = index[(key[0], name)]
        doc["hits"] += hits
        for kind, shown in faults:
            _bump(doc["faults"], {"fault": kind, "status": shown}, hits)
        if not real:
            continue
        documented = op.response_for(status)
        if documented is None:
            _bump(doc["undocumented"], {"status": status}, hits)
            continue
        entry = next(r for r in doc["responses"] if r["status"] == documented.status)
        entry["hits"] += hits
        if documented.catch_all or documented.status != str(status):
            entry.setdefault("seen", {})
            entry["seen"][str(status)] = entry["seen"].get(str(status), 0) + hits
        if "kinds" in entry:
            declared = {k["kind"]: k for k in entry["kinds"]}
            for kind in kinds or ("(none)",):
                if kind in declared:
                    declared[kind]["hits"] += hits
                else:
                    _bump(entry["undeclared"], {"kind": kind}, hits)
    return finish({"session": session, "since": _iso(since), "sessions": 1, "vendors": list(vendors.values())})


def vendor_totals(vendor: dict) -> dict:
    """Operations and responses in the spec and how many were reached; requests, faults and what
    fell outside the spec (undocumented statuses, undeclared kinds, other paths)."""
    t = dict.fromkeys(("operations", "operations_hit", "responses", "responses_hit", "requests", "faults",
                       "undocumented", "undeclared", "other"), 0)
    for op in vendor["operations"]:
        t["operations"] += 1
        t["requests"] += op["hits"]
        t["faults"] += sum(f["hits"] for f in op["faults"])
        t["undocumented"] += sum(u["hits"] for u in op["undocumented"])
        answered = any(r["hits"] for r in op["responses"]) or any(u["hits"] for u in op["undocumented"])
        t["operations_hit"] += 1 if answered else 0   # the mock itself answered (faults alone do not count)
        for r in op["responses"]:
            t["undeclared"] += sum(u["hits"] for u in r.get("undeclared", ()))
            if r.get("catch_all"):
                continue
            units = r["kinds"] if r.get("kinds") else [r]
            t["responses"] += len(units)
            t["responses_hit"] += sum(1 for u in units if u["hits"])
    other = sum(o["hits"] for o in vendor["other"])
    t["other"] = other
    t["requests"] += other
    return t


def finish(doc: dict) -> dict:
    """(Re)compute every vendor's totals and the document's."""
    total = dict.fromkeys(("operations", "operations_hit", "responses", "responses_hit", "requests", "faults",
                           "undocumented", "undeclared", "other"), 0)
    for vendor in doc["vendors"]:
        vendor["totals"] = vendor_totals(vendor)
        for k, v in vendor["totals"].items():
            total[k] += v
    doc["totals"] = total
    return doc
