"""One-time and time-limited tokens on the virtual clock; a one-time token is redeemed exactly once."""
from __future__ import annotations

from datetime import datetime, timedelta

from .agenda import Agenda
from .clock import Clock
from .ids import Ids
from .store import Store

TOKENS = "_tokens"
TOKEN_SHAPE = dict(kind=str, value=str, data=dict, issued_at=datetime, expires_at=(datetime, type(None)),
                   uses_left=(int, type(None)), revoked=bool)
GRACE_SECONDS = 3600.0     # how long an expired token is still known as expired before it is pruned


class TokenError(Exception):
    """Why a token was refused: ``reason`` is ``unknown``, ``expired``, ``used`` or ``revoked``."""

    def __init__(self, reason: str, token: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.token = token


class Tokens:
    """Tokens live in the store (so reset and snapshot cover them), keyed by ``kind:value``.

    ``uses=1`` makes a one-time token; ``uses=None`` a bearer token valid until it expires.
    ``ttl=None`` never expires. All checks and the use count change under the store lock.
    A token that expired more than ``grace`` seconds ago is pruned (then it reads as unknown):
    each expiring token sits in an Agenda, so ``prune()`` pays only for what is due.
    """

    def __init__(self, store: Store, clock: Clock, ids: Ids, agenda: Agenda | None = None,
                 grace: float = GRACE_SECONDS):
        self.store = store
        self.clock = clock
        self.ids = ids
        self.agenda = agenda if agenda is not None else Agenda()
        self.grace = grace

    @staticmethod
    def _key(kind: str, value: str) -> str:
        return f"{kind}:{value}"

    def issue(self, kind: str, data: dict | None = None, ttl: timedelta | None = None,
              uses: int | None = 1, value: str | None = None, length: int = 32) -> dict:
        now = self.clock.now()
        token = {
            "kind": kind,
            "value": value or self.ids.hex(f"token:{kind}", length),
            "data": dict(data or {}),
            "issued_at": now,
            "expires_at": now + ttl if ttl is not None else None,
            "uses_left": uses,
            "revoked": False,
        }
        key = self._key(kind, token["value"])
        self.store.put(TOKENS, key, token)
        if token["expires_at"] is not None:
            self.agenda.schedule(token["expires_at"].timestamp() + self.grace, "token", key)
        return token

    def expire_at(self, token: dict, at: datetime) -> None:
        """Set when a live token expires (e.g. from the instant a report was made)."""
        with self.store.lock:
            token["expires_at"] = at
            self.agenda.schedule(at.timestamp() + self.grace, "token", self._key(token["kind"], token["value"]))

    def prune(self) -> int:
        """Drop tokens expired for longer than the grace period; returns how many were dropped."""
        now_ts = self.clock.timestamp()
        due = self.agenda.next_due()
        if due is None or now_ts < due:
            return 0
        dropped = 0
        with self.store.lock:
            while (item := self.agenda.pop(now_ts)) is not None:
                token = self.store.get(TOKENS, item[2])
                if token is None or token["expires_at"] is None:
                    continue
                until = token["expires_at"].timestamp() + self.grace
                if now_ts >= until:
                    self.store.delete(TOKENS, item[2])
                    dropped += 1
                else:                  # extended since: look again when it has run out
                    self.agenda.schedule(until, "token", item[2])
        return dropped

    def rebuild(self) -> None:
        """Schedule every expiring token afresh (after a reset or a restore replaced the store)."""
        with self.store.lock:
            self.agenda.clear()
            for key, token in self.store.collection(TOKENS).items():
                if token["expires_at"] is not None:
                    self.agenda.schedule(token["expires_at"].timestamp() + self.grace, "token", key)

    def _check(self, kind: str, value: str, now: datetime) -> dict:
        token = self.store.get(TOKENS, self._key(kind, value)) if value else None
        if token is None:
            raise TokenError("unknown")
        if token["revoked"]:
            raise TokenError("revoked", token)
        if token["expires_at"] is not None and now >= token["expires_at"]:
            raise TokenError("expired", token)
        if token["uses_left"] is not None and token["uses_left"] <= 0:
            raise TokenError("used", token)
        return token

    def check(self, kind: str, value: str) -> dict:
        """The live token, without spending a use; raises TokenError."""
        with self.store.lock:
            return self._check(kind, value, self.clock.now())

    def redeem(self, kind: str, value: str) -> dict:
        """Spend one use; of many concurrent redeems of a one-time token exactly one succeeds."""
        with self.store.lock:
            token = self._check(kind, value, self.clock.now())
            if token["uses_left"] is not None:
                token["uses_left"] -= 1
            return token

    def touch(self, kind: str, value: str, ttl: timedelta) -> dict:
        """Extend a live token so it expires ``ttl`` from now (sliding sessions)."""
        with self.store.lock:
            now = self.clock.now()
            token = self._check(kind, value, now)
            token["expires_at"] = now + ttl
            return token

    def revoke(self, kind: str, value: str) -> bool:
        with self.store.lock:
            token = self.store.get(TOKENS, self._key(kind, value))
            if token is None or token["revoked"]:
                return False
            token["revoked"] = True
            return True

    def find(self, kind: str, **match) -> list[dict]:
        """Tokens of a kind whose data contains every ``match`` item."""
        return [t for t in self.store.values(TOKENS)
                if t["kind"] == kind and all(t["data"].get(k) == v for k, v in match.items())]
