"""Control operations on the registry of sessions: create or name one, list, describe, delete."""
from __future__ import annotations

from typing import Any

from .control import ControlError
from .sessions import PREFIX, SessionError, Sessions

ABOUT = ("sessions are isolated mock worlds on this server, each with its own clock, jobs, tokens, "
         "faults and journal: PUT /_mockcdr/sessions/{id} and use http://host:port/_s/{id} as the base URL")


def _base(session, host_url: str) -> str:
    if session.registry is not None and session is session.registry.default:
        return host_url
    return f"{host_url}{PREFIX}{session.id}"


def document(session, host_url: str, port_url: str | None = None) -> dict:
    doc = session.describe()
    doc["base_url"] = _base(session, host_url)
    node = getattr(getattr(session.registry, "settings", None), "node", None)
    if node is not None:
        doc["node"] = node
    if session.port is not None and port_url is not None:
        doc["port_url"] = port_url
    start = session.start
    doc["start"] = {"seed": start.seed, "calls_per_day": start.calls_per_day,
                    "clock": {"now": start.clock_start.isoformat() if start.clock_start else None,
                              "frozen": start.clock_frozen},
                    "transitions": {k: dict(v) for k, v in start.transitions.items()}}
    return doc


def _control_error(exc: SessionError) -> ControlError:
    return ControlError(str(exc), exc.status)


def put_session(sessions: Sessions, session_id: str, body: Any) -> tuple[Any, bool]:
    try:
        return sessions.create(session_id, body)
    except SessionError as exc:
        raise _control_error(exc) from None


def create_session(sessions: Sessions, body: Any) -> Any:
    try:
        return sessions.create(None, body)[0]
    except SessionError as exc:
        raise _control_error(exc) from None


def get_session(sessions: Sessions, session_id: str):
    session = sessions.get(session_id)
    if session is None:
        raise ControlError(f"no session {session_id!r}", 404)
    return session


def delete_session(sessions: Sessions, session_id: str) -> dict:
    try:
        if not sessions.delete(session_id):
            raise ControlError(f"no session {session_id!r}", 404)
    except SessionError as exc:
        raise _control_error(exc) from None
    return {"deleted": session_id}
