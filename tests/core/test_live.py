"""A real threaded server: faults on the wire, concurrency, background deliveries, vendor ports."""
import gzip
import io
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import toyvendor
from mockcdr.control_client import ControlClient
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer, ServerError

KEY = {"X-Toy-Key": "key-acme"}


@pytest.fixture
def live():
    with LiveServer(Settings(vendors=(), seed="live"),
                    extra_vendors=[toyvendor.VENDOR]) as server:
        yield server


def finished_export(live) -> tuple[str, str]:
    live.runtime.lifecycle.set_policy("toy.export", {"mode": "immediate"})
    job = requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
    token = requests.get(f"{live.url}/toy/exports/{job['id']}", headers=KEY).json()["token"]
    return job["id"], token


def test_live_server_binds_loopback_on_a_free_port_and_stops_cleanly():
    srv = LiveServer(Settings(vendors=()), extra_vendors=[toyvendor.VENDOR]).start()
    assert srv.ready.is_set() and srv.url.startswith("http://127.0.0.1:") and srv.port > 0
    assert requests.get(f"{srv.url}/_mockcdr/health").json() == {"status": "ok"}
    srv.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{srv.url}/_mockcdr/health", timeout=2)


def test_live_server_serves_and_shares_state_with_a_vendor_port():
    settings = Settings(vendors=(), seed="s")
    from mockcdr.app import build_runtime, create_app
    from mockcdr.server import Servers
    rt = build_runtime(settings, [toyvendor.VENDOR])
    servers = Servers(rt.registry, [("main", create_app(runtime=rt), "127.0.0.1", 0),
                           ("toy", create_app(runtime=rt, only=["toy"]), "127.0.0.1", 0)])
    servers.start()
    try:
        ports = servers.ports()
        job = requests.post(f"http://127.0.0.1:{ports['main']}/toy/exports", json={"name": "n"}, headers=KEY).json()
        same = requests.get(f"http://127.0.0.1:{ports['toy']}/toy/exports/{job['id']}", headers=KEY)
        assert same.status_code == 200 and same.json()["id"] == job["id"]
        # the control API is the main port's alone
        assert requests.get(f"http://127.0.0.1:{ports['main']}/_mockcdr/health").json() == {"status": "ok"}
        assert requests.get(f"http://127.0.0.1:{ports['toy']}/_mockcdr/health").status_code == 404
    finally:
        servers.stop()


def test_drop_fault_closes_the_connection_without_a_response(live):
    ControlClient(live.url).add_fault("toy", "drop", operation="createExport", count=1)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY)
    assert requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).status_code == 201


def test_truncate_fault_cuts_the_download_mid_stream(live):
    _, token = finished_export(live)
    ControlClient(live.url).add_fault("toy", "truncate", operation="downloadFile", after_bytes=100, count=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{live.url}/toy/files/{token}", headers=KEY).content
    entry = ControlClient(live.url).get_journal(operation="downloadFile")["entries"][-1]
    assert entry["fault"] == "truncate"


def test_corrupt_gzip_fault_breaks_decompression(live):
    _, token = finished_export(live)
    ControlClient(live.url).add_fault("toy", "corrupt_gzip", count=1)
    body = requests.get(f"{live.url}/toy/files/{token}", headers=KEY).content
    assert body[:2] == b"\x1f\x8b"
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(body)


def test_fifty_concurrent_redeems_over_http_have_exactly_one_winner(live):
    _, token = finished_export(live)
    barrier = threading.Barrier(50)

    def fetch(_):
        barrier.wait()
        return requests.get(f"{live.url}/toy/files/{token}", headers=KEY).status_code

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(fetch, range(50)))
    assert codes.count(200) == 1 and codes.count(404) == 49


def test_concurrent_creates_lose_nothing(live):
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(lambda i: requests.post(f"{live.url}/toy/exports", json={"name": str(i)},
                                                    headers=KEY).json()["id"], range(120)))
    assert len(set(ids)) == 120
    assert {j["id"] for j in ControlClient(live.url).list_jobs(vendor="toy")} == set(ids)


class _Receiver:
    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.seen = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.seen.append((self.path, body, dict(self.headers), list(self.headers.keys())))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()


def test_deliveries_go_out_with_nobody_polling_and_retry_with_backoff(live):
    receiver = _Receiver([500, 503])
    try:
        rt = live.runtime
        cc = ControlClient(live.url)
        d = rt.deliveries.enqueue_http("toy", receiver.url, "POST", {"id": "x", "status": "done"},
                                       headers={"X-Sig": "abc"}, backoff=(0, 30, 60, 120))
        for _ in range(100):     # the background ticker attempts it, real time
            if rt.deliveries.get(d["id"])["attempts"]:
                break
            threading.Event().wait(0.05)
        assert [a["status"] for a in cc.get_delivery(d["id"])["attempts"]] == [500]
        cc.advance_clock(30)     # moving the clock attempts due deliveries at once
        cc.advance_clock(60)
        got = cc.get_delivery(d["id"])
        assert [a["status"] for a in got["attempts"]] == [500, 503, 200] and got["state"] == "delivered"
        assert receiver.seen[0][1] == b"id=x&status=done" and receiver.seen[0][2]["X-Sig"] == "abc"
        assert "X-Sig" in receiver.seen[0][3]      # the header name exactly as given
        assert cc.list_deliveries(vendor="toy", state="delivered")[0]["id"] == d["id"]
    finally:
        receiver.close()


def test_a_delivery_that_never_succeeds_ends_failed(live):
    rt = live.runtime
    d = rt.deliveries.enqueue_http("toy", "http://127.0.0.1:9/closed", "GET", {"a": "1"}, backoff=(0, 5))
    ControlClient(live.url).advance_clock(1)
    ControlClient(live.url).advance_clock(5)
    got = rt.deliveries.get(d["id"])
    assert got["state"] == "failed" and len(got["attempts"]) == 2
    assert got["attempts"][0]["status"] is None and "Error" in got["attempts"][0]["outcome"]


def test_an_exception_on_the_server_thread_is_raised_in_the_test(live):
    assert requests.get(f"{live.url}/toy/boom").status_code == 500
    with pytest.raises(ServerError, match="a bug"):
        live.raise_errors()
    live.raise_errors()   # reported once


def test_access_log_prints_one_line_per_request():
    out = io.StringIO()
    from mockcdr.app import build_runtime, create_app
    from mockcdr.server import Servers
    rt = build_runtime(Settings(vendors=()), [toyvendor.VENDOR])
    servers = Servers(rt.registry, [("main", create_app(runtime=rt), "127.0.0.1", 0)], access_log=True, out=out)
    servers.start()
    try:
        port = servers.ports()["main"]
        requests.get(f"http://127.0.0.1:{port}/_mockcdr/health")
        requests.get(f"http://127.0.0.1:{port}/toy/nothing?x=1")
    finally:
        servers.stop()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert '"GET /_mockcdr/health HTTP/1.1" 200' in lines[0] and '"GET /toy/nothing?x=1 HTTP/1.1" 404' in lines[1]
