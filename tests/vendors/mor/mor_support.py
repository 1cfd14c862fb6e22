"""Helpers for the MOR tests: an app on a frozen virtual clock and a logged-in API client."""
from __future__ import annotations

import base64
from datetime import timedelta

from mockcdr.app import create_app
from mockcdr.settings import Settings

START = "2026-06-10T10:00:00Z"     # a Wednesday
PREFIX = "/api/v2"
PASSWORDS = {
    "acme_admin": "acme-admin-FAKE-pass", "acme_auditor": "acme-auditor-FAKE-pass",
    "acme_accountant": "acme-accountant-FAKE-pass", "acme_wholesale": "acme-wholesale-FAKE-pass",
    "globex_admin": "globex-admin-FAKE-pass", "initech_admin": "initech-admin-FAKE-pass",
}
QUICK_START = {
    "name": "Wholesale ACME monthly CDR", "period": "monthly", "timezone": "London",
    "cdr_export_at_time": "02:00:00", "monthly_export_day": 1, "template_id": 5,
    "send_cdr_to": "user", "send_to_user_id": 123, "query": {"s_user_id": 123, "s_call_type": "all"},
    "filename_prefix": "ACME_", "archive_extension": "tgz", "active": True,
}


def basic(username: str, password: str | None = None) -> dict:
    raw = f"{username}:{password if password is not None else PASSWORDS[username]}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


class Api:
    """A test client that logs in as one user and sends its Bearer token on every call."""

    def __init__(self, client, rt, username: str = "acme_admin", prefix: str = PREFIX):
        self.client = client
        self.rt = rt
        self.prefix = prefix
        self.username = username
        self.login()

    def login(self):
        resp = self.client.post(f"{self.prefix}/authentication/login", headers=basic(self.username))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        self.tokens = resp.get_json()
        return self.tokens

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['token']}"}

    def call(self, method: str, path: str, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.open(f"{self.prefix}{path}", method=method, headers=headers, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.call("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def create(self, **fields):
        resp = self.post("/automatic_cdr_exports", json={**QUICK_START, **fields})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return resp.get_json()["automatic_cdr_export"]

    def advance(self, **delta):
        """Move the virtual clock, then log in again (tokens live 15 virtual minutes)."""
        self.rt.clock.advance(timedelta(**delta))
        self.login()


def make_app(**settings):
    options = settings.pop("options", None)
    base = dict(vendors=("mor",), seed="mor-tests", clock_start=START, clock_frozen=True)
    base.update(settings)
    if options:
        base["vendor_options"] = {"mor": options}
    app = create_app(Settings(**base))
    app.config["TESTING"] = True
    return app
