"""Snapshots of a session: dump its state as JSON, and restore one after checking every part."""
from __future__ import annotations

import logging

from .clock import check_timestamp

SNAPSHOT_VERSION = 1


def dump(session) -> dict:
    with session.store.lock:
        return {"version": SNAPSHOT_VERSION, "seed": session.seed, "clock": session.clock.dump(),
                "ids": session.ids.dump(), "store": session.store.dump(), "faults": session.faults.dump()}


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check(snap) -> None:
    """ValueError naming the part when ``snap`` is not a snapshot this version can load."""
    if not isinstance(snap, dict):
        raise ValueError("a snapshot must be a JSON object")
    if snap.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version must be {SNAPSHOT_VERSION}")
    missing = [k for k in ("seed", "clock", "ids", "store", "faults") if k not in snap]
    if missing:
        raise ValueError(f"snapshot lacks {', '.join(missing)}")
    clock = snap["clock"]
    if not isinstance(clock, dict) or not ({"now"} <= set(clock) or {"frozen_at"} <= set(clock)):
        raise ValueError("snapshot clock must hold 'now' or 'frozen_at'")
    for key in ("ids", "faults", "store"):
        if not isinstance(snap[key], dict):
            raise ValueError(f"snapshot {key} must be an object")
    if not isinstance(snap["seed"], str) or not isinstance(snap["ids"].get("seed", ""), str):
        raise ValueError("snapshot seed and ids.seed must be strings")
    counters = snap["ids"].get("counters", {})
    if not isinstance(counters, dict) or not all(_integer(v) for v in counters.values()):
        raise ValueError("snapshot ids.counters must map names to integers")
    faults = snap["faults"].get("faults", [])
    if not isinstance(faults, list) or not all(isinstance(f, dict) and "vendor" in f and "kind" in f
                                                for f in faults):
        raise ValueError("snapshot faults.faults must be a list of faults")
    if "next" in snap["faults"] and not _integer(snap["faults"]["next"]):
        raise ValueError("snapshot faults.next must be an integer")
    for at in (clock[k] for k in ("frozen_at", "now") if k in clock):
        if isinstance(at, bool) or not isinstance(at, (int, float)):
            raise ValueError("snapshot clock time must be a number of epoch seconds")
        check_timestamp(at)


def restore(session, snap) -> None:
    """Load a snapshot; a wrong shape raises ValueError and leaves the session unchanged."""
    check(snap)
    before = dump(session)
    try:
        _load(session, snap)          # the store checks its records' shapes before it changes
        session.tick(deliver=False)   # what the next request would do: jobs, schedules
    except Exception as exc:          # a wrong shape, or records that still cannot work here
        _load(session, before)
        if isinstance(exc, ValueError):
            raise
        logging.getLogger("mockcdr").warning("a snapshot was refused", exc_info=exc)
        raise ValueError("its records do not work here (the server's log says why)") from None


def _load(session, snap: dict) -> None:
    with session.store.lock:
        session.store.load(snap["store"])
        session.ids.load(snap["ids"])
        session.faults.load(snap["faults"])
        session.use_seed(snap["seed"])
        session.rebuild()
    session.clock.load(snap["clock"])
