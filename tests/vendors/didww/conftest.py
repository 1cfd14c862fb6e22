"""Fixtures for the DIDWW tests: an in-process app on a frozen clock and a small JSON:API client."""
from __future__ import annotations

import gzip
import http.server
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from requests.structures import CaseInsensitiveDict

from mockcdr.settings import Settings

MEDIA = "application/vnd.api+json"
NOW = "2026-04-20T12:00:00Z"      # the frozen virtual clock of the in-process tests


class Api:
    """JSON:API requests the way DIDWW's SDKs send them (Content-Type even on GET)."""

    def __init__(self, client, rt):
        self.client = client
        self.rt = rt

    def key(self, customer: str) -> str:
        return self.rt.state["didww"].by_name[customer].api_key

    def headers(self, customer: str | None = "globex", version: str | None = None, **extra) -> dict:
        h = {"Accept": MEDIA, "Content-Type": MEDIA}
        if customer is not None:
            h["Api-Key"] = self.key(customer)
        if version is not None:
            h["X-DIDWW-API-Version"] = version
        h.update(extra)
        return h

    def create(self, attributes: dict, customer: str = "globex", version: str | None = None, **kw):
        body = {"data": {"type": "exports", "attributes": attributes}}
        return self.client.post("/v3/exports", json=body, headers=self.headers(customer, version), **kw)

    def create_ok(self, attributes: dict, customer: str = "globex", version: str | None = None) -> dict:
        resp = self.create(attributes, customer, version)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return resp.json["data"]

    def get(self, path: str, customer: str = "globex", version: str | None = None, **kw):
        return self.client.get(path, headers=self.headers(customer, version), **kw)

    def show(self, export_id: str, customer: str = "globex", version: str | None = None):
        return self.get(f"/v3/exports/{export_id}", customer, version)

    def patch(self, export_id: str, attributes: dict, customer: str = "globex", version: str | None = None,
              method: str = "PATCH"):
        body = {"data": {"type": "exports", "id": export_id, "attributes": attributes}}
        return self.client.open(f"/v3/exports/{export_id}", method=method, json=body,
                                headers=self.headers(customer, version))

    def download(self, url: str, customer: str = "globex"):
        """As the SDK downloads: Api-Key, no Accept, no Content-Type."""
        path = urlsplit(url).path
        return self.client.get(path, headers={"Api-Key": self.key(customer)})

    def csv_rows(self, url: str, customer: str = "globex") -> list[str]:
        resp = self.download(url, customer)
        assert resp.status_code == 200, resp.status_code
        return gzip.decompress(resp.data).decode("utf-8").splitlines()


@pytest.fixture
def didww_settings() -> Settings:
    return Settings(vendors=("didww",), seed="didww-test", clock_start=NOW, clock_frozen=True)


@pytest.fixture
def mockcdr_settings(didww_settings) -> Settings:
    return didww_settings


@pytest.fixture
def api(app, rt) -> Api:
    return Api(app.test_client(), rt)


@pytest.fixture
def immediate(rt):
    """Exports complete as soon as they are created."""
    rt.lifecycle.set_policy("didww.export", {"mode": "immediate"})


class _Receiver(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        server = self.server
        with server.lock:
            server.received.append({
                "method": self.command, "path": self.path, "body": body,
                "headers": CaseInsensitiveDict(self.headers.items()),
                "form": dict(parse_qsl(body, keep_blank_values=True)),
                "query": dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)),
                "url": f"http://127.0.0.1:{server.server_address[1]}{self.path}"})
            status = server.statuses.pop(0) if server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def receiver():
    """A callback receiver on 127.0.0.1; ``statuses`` lists the answers to give, then 200s."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.statuses = []
    server.lock = threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
