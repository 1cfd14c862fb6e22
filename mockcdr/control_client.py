"""ControlClient: a typed wrapper of the /_mockcdr API; method names are the operationIds."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from typing import Any, Literal, TypedDict

from . import verification
from .verification import Where

PREFIX = "/_mockcdr"
TOKEN_ENV = "MOCKCDR_CONTROL_TOKEN"
FaultKind = Literal["error", "latency", "rate_limit", "truncate", "corrupt_gzip", "drop"]


class ClockState(TypedDict):
    now: str
    frozen: bool
    offset_seconds: float


class ControlAPIError(Exception):
    """The control API refused a call; ``status`` and ``message`` say why."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _headers(token: str | None, body: bool) -> dict:
    headers = {"Content-Type": "application/json"} if body else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


class _HTTP:
    def __init__(self, base_url: str, timeout: float, token: str | None):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def __call__(self, method: str, path: str, query: dict, body: Any) -> tuple[int, bytes, str]:
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers=_headers(self.token, data is not None))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")


class _InProcess:
    def __init__(self, app, token: str | None, prefix: str = ""):
        self.app = app
        self.prefix = prefix
        self.client = app.test_client()
        self.token = token

    def __call__(self, method: str, path: str, query: dict, body: Any) -> tuple[int, bytes, str]:
        resp = self.client.open(self.prefix + path, method=method, query_string=query or None,
                                json=body if body is not None else None, headers=_headers(self.token, False))
        return resp.status_code, resp.get_data(), resp.content_type or ""


def _duration(value: str | int | float | timedelta) -> str | float:
    return value.total_seconds() if isinstance(value, timedelta) else value


def _instant(value: str | datetime) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


