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


YETI_ACCOUNT = "45c9f55f-fe50-42d5-92c8-c9745d696cf8"              # acme's account, default fixtures
DOWNLOADS = {"didww": "downloadExportFile", "telnyx": "downloadCdrReport", "yeti": "downloadCdrExport",
             "yeastar": "downloadCdr"}


def download(app, vendor: str, operation: str | None = None):
    """A fresh, ready file of ``vendor`` (jobs finish at once): the response of downloading it
    (through ``operation`` when the vendor has several download operations)."""
    client = app.test_client()
    rt = app.extensions["mockcdr"]
    for kind in rt.lifecycle.kinds:
        rt.lifecycle.set_policy(kind, {"mode": "immediate"})
    if vendor == "didww":
        headers = {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI, "X-DIDWW-API-Version": "2026-04-16"}
        export = client.post("/v3/exports", headers=headers, json={"data": {"type": "exports", "attributes": {
            "export_type": "cdr_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"}}}}).get_json()
        path = export["data"]["attributes"]["url"].removeprefix("http://localhost")
        return client.get(path, headers=headers)
    if vendor == "telnyx":
        job = client.post("/reporting/cdr_requests", headers={"Authorization": f"Bearer {TELNYX_KEY}"},
                          json={"start_time": "2026-04-18T00:00:00Z", "end_time": "2026-04-19T00:00:00Z",
                                "call_types": [1], "record_types": [1]}).get_json()
        return client.get(job["report_url"].removeprefix("http://localhost"))
    if vendor == "yeti":
        jwt = yeti_jwt(client)
        headers = {"Authorization": jwt, "Content-Type": JSONAPI}
        body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
            "time_start_gteq": "2026-04-15", "time_start_lt": "2026-04-16"}}, "relationships": {
                "account": {"data": {"type": "accounts", "id": YETI_ACCOUNT}}}}}
        export = client.post(f"{YETI}/cdr-exports", json=body, headers=headers).get_json()
        return client.get(f"{YETI}/cdr-exports/{export['data']['id']}/download", headers={"Authorization": jwt})
    if vendor == "yeastar":
        operation = operation or "downloadCdr"
        api, ext = ("v2.0.0", "number") if operation.endswith("V2") else ("v1.1.0", "extid")
        token = yeastar_token(client, api)
        window = {ext: "all", "starttime": "2026-04-18 00:00:00", "endtime": "2026-04-18 23:59:59"}
        random = client.post(f"/api/{api}/cdr/get_random?token={token}", json=window).get_json()["random"]
        return client.open(f"/api/{api}/cdr/download", method="POST" if "Post" in operation else "GET",
                           query_string={**window, "token": token, "random": random})
    raise LookupError(f"{vendor} serves no file download")
