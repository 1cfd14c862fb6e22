"""The Runtime: one process's state and services (clock, store, jobs, tokens, calls, faults...)."""
from __future__ import annotations

import logging
import threading
from typing import Any, Iterable

from .cdrs import TenantProfile, Universe
from .clock import Clock, check_timestamp, parse_instant
from .deliveries import Deliveries
from .faults import Faults
from .fixtures import FixtureError, overlay, parse_tenants, read_tree
from .ids import Ids
from .journal import Journal
from .lifecycle import Lifecycle
from .store import Store
from .tokens import Tokens
from .vendor import Vendor

SNAPSHOT_VERSION = 1


class Runtime:
    """Shared by every Flask app of one server (the main port and any vendor ports).

    Built from settings and the vendor objects to host; the core never imports a vendor.
    """

    def __init__(self, settings, vendors: Iterable[Vendor], fixtures: dict | None = None,
                 default_fixtures=None):
        self.settings = settings
        self.vendors: dict[str, Vendor] = {v.slug: v for v in vendors}
        start = parse_instant(settings.clock_start) if settings.clock_start else None
        self.clock = Clock(start=start, frozen=settings.clock_frozen)
        self.ids = Ids(settings.seed)
        self.store = Store()
        self.lifecycle = Lifecycle(self.store, self.clock, settings.timings)
        self.tokens = Tokens(self.store, self.clock, self.ids)
        self.universe = Universe(settings.seed, settings.calls_per_day)
        self.faults = Faults(self.vendors)
        self.journal = Journal(settings.journal_size, settings.journal_body_limit)
        self.deliveries = Deliveries(self.store, self.clock, self.ids, settings.callback_timeout)
        self.ticker_running = False
        self.errors: list[BaseException] = []     # unexpected exceptions, for test harnesses
        self._tick_lock = threading.Lock()
        self.fixtures = fixtures if fixtures is not None else load_fixtures(settings, default_fixtures)
        self.tenants: dict[str, TenantProfile] = parse_tenants(self.fixtures.get("tenants"))
        self.state: dict[str, Any] = {}
        for slug, vendor in self.vendors.items():
            for kind in vendor.job_kinds:
                self.lifecycle.register(kind)
            self.state[slug] = vendor.setup(self, self.fixtures.get(slug) or {})
        self.clock.on_change(self._clock_moved)

    # -- helpers for vendors ----------------------------------------------------------
    def tenant(self, key: str) -> TenantProfile:
        try:
            return self.tenants[key]
        except KeyError:
            raise FixtureError(f"unknown tenant {key!r}; fixtures define: "
                               f"{', '.join(sorted(self.tenants))}") from None

    def option(self, slug: str, name: str, default=None):
        """A vendor option from settings.vendor_options, then the fixture's ``options``."""
        opts = self.settings.vendor_options.get(slug, {})
        if name in opts:
            return opts[name]
        return ((self.fixtures.get(slug) or {}).get("options") or {}).get(name, default)

    # -- time moves -------------------------------------------------------------------
    def _clock_moved(self) -> None:
        self.lifecycle.invalidate()
        self.tick(deliver=True)

    def tick(self, deliver: bool = True) -> None:
        """Bring jobs and schedules up to the clock; attempt due deliveries if ``deliver``."""
        with self._tick_lock:
            self.lifecycle.sweep()
            for vendor in self.vendors.values():
                if vendor.tick is not None:
                    vendor.tick(self)
        if deliver:
            self.deliveries.run_due()

    # -- reset and snapshot ---------------------------------------------------------------
    def reset(self, seed: str | None = None) -> None:
        """Back to the seeded initial state (fast: clears dicts, no I/O)."""
        if seed is not None and str(seed) != str(self.ids.seed):
            self.ids.reset(str(seed))
            self.universe = Universe(str(seed), self.settings.calls_per_day)
        else:
            self.ids.reset()
        self.store.reset()
        self.faults.clear()
        self.journal.clear()
        self.lifecycle.invalidate()
        self.clock.reset()

    @property
    def seed(self) -> str:
        return str(self.ids.seed)

    def snapshot(self) -> dict:
        with self.store.lock:
            return {"version": SNAPSHOT_VERSION, "seed": self.seed, "clock": self.clock.dump(),
                    "ids": self.ids.dump(), "store": self.store.dump(), "faults": self.faults.dump()}

    def restore(self, snap: dict) -> None:
        """Load a snapshot; a wrong shape raises ValueError and leaves the state unchanged."""
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
        before = self.snapshot()
        try:
            self._load(snap)           # the store checks its records' shapes before it changes
            self.tick(deliver=False)   # what the next request would do: jobs, schedules
        except Exception as exc:       # a wrong shape, or records that still cannot work here
            self._load(before)
            if isinstance(exc, ValueError):
                raise
            logging.getLogger("mockcdr").warning("a snapshot was refused", exc_info=exc)
            raise ValueError("its records do not work here (the server's log says why)") from None

    def _load(self, snap: dict) -> None:
        with self.store.lock:
            self.store.load(snap["store"])
            self.ids.load(snap["ids"])
            self.faults.load(snap["faults"])
            if str(snap["seed"]) != str(self.universe.seed):
                self.universe = Universe(str(snap["seed"]), self.settings.calls_per_day)
            self.lifecycle.invalidate()
        self.clock.load(snap["clock"])


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_fixtures(settings, default_dir=None) -> dict:
    """Embedded defaults, overlaid with the user's ``--fixtures`` file or folder if any."""
    from pathlib import Path

    defaults = read_tree(Path(default_dir)) if default_dir else {}
    if settings.fixtures:
        return overlay(defaults, read_tree(Path(settings.fixtures)))
    return defaults