class ControlClient:
    """``ControlClient("http://127.0.0.1:8080")`` for a live server or container, or
    ``ControlClient.for_app(app)`` for an in-process app. Errors raise ControlAPIError.

    ``token`` is the server's control token, sent as a bearer token on every call; it defaults
    to ``$MOCKCDR_CONTROL_TOKEN`` (and, for ``for_app``, to the app's own setting).
    """

    def __init__(self, base_url: str, timeout: float = 10.0, token: str | None = None):
        self._send = _HTTP(base_url, timeout, token or os.environ.get(TOKEN_ENV) or None)

    session_id: str | None = None

    @property
    def token(self) -> str | None:
        """The control token this client sends (None: none)."""
        return self._send.token

    @classmethod
    def for_app(cls, app, token: str | None = None) -> "ControlClient":
        client = cls.__new__(cls)
        client._send = _InProcess(app, token or app.extensions["mockcdr"].settings.control_token)
        return client

    def _call(self, verb: str, path: str, body: Any = None, raw: bool = False, /, **query) -> Any:
        query = {k: v for k, v in query.items() if v is not None}
        status, data, content_type = self._send(verb, PREFIX + path, query, body)
        if status >= 400:
            try:
                message = json.loads(data)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = data.decode("utf-8", "replace")
            raise ControlAPIError(status, message)
        if raw:
            return data
        return json.loads(data) if data else None

    # -- server ----------------------------------------------------------------------
    def health(self) -> dict:
        return self._call("GET", "/health")

    def info(self) -> dict:
        return self._call("GET", "/info")

    def get_spec(self, name: str) -> str:
        return self._call("GET", f"/openapi/{name}.yaml", None, True).decode("utf-8")

    def reset(self, seed: str | None = None) -> dict:
        return self._call("POST", "/reset", {"seed": seed} if seed is not None else None)

    def set_seed(self, seed: str) -> dict:
        return self._call("POST", "/seed", {"seed": seed})

    def get_snapshot(self) -> dict:
        return self._call("GET", "/snapshot")

    def restore_snapshot(self, snapshot: dict) -> dict:
        return self._call("POST", "/snapshot", snapshot)

    # -- clock -------------------------------------------------------------------------
    def get_clock(self) -> ClockState:
        return self._call("GET", "/clock")

    def set_clock(self, now: str | datetime, frozen: bool | None = None) -> ClockState:
        body: dict = {"now": _instant(now)}
        if frozen is not None:
            body["frozen"] = frozen
        return self._call("PUT", "/clock", body)

    def advance_clock(self, by: str | int | float | timedelta) -> ClockState:
        """``by``: seconds, a timedelta, or an ISO 8601 duration such as ``"PT1H"``."""
        return self._call("POST", "/clock/advance", {"by": _duration(by)})

    def freeze_clock(self, at: str | datetime | None = None) -> ClockState:
        return self._call("POST", "/clock/freeze", {"at": _instant(at)} if at is not None else None)

    def unfreeze_clock(self) -> ClockState:
        return self._call("POST", "/clock/unfreeze")

    # -- transitions and jobs -------------------------------------------------------------
    def list_transitions(self, vendor: str | None = None) -> list[dict]:
        return self._call("GET", "/transitions", vendor=vendor)

    def set_transition(self, kind: str, mode: str | None = None, *, seconds: dict | None = None,
                       polls: int | None = None, outcome: str | None = None) -> dict:
        body = {k: v for k, v in {"mode": mode, "seconds": seconds, "polls": polls,
                                  "outcome": outcome}.items() if v is not None}
        return self._call("PUT", f"/transitions/{kind}", body)

    def list_jobs(self, vendor: str | None = None, kind: str | None = None,
                  state: str | None = None, tenant: str | None = None, limit: int | None = None) -> list[dict]:
        return self._call("GET", "/jobs", vendor=vendor, kind=kind, state=state, tenant=tenant, limit=limit)

    def get_job(self, job_id: str) -> dict:
        return self._call("GET", f"/jobs/{job_id}")

    def get_job_file(self, job_id: str) -> bytes:
        """The file the job's vendor download serves now (no credentials, no one-time use spent)."""
        return self._call("GET", f"/jobs/{job_id}/file", None, True)

    def force_job_state(self, job_id: str, state: str) -> dict:
        return self._call("POST", f"/jobs/{job_id}/state", {"state": state})

    # -- faults ---------------------------------------------------------------------------------
    def list_faults(self, vendor: str | None = None) -> list[dict]:
        return self._call("GET", "/faults", vendor=vendor)

    def add_fault(self, vendor: str, kind: FaultKind, *, operation: str | None = None,
                  count: int | None = None, status: int | None = None, detail: str | None = None,
                  code: str | int | None = None, latency_ms: int | None = None,
                  retry_after: int | None = None, after_bytes: int | None = None) -> dict:
        """Queue a fault (``count`` uses) or set one until cleared (``count=None``)."""
        body = {k: v for k, v in {"vendor": vendor, "kind": kind, "operation": operation,
                                  "count": count, "status": status, "detail": detail, "code": code,
                                  "latency_ms": latency_ms, "retry_after": retry_after,
                                  "after_bytes": after_bytes}.items() if v is not None}
        return self._call("POST", "/faults", body)

    def clear_faults(self, vendor: str | None = None) -> dict:
        return self._call("DELETE", "/faults", vendor=vendor)

    def delete_fault(self, fault_id: int) -> dict:
        return self._call("DELETE", f"/faults/{fault_id}")

    # -- journal and deliveries ------------------------------------------------------------------
    def get_journal(self, vendor: str | None = None, operation: str | None = None,
                    status: int | None = None, method: str | None = None, since: int | None = None,
                    limit: int | None = None) -> dict:
        return self._call("GET", "/journal", vendor=vendor, operation=operation, status=status,
                          method=method, since=since, limit=limit)

    def clear_journal(self) -> dict:
        return self._call("DELETE", "/journal")

    # -- coverage and verification ------------------------------------------------------------------
    def get_coverage(self, vendor: str | None = None) -> dict:
        """Every documented operation, response and kind of the session's vendors, with hits."""
        return self._call("GET", "/coverage", vendor=vendor)

    def clear_coverage(self) -> dict:
        return self._call("DELETE", "/coverage")

    def verify(self, vendor: str, operation: str, count: int | None = None, status: int | None = None,
               where: Where = None) -> int:
        """Assert that ``operation`` (an operationId of the vendor's spec) received ``count``
        requests (None: at least one), answered ``status`` if given, matching ``where`` if given
        (a callable on a journal entry, or a mapping of entry fields such as ``tenant`` or
        ``request.body`` to values or predicates). Returns how many did; raises an AssertionError
        listing the near misses (same operation, other status; same path, other method)."""
        __tracebackhide__ = True
        doc = self.get_coverage(vendor)
        journal = None
        if where is not None:          # ``where`` sees the requests as they were sent (not masked)
            journal = self._call("GET", "/journal", vendor=vendor, operation=operation, reveal="true")["entries"]
        return verification.verify(doc, vendor, operation, count=count, status=status, where=where,
                                   journal=journal)

    def list_deliveries(self, vendor: str | None = None, channel: str | None = None,
                        state: str | None = None, limit: int | None = None) -> list[dict]:
        return self._call("GET", "/deliveries", vendor=vendor, channel=channel, state=state, limit=limit)

    def get_delivery(self, delivery_id: int | str) -> dict:
        return self._call("GET", f"/deliveries/{delivery_id}")

    def get_delivery_file(self, delivery_id: int | str) -> bytes:
        return self._call("GET", f"/deliveries/{delivery_id}/file", None, True)

    def run_deliveries(self) -> dict:
        return self._call("POST", "/deliveries/run")

    def clear_deliveries(self) -> dict:
        return self._call("DELETE", "/deliveries")

    # -- sessions ------------------------------------------------------------------------------------
    def list_sessions(self, scope: Literal["cluster", "node"] | None = None) -> list[dict]:
        """Every session; behind a proxy (a cluster), every node's unless ``scope="node"``."""
        return self._call("GET", "/sessions", scope=scope)

    def get_cluster(self, scope: Literal["cluster", "node"] | None = None) -> dict:
        """Each node of the cluster and whether it answers (a degraded cluster is returned, not raised)."""
        status, data, _type = self._send("GET", PREFIX + "/cluster", {"scope": scope} if scope else {}, None)
        if status not in (200, 503):
            raise ControlAPIError(status, data.decode("utf-8", "replace"))
        return json.loads(data)

    def create_session(self, **spec) -> dict:
        """A new session with a generated id; ``spec``: seed, clock, calls_per_day,
        vendor_options, transitions, port. The answer holds its ``id`` and ``base_url``."""
        return self._call("POST", "/sessions", spec or None)

    def put_session(self, session_id: str, **spec) -> dict:
        """The session named ``session_id``, created with ``spec`` unless it exists."""
        return self._call("PUT", f"/sessions/{session_id}", spec or None)

    def get_session(self, session_id: str) -> dict:
        return self._call("GET", f"/sessions/{session_id}")

    def delete_session(self, session_id: str) -> dict:
        return self._call("DELETE", f"/sessions/{session_id}")

    def session(self, session_id: str | None = None, **spec) -> "ControlClient":
        """A ControlClient for a session of this server (named, or new with a generated id)."""
        doc = self.put_session(session_id, **spec) if session_id else self.create_session(**spec)
        if isinstance(self._send, _InProcess):
            client = ControlClient.__new__(ControlClient)
            client._send = _InProcess(self._send.app, self._send.token, f"/_s/{doc['id']}")
        else:
            client = ControlClient(doc["base_url"], self._send.timeout, self._send.token)
        client.session_id = doc["id"]
        return client
