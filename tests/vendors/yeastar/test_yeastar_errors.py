"""Every core error kind in Yeastar's envelope: HTTP 200 and an errno, except injected faults."""
from __future__ import annotations

import pytest

from mockcdr.core import errors as core
from mockcdr.core.faults import parse_fault
from mockcdr.vendors.yeastar import VENDOR
from yeastar_helpers import failed


@pytest.mark.parametrize("err, errno", [
    (core.RouteNotFound("no endpoint"), "10003"),
    (core.MethodNotAllowed("GET", headers={"Allow": "OPTIONS, POST"}), "20001"),
    (core.MalformedBody("not JSON"), "20000"),
    (core.UnsupportedMediaType("xml"), "20000"),
    (core.PayloadTooLarge("big"), "30001"),
    (core.BadRequest("bad"), "10004"),
    (core.ValidationFailed("invalid"), "10004"),
    (core.Unauthorized("who"), "20004"),
    (core.NotFound("gone"), "10003"),
    (core.Forbidden("no"), "20010"),
    (core.Conflict("twice"), "20010"),
    (core.NotAcceptable("csv only"), "20010"),
    (core.ServerError("bug"), "20010"),
    (core.MockError("teapot", status=418), "20010"),
])
def test_core_errors_are_http_200_with_an_errno(pbx, err, errno):
    with pbx.app.test_request_context():
        resp = VENDOR.render_error(err)
    assert failed(resp) == errno
    assert resp.headers["X-Mockcdr-Detail"] == err.detail
    for name, value in err.headers.items():
        assert resp.headers[name] == value


def test_the_detail_header_is_one_ascii_line(pbx):
    with pbx.app.test_request_context():
        resp = VENDOR.render_error(core.ValidationFailed("extension 'ü'\r\nnext line"))
    assert resp.headers["X-Mockcdr-Detail"] == "extension '\\xfc' next line"


def _fault(pbx, **fault):
    pbx.rt.faults.add(parse_fault({"vendor": "yeastar", **fault}, ["yeastar"]))


def test_an_injected_error_keeps_its_status_and_takes_its_code_as_errno(pbx):
    _fault(pbx, operation="login", kind="error", status=503, code="30003", count=1)
    resp = pbx.login()
    assert resp.status_code == 503
    assert resp.json == {"status": "Failed", "errno": "30003"}
    assert pbx.login().json["status"] == "Success"
    _fault(pbx, operation="getCdrRandom", kind="error", status=502, count=1)
    resp = pbx.get_random(pbx.token())
    assert resp.status_code == 502 and resp.json == {"status": "Failed", "errno": "20010"}


def test_an_injected_rate_limit_has_retry_after(pbx):
    _fault(pbx, operation="downloadCdr", kind="rate_limit", retry_after=7, count=1)
    token = pbx.token()
    random = pbx.random(token)
    resp = pbx.download(token, random)
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
    assert resp.json == {"status": "Failed", "errno": "20010"}
    assert pbx.download(token, random).status_code == 200          # the fault spent nothing


def test_errors_are_journaled_under_the_operation(pbx):
    pbx.login(password="wrong")
    entry = pbx.rt.journal.query(vendor="yeastar", limit=1)[-1]
    assert (entry["operation"], entry["status"]) == ("login", 200)
    assert entry["response"]["body"] == '{"status":"Failed","errno":"20003"}'
    pbx.download(pbx.token(), "f" * 32, method="POST")
    entry = pbx.rt.journal.query(vendor="yeastar", limit=1)[-1]
    assert (entry["operation"], entry["tenant"]) == ("downloadCdrPost", "acme")
