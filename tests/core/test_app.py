"""The composed app: vendor envelopes for every failure, body limits, hooks, journal."""
import gzip
import json
from datetime import timedelta

import pytest

from mockcdr.core.errors import DropConnection


def test_unmatched_url_under_a_vendor_prefix_gets_that_vendors_envelope(toy):
    r = toy.get("/toy/does/not/exist")
    assert r.status_code == 404 and r.json["toy_error"]["kind"] == "route_not_found"


def test_wrong_method_gets_the_vendor_envelope_with_allow(toy):
    r = toy.delete("/toy/exports")
    assert r.status_code == 405 and r.json["toy_error"]["kind"] == "method_not_allowed"
    assert "POST" in r.headers["Allow"]


def test_url_outside_every_vendor_gets_the_control_envelope(toy):
    r = toy.get("/nowhere")
    assert r.status_code == 404 and r.json["error"]["kind"] == "route_not_found"


def test_malformed_json_and_oversized_bodies_get_the_vendor_envelope_not_500(toy, toy_rt):
    r = toy.post("/toy/exports", data=b'{"name": ', content_type="application/json")
    assert r.status_code == 400 and r.json["toy_error"]["kind"] == "malformed_body"
    r = toy.post("/toy/exports", data=b"\xff\xfe", content_type="application/json")
    assert r.status_code == 400 and "UTF-8" in r.json["toy_error"]["detail"]
    r = toy.post("/toy/exports", data=b"{" + b" " * (1024 * 1024) + b"}", content_type="application/json")
    assert r.status_code == 413 and r.json["toy_error"]["kind"] == "payload_too_large"
    assert toy_rt.store.values("_jobs") == []


def test_body_limit_is_a_setting(toy_settings):
    from mockcdr.app import create_app
    import toyvendor
    app = create_app(toy_settings.with_(max_body=2048), extra_vendors=[toyvendor.VENDOR])
    c = app.test_client()
    r = c.post("/toy/exports", json={"name": "x" * 3000}, headers={"X-Toy-Key": "key-acme"})
    assert r.status_code == 413


def test_unexpected_exceptions_become_a_vendor_500_and_are_recorded(toy, toy_rt):
    r = toy.get("/toy/boom")
    assert r.status_code == 500 and r.json["toy_error"]["kind"] == "server_error"
    assert "a bug" not in r.get_data(as_text=True)
    assert [type(e) for e in toy_rt.errors] == [RuntimeError]


def test_a_job_flows_on_the_clock_and_its_one_time_file_token(toy, toy_rt):
    job = toy.post("/toy/exports", json={"name": "x"}).json
    assert toy.get(f"/toy/exports/{job['id']}").json["state"] == "pending"
    toy_rt.clock.advance(timedelta(seconds=5))
    done = toy.get(f"/toy/exports/{job['id']}").json
    assert done["state"] == "done" and done["token"]
    first = toy.get(f"/toy/files/{done['token']}")
    assert first.status_code == 200 and gzip.decompress(first.data).startswith(b"start,src,dst,billsec\n")
    assert toy.get(f"/toy/files/{done['token']}").json["toy_error"]["detail"] == "token used"


def test_tenants_are_isolated(toy):
    job = toy.post("/toy/exports", json={"name": "x"}).json
    r = toy.get(f"/toy/exports/{job['id']}", headers={"X-Toy-Key": "key-globex"})
    assert r.status_code == 404


def test_journal_records_operation_tenant_status_and_clipped_bodies(toy, toy_rt):
    toy.post("/toy/exports", json={"name": "n" * 5000})
    toy.get("/toy/nope")
    entries = toy_rt.journal.query(vendor="toy")
    create, missing = entries[-2], entries[-1]
    assert (create["operation"], create["tenant"], create["status"], create["method"]) == \
        ("createExport", "acme", 201, "POST")
    assert create["request"]["truncated"] and len(create["request"]["body"]) == 2048
    assert json.loads(create["response"]["body"])["state"] == "pending"
    assert missing["operation"] is None and missing["status"] == 404
    assert toy_rt.journal.query(operation="createExport", status=201) == [create]


def test_journal_keeps_binary_downloads_out_but_notes_their_size(toy, toy_rt):
    toy_rt.lifecycle.set_policy("toy.export", {"mode": "immediate"})
    job = toy.post("/toy/exports", json={"name": "x"}).json
    token = toy.get(f"/toy/exports/{job['id']}").json["token"]
    toy.get(f"/toy/files/{token}").get_data()
    entry = toy_rt.journal.query(operation="downloadFile")[-1]
    assert entry["response"]["body"] is None and entry["status"] == 200


def test_journal_memory_is_bounded(toy_settings):
    from mockcdr.app import create_app
    import toyvendor
    app = create_app(toy_settings.with_(journal_size=50), extra_vendors=[toyvendor.VENDOR])
    c = app.test_client()
    for _ in range(300):
        c.get("/toy/nope")
    rt = app.extensions["mockcdr"]
    assert len(rt.journal) == 50 and rt.journal.query()[-1]["seq"] == 300


def test_faults_error_latency_rate_limit_and_drop(toy, toy_rt):
    sleeps = []
    toy_rt.faults._sleep = sleeps.append
    toy_rt.faults.add({"vendor": "toy", "operation": "createExport", "kind": "error", "status": 503,
                       "count": 1, "detail": "maintenance", "code": None, "latency_ms": 0,
                       "retry_after": 1, "after_bytes": None})
    r = toy.post("/toy/exports", json={"name": "x"})
    assert r.status_code == 503 and r.json["toy_error"] == {"kind": "fault", "detail": "maintenance"}
    assert toy.post("/toy/exports", json={"name": "x"}).status_code == 201   # count spent
    toy_rt.faults.add({"vendor": "toy", "operation": None, "kind": "rate_limit", "status": 429,
                       "count": 1, "detail": None, "code": None, "latency_ms": 0, "retry_after": 7,
                       "after_bytes": None})
    r = toy.get("/toy/exports/x")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    toy_rt.faults.add({"vendor": "toy", "operation": None, "kind": "latency", "status": 500,
                       "count": 2, "detail": None, "code": None, "latency_ms": 250, "retry_after": 1,
                       "after_bytes": None})
    toy.get("/toy/exports/x"); toy.get("/toy/exports/x"); toy.get("/toy/exports/x")
    assert sleeps == [0.25, 0.25]
    toy_rt.faults.add({"vendor": "toy", "operation": "createExport", "kind": "drop", "status": 500,
                       "count": 1, "detail": None, "code": None, "latency_ms": 0, "retry_after": 1,
                       "after_bytes": None})
    with pytest.raises(DropConnection):
        toy.post("/toy/exports", json={"name": "x"})
    assert toy_rt.journal.query(operation="createExport")[-1]["status"] == 0
