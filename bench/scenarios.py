"""Per vendor: the credentials, jobs and requests of the HTTP bench (a status poll, a create, a small download).

``prepare(base)`` sets a running mock up through its vendors' own APIs and the control API:
tokens, one finished job per vendor (job kinds set to ``immediate`` first), MOR's delivered
file. It returns the ``Scenario`` list that both the mock and Prism are measured with.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
import requests

from common import checked, path_and_query

JSONAPI = "application/vnd.api+json"
DAY = "2026-04-19"       # the small download: one whole day at the default 40 calls per tenant
KINDS = ("didww.export", "telnyx.cdr_request", "yeti.cdr_export")
YETI = "/api/rest/customer/v1"
MOR = "/billing/api/v2"
YEASTAR = "/api/v1.1.0"
TELNYX_V1 = "/reporting/cdr_requests"


@dataclass
class Scenario:
    vendor: str
    op: str                      # poll | create | download
    what: str                    # the request in words, for RESULTS.md
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str | None = None
    operation: str | None = None  # the operationId the mock journals it under (None: not journaled)
    expect: str = ""              # text the journaled response body (or its content type) must hold
    prism: bool = True            # Prism has this operation in the vendor's spec
    randoms: bool = False         # yeastar download: one fresh random per request (see wrklua)
    prism_path: str = ""          # the path Prism routes (it ignores the spec's server base path)

    def __post_init__(self):
        self.prism_path = self.prism_path or self.path


def _kinds(s: requests.Session, base: str, mode: str) -> None:
    for kind in KINDS:
        checked(s.put(f"{base}/_mockcdr/transitions/{kind}", json={"mode": mode}))


def _mor(s: requests.Session, base: str) -> list[Scenario]:
    """A daily task whose run delivers yesterday's file (the clock moves 12 h, then stays frozen)."""
    basic = base64.b64encode(b"acme_admin:acme-admin-FAKE-pass").decode()
    login = lambda: checked(s.post(f"{base}{MOR}/authentication/login",   # noqa: E731
                               headers={"Authorization": f"Basic {basic}"})).json()["token"]
    task = {"name": "bench daily", "period": "daily", "timezone": "UTC", "cdr_export_at_time": "00:00:00",
            "template_id": 5, "send_cdr_to": "user", "send_to_user_id": 123, "archive_extension": "tgz",
            "active": True}
    headers = {"Authorization": f"Bearer {login()}", "Content-Type": "application/json"}
    created = checked(s.post(f"{base}{MOR}/automatic_cdr_exports", headers=headers, json=task), 201).json()
    task_id = created["automatic_cdr_export"]["id"]
    checked(s.post(f"{base}/_mockcdr/clock/advance", json={"by": "PT12H"}))
    delivery = [d for d in checked(s.get(f"{base}/_mockcdr/deliveries?vendor=mor")).json()
                if d["source"]["task"] == task_id][-1]
    headers["Authorization"] = f"Bearer {login()}"     # the first token lived 15 virtual minutes
    body = json.dumps(dict(task, name="bench create"))
    return [
        Scenario("mor", "poll", "GET automatic_cdr_exports/{id}", "GET",
                 f"{MOR}/automatic_cdr_exports/{task_id}", {"Authorization": headers["Authorization"]},
                 operation="showAutomaticCdrExport", expect='"automatic_cdr_export"',
                 prism_path=f"/automatic_cdr_exports/{task_id}"),
        Scenario("mor", "create", "POST automatic_cdr_exports (daily task)", "POST",
                 f"{MOR}/automatic_cdr_exports", headers, body, operation="createAutomaticCdrExport",
                 expect='"automatic_cdr_export"', prism_path="/automatic_cdr_exports"),
        Scenario("mor", "download", f"GET /_mockcdr/deliveries/{{id}}/file (tgz, "
                 f"{delivery['payload']['rows']} rows: MOR has no download API, files are delivered)",
                 "GET", f"/_mockcdr/deliveries/{delivery['id']}/file", prism=False),
    ]


def _didww(s: requests.Session, base: str) -> list[Scenario]:
    headers = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": JSONAPI}
    body = json.dumps({"data": {"type": "exports", "attributes": {
        "export_type": "cdr_in", "filters": {"from": f"{DAY} 00:00:00", "to": f"{DAY} 23:59:59"}}}})
    post = dict(headers, **{"Content-Type": JSONAPI})
    job = checked(s.post(f"{base}/v3/exports", headers=post, data=body), 201).json()["data"]
    shown = checked(s.get(f"{base}/v3/exports/{job['id']}", headers=headers)).json()["data"]
    assert shown["attributes"]["status"] == "completed", shown
    return [
        Scenario("didww", "poll", "GET /v3/exports/{id}", "GET", f"/v3/exports/{job['id']}", headers,
                 operation="getExport", expect='"completed"'),
        Scenario("didww", "create", "POST /v3/exports (cdr_in, one day)", "POST", "/v3/exports", post, body,
                 operation="createExport", expect='"exports"'),
        Scenario("didww", "download", "GET /v3/exports/{file}.csv.gz (one day, cdr_in)", "GET",
                 path_and_query(shown["attributes"]["url"]), {"Api-Key": headers["Api-Key"]},
                 operation="downloadExportFile", expect="application/octet-stream"),
    ]


