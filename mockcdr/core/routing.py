"""Which session a request belongs to: ``/_s/{id}/...`` (the prefix moves into SCRIPT_NAME) or the root."""
from __future__ import annotations

import json

from .forwarded import trusted_proxies
from .sessions import PREFIX, Sessions, valid_id

SESSION_KEY = "mockcdr.session"


def _not_found(start_response, message: str):
    body = json.dumps({"error": {"kind": "no_session", "message": message}}).encode()
    start_response("404 NOT FOUND", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class SessionRouter:
    """WSGI middleware in front of the Flask app.

    ``/_s/{id}/rest`` is served as ``/rest`` of session ``id`` with ``/_s/{id}`` appended to
    SCRIPT_NAME, so every URL the app builds from the request (file URLs, report URLs, links,
    ``Location``) carries the prefix. Other paths belong to the default session, or to ``fixed``
    (the session a port of its own serves). A trusted proxy's X-Forwarded-* headers are applied
    first (``Settings.trusted_proxies``), so its host, scheme and prefix come before ``/_s/{id}``.
    """

    def __init__(self, app, sessions: Sessions, fixed=None):
        self.app = app
        self.sessions = sessions
        self.fixed = fixed
        self.forwarded = trusted_proxies(getattr(sessions.settings, "trusted_proxies", ()))

    def __call__(self, environ, start_response):
        if self.forwarded is not None:
            self.forwarded(environ)
        fixed = self.fixed
        if fixed is not None:
            if fixed.closed:
                return _not_found(start_response, f"session {fixed.id!r} was deleted")
            fixed.touch()
            environ[SESSION_KEY] = fixed
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            session_id, slash, rest = path[len(PREFIX):].partition("/")
            session = self.sessions.get(session_id) if valid_id(session_id) else None
            if session is None:
                return _not_found(start_response, f"no session {session_id!r}; create it with "
                                                  f"PUT /_mockcdr/sessions/{session_id}")
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + PREFIX + session_id
            environ["PATH_INFO"] = slash + rest if slash else "/"
        else:
            session = self.sessions.default
        environ[SESSION_KEY] = session
        return self.app(environ, start_response)
