"""Sessions: the isolated mock worlds one server holds; create, find, list, expire, limits."""
from __future__ import annotations

import re
import secrets
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from .clock import check_instant, iso, parse_instant
from .jobkinds import default_policy, parse_policy
from .session import Session, Start

ID_PATTERN = r"[A-Za-z0-9._-]{1,64}"
_ID = re.compile(ID_PATTERN)
DEFAULT_ID = "default"
PREFIX = "/_s/"
SPEC_FIELDS = ("seed", "clock", "calls_per_day", "vendor_options", "transitions", "port")


class SessionError(ValueError):
    """A session request that cannot be met; ``status`` is 400, 404, 409 or 429."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def valid_id(text: str) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


class Sessions:
    """The sessions of one server: the default one (the root URL, never expires) and the ones
    clients create under ``/_s/{id}``. Sessions idle longer than ``ttl`` seconds are removed;
    at most ``max_sessions`` live at once. ``worlds`` builds the World of a session that asks
    for other vendor options (sessions with the same options share one)."""

    def __init__(self, world, *, worlds=None, extra_vendors=(), ttl: float = 1800.0,
                 max_sessions: int = 1000, default: Session | None = None, settings=None):
        self.world = world
        self.worlds = worlds
        self.extra_vendors = tuple(extra_vendors)
        self.ttl = ttl
        self.max_sessions = max_sessions
        self.ticker_running = False
        self.on_due: Callable[[Session, float], None] | None = None     # set by the ticker
        self.on_forget: Callable[[Session], None] | None = None
        self.open_port: Callable[[Session, int], int] | None = None     # set by a live server
        self.close_port: Callable[[Session], None] | None = None
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._expired_at = 0.0                  # when expire() last looked (creates look at most once a second)
        # the settings this server was started with (the World's may come from another start)
        self.settings = settings or world.settings
        self.default = default or Session(world, DEFAULT_ID, Start.from_settings(self.settings))
        self._adopt(self.default)

    def _adopt(self, session: Session) -> Session:
        session.registry = self
        session.on_due = self._due
        self._sessions[session.id] = session
        return session

    def _due(self, session: Session, at: float) -> None:
        if self.on_due is not None:
            self.on_due(session, at)

    def replace_default(self, session: Session) -> Session:
        """Make ``session`` the root's session (a fresh one per test, in process)."""
        with self._lock:
            old = self.default
            old.closed = True
            self._sessions.pop(old.id, None)
            self.default = self._adopt(session)
        if self.on_forget is not None:
            self.on_forget(old)
        return session

    # -- lookups -------------------------------------------------------------------------------
    def get(self, session_id: str) -> Session | None:
        session = self._sessions.get(session_id)
        if session is not None:
            session.touch()
        return session

    def list(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    def __len__(self) -> int:
        return len(self._sessions)

    # -- create and delete -------------------------------------------------------------------------
    def create(self, session_id: str | None, spec: Any = None) -> tuple[Session, bool]:
        """The session named ``session_id`` (created unless it exists) or a new one with a
        generated id; returns (session, created). SessionError for a bad id or spec, or at the limit."""
        if session_id is not None and not valid_id(session_id):
            raise SessionError(f"a session id is 1-64 characters of A-Z a-z 0-9 . _ - (got {session_id!r})")
        if session_id is not None:
            existing = self.get(session_id)
            if existing is not None:
                return existing, False
        start, world, port = self.parse_spec(spec)
        if time.monotonic() - self._expired_at > 1.0:
            self.expire()
        with self._lock:
            if session_id is not None and session_id in self._sessions:
                return self._sessions[session_id], False
            if len(self._sessions) - 1 >= self.max_sessions:     # the default one does not count
                raise SessionError(f"the session limit is reached: {self.max_sessions} sessions live "
                                   f"(--max-sessions); delete sessions or raise the limit", 429)
            while session_id is None or session_id in self._sessions:
                session_id = self.generated_id()
            session = self._adopt(Session(world, session_id, start))
        if port is not None:
            try:
                self._open_port(session, port)
            except Exception:
                self.delete(session_id)
                raise
        return session, True

    def generated_id(self) -> str:
        """A fresh id; behind a proxy (``Settings.node``) ``<node>.<hex>``, which the proxy's
        configuration (deploy/nginx) routes back to this process."""
        node = getattr(self.settings, "node", None)
        return f"{node}.{secrets.token_hex(8)}" if node else secrets.token_hex(8)

    def _open_port(self, session: Session, port: int) -> None:
        if self.open_port is None:
            raise SessionError("this mock is not serving over HTTP (in process): a session cannot "
                               "have a port of its own here")
        try:
            session.port = self.open_port(session, port)
        except OSError as exc:
            raise SessionError(f"port {port}: {exc.strerror or exc}", 409) from None

    def delete(self, session_id: str) -> bool:
        if session_id == self.default.id:
            raise SessionError("the default session cannot be deleted; reset it instead", 409)
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is None:
            return False
        self._close(session)
        return True

    def _close(self, session: Session) -> None:
        session.closed = True
        if self.on_forget is not None:
            self.on_forget(session)
        if session.port is not None and self.close_port is not None:
            self.close_port(session)
        session.port = None
        with session.store.lock:       # the memory comes back even if a request still holds it
            session.store.reset()
            session.journal.clear()
            session.coverage.clear()
            session.faults.clear()
            session.rebuild()

    def expire(self, now: float | None = None) -> int:
        """Remove sessions idle for longer than the TTL; returns how many went."""
        now = time.monotonic() if now is None else now
        self._expired_at = time.monotonic()
        with self._lock:
            idle = [s for s in self._sessions.values()
                    if s is not self.default and now - s.last_used > self.ttl]
            for session in idle:
                del self._sessions[session.id]
        for session in idle:
            self._close(session)
        return len(idle)

    def close_all(self) -> None:
        for session in self.list():
            if session is not self.default:
                self.delete(session.id)

    # -- what a session starts from -----------------------------------------------------------------
    def parse_spec(self, spec: Any, settings=None) -> tuple[Start, Any, int | None]:
        """(start, world, port) from a session document over ``settings`` (default: the World's);
        SessionError naming the field."""
        if spec is None:
            spec = {}
        if not isinstance(spec, Mapping):
            raise SessionError("a session document must be a JSON object")
        unknown = sorted(set(spec) - set(SPEC_FIELDS))
        if unknown:
            raise SessionError(f"unknown session fields: {', '.join(unknown)}; known: {', '.join(SPEC_FIELDS)}")
        settings = settings or self.settings
        changes: dict[str, Any] = {}
        if spec.get("seed") is not None:
            seed = spec["seed"]
            if isinstance(seed, bool) or not isinstance(seed, (str, int)) or str(seed) == "":
                raise SessionError("seed must be a non-empty string or an integer")
            changes["seed"] = str(seed)
        if spec.get("calls_per_day") is not None:
            cpd = spec["calls_per_day"]
            if isinstance(cpd, bool) or not isinstance(cpd, int) or not 0 <= cpd <= 5_000_000:
                raise SessionError("calls_per_day must be an integer from 0 to 5000000")
            changes["calls_per_day"] = cpd
        changes.update(_clock_spec(spec.get("clock")))
        world = self._world_for(spec.get("vendor_options"))
        changes["transitions"] = _transitions(world, spec.get("transitions"))
        port = spec.get("port")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
            raise SessionError("port must be an integer from 0 to 65535 (0 picks a free one)")
        return Start.from_settings(settings, **changes), world, port

    def _world_for(self, options: Any):
        if options is None or options == {}:
            return self.world
        if not isinstance(options, Mapping) or not all(
                isinstance(k, str) and isinstance(v, Mapping) for k, v in options.items()):
            raise SessionError("vendor_options must map a vendor slug to an object of options")
        unknown = sorted(set(options) - set(self.world.vendors))
        if unknown:
            raise SessionError(f"vendor_options: unknown vendors {', '.join(unknown)}; served: "
                               f"{', '.join(self.world.vendors)}")
        if self.worlds is None:
            raise SessionError("vendor_options are not available for sessions of this server")
        merged = {slug: dict(opts) for slug, opts in self.settings.vendor_options.items()}
        for slug, opts in options.items():
            merged.setdefault(slug, {}).update(opts)
        from ..settings import SettingsError

        try:
            return self.worlds.get(self.settings.with_(vendor_options=merged), self.extra_vendors)
        except (ValueError, SettingsError) as exc:     # FixtureError is a ValueError
            raise SessionError(f"vendor_options: {exc}") from None


def _clock_spec(clock: Any) -> dict:
    if clock is None:
        return {}
    if not isinstance(clock, Mapping):
        raise SessionError("clock must be an object: {\"now\": ISO 8601 instant, \"frozen\": bool}")
    unknown = sorted(set(clock) - {"now", "frozen"})
    if unknown:
        raise SessionError(f"clock: unknown fields {', '.join(unknown)}")
    out: dict[str, Any] = {}
    if clock.get("now") is not None:
        try:
            out["clock_start"] = check_instant(parse_instant(clock["now"]))
        except (ValueError, TypeError) as exc:
            raise SessionError(f"clock.now: {exc}") from None
    frozen = clock.get("frozen")
    if frozen is not None:
        if not isinstance(frozen, bool):
            raise SessionError("clock.frozen must be true or false")
        out["clock_frozen"] = frozen
    return out


def _transitions(world, transitions: Any) -> dict:
    if transitions is None:
        return {}
    if not isinstance(transitions, Mapping):
        raise SessionError("transitions must map a job kind to a policy object")
    out = {}
    for key, policy in transitions.items():
        kind = world.kinds.get(key)
        if kind is None:
            raise SessionError(f"transitions: no job kind {key!r}; known: {', '.join(sorted(world.kinds))}")
        try:
            parse_policy(kind, policy, default_policy(kind, world.settings.timings))
        except ValueError as exc:
            raise SessionError(f"transitions.{key}: {exc}") from None
        out[key] = dict(policy)
    return out


# -- describing --------------------------------------------------------------------------------------
_RECORD_SAMPLE = 8
_SESSION_BASE_BYTES = 24_000      # an empty session (objects, locks, agendas), measured with tracemalloc
_JOURNAL_ENTRY_BYTES = 400


def _deep_size(value: Any) -> int:
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(_deep_size(k) + _deep_size(v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        size += sum(_deep_size(v) for v in value)
    return size


def estimate_bytes(session: Session) -> int:
    """An estimate of the memory a session holds: its records (sampled) and its journal."""
    total = _SESSION_BASE_BYTES
    with session.store.lock:
        for name in session.store.names():
            records = session.store.collection(name)
            if not records:
                continue
            sample = [r for _, r in zip(range(_RECORD_SAMPLE), records.values())]
            total += len(records) * (sum(_deep_size(r) for r in sample) // len(sample) + 100)
    total += session.journal.kept_bytes() + len(session.journal) * _JOURNAL_ENTRY_BYTES
    return total


def describe(session: Session) -> dict[str, Any]:
    registry = getattr(session, "registry", None)
    idle = time.monotonic() - session.last_used
    default = registry is not None and session is registry.default
    ttl = None if default or registry is None else registry.ttl
    return {
        "id": session.id,
        "default": default,
        "created": iso(datetime.fromtimestamp(session.created, timezone.utc)),
        "last_used": iso(datetime.fromtimestamp(time.time() - idle, timezone.utc)),
        "expires_in": None if ttl is None else max(0.0, round(ttl - idle, 3)),
        "seed": session.seed,
        "clock": session.clock.state(),
        "jobs": len(session.store.collection("_jobs")),
        "memory_bytes": estimate_bytes(session),
        "port": session.port,
    }
