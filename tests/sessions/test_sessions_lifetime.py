"""A session's life: snapshots of its own, big restores, memory given back, a port of its own."""
from __future__ import annotations

import gc
import time
import tracemalloc

import pytest
import requests

import toyvendor
from mockcdr.app import create_app
from mockcdr.control_client import ControlAPIError, ControlClient
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

KEY = {"X-Toy-Key": "key-acme"}


@pytest.fixture
def app():
    app = create_app(Settings(vendors=(), seed="life", clock_start="2026-02-01T00:00:00Z", clock_frozen=True),
                     extra_vendors=[toyvendor.VENDOR])
    app.config["TESTING"] = True
    return app


def test_a_snapshot_of_one_session_restores_into_another_and_leaves_the_rest_alone(app):
    cc = ControlClient.for_app(app)
    http = app.test_client()
    one, two = cc.session("one"), cc.session("two")
    for _ in range(3):
        http.post("/_s/one/toy/exports", json={"name": "n"}, headers=KEY)
    one.advance_clock("PT5M")
    snap = one.get_snapshot()
    assert len(snap["store"]["_jobs"]) == 3
    two.restore_snapshot(snap)
    assert [j["id"] for j in two.list_jobs()] == [j["id"] for j in one.list_jobs()]
    assert two.get_clock()["now"] == one.get_clock()["now"] == "2026-02-01T00:05:00.000Z"
    assert cc.list_jobs() == []                                 # the root is untouched
    one.reset()
    assert one.list_jobs() == [] and len(two.list_jobs()) == 3


def test_a_snapshot_over_the_request_body_limit_restores(app):
    rt = app.extensions["mockcdr"]
    for i in range(2500):          # about 1.4 MiB of JSON: over max_body (1 MiB)
        rt.lifecycle.create("toy.export", f"job-{i:05d}", "acme", {"name": "x" * 200})
    cc = ControlClient.for_app(app)
    snap = cc.get_snapshot()
    import json

    size = len(json.dumps(snap))
    assert size > rt.settings.max_body
    target = cc.session("big")
    assert target.restore_snapshot(snap)["status"] == "restored"
    assert len(target.list_jobs()) == 2500


def test_a_snapshot_over_max_snapshot_is_413():
    app = create_app(Settings(vendors=(), max_body=1024, max_snapshot=4096), extra_vendors=[toyvendor.VENDOR])
    resp = app.test_client().post("/_mockcdr/snapshot", data=b"{" + b" " * 5000 + b"}",
                                  content_type="application/json")
    assert resp.status_code == 413


def test_memory_comes_back_when_a_session_is_deleted(app):
    registry = app.extensions["mockcdr.sessions"]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        session, _ = registry.create("heavy")
        for i in range(3000):
            session.lifecycle.create("toy.export", f"j{i}", "acme", {"name": "n" * 100})
        grown = tracemalloc.get_traced_memory()[0] - before
        registry.delete("heavy")
        del session
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown > 2_000_000
    assert left < grown / 20, (grown, left)


def test_memory_comes_back_when_a_session_expires(app):
    registry = app.extensions["mockcdr.sessions"]
    session, _ = registry.create("short")
    for i in range(100):
        session.lifecycle.create("toy.export", f"j{i}", "acme", {})
    assert registry.expire(now=session.last_used + registry.ttl + 1) == 1
    assert session.closed and session.store.count() == 0 and len(session.lifecycle.agenda) == 0


def test_a_session_with_a_port_of_its_own_serves_only_itself_there_until_deleted():
    with LiveServer(Settings(vendors=(), seed="ports"), extra_vendors=[toyvendor.VENDOR]) as live:
        cc = ControlClient(live.url)
        doc = cc.put_session("own", port=0)
        port = doc["port"]
        assert port and port != live.port and doc["port_url"] == f"http://127.0.0.1:{port}"
        own = f"http://127.0.0.1:{port}"
        job = requests.post(f"{own}/toy/exports", json={"name": "n"}, headers=KEY).json()
        assert requests.get(f"{doc['base_url']}/toy/exports/{job['id']}", headers=KEY).status_code == 200
        assert requests.get(f"{live.url}/toy/exports/{job['id']}", headers=KEY).status_code == 404
        assert requests.get(f"{own}/_mockcdr/info").json()["session"]["id"] == "own"
        with pytest.raises(ControlAPIError) as exc:
            cc.put_session("clash", port=port)
        assert exc.value.status == 409 and str(port) in exc.value.message
        cc.delete_session("own")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                requests.get(f"{own}/_mockcdr/health", timeout=1)
            except requests.ConnectionError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the session's port still answers after the session was deleted")


def test_the_ticker_keeps_nothing_of_a_deleted_session_alive():
    import weakref

    with LiveServer(Settings(vendors=(), seed="gone"), extra_vendors=[toyvendor.VENDOR]) as live:
        session, _ = live.sessions.create("gone", {})
        session.lifecycle.create("toy.export", "j1", "acme")        # a step due in 5 s: the ticker knows it
        session.tokens.issue("toy.file", ttl=None)
        assert session.next_due() is not None and live._servers.ticker._pending
        ref = weakref.ref(session)
        live.sessions.delete("gone")
        del session
        gc.collect()
        assert ref() is None
        assert not live._servers.ticker._pending
