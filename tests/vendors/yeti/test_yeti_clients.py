"""Real clients against a live server: yeti-switch-api's JSON:API Client, plain requests, threads."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import gzip
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from jsonapi_requests.request_factory import ApiClientError
from requests.auth import AuthBase
from yeti_switch_api.api import Client
from yeti_switch_api.common import Auth, JsonApiObject

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from places import PLACES, at

from yeti_helpers import ACME, ACME_PRIMARY, ACME_PRIMARY_ONLY, JSONAPI, export_body, read_csv

DOC = "README.md"


@pytest.fixture(scope="module")
def live():
    with LiveServer(Settings(vendors=("yeti",), seed="live", clock_start="2026-07-18T10:00:00Z",
                             clock_frozen=True)) as server:
        yield server


@pytest.fixture(scope="module", params=PLACES)
def srv(live, request):
    """Every test runs at the server's root and again inside a session."""
    yield from at(live, request.param)


@pytest.fixture
def base(srv):
    srv.runtime.reset()
    srv.runtime.lifecycle.set_policy("yeti.cdr_export", {"mode": "after_seconds"})
    return f"{srv.url}/api/rest/customer/v1"


def jwt_for(base, credentials=ACME, **kw):
    r = requests.post(f"{base}/auth", json={"auth": {"login": credentials[0], "password": credentials[1]}},
                      timeout=10, **kw)
    r.raise_for_status()
    return r.json()["jwt"]


class Jwt(AuthBase):
    """The research's requests auth: the bare token in Authorization."""

    def __init__(self, jwt):
        self.jwt = jwt

    def __call__(self, r):
        r.headers["Authorization"] = self.jwt
        return r


def test_a_cookie_session_survives_a_virtual_clock_in_the_past_and_expires_on_it(srv, base):
    """requests' cookie jar keeps the session cookie although the mock's clock says 2026-07-18
    (an absolute expiry from that clock would be in the past, and the jar would drop it at once);
    the JWT inside still expires on the virtual clock."""
    session = requests.Session()
    r = session.post(f"{base}/auth", json={"auth": {"login": ACME[0], "password": ACME[1], "cookie_auth": True}},
                     timeout=10)
    assert r.status_code == 201 and "_yeti_customer_v1_session" in session.cookies
    assert session.get(f"{base}/cdr-exports", timeout=10).status_code == 200
    srv.runtime.clock.advance(timedelta(seconds=599))
    assert session.get(f"{base}/cdr-exports", timeout=10).status_code == 200     # renewed: 600 s more
    srv.runtime.clock.advance(timedelta(seconds=601))
    assert "_yeti_customer_v1_session" in session.cookies                         # still sent...
    expired = session.get(f"{base}/cdr-exports", timeout=10)
    assert expired.status_code == 401                                             # ...and refused
    assert expired.json()["errors"][0]["title"] == "Authorization failed"
    session.delete(f"{base}/auth", timeout=10)
    assert "_yeti_customer_v1_session" not in session.cookies                     # logout deletes it


def test_the_yeti_switch_api_client_as_the_research_drives_it(srv, base):
    jwt = jwt_for(base)
    c = Client({"API_ROOT": base, "AUTH": Jwt(jwt), "VALIDATE_SSL": False, "TIMEOUT": 10})
    created = c.create("cdr-exports", object=JsonApiObject(
        type="cdr-exports",
        attributes={"filters": {"time_start_gteq": "2026-07-01 00:00:00", "time_start_lt": "2026-07-02 00:00:00"},
                    "time-format": "round_to_seconds"},
        relationships={"account": {"data": {"type": "accounts", "id": ACME_PRIMARY}}}))
    assert created.status_code == 201
    export = created.data
    assert export.type == "cdr-exports" and export.attributes["status"] == "Pending"
    assert export.attributes["filters"] == {"time_start_gteq": "2026-07-01T00:00:00.000Z",
                                            "time_start_lt": "2026-07-02T00:00:00.000Z"}

    pending = c.get_list("cdr-exports", filter={"status_eq": "Completed"}, page_number=1, page_size=10,
                         sort="-created_at")
    assert len(pending.data) == 0 and pending.payload["meta"] == {"total-count": 0}

    srv.runtime.clock.advance(timedelta(seconds=5))
    done = c.get_list("cdr-exports", filter={"status_eq": "Completed"}, page_number=1, page_size=10,
                      sort="-created_at", include="account")
    assert [o.id for o in done.data] == [export.id]
    assert done.content.included[0].id == ACME_PRIMARY
    assert done.payload["links"]["first"].startswith(f"{base}/cdr-exports?")

    one = c.find_by_id("cdr-exports", export.id)
    count = one.data.attributes["rows-count"]
    assert one.data.attributes["status"] == "Completed" and count > 0

    r = requests.get(f"{base}/cdr-exports/{export.id}/download", headers={"Authorization": jwt}, timeout=10)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    lines = gzip.decompress(r.content).decode().splitlines()
    assert len(lines) == count + 1 and lines[0].startswith("Time Start,Time Connect,Time End,Success")


