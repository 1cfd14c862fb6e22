"""The serving layer over real sockets: slow and stalled clients, timeouts, body limits, faults on the wire, listeners."""
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import toyvendor
from mockcdr.app import create_app
from mockcdr.control_client import ControlClient
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

KEY = {"X-Toy-Key": "key-acme"}


def live_server(**settings):
    return LiveServer(Settings(vendors=(), seed="serving", **settings), extra_vendors=[toyvendor.VENDOR])


@pytest.fixture
def live():
    with live_server() as server:
        yield server


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_all(sock: socket.socket, limit: float = 5.0) -> bytes:
    """Everything the server sends until it closes the connection (or ``limit`` seconds)."""
    sock.settimeout(limit)
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not data:
            break
        out += data
    return out


def timed(fn):
    t0 = time.monotonic()
    result = fn()
    return result, time.monotonic() - t0


def test_idle_stalled_and_slow_clients_do_not_keep_others_waiting():
    """500 idle sockets, 50 downloads nobody reads and 50 clients sending headers a byte a second:
    health and a vendor poll from another client are still answered."""
    with live_server(threads=4) as live:
        job = requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
        idle = [connect(live.port) for _ in range(500)]
        stalled = []
        for _ in range(50):      # 64 MiB each, never read: far more than the socket buffers hold
            s = connect(live.port)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"GET /toy/stream/65536 HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\n\r\n")
            stalled.append(s)
        slow = [connect(live.port) for _ in range(50)]
        head = b"GET /_mockcdr/health HTTP/1.1\r\nHost: x\r\n\r\n"
        stop = threading.Event()

        def drip():
            for i in range(len(head) - 2):      # never completes the head
                for s in slow:
                    try:
                        s.send(head[i:i + 1])
                    except OSError:
                        pass
                if stop.wait(1.0):
                    return

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            time.sleep(1.0)      # the downloads have filled their buffers and stalled
            health, t_health = timed(lambda: requests.get(f"{live.url}/_mockcdr/health", timeout=10))
            poll, t_poll = timed(lambda: requests.get(f"{live.url}/toy/exports/{job['id']}", headers=KEY,
                                                      timeout=10))
            assert health.status_code == 200 and t_health < 5
            assert poll.status_code == 200 and poll.json()["id"] == job["id"] and t_poll < 5
            assert ControlClient(live.url).health() == {"status": "ok"}
        finally:
            stop.set()
            dripper.join(5)
            for s in idle + stalled + slow:
                s.close()


