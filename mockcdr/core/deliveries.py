"""What the server sends out (callbacks, scheduled files): queued, attempted with backoff, listed."""
from __future__ import annotations

import http.client
import threading
import urllib.parse
from datetime import datetime, timedelta
from typing import Callable

from .agenda import Agenda
from .clock import Clock
from .ids import Ids
from .store import Store

DELIVERIES = "_deliveries"
DELIVERY_SHAPE = dict(id=int, vendor=str, channel=str, target=str, payload=dict, created_at=datetime,
                      state=str, attempts=list, next_attempt_at=(datetime, type(None)), file=(dict, type(None)),
                      source=(dict, type(None)))
DEFAULT_BACKOFF = (0, 10, 30, 60, 120, 300)   # seconds on the virtual clock before attempt n


def http_send(method: str, url: str, form: dict | None, headers: dict, timeout: float) -> tuple[int | None, str]:
    """One HTTP attempt; returns (status or None, a short outcome text).

    http.client, not urllib: header names go on the wire exactly as given (urllib would turn
    ``X-DIDWW-Signature`` into ``X-didww-signature``).
    """
    body = None
    if method.upper() == "GET":
        if form:
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = url + sep + urllib.parse.urlencode(form)
    else:
        body = urllib.parse.urlencode(form or {}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, f"ValueError: not an http(s) URL: {url!r}"
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = conn_class(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method.upper(), target, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read(65536)
        return resp.status, f"HTTP {resp.status}"
    except Exception as exc:  # connection refused, timeout, TLS...
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


class Deliveries:
    """HTTP deliveries are attempted when due (never under the store lock); other channels
    (mailboxes, FTP outboxes) are recorded with their outcome at once."""

    def __init__(self, store: Store, clock: Clock, ids: Ids, timeout: float = 5.0,
                 send: Callable = http_send, agenda: Agenda | None = None):
        self.store = store
        self.clock = clock
        self.ids = ids
        self.agenda = agenda if agenda is not None else Agenda()   # pending HTTP attempts by due time
        self.timeout = timeout
        self.send = send
        self._attempt_lock = threading.Lock()

    def _new(self, vendor: str, channel: str, target: str, payload: dict, **extra) -> dict:
        now = self.clock.now()
        delivery = {"id": self.ids.integer("delivery"), "vendor": vendor, "channel": channel,
                    "target": target, "payload": payload, "created_at": now, "state": "pending",
                    "attempts": [], "next_attempt_at": now, "file": None, "source": None}
        delivery.update(extra)
        self.store.put(DELIVERIES, str(delivery["id"]), delivery)
        return delivery

    def enqueue_http(self, vendor: str, url: str, method: str, payload: dict, *,
                     headers: dict | None = None, source: dict | None = None,
                     backoff: tuple[int, ...] = DEFAULT_BACKOFF) -> dict:
        """Queue an HTTP call (form body for POST, query string for GET)."""
        with self.store.lock:
            delivery = self._new(vendor, "http", url, payload, method=method.upper(),
                                 headers=dict(headers or {}), backoff=list(backoff), source=source)
            self._schedule(delivery)
            return delivery

    def _schedule(self, d: dict) -> None:
        if d["state"] == "pending" and d["channel"] == "http" and d["next_attempt_at"] is not None:
            self.agenda.schedule(d["next_attempt_at"].timestamp(), "delivery", str(d["id"]))

    def record(self, vendor: str, channel: str, target: str, payload: dict, *, ok: bool,
               outcome: str, file: dict | None = None, source: dict | None = None) -> dict:
        """A delivery that succeeds or fails at once (mailbox, FTP/SFTP outbox)."""
        with self.store.lock:
            delivery = self._new(vendor, channel, target, payload, file=file, source=source)
            now = self.clock.now()
            delivery["attempts"].append({"at": now, "ok": ok, "status": None, "outcome": outcome})
            delivery["state"] = "delivered" if ok else "failed"
            delivery["next_attempt_at"] = None
            return delivery

    def list(self, vendor: str | None = None, channel: str | None = None, state: str | None = None) -> list[dict]:
        return [d for d in self.store.values(DELIVERIES)
                if (vendor is None or d["vendor"] == vendor)
                and (channel is None or d["channel"] == channel)
                and (state is None or d["state"] == state)]

    def get(self, delivery_id: int | str) -> dict | None:
        return self.store.get(DELIVERIES, str(delivery_id))

    def clear(self) -> int:
        with self.store.lock:
            coll = self.store.collection(DELIVERIES)
            n = len(coll)
            coll.clear()
            self.agenda.clear()
            return n

    def rebuild(self) -> None:
        """Schedule every pending attempt afresh (after a reset or a restore replaced the store)."""
        with self.store.lock:
            self.agenda.clear()
            for d in self.store.collection(DELIVERIES).values():
                self._schedule(d)

    def due(self) -> list[dict]:
        """The pending HTTP deliveries whose next attempt is due, oldest due first (taken off the
        agenda: each is attempted by whoever took it)."""
        now = self.clock.now()
        now_ts = now.timestamp()
        agenda = self.agenda
        first = agenda.next_due()
        if first is None or now_ts < first:
            return []
        out: dict[int, dict] = {}
        with self.store.lock:
            while (item := agenda.pop(now_ts)) is not None:
                d = self.get(item[2])
                if d is not None and d["state"] == "pending" and d["channel"] == "http" \
                        and d["next_attempt_at"] is not None and d["next_attempt_at"] <= now:
                    out[d["id"]] = d
        return list(out.values())

    def waiting(self) -> bool:
        """Whether an attempt is due now (a request that may not deliver itself asks the ticker)."""
        first = self.agenda.next_due()
        return first is not None and first <= self.clock.timestamp()

    def run_due(self) -> int:
        """Attempt every due HTTP delivery once; returns how many were attempted."""
        if not self._attempt_lock.acquire(blocking=False):
            return 0  # another thread is delivering; it will pick these up
        try:
            done = 0
            for delivery in self.due():
                self._attempt(delivery)
                done += 1
            return done
        finally:
            self._attempt_lock.release()

    def _attempt(self, d: dict) -> None:
        status, outcome = self.send(d["method"], d["target"], d["payload"], d["headers"], self.timeout)
        ok = status is not None and 200 <= status < 300
        with self.store.lock:
            if self.get(d["id"]) is not d:
                return  # reset or cleared while we were sending
            now = self.clock.now()
            d["attempts"].append({"at": now, "ok": ok, "status": status, "outcome": outcome})
            if ok:
                d["state"], d["next_attempt_at"] = "delivered", None
            elif len(d["attempts"]) >= len(d["backoff"]):
                d["state"], d["next_attempt_at"] = "failed", None
            else:
                d["next_attempt_at"] = now + timedelta(seconds=d["backoff"][len(d["attempts"])])
                self._schedule(d)