def test_the_clients_error_path_raises_its_client_error(base):
    c = Client({"API_ROOT": base, "AUTH": Jwt(jwt_for(base)), "VALIDATE_SSL": False, "TIMEOUT": 10})
    with pytest.raises(ApiClientError) as info:
        c.create("cdr-exports", object=JsonApiObject(type="cdr-exports", attributes={"filters": {}}))
    assert info.value.status_code == 422


def test_the_packages_own_auth_helper_cannot_log_in_to_the_customer_api(base):
    """yeti-switch-api's Auth posts {"auth": {"username", ...}}; the customer API wants "login"."""
    helper = Auth(url=base, login=ACME[0], password=ACME[1])
    with pytest.raises(requests.HTTPError) as info:
        helper.refresh_token()
    assert info.value.response.status_code == 401


def test_plain_requests_with_bearer_and_polling(srv, base):
    jwt = jwt_for(base)
    headers = {"Authorization": f"Bearer {jwt}", "Content-Type": JSONAPI, "Accept": JSONAPI}
    r = requests.post(f"{base}/cdr-exports", json=export_body(), headers=headers, timeout=10)
    assert r.status_code == 201
    assert r.headers["Location"] == r.json()["data"]["links"]["self"]
    export_id = r.json()["data"]["id"]
    assert requests.get(f"{base}/cdr-exports/{export_id}/download", headers=headers, timeout=10).status_code == 404
    srv.runtime.clock.advance(timedelta(seconds=5))
    status = requests.get(r.headers["Location"], headers=headers, timeout=10).json()["data"]["attributes"]["status"]
    assert status == "Completed"
    d = requests.get(f"{base}/cdr-exports/{export_id}/download", headers=headers, timeout=10)
    assert d.headers["Content-Disposition"] == f'attachment; filename="{export_id}.csv.gz"'
    assert read_csv(d.content)[0][0] == "Time Start"


def test_a_json_content_type_is_refused_with_415(base):
    jwt = jwt_for(base)
    r = requests.post(f"{base}/cdr-exports", json=export_body(), headers={"Authorization": jwt}, timeout=10)
    assert r.status_code == 415


def test_x_real_ip_reaches_the_allowlist_through_the_server(base):
    assert jwt_for(base, ACME_PRIMARY_ONLY)
    r = requests.post(f"{base}/auth", json={"auth": {"login": ACME_PRIMARY_ONLY[0], "password": ACME_PRIMARY_ONLY[1]}},
                      headers={"X-Real-IP": "198.51.100.77"}, timeout=10)
    assert r.status_code == 401


def test_concurrent_logins_and_creates_lose_nothing(srv, base):
    srv.runtime.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    results, errors = [], []
    lock = threading.Lock()

    def work():
        try:
            jwt = jwt_for(base)
            headers = {"Authorization": jwt, "Content-Type": JSONAPI}
            for _ in range(4):
                r = requests.post(f"{base}/cdr-exports", json=export_body(), headers=headers, timeout=30)
                with lock:
                    results.append((r.status_code, r.json()["data"]["id"], r.json()["data"]["attributes"]))
        except Exception as exc:   # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {status for status, _, _ in results} == {201}
    ids = {export_id for _, export_id, _ in results}
    assert len(ids) == 32
    assert {attrs["rows-count"] for _, _, attrs in results} == {results[0][2]["rows-count"]}
    listed = requests.get(f"{base}/cdr-exports?page[size]=1000", headers={"Authorization": jwt_for(base)},
                          timeout=10).json()
    assert listed["meta"]["total-count"] == 32 and {d["id"] for d in listed["data"]} == ids


def test_the_fidelity_notes_snippet_runs(srv, base):
    """The README's yeti snippet, pointed at this server (frozen clock, exports Pending for 5 s),
    runs as written: it completes its export by moving the clock."""
    code = vendor_snippet("yeti")
    assert 'MOCK = "http://127.0.0.1:8080"' in code and "sleep" not in code
    namespace: dict = {}
    exec(compile(code.replace("http://127.0.0.1:8080", srv.url), DOC, "exec"), namespace)
    assert namespace["rows"][0][:3] == ["Time Start", "Time Connect", "Time End"]