def test_a_connection_quiet_past_idle_timeout_is_closed():
    with live_server(idle_timeout=0.5) as live:
        fresh = connect(live.port)              # never sends anything
        used = connect(live.port)               # a keep-alive connection after one answer
        used.sendall(b"GET /_mockcdr/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in used.recv(4096)
        t0 = time.monotonic()
        assert read_all(fresh, 5) == b"" and read_all(used, 5) == b""
        assert time.monotonic() - t0 < 3
        assert requests.get(f"{live.url}/_mockcdr/health").status_code == 200


def test_a_request_head_not_complete_in_header_timeout_gets_408():
    with live_server(header_timeout=0.5, idle_timeout=30) as live:
        s = connect(live.port)
        s.sendall(b"GET /_mockcdr/health HTTP/1.1\r\nHo")
        answer = read_all(s, 5)
        assert answer.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in answer


def test_a_body_over_max_body_is_refused_from_its_declared_length_without_being_read(live):
    s = connect(live.port)
    s.sendall(b"POST /toy/exports HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1073741824\r\n\r\n")      # 1 GiB announced, not one byte of it sent
    answer = read_all(s, 5)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in head
    assert b'"toy_error"' in body and b"payload_too_large" in body
    entry = ControlClient(live.url).get_journal(operation="createExport")["entries"][-1]
    assert entry["status"] == 413


def test_a_client_that_sends_the_whole_big_body_still_reads_the_413(live):
    """The body is read and dropped after the answer (never kept), so the client sees the 413, not a reset."""
    got = requests.post(f"{live.url}/toy/exports", data=b"x" * (8 << 20),
                        headers={**KEY, "Content-Type": "application/json"}, timeout=10)
    assert got.status_code == 413 and got.json()["toy_error"]["kind"] == "payload_too_large"
    assert requests.get(f"{live.url}/_mockcdr/health").status_code == 200


def test_a_chunked_body_over_max_body_is_cut_off_and_refused():
    with live_server(max_body=4096) as live:
        s = connect(live.port)
        s.sendall(b"POST /toy/exports HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 1024
        for _ in range(8):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = read_all(s, 5)
        assert answer.startswith(b"HTTP/1.1 413 ") and b'"toy_error"' in answer


def test_a_body_within_max_body_arrives_whole_chunked_or_with_expect_100(live):
    body = b'{"name": "' + b"n" * 3000 + b'"}'
    chunked = requests.post(f"{live.url}/toy/exports", data=iter([body[:100], body[100:]]),
                            headers={**KEY, "Content-Type": "application/json"})
    assert chunked.status_code == 201
    s = connect(live.port)
    s.sendall(b"POST /toy/exports HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\nContent-Type: application/json\r\n"
              b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
    assert s.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    s.sendall(body)
    assert s.recv(4096).startswith(b"HTTP/1.1 201 ")


def test_pipelined_requests_are_answered_in_order_and_http10_closes(live):
    s = connect(live.port)
    s.sendall(b"GET /_mockcdr/health HTTP/1.1\r\nHost: x\r\n\r\nGET /toy/nothing HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /_mockcdr/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = read_all(s, 5)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert statuses == [b"200", b"404", b"200"]
    old = connect(live.port)
    old.sendall(b"GET /_mockcdr/health HTTP/1.0\r\n\r\n")
    answer = read_all(old, 5)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"status":"ok"}')


def test_malformed_requests_get_400_and_a_close(live):
    s = connect(live.port)
    s.sendall(b"NOT A REQUEST\r\n\r\n")
    assert read_all(s, 5).startswith(b"HTTP/1.1 400 ")
    big = connect(live.port)
    big.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    assert read_all(big, 5).startswith(b"HTTP/1.1 431 ")


def test_latency_faults_hold_responses_without_holding_the_workers():
    """Eight 2 s latencies in flight on a server with two worker threads: the control plane and
    other requests answer at once, and each delayed response still comes after its latency."""
    with live_server(threads=2) as live:
        cc = ControlClient(live.url)
        job = requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
        cc.add_fault("toy", "latency", operation="getExport", latency_ms=2000, count=8)
        url = f"{live.url}/toy/exports/{job['id']}"
        with ThreadPoolExecutor(8) as pool:
            delayed = [pool.submit(timed, lambda: requests.get(url, headers=KEY, timeout=10)) for _ in range(8)]
            time.sleep(0.3)
            listed, t_list = timed(lambda: requests.get(f"{live.url}/_mockcdr/faults", timeout=10))
            created, t_create = timed(lambda: requests.post(f"{live.url}/toy/exports", json={"name": "m"},
                                                            headers=KEY, timeout=10))
            results = [f.result() for f in delayed]
        assert listed.status_code == 200 and t_list < 1.0
        assert created.status_code == 201 and t_create < 1.0
        assert all(r.status_code == 200 for r, _ in results)
        assert all(1.9 <= t < 5 for _, t in results)


def test_a_drop_after_a_latency_closes_the_connection_after_the_delay(live):
    cc = ControlClient(live.url)
    cc.add_fault("toy", "latency", operation="createExport", latency_ms=600, count=1)
    cc.add_fault("toy", "drop", operation="createExport", count=1)
    t0 = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY, timeout=5)
    assert time.monotonic() - t0 >= 0.55


def test_a_truncated_stream_sends_the_bytes_before_the_cut_then_closes(live):
    ControlClient(live.url).add_fault("toy", "truncate", operation="streamFile", after_bytes=100_000, count=1)
    s = connect(live.port)
    s.sendall(b"GET /toy/stream/1024 HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\n\r\n")
    answer = read_all(s, 5)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"Transfer-Encoding: chunked" in head
    assert not body.endswith(b"0\r\n\r\n")                 # no last chunk: the client sees a cut
    data = b"".join(_dechunk(body))
    assert len(data) == 100_000


def _dechunk(body: bytes):
    while body:
        size, _, rest = body.partition(b"\r\n")
        if not rest:
            return
        n = int(size, 16)
        yield rest[:n]
        body = rest[n + 2:]


def test_a_client_that_stops_reading_is_cut_off_after_idle_timeout():
    with live_server(idle_timeout=0.5) as live:
        s = connect(live.port)
        s.sendall(b"GET /toy/stream/65536 HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\n\r\n")
        time.sleep(2.0)
        t0 = time.monotonic()
        got = read_all(s, 10)
        assert time.monotonic() - t0 < 3 and len(got) < 64 * 1024 * 1024     # reset, not the whole file
        assert not live._servers.listeners.sites["main"].connections


def test_listeners_are_added_and_removed_while_serving(live):
    servers = live._servers
    port = servers.add_listener("extra", create_app(runtime=live.runtime, only=["toy"]), "127.0.0.1", 0)
    job = requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
    seen = requests.get(f"http://127.0.0.1:{port}/toy/exports/{job['id']}", headers=KEY)
    assert seen.status_code == 200 and seen.json()["id"] == job["id"]      # one state behind both
    assert servers.ports()["extra"] == port
    servers.remove_listener("extra")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/_mockcdr/health", timeout=2)
    assert requests.get(f"{live.url}/_mockcdr/health").status_code == 200
    with pytest.raises(ValueError):
        servers.add_listener("main", create_app(runtime=live.runtime), "127.0.0.1", 0)


def test_head_of_a_download_sends_its_head_without_generating_it(live):
    s = connect(live.port)
    s.sendall(b"HEAD /toy/stream/1048576 HTTP/1.1\r\nHost: x\r\nX-Toy-Key: key-acme\r\n\r\n"
              b"GET /_mockcdr/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = read_all(s, 5)          # 1 GiB announced: only the two heads and the health body come
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.count(b"HTTP/1.1 200 ") == 2
    assert answer.endswith(b'{"status":"ok"}') and len(answer) < 2000


def test_a_snapshot_restore_may_carry_more_than_max_body():
    """The control API lets a snapshot restore carry up to max_snapshot: the server reads that much there."""
    with live_server(max_body=4096) as live:
        for _ in range(3):
            requests.post(f"{live.url}/toy/exports", json={"name": "n" * 3000}, headers=KEY).raise_for_status()
        snap = requests.get(f"{live.url}/_mockcdr/snapshot").content
        assert len(snap) > 4096
        restored = requests.post(f"{live.url}/_mockcdr/snapshot", data=snap,
                                 headers={"Content-Type": "application/json"})
        assert restored.status_code == 200, restored.text
        too_big = requests.post(f"{live.url}/toy/exports", data=b'{"name": "' + b"n" * 5000 + b'"}',
                                headers={**KEY, "Content-Type": "application/json"})
        assert too_big.status_code == 413


def test_removing_a_latency_fault_releases_the_responses_it_holds(live):
    cc = ControlClient(live.url)
    job = requests.post(f"{live.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
    cc.add_fault("toy", "latency", operation="getExport", latency_ms=20_000)
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(timed, lambda: requests.get(f"{live.url}/toy/exports/{job['id']}", headers=KEY,
                                                        timeout=30)) for _ in range(2)]
        time.sleep(0.5)
        cc.clear_faults()
        results = [f.result() for f in held]
    assert all(r.status_code == 200 and t < 5 for r, t in results)
