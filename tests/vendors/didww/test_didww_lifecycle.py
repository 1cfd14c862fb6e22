"""Pending -> Processing -> Completed on the virtual clock, the file URL, and deletion a month later."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

IN_2026 = {"export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}}


def status(api, export_id, **kw):
    return api.show(export_id, **kw).json["data"]["attributes"]


def test_states_move_on_the_clock_and_url_appears_at_completion(api, rt):
    created = api.create_ok(IN_2026)
    assert created["attributes"]["status"] == "pending" and created["attributes"]["url"] is None
    rt.clock.advance(timedelta(seconds=4.9))
    assert status(api, created["id"])["status"] == "pending"
    rt.clock.advance(timedelta(seconds=0.2))
    attrs = status(api, created["id"])
    assert attrs["status"] == "processing" and attrs["url"] is None
    rt.clock.advance(timedelta(seconds=10))
    attrs = status(api, created["id"])
    assert attrs["status"] == "completed"
    file_id = attrs["url"].rsplit("/", 1)[1].removesuffix(".csv.gz")
    assert attrs["url"] == f"http://localhost/v3/exports/{file_id}.csv.gz"
    assert file_id != created["id"] and len(file_id) == 36
    job = rt.lifecycle.get(created["id"])
    assert [t["state"] for t in job["timeline"]] == ["pending", "processing", "completed"]
    assert job["timeline"][2]["at"] - job["timeline"][0]["at"] == timedelta(seconds=15)


def test_legacy_words_through_the_lifecycle(api, rt):
    created = api.create_ok({"export_type": "cdr_in", "filters": {"year": 2026, "month": 4}}, customer="acme")
    seen = [created["attributes"]["status"]]
    for _ in range(2):
        rt.clock.advance(timedelta(seconds=10))
        seen.append(status(api, created["id"], customer="acme")["status"])
    assert seen == ["Pending", "Processing", "Completed"]


def test_url_is_absolute_from_the_requests_host(api, immediate):
    created = api.create_ok(IN_2026)
    resp = api.client.get(f"/v3/exports/{created['id']}", headers=api.headers(),
                          base_url="https://sandbox.mock.test:9443")
    assert resp.json["data"]["attributes"]["url"].startswith("https://sandbox.mock.test:9443/v3/exports/")


def test_deleted_a_month_after_completion(api, rt, immediate):
    created = api.create_ok(IN_2026)
    url = created["attributes"]["url"]
    assert api.download(url).status_code == 200
    rt.clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert api.show(created["id"]).status_code == 200
    assert api.download(url).status_code == 200
    rt.clock.advance(timedelta(seconds=1))
    assert api.show(created["id"]).status_code == 404
    gone = api.download(url)
    assert gone.status_code == 404 and gone.data == b""
    assert rt.lifecycle.get(created["id"])["state"] == "deleted"


def test_timings_and_retention_are_options():
    settings = Settings(vendors=("didww",), clock_start="2026-04-20T12:00:00Z", clock_frozen=True,
                        vendor_options={"didww": {"pending_seconds": 60, "processing_seconds": 1,
                                                  "retention_seconds": 3600}})
    from mockcdr.app import create_app

    app = create_app(settings)
    rt = app.extensions["mockcdr"]
    client = app.test_client()
    key = rt.state["didww"].by_name["globex"].api_key
    headers = {"Api-Key": key, "Content-Type": "application/vnd.api+json"}
    created = client.post("/v3/exports", json={"data": {"type": "exports", "attributes": IN_2026}},
                          headers=headers).json["data"]
    rt.clock.advance(timedelta(seconds=59))
    assert client.get(f"/v3/exports/{created['id']}", headers=headers).json["data"]["attributes"]["status"] \
        == "pending"
    rt.clock.advance(timedelta(seconds=2))
    assert client.get(f"/v3/exports/{created['id']}", headers=headers).json["data"]["attributes"]["status"] \
        == "completed"
    rt.clock.advance(timedelta(hours=1))
    assert client.get(f"/v3/exports/{created['id']}", headers=headers).status_code == 404


def test_after_polls_policy_counts_show_requests(api, rt):
    rt.lifecycle.set_policy("didww.export", {"mode": "after_polls", "polls": 1})
    created = api.create_ok(IN_2026)
    assert [status(api, created["id"])["status"] for _ in range(3)] == ["processing", "completed", "completed"]
    api.get("/v3/exports")   # listing is not a poll
    assert rt.lifecycle.get(created["id"])["polls"] == 1


def test_another_customers_poll_neither_sees_nor_moves_the_export(api, rt):
    rt.lifecycle.set_policy("didww.export", {"mode": "after_polls", "polls": 1})
    created = api.create_ok(IN_2026)
    assert api.show(created["id"], customer="acme").status_code == 404
    assert [status(api, created["id"])["status"] for _ in range(2)] == ["processing", "completed"]


def test_manual_policy_and_force(api, rt):
    rt.lifecycle.set_policy("didww.export", {"mode": "manual"})
    created = api.create_ok(IN_2026)
    rt.clock.advance(timedelta(hours=1))
    assert status(api, created["id"])["status"] == "pending"
    rt.lifecycle.force(created["id"], "completed")
    assert status(api, created["id"])["url"] is not None


@pytest.mark.slow
def test_completion_happens_without_polls_on_a_live_server(receiver):
    """The server's own clock tick completes the export and sends the callback, nobody polling."""
    settings = Settings(vendors=("didww",), seed="live", clock_start="2026-04-20T12:00:00Z",
                        vendor_options={"didww": {"pending_seconds": 0.2, "processing_seconds": 0.2}})
    with LiveServer(settings) as srv:
        key = srv.runtime.state["didww"].by_name["globex"].api_key
        resp = requests.post(f"{srv.url}/v3/exports", headers={"Api-Key": key, "Content-Type":
                             "application/vnd.api+json"}, json={"data": {"type": "exports", "attributes": {
                                 **IN_2026, "callback_url": receiver.url + "/hook"}}}, timeout=10)
        assert resp.status_code == 201
        export_id = resp.json()["data"]["id"]
        deadline = time.monotonic() + 20
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.raise_errors()
        assert receiver.received, "no callback arrived"
        job = srv.runtime.lifecycle.jobs(kind="didww.export")[0]
        assert job["polls"] == 0 and job["state"] == "completed"
        assert receiver.received[0]["form"] == {"id": export_id, "status": "completed", "type": "exports"}


def test_exports_survive_a_snapshot_and_restore(api, rt, receiver):
    import json

    created = api.create_ok({**IN_2026, "callback_url": receiver.url, "external_reference_id": "snap"})
    snap = json.loads(json.dumps(rt.snapshot()))
    rt.reset()
    assert api.show(created["id"]).status_code == 404
    rt.restore(snap)
    assert api.show(created["id"]).json["data"]["attributes"]["external_reference_id"] == "snap"
    rt.clock.advance(timedelta(seconds=15))
    url = api.show(created["id"]).json["data"]["attributes"]["url"]
    assert api.download(url).status_code == 200
    assert len(receiver.received) == 1
