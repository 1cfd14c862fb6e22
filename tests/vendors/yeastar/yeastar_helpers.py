"""Helpers for the yeastar tests: settings, and a client of the in-process app that speaks like real clients."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from mockcdr.settings import Settings

V1 = "/api/v1.1.0"
V2 = "/api/v2.0.0"
USER, PASSWORD = "acme-api", "acme-fake-api-pass"        # fixtures/default/yeastar.yaml
DAY = ("2026-03-01 00:00:00", "2026-03-01 23:59:59")


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def yeastar_settings(**options) -> Settings:
    return Settings(vendors=("yeastar",), seed="yeastar-tests", clock_start="2026-03-02T12:00:00Z",
                    vendor_options={"yeastar": options} if options else {})


class Pbx:
    """The in-process app, driven the way the reference clients drive a PBX."""

    def __init__(self, app, base: str = V1):
        self.app = app
        self.client = app.test_client()
        self.rt = app.extensions["mockcdr"]
        self.base = base
        self.ext_param = "extid" if base == V1 else "number"

    def advance(self, **delta) -> None:
        self.rt.clock.advance(timedelta(**delta))

    def post(self, path: str, body=None, **kw):
        return self.client.post(self.base + path, json=body, **kw)

    def login(self, username: str = USER, password: str = PASSWORD, port="8260", **kw):
        body = {"username": username, "password": md5(password), "port": port}
        return self.post("/login", body, **kw)

    def token(self, username: str = USER, password: str = PASSWORD, **kw) -> str:
        resp = self.login(username, password, **kw)
        assert resp.status_code == 200 and resp.json["status"] == "Success", resp.json
        return resp.json["token"]

    def get_random(self, token: str, extid: str = "all", window=DAY, environ_base=None, **extra):
        body = {self.ext_param: extid, "starttime": window[0], "endtime": window[1], **extra}
        return self.post(f"/cdr/get_random?token={token}", body, environ_base=environ_base or {})

    def random(self, token: str, extid: str = "all", window=DAY, **extra) -> str:
        resp = self.get_random(token, extid, window, **extra)
        assert resp.json["status"] == "Success", resp.json
        return resp.json["random"]

    def download(self, token: str, random: str, extid: str = "all", window=DAY, method: str = "GET",
                 **kw):
        query = {self.ext_param: extid, "starttime": window[0], "endtime": window[1],
                 "token": token, "random": random}
        return self.client.open(self.base + "/cdr/download", method=method, query_string=query, **kw)

    def csv(self, extid: str = "all", window=DAY, token: str | None = None) -> str:
        """The whole flow: (login,) get_random, download; the CSV text."""
        token = token or self.token()
        resp = self.download(token, self.random(token, extid, window), extid, window)
        assert resp.status_code == 200 and resp.mimetype == "text/csv", resp.data[:200]
        return resp.get_data(as_text=True)


def failed(resp) -> str:
    """The errno of a Yeastar failure (asserting it is one, on HTTP 200)."""
    assert resp.status_code == 200, resp.status
    assert resp.mimetype == "application/json", resp.mimetype
    body = resp.json
    assert body["status"] == "Failed" and set(body) == {"status", "errno"}, body
    return body["errno"]
