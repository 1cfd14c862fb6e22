"""A Session: one isolated mock world's mutable state (clock, ids, store, jobs, tokens, faults, journal)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from .agenda import Agenda
from .clock import Clock, parse_instant
from .coverage import Coverage
from .deliveries import Deliveries
from .faults import Faults
from .ids import Ids
from .journal import Journal
from .lifecycle import Lifecycle
from .store import Store
from .tokens import GRACE_SECONDS, Tokens


@dataclass(frozen=True)
class Start:
    """What a session starts from, and what a reset brings it back to."""
    seed: str
    clock_start: datetime | None = None
    clock_frozen: bool = False
    calls_per_day: int = 40
    transitions: Mapping[str, Mapping] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings, **changes) -> "Start":
        start = parse_instant(settings.clock_start) if settings.clock_start else None
        values = dict(seed=str(settings.seed), clock_start=start, clock_frozen=settings.clock_frozen,
                      calls_per_day=settings.calls_per_day)
        values.update(changes)
        return cls(**values)


class Session:
    """Everything a client can change, over a shared, immutable World.

    Vendor code receives a Session where it reads ``rt``: the session's own ``clock``, ``ids``,
    ``store``, ``lifecycle``, ``tokens``, ``faults``, ``journal``, ``coverage`` and ``deliveries``, and the
    World's ``settings``, ``vendors``, ``tenants``, ``state`` (vendor configuration) and
    ``option()``. Sessions share nothing mutable, so each has its own locks.
    """

    def __init__(self, world, id: str = "default", start: Start | None = None, *,
                 on_due: Callable[["Session", float], None] | None = None):
        settings = world.settings
        self.world = world
        self.id = id
        self.start = start or Start.from_settings(settings)
        self.created = time.time()
        self.last_used = time.monotonic()
        self.closed = False
        self.registry = None                    # the Sessions it belongs to, if any
        self.port: int | None = None            # a port of its own, when it asked for one
        self.errors: list[BaseException] = []   # unexpected exceptions, for test harnesses
        self.on_due = on_due                    # told when something falls due earlier (the ticker)
        self._tick_lock = threading.Lock()
        self.clock = Clock(start=self.start.clock_start, frozen=self.start.clock_frozen)
        self.ids = Ids(self.start.seed)
        self.store = Store(world.shapes, world.checks)
        self.lifecycle = Lifecycle(self.store, self.clock, settings.timings, kinds=world.kinds,
                                   hooks=world.hooks, owner=self, agenda=Agenda(self._earlier))
        self.tokens = Tokens(self.store, self.clock, self.ids, Agenda(self._earlier),
                             grace=getattr(settings, "token_grace", GRACE_SECONDS))
        self.faults = Faults(world.vendors)
        self.journal = Journal(settings.journal_size, settings.journal_body_limit)
        self.coverage = Coverage(world.vendors)
        self.deliveries = Deliveries(self.store, self.clock, self.ids, settings.callback_timeout,
                                     agenda=Agenda(self._earlier))
        self._agendas: dict[str, Agenda] = {}
        self._ticking = [v for v in world.vendors.values() if v.tick is not None]
        self.universe = world.universe(self.start.seed, self.start.calls_per_day)
        self._apply_transitions()
        self.clock.on_change(self._clock_moved)

    # -- what vendors read from the World ------------------------------------------------------
    @property
    def settings(self):
        return self.world.settings

    @property
    def vendors(self) -> dict:
        return self.world.vendors

    @property
    def tenants(self) -> dict:
        return self.world.tenants

    @property
    def state(self) -> dict:
        return self.world.state

    @property
    def fixtures(self) -> dict:
        return self.world.fixtures

    @property
    def render_cache(self):
        """The World's cache of rendered export days (core/rendercache.py), shared by its sessions."""
        return self.world.render_cache

    def tenant(self, key: str):
        return self.world.tenant(key)

    def option(self, slug: str, name: str, default=None):
        return self.world.option(slug, name, default)

    @property
    def seed(self) -> str:
        return str(self.ids.seed)

    def agenda(self, owner: str) -> Agenda:
        """A due-time heap for a vendor's own scheduled work (see ``Vendor.tick``)."""
        agenda = self._agendas.get(owner)
        if agenda is None:
            agenda = self._agendas.setdefault(owner, Agenda(self._earlier))
        return agenda

    # -- time moves -----------------------------------------------------------------------------
    def _earlier(self, at: float) -> None:
        if self.on_due is not None:
            self.on_due(self, at)

    def next_due(self) -> float | None:
        """Virtual epoch seconds of the earliest pending item (job step, token, delivery, schedule)."""
        dues = [a.next_due() for a in (self.lifecycle.agenda, self.tokens.agenda, self.deliveries.agenda,
                                       *self._agendas.values())]
        dues = [d for d in dues if d is not None]
        return min(dues) if dues else None

    def real_time_of(self, at: float) -> float | None:
        """When (real epoch seconds) the virtual instant ``at`` arrives: now if it has; None if
        the clock is frozen before it (moving the clock ticks at once)."""
        now = self.clock.timestamp()
        if self.clock.frozen and at > now:
            return None
        return max(at - now, 0.0) + time.time()

    def _clock_moved(self) -> None:
        self.tick(deliver=True)
        due = self.next_due()
        if due is not None:
            self._earlier(due)

    def tick(self, deliver: bool = True) -> None:
        """Bring what is due up to the clock (jobs, schedules, token pruning); attempt due
        deliveries if ``deliver``. Cheap when nothing is due: one look at each agenda."""
        now = self.clock.timestamp()
        due = self.next_due()
        if due is not None and due <= now:
            with self._tick_lock:
                self.lifecycle.sweep()
                for vendor in self._ticking:
                    vendor.tick(self)
                self.tokens.prune()
        if deliver:
            self.deliveries.run_due()

    # -- reset ------------------------------------------------------------------------------------
    def reset(self, seed: str | None = None) -> None:
        """Back to the session's start (its own seed unless ``seed`` is given); fast, no I/O."""
        seed = str(seed) if seed is not None else self.start.seed
        with self.store.lock:
            self.ids.reset(seed)
            self.universe = self.world.universe(seed, self.start.calls_per_day)
            self.store.reset()
            self.faults.clear()
            self.journal.clear()
            self.coverage.clear()
            self.rebuild()
            self._apply_transitions()
        self.clock.reset()

    def rebuild(self) -> None:
        """Re-derive every due-time structure from the store (after it was replaced)."""
        self.lifecycle.rebuild()
        self.tokens.rebuild()
        self.deliveries.rebuild()
        for agenda in self._agendas.values():
            agenda.clear()
        for vendor in self.vendors.values():
            if vendor.reschedule is not None:
                vendor.reschedule(self)

    def _apply_transitions(self) -> None:
        for kind, policy in self.start.transitions.items():
            self.lifecycle.set_policy(kind, policy)

    def use_seed(self, seed: str) -> None:
        """The universe of ``seed`` (a restore brought another seed's records)."""
        if str(seed) != str(self.universe.seed):
            self.universe = self.world.universe(str(seed), self.start.calls_per_day)

    # -- bookkeeping ---------------------------------------------------------------------------
    def touch(self) -> None:
        self.last_used = time.monotonic()

    def describe(self) -> dict[str, Any]:
        """What ``GET /_mockcdr/sessions`` lists for this session."""
        from .sessions import describe

        return describe(self)

    # -- snapshots --------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        from .snapshots import dump

        return dump(self)

    def restore(self, snap: dict) -> None:
        """Load a snapshot; a wrong shape raises ValueError and leaves the session unchanged."""
        from .snapshots import restore

        restore(self, snap)
