"""The World: what every session of one configuration shares and never changes (vendors, fixtures, pools)."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import asdict, replace
from typing import Any, Callable, Iterable

from .cdrs import TenantProfile, Universe
from .deliveries import DELIVERIES, DELIVERY_SHAPE
from .fixtures import FixtureError, overlay, parse_tenants, read_tree
from .jobkinds import JOB_SHAPE, POLICY_SHAPE, JobKind, job_check, policy_check
from .lifecycle import JOBS, POLICIES
from . import rendercache
from .rendercache import MB
from .tokens import TOKEN_SHAPE, TOKENS

# Hooks run when a job enters a state: hook(session, job, state, at)
Hook = Callable[[Any, dict, str, Any], None]
UNIVERSES_PER_WORLD = 8


class World:
    """Settings, vendors, fixtures, tenants, each vendor's configuration, job kinds and record
    shapes, and the call universes, built once per distinct settings and shared by its sessions.

    Vendors declare what sessions need while the World is built (``setup(world, section)``):
    job kinds with their hooks, record shapes for snapshot checks. After that nothing changes
    (the universe cache and the render cache are what fill in, each under its own lock). The core never
    imports a vendor: the vendor objects are handed in.
    """

    def __init__(self, settings, vendors: Iterable, fixtures: dict | None = None, default_fixtures=None):
        self.settings = settings
        self.vendors: dict = {v.slug: v for v in vendors}
        self.fixtures = fixtures if fixtures is not None else load_fixtures(settings, default_fixtures)
        self.tenants: dict[str, TenantProfile] = parse_tenants(self.fixtures.get("tenants"))
        self.kinds: dict[str, JobKind] = {}
        self.hooks: dict[str, list[Hook]] = {}
        self.shapes: dict[str, dict] = {JOBS: JOB_SHAPE, POLICIES: POLICY_SHAPE, TOKENS: TOKEN_SHAPE,
                                        DELIVERIES: DELIVERY_SHAPE}
        self.checks: dict[str, Callable[[str, dict], None]] = {JOBS: job_check(self.kinds),
                                                               POLICIES: policy_check(self.kinds)}
        self._universes: OrderedDict[tuple, Universe] = OrderedDict()
        self._universe_lock = threading.Lock()
        # rendered export days, shared by the sessions (keyed by seed and calls per day, not by
        # session); a view of the process's one store, whose budget every World draws on
        self.render_cache = rendercache.view(settings.render_cache_mb * MB)
        self._sealed = False
        self.state: dict[str, Any] = {}
        for slug, vendor in self.vendors.items():
            for kind in vendor.job_kinds:
                self.kinds.setdefault(kind.key, kind)
            self.state[slug] = vendor.setup(self, self.fixtures.get(slug) or {})
        self._sealed = True

    # -- declarations (while vendors set up) ------------------------------------------------
    def _check_open(self) -> None:
        if self._sealed:
            raise RuntimeError("a World is immutable once built: declare kinds and shapes in setup()")

    def register_kind(self, kind: JobKind, on_enter: Hook | None = None) -> None:
        """Declare a job kind (it replaces a default of the same key) and a hook for its states."""
        self._check_open()
        self.kinds[kind.key] = kind
        if on_enter is not None:
            self.hooks.setdefault(kind.key, []).append(on_enter)

    def shape(self, collection: str, /, check: Callable[[str, dict], None] | None = None,
              **fields: type | tuple) -> None:
        """The keys and types every record of a store collection holds (snapshots are checked);
        ``check(key, record)`` raises ValueError for values its owner still cannot use."""
        self._check_open()
        self.shapes[collection] = fields
        if check is not None:
            self.checks[collection] = check

    # -- lookups ------------------------------------------------------------------------------
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

    def universe(self, seed: str, calls_per_day: int) -> Universe:
        """The call universe of a seed (shared by every session with that seed; a few are kept)."""
        key = (str(seed), int(calls_per_day))
        with self._universe_lock:
            universe = self._universes.get(key)
            if universe is None:
                universe = self._universes[key] = Universe(key[0], key[1])
                while len(self._universes) > UNIVERSES_PER_WORLD:
                    self._universes.popitem(last=False)
            else:
                self._universes.move_to_end(key)
            return universe


def load_fixtures(settings, default_dir=None) -> dict:
    """Embedded defaults, overlaid with the user's ``--fixtures`` file or folder if any."""
    from pathlib import Path

    defaults = read_tree(Path(default_dir)) if default_dir else {}
    if settings.fixtures:
        return overlay(defaults, read_tree(Path(settings.fixtures)))
    return defaults


# Settings that belong to a session's start, not to the World: sessions with other values share it.
SESSION_FIELDS = ("seed", "clock_start", "clock_frozen", "calls_per_day")


def world_key(settings, extra: Iterable = ()) -> str:
    """Settings that shape a World, as one string (session start values left out)."""
    neutral = replace(settings, **{name: None for name in SESSION_FIELDS})
    return json.dumps([asdict(neutral), [id(v) for v in extra]], sort_keys=True, default=str)


class Worlds:
    """Built Worlds by settings, least recently used dropped past ``size``; thread-safe."""

    def __init__(self, build: Callable[..., World], size: int = 16):
        self._build = build
        self._size = size
        self._worlds: OrderedDict[str, World] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, settings, extra_vendors: Iterable = ()) -> World:
        extra = tuple(extra_vendors)
        key = world_key(settings, extra)
        with self._lock:
            world = self._worlds.get(key)
            if world is not None:
                self._worlds.move_to_end(key)
                return world
        world = self._build(settings, extra)     # outside the lock: building reads files
        with self._lock:
            world = self._worlds.setdefault(key, world)
            self._worlds.move_to_end(key)
            while len(self._worlds) > self._size:
                self._worlds.popitem(last=False)
            return world
