"""Completion callbacks: the X-DIDWW-Signature algorithm, the SDK's validator, retries with backoff."""
from __future__ import annotations

from datetime import timedelta

import pytest
from didww.callback.request_validator import RequestValidator

from mockcdr.vendors.didww.callbacks import normalize_url, signature

APRIL = {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}


def test_documented_test_vector():
    payload = {"id": "bf2cee72-6caa-4ae2-917e-bea01945691e", "status": "completed", "type": "orders"}
    assert signature("szrdgh6547umt7tht7xbqhj6g9gdbyp7", "https://mycompany.com/didww_callbacks?opaque=123",
                     payload) == "30f66e9d72eb5e193051fd02952f70d8e934b4ff"


@pytest.mark.parametrize("url,normalized", [
    ("http://foo.com/bar", "http://foo.com:80/bar"),
    ("https://foo.com/bar", "https://foo.com:443/bar"),
    ("http://foo.com:443/bar", "http://foo.com:443/bar"),
    ("https://qwe:asd@foo.com:8384/bar?x=1#frag", "https://qwe:asd@foo.com:8384/bar?x=1#frag"),
    ("http://[::1]/bar", "http://[::1]:80/bar"),
    ("http://foo.com/hello%20world", "http://foo.com:80/hello%20world"),
])
def test_url_normalization_agrees_with_the_sdk(url, normalized):
    assert normalize_url(url) == normalized
    payload = {"id": "1dd7a68b-e235-402b-8912-fe73ee14243a", "status": "completed", "type": "exports"}
    assert RequestValidator("SOMEAPIKEY").validate(url, payload, signature("SOMEAPIKEY", url, payload))


def _complete_with_callback(api, rt, receiver, method, customer="globex", path="/hook?opaque=123"):
    version = "2026-04-16"
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL, "callback_url": receiver.url + path,
                             "callback_method": method}, customer=customer, version=version)
    rt.clock.advance(timedelta(seconds=15))    # completes; moving the clock sweeps and delivers
    assert len(receiver.received) == 1, rt.deliveries.list()
    return created, receiver.received[0]


def test_post_callback_is_a_signed_form_the_sdk_accepts(api, rt, receiver):
    created, got = _complete_with_callback(api, rt, receiver, "post")
    assert got["method"] == "POST"
    assert got["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert got["form"] == {"id": created["id"], "status": "completed", "type": "exports"}
    assert got["path"] == "/hook?opaque=123"
    validator = RequestValidator(api.key("globex"))
    assert validator.validate(got["url"], got["form"], got["headers"]["X-DIDWW-Signature"])
    assert not RequestValidator("another-key").validate(got["url"], got["form"],
                                                        got["headers"]["X-DIDWW-Signature"])


def test_get_callback_carries_the_payload_in_the_signed_url(api, rt, receiver):
    created, got = _complete_with_callback(api, rt, receiver, "get")
    assert got["method"] == "GET" and got["body"] == ""
    payload = {k: v for k, v in got["query"].items() if k != "opaque"}
    assert payload == {"id": created["id"], "status": "completed", "type": "exports"}
    assert RequestValidator(api.key("globex")).validate(got["url"], payload, got["headers"]["X-DIDWW-Signature"])


def test_callback_secret_signs_instead_of_the_api_key(api, rt, receiver):
    _created, got = _complete_with_callback(api, rt, receiver, "post", customer="acme-eu")
    sig = got["headers"]["X-DIDWW-Signature"]
    assert RequestValidator("didww-callback-secret-acme-eu").validate(got["url"], got["form"], sig)
    assert not RequestValidator(api.key("acme-eu")).validate(got["url"], got["form"], sig)


def test_legacy_export_callback(api, rt, receiver):
    created = api.create_ok({"export_type": "cdr_out", "filters": {"year": 2026, "month": 4},
                             "callback_url": receiver.url + "/legacy", "callback_method": "GET"},
                            customer="initech")
    rt.clock.advance(timedelta(seconds=15))
    got = receiver.received[0]
    assert got["method"] == "GET"
    assert got["query"] == {"id": created["id"], "status": "completed", "type": "exports"}
    assert RequestValidator(api.key("initech")).validate(got["url"], got["query"],
                                                         got["headers"]["X-DIDWW-Signature"])


def test_callback_without_method_is_posted(api, rt, receiver):
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL, "callback_url": receiver.url})
    assert created["attributes"]["callback_method"] is None
    rt.clock.advance(timedelta(seconds=15))
    assert receiver.received[0]["method"] == "POST"


def test_failing_receiver_is_retried_with_backoff(api, rt, receiver):
    receiver.statuses.extend([500, 503])
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL, "callback_url": receiver.url + "/r"})
    rt.clock.advance(timedelta(seconds=15))
    [delivery] = rt.deliveries.list(vendor="didww")
    assert delivery["source"] == {"export": created["id"]}
    assert [a["outcome"] for a in delivery["attempts"]] == ["HTTP 500"] and delivery["state"] == "pending"
    rt.clock.advance(timedelta(seconds=9))
    assert len(delivery["attempts"]) == 1                      # not due before the 10 s backoff
    rt.clock.advance(timedelta(seconds=1))
    assert [a["outcome"] for a in delivery["attempts"]] == ["HTTP 500", "HTTP 503"]
    rt.clock.advance(timedelta(seconds=30))
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
    assert [a["ok"] for a in delivery["attempts"]] == [False, False, True]
    assert delivery["state"] == "delivered"
    assert len(receiver.received) == 3
    assert len({r["headers"]["X-DIDWW-Signature"] for r in receiver.received}) == 1


def test_unreachable_receiver_gives_up_after_the_backoff_schedule(api, rt, receiver):
    receiver.statuses.extend([500] * 10)
    api.create_ok({"export_type": "cdr_in", "filters": APRIL, "callback_url": receiver.url})
    for step in (15, 10, 30, 60, 120, 300, 600):
        rt.clock.advance(timedelta(seconds=step))
    [delivery] = rt.deliveries.list(vendor="didww")
    assert len(delivery["attempts"]) == 6 and delivery["state"] == "failed"
    assert len(receiver.received) == 6


def test_one_callback_per_export_however_often_it_is_read(api, rt, receiver):
    created = api.create_ok({"export_type": "cdr_in", "filters": APRIL, "callback_url": receiver.url})
    rt.clock.advance(timedelta(seconds=15))
    for _ in range(5):
        api.show(created["id"])
        api.get("/v3/exports")
        rt.tick()
    rt.lifecycle.force(created["id"], "completed")
    assert len(rt.deliveries.list(vendor="didww")) == 1 and len(receiver.received) == 1


def test_no_callback_without_url(api, rt):
    api.create_ok({"export_type": "cdr_in", "filters": APRIL})
    rt.clock.advance(timedelta(seconds=15))
    assert rt.deliveries.list(vendor="didww") == []
