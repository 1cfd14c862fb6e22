"""Every URL a session's vendors build carries its prefix, and following it stays in that session."""
from __future__ import annotations

import base64
import gzip
import hashlib
import http.server
import json
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

JSONAPI = "application/vnd.api+json"


@pytest.fixture(scope="module")
def live():
    with LiveServer(Settings(seed="urls", clock_start="2026-04-20T12:00:00Z", clock_frozen=True)) as srv:
        yield srv


@pytest.fixture
def session(live):
    handle = live.session()
    yield handle
    handle.raise_errors()
    handle.close()


def didww_key(live) -> str:
    return live.runtime.state["didww"].by_name["globex"].api_key


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.got.append((self.path, self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.got = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_didww_file_url_paging_links_and_callbacks_stay_in_the_session(live, session, receiver):
    session.control.set_transition("didww.export", "immediate")
    headers = {"Api-Key": didww_key(live), "Content-Type": JSONAPI, "Accept": JSONAPI}
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    for ref in ("a", "b"):
        body = {"data": {"type": "exports", "attributes": {
            "export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00"},
            "callback_url": hook, "callback_method": "post", "external_reference_id": ref}}}
        created = requests.post(f"{session.url}/v3/exports", json=body, headers=headers)
        assert created.status_code == 201, created.text
    export_id = created.json()["data"]["id"]
    shown = requests.get(f"{session.url}/v3/exports/{export_id}", headers=headers).json()["data"]
    url = shown["attributes"]["url"]
    assert url.startswith(f"{session.url}/v3/")
    download = requests.get(url, headers={"Api-Key": didww_key(live)})
    assert download.status_code == 200 and gzip.decompress(download.content).startswith(b"")
    assert requests.get(f"{live.url}{urlsplit(url).path[len(urlsplit(session.url).path):]}",
                        headers={"Api-Key": didww_key(live)}).status_code == 404   # not at the root
    listed = requests.get(f"{session.url}/v3/exports?page[size]=1", headers=headers).json()
    assert all(link.startswith(f"{session.url}/v3/exports") for link in listed["links"].values())
    assert requests.get(listed["links"]["next"], headers=headers).json()["data"][0]["id"] == export_id
    deadline = time.monotonic() + 10      # the background ticker delivers them: nobody polls
    while time.monotonic() < deadline:
        deliveries = session.control.list_deliveries(vendor="didww")
        if {d["state"] for d in deliveries} == {"delivered"}:
            break
        time.sleep(0.02)
    assert len(receiver.got) == 2
    assert len(deliveries) == 2 and {d["state"] for d in deliveries} == {"delivered"}
    assert live.runtime.deliveries.list() == []                        # nothing at the root


def test_telnyx_report_url_carries_the_prefix(live, session):
    account = live.runtime.state["telnyx"].accounts["acme"]
    session.control.set_transition("telnyx.cdr_request", "immediate")
    headers = {"x-api-user": account.email, "x-api-token": account.v1_token}
    created = requests.post(f"{session.url}/reporting/cdr_requests",
                            json={"start_time": "2026-04-19T00:00:00Z"}, headers=headers).json()
    shown = requests.get(f"{session.url}/reporting/cdr_requests/{created['id']}", headers=headers).json()
    report = shown["report_url"]
    assert report.startswith(f"{session.url}/")
    resp = requests.get(report)
    assert resp.status_code == 200 and resp.text.splitlines()[0].startswith("")


def test_yeti_location_and_links_carry_the_prefix(live, session):
    base = f"{session.url}/api/rest/customer/v1"
    jwt = requests.post(f"{base}/auth", json={"auth": {"login": "acme-api", "password": "acme-fake-password"}}
                        ).json()["jwt"]
    body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
        "time_start_gteq": "2026-04-15", "time_start_lt": "2026-04-16"}}, "relationships": {"account": {
            "data": {"type": "accounts", "id": "45c9f55f-fe50-42d5-92c8-c9745d696cf8"}}}}}
    created = requests.post(f"{base}/cdr-exports", data=json.dumps(body),
                            headers={"Authorization": jwt, "Content-Type": JSONAPI})
    assert created.status_code == 201, created.text
    assert created.headers["Location"].startswith(f"{base}/cdr-exports/")
    doc = created.json()["data"]
    assert doc["links"]["self"].startswith(base)
    assert all(rel["links"]["self"].startswith(base) for rel in doc["relationships"].values())
    assert requests.get(created.headers["Location"], headers={"Authorization": jwt}).status_code == 200
    # the JWT was signed with this session's key: the root refuses it, and the root's own JWT
    # does not find the session's export
    root = f"{live.url}/api/rest/customer/v1"
    assert requests.get(f"{root}/cdr-exports/{doc['id']}", headers={"Authorization": jwt}).status_code == 401
    root_jwt = requests.post(f"{root}/auth", json={"auth": {"login": "acme-api", "password": "acme-fake-password"}}
                             ).json()["jwt"]
    assert requests.get(f"{root}/cdr-exports/{doc['id']}", headers={"Authorization": root_jwt}).status_code == 404


def test_mor_schedules_and_deliveries_belong_to_the_session(live, session):
    prefix = f"{session.url}/billing/api/v2"
    basic = base64.b64encode(b"acme_admin:acme-admin-FAKE-pass").decode()
    token = requests.post(f"{prefix}/authentication/login", headers={"Authorization": f"Basic {basic}"}).json()["token"]
    task = {"name": "s", "period": "daily", "timezone": "London", "cdr_export_at_time": "02:00:00",
            "template_id": 5, "send_cdr_to": "user", "send_to_user_id": 123, "query": {"s_user_id": 123},
            "archive_extension": "tgz", "active": True}
    made = requests.post(f"{prefix}/automatic_cdr_exports", json=task, headers={"Authorization": f"Bearer {token}"})
    assert made.status_code in (200, 201), made.text
    session.control.advance_clock("P1D")
    delivered = session.control.list_deliveries(vendor="mor")
    assert len(delivered) == 1 and delivered[0]["state"] == "delivered"
    assert session.control.get_delivery_file(delivered[0]["id"])[:2] == b"\x1f\x8b"
    assert live.runtime.deliveries.list() == []
    assert requests.get(f"{live.url}/billing/api/v2/automatic_cdr_exports",
                        headers={"Authorization": f"Bearer {token}"}).status_code == 401   # not the root's token


def test_yeastar_random_from_one_session_is_unknown_in_another(live, session):
    other = live.session()
    try:
        def login(base):
            return requests.post(f"{base}/api/v1.1.0/login", json={
                "username": "acme-api", "password": hashlib.md5(b"acme-fake-api-pass").hexdigest(),
                "port": "8260"}).json()["token"]
        token = login(session.url)
        random = requests.post(f"{session.url}/api/v1.1.0/cdr/get_random?token={token}", json={
            "extid": "all", "starttime": "2026-04-15 00:00:00", "endtime": "2026-04-15 23:59:59"}).json()["random"]
        query = (f"extid=all&starttime=2026-04-15%2000:00:00&endtime=2026-04-15%2023:59:59"
                 f"&token={token}&random={random}")
        foreign = requests.get(f"{other.url}/api/v1.1.0/cdr/download?{query}")
        assert foreign.json()["errno"] == "20004"                       # the token is not known there
        own = requests.get(f"{session.url}/api/v1.1.0/cdr/download?{query}")
        assert own.status_code == 200 and own.text.startswith("callid")
    finally:
        other.close()