def _telnyx(s: requests.Session, base: str) -> list[Scenario]:
    headers = {"x-api-user": "ops@acme.example", "x-api-token": "fake-v1-token-acme-0001"}
    body = json.dumps({"start_time": f"{DAY}T00:00:00+00:00", "end_time": "2026-04-20T00:00:00+00:00"})
    post = dict(headers, **{"Content-Type": "application/json"})
    job = checked(s.post(f"{base}{TELNYX_V1}", headers=post, data=body)).json()
    shown = checked(s.get(f"{base}{TELNYX_V1}/{job['id']}", headers=headers)).json()
    assert shown["status"] == 2 and shown["report_url"], shown
    return [
        Scenario("telnyx", "poll", "GET /reporting/cdr_requests/{id} (V1)", "GET", f"{TELNYX_V1}/{job['id']}",
                 headers, operation="getCdrRequest", expect='"status":2'),
        Scenario("telnyx", "create", "POST /reporting/cdr_requests (V1, one day)", "POST", TELNYX_V1, post,
                 body, operation="addCdrRequest", expect='"status":1'),
        Scenario("telnyx", "download", "GET report_url (one day, CSV)", "GET", path_and_query(shown["report_url"]),
                 operation="downloadCdrReport", expect="text/csv"),
    ]


def _yeti(s: requests.Session, base: str) -> list[Scenario]:
    jwt = checked(s.post(f"{base}{YETI}/auth", json={"auth": {"login": "acme-api", "password": "acme-fake-password"}}),
              201).json()["jwt"]
    headers = {"Authorization": jwt, "Accept": JSONAPI}
    body = json.dumps({"data": {"type": "cdr-exports", "attributes": {"filters": {
        "time_start_gteq": f"{DAY} 00:00:00", "time_start_lt": "2026-04-20 00:00:00"}},
        "relationships": {"account": {"data": {"type": "accounts", "id": "45c9f55f-fe50-42d5-92c8-c9745d696cf8"}}}}})
    post = dict(headers, **{"Content-Type": JSONAPI})
    job = checked(s.post(f"{base}{YETI}/cdr-exports", headers=post, data=body), 201).json()["data"]
    shown = checked(s.get(f"{base}{YETI}/cdr-exports/{job['id']}", headers=headers)).json()["data"]
    assert shown["attributes"]["status"] == "Completed", shown
    return [
        Scenario("yeti", "poll", "GET cdr-exports/{id}", "GET", f"{YETI}/cdr-exports/{job['id']}", headers,
                 operation="getCdrExport", expect='"Completed"'),
        Scenario("yeti", "create", "POST cdr-exports (one day, one account)", "POST", f"{YETI}/cdr-exports",
                 post, body, operation="createCdrExport", expect='"Pending"'),
        Scenario("yeti", "download", "GET cdr-exports/{id}/download (one day, csv.gz)", "GET",
                 f"{YETI}/cdr-exports/{job['id']}/download", {"Authorization": jwt},
                 operation="downloadCdrExport", expect="text/csv"),
    ]


def yeastar_window() -> dict:
    return {"extid": "all", "starttime": f"{DAY} 00:00:00", "endtime": f"{DAY} 23:59:59"}


def _yeastar(s: requests.Session, base: str) -> list[Scenario]:
    login = {"username": "acme-api", "password": "7f2b71d957386f24a6904bdf329e821f", "port": "8260"}
    token = checked(s.post(f"{base}{YEASTAR}/login", json=login)).json()["token"]
    window = yeastar_window()
    query = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in window.items())
    json_headers = {"Content-Type": "application/json"}
    return [
        Scenario("yeastar", "poll", "POST /heartbeat (Yeastar has no job to poll: the session keep-alive)",
                 "POST", f"{YEASTAR}/heartbeat?token={token}", json_headers, "{}", operation="heartbeat",
                 expect='"Success"'),
        Scenario("yeastar", "create", "POST /cdr/get_random (one day; each random buys one download)", "POST",
                 f"{YEASTAR}/cdr/get_random?token={token}", json_headers, json.dumps(window),
                 operation="getCdrRandom", expect='"random"'),
        Scenario("yeastar", "download", "GET /cdr/download (one day, CSV; a fresh random each)", "GET",
                 f"{YEASTAR}/cdr/download?token={token}&{query}&random=", operation="downloadCdr",
                 expect="text/csv", randoms=True),
    ]


VENDORS = {"didww": _didww, "telnyx": _telnyx, "yeti": _yeti, "yeastar": _yeastar}


def prepare(base: str) -> list[Scenario]:
    """Set the mock at ``base`` up (MOR first: it moves the clock) and return every scenario."""
    with requests.Session() as s:
        _kinds(s, base, "immediate")
        out = _mor(s, base)
        for make in VENDORS.values():
            out += make(s, base)
        _kinds(s, base, "after_seconds")   # creates measure a create, not a create plus its export
    return out


def verify(base: str, sc: Scenario, limit: int = 200) -> dict:
    """Check the last journaled requests of a scenario: right operation, 2xx, expected body."""
    if sc.operation is None:
        return {"checked": 0, "bad": 0}
    entries = requests.get(f"{base}/_mockcdr/journal", params={
        "vendor": sc.vendor, "operation": sc.operation, "limit": limit}, timeout=30).json()["entries"]
    bad = 0
    for e in entries:
        shown = (e["response"].get("body") or "") + (e["response"].get("content_type") or "")
        if not 200 <= e["status"] < 300 or sc.expect not in shown:
            bad += 1
    return {"checked": len(entries), "bad": bad}
