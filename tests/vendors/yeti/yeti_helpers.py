"""Shared by the yeti tests: fixture constants, a create-document builder, a request helper."""
from __future__ import annotations

import csv
import gzip
import io
import json

BASE = "/api/rest/customer/v1"
JSONAPI = "application/vnd.api+json"
START = "2026-07-18T10:00:00Z"
ACME_PRIMARY = "45c9f55f-fe50-42d5-92c8-c9745d696cf8"
ACME_BACKUP = "33f6fc99-931a-457b-be89-862b85d893b5"
GLOBEX = "7e9fce3d-b3db-41f3-9398-28a8ffe505c6"
ACME = ("acme-api", "acme-fake-password")
ACME_PRIMARY_ONLY = ("acme-primary-only", "acme-fake-password-2")
GLOBEX_LOGIN = ("globex-api", "globex-fake-password")


def export_body(account=ACME_PRIMARY, filters=None, **attributes) -> dict:
    """A create document; ``attributes`` use python names (time_format -> time-format)."""
    attrs = {"filters": filters if filters is not None else
             {"time_start_gteq": "2026-07-15 00:00:00", "time_start_lt": "2026-07-16 00:00:00"}}
    attrs.update({k.replace("_", "-"): v for k, v in attributes.items()})
    body = {"data": {"type": "cdr-exports", "attributes": attrs}}
    if account is not None:
        body["data"]["relationships"] = {"account": {"data": {"type": "accounts", "id": account}}}
    return body


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(gzip.decompress(data).decode("utf-8"))))


class Yeti:
    """Requests against the app as a yeti client makes them."""

    def __init__(self, client, rt):
        self.client = client
        self.rt = rt
        self.jwt = None

    def login(self, credentials=ACME, **kw):
        r = self.client.post(f"{BASE}/auth", json={"auth": {"login": credentials[0], "password": credentials[1]}},
                             **kw)
        assert r.status_code == 201, r.data
        self.jwt = r.get_json()["jwt"]
        return self.jwt

    def headers(self, jwt=None, **extra):
        h = {"Authorization": jwt or self.jwt, "Accept": JSONAPI}
        h.update(extra)
        return h

    def get(self, path, jwt=None, **kw):
        return self.client.get(f"{BASE}{path}", headers=self.headers(jwt), **kw)

    def post(self, path, body, jwt=None, content_type=JSONAPI, **kw):
        headers = self.headers(jwt, **{"Content-Type": content_type})
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(f"{BASE}{path}", data=data, headers=headers, **kw)

    def create(self, jwt=None, **kw):
        r = self.post("/cdr-exports", export_body(**kw), jwt=jwt)
        assert r.status_code == 201, r.data
        return r.get_json()["data"]

    def complete(self, export_id):
        self.rt.lifecycle.force(export_id, "Completed")

    def download(self, export_id, jwt=None):
        return self.client.get(f"{BASE}/cdr-exports/{export_id}/download",
                               headers={"Authorization": jwt or self.jwt})
