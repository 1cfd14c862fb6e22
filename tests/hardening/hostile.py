"""Helpers for the hardening tests: an app with every vendor, and a logged-in request per vendor."""
from __future__ import annotations

import base64
import hashlib

from mockcdr.app import create_app
from mockcdr.settings import Settings

JSONAPI = "application/vnd.api+json"
DIDWW_KEY = "didww-test-globex-51a7c9d2"                              # fixtures/default/didww.yaml
TELNYX_KEY = "KEYFAKEACME00000000000000000001_FakeSecretAcme0001"     # fixtures/default/telnyx.yaml
YETI = "/api/rest/customer/v1"
YETI_LOGIN = {"login": "acme-api", "password": "acme-fake-password"}  # fixtures/default/yeti.yaml
MOR = "/billing/api/v2"
MOR_USER = ("acme_admin", "acme-admin-FAKE-pass")                    # fixtures/default/mor.yaml
YEASTAR_LOGIN = {"username": "acme-api", "password": hashlib.md5(b"acme-fake-api-pass").hexdigest(),
                 "port": "8260"}                                      # fixtures/default/yeastar.yaml


def make_app(**settings):
    base = dict(seed="hardening", clock_start="2026-04-20T12:00:00Z", clock_frozen=True)
    app = create_app(Settings(**{**base, **settings}))
    app.config["TESTING"] = True
    return app


def yeti_jwt(client) -> str:
    return client.post(f"{YETI}/auth", json={"auth": YETI_LOGIN}).get_json()["jwt"]


def mor_tokens(client, user=MOR_USER) -> dict:
    basic = base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
    return client.post(f"{MOR}/authentication/login", headers={"Authorization": f"Basic {basic}"}).get_json()


def yeastar_token(client, version: str = "v1.1.0") -> str:
    return client.post(f"/api/{version}/login", json=YEASTAR_LOGIN).get_json()["token"]


def json_operations(client) -> list[tuple[str, str, str, dict]]:
    """(vendor, method, path, headers) of an operation per vendor that reads a JSON body, logged in."""
    yeti = yeti_jwt(client)
    mor = mor_tokens(client)["token"]
    token = yeastar_token(client)
    return [
        ("didww", "POST", "/v3/exports", {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI,
                                          "X-DIDWW-API-Version": "2026-04-16"}),
        ("telnyx", "POST", "/reporting/cdr_requests", {"Authorization": f"Bearer {TELNYX_KEY}",
                                                       "Content-Type": "application/json"}),
        ("telnyx", "POST", "/v2/legacy/reporting/batch_detail_records/voice",
         {"Authorization": f"Bearer {TELNYX_KEY}", "Content-Type": "application/json"}),
        ("yeti", "POST", f"{YETI}/auth", {"Content-Type": "application/json"}),
        ("yeti", "POST", f"{YETI}/cdr-exports", {"Authorization": yeti, "Content-Type": JSONAPI}),
        ("mor", "POST", f"{MOR}/automatic_cdr_exports", {"Authorization": f"Bearer {mor}",
                                                         "Content-Type": "application/json"}),
        ("mor", "POST", f"{MOR}/authentication/refresh", {"Content-Type": "application/json"}),
        ("yeastar", "POST", "/api/v1.1.0/login", {"Content-Type": "application/json"}),
        ("yeastar", "POST", f"/api/v1.1.0/cdr/get_random?token={token}", {"Content-Type": "application/json"}),
        ("control", "POST", "/_mockcdr/faults", {"Content-Type": "application/json"}),
        ("control", "PUT", "/_mockcdr/clock", {"Content-Type": "application/json"}),
        ("control", "POST", "/_mockcdr/snapshot", {"Content-Type": "application/json"}),
    ]
