"""The dashboard at /_mockcdr/ui/: a page over the control API, served from plain files shipped in the package."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Blueprint, Response, request

from ..core.http import json_response

PREFIX = "/_mockcdr/ui"
TYPES = {"html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
         "js": "text/javascript; charset=utf-8"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\.(html|css|js)$")
# Everything the page loads comes from this server: no CDN, no inline script, nothing framed.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_CACHE: dict[str, tuple[bytes, str]] = {}


def asset(name: str) -> tuple[bytes, str] | None:
    """(bytes, ETag) of a shipped file of the page, or None; read once per process."""
    if not _NAME.match(name):
        return None
    found = _CACHE.get(name)
    if found is None:
        path = Path(__file__).with_name(name)          # shipped beside this module
        if not path.is_file():
            return None
        data = path.read_bytes()
        found = _CACHE[name] = (data, hashlib.sha256(data).hexdigest()[:32])
    return found


def _serve(name: str) -> Response:
    found = asset(name)
    if found is None:
        return json_response({"error": {"kind": "not_found", "message": f"the dashboard has no file {name!r}"}},
                             status=404)
    data, etag = found
    resp = Response(data, content_type=TYPES[name.rsplit(".", 1)[1]])
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "no-cache"          # revalidate: an upgrade shows at once
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp.make_conditional(request)


def blueprint() -> Blueprint:
    bp = Blueprint("dashboard", __name__, url_prefix=PREFIX)

    @bp.get("", strict_slashes=True)
    def dashboard_redirect():
        # relative, so it holds under a session's prefix and behind a proxy that adds its own
        return Response(status=308, headers={"Location": "ui/"})

    @bp.get("/")
    def get_dashboard():
        return _serve("index.html")

    @bp.get("/<name>")
    def get_dashboard_file(name):
        return _serve(name)

    return bp
