"""The smaller ones: digits are ASCII digits, a served spec names the port that serves it, and error texts
show neither install paths nor Python internals."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import yaml

import mockcdr
from mockcdr.resources import spec_names
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

from hostile import (DIDWW_KEY, JSONAPI, MOR, TELNYX_KEY, YEASTAR_LOGIN, YETI, YETI_ACCOUNT, make_app, mor_tokens,
                     yeastar_token, yeti_jwt)

DIDWW_LEGACY_KEY = "didww-test-acme-3f9c1e7a"       # acme: API version 2022-05-10 by default

GUJARATI_SIX = "\u0aec"                   # ૬
ARABIC_INDIC_SIX = "\u0666"               # ٦
FULLWIDTH_SIX = "\uff16"                  # ６


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def logins(client):
    return {"yeti": yeti_jwt(client), "mor": mor_tokens(client)["token"], "yeastar": yeastar_token(client)}


def _requests(logins):
    """name -> a request with one number in it, as ``number -> (method, path, kwargs)``."""
    didww = {"Api-Key": DIDWW_KEY, "X-DIDWW-API-Version": "2026-04-16"}
    return {
        "didww page[size]": lambda n: ("GET", f"/v3/exports?page[size]={n}", {"headers": didww}),
        "didww page[number]": lambda n: ("GET", f"/v3/exports?page[number]={n}&page[size]=1", {"headers": didww}),
        "didww legacy year": lambda n: ("POST", "/v3/exports", {"headers": {
            "Api-Key": DIDWW_LEGACY_KEY, "Content-Type": JSONAPI}, "json": {"data": {
                "type": "exports", "attributes": {"export_type": "cdr_in", "filters": {
                    "year": "2026", "month": f"{n}"}}}}}),
        "didww from": lambda n: ("POST", "/v3/exports", {"headers": dict(didww, **{"Content-Type": JSONAPI}), "json": {
            "data": {"type": "exports", "attributes": {"export_type": "cdr_in", "filters": {
                "from": f"2026-04-0{n}", "to": "2026-04-10"}}}}}),
        "telnyx page[size]": lambda n: ("GET", f"/v2/legacy/reporting/batch_detail_records/voice?page[size]={n}",
                                        {"headers": {"Authorization": f"Bearer {TELNYX_KEY}"}}),
        "yeti page[size]": lambda n: ("GET", f"{YETI}/cdr-exports?page[size]={n}",
                                      {"headers": {"Authorization": logins["yeti"]}}),
        "yeti filter time": lambda n: ("POST", f"{YETI}/cdr-exports", {
            "headers": {"Authorization": logins["yeti"], "Content-Type": JSONAPI}, "json": {"data": {
                "type": "cdr-exports", "attributes": {"filters": {
                    "time_start_gteq": f"2026-04-0{n}", "time_start_lt": "2026-04-10"}},
                "relationships": {"account": {"data": {"type": "accounts", "id": YETI_ACCOUNT}}}}}}),
        "mor max_results": lambda n: ("GET", f"{MOR}/automatic_cdr_exports?max_results={n}",
                                      {"headers": {"Authorization": f"Bearer {logins['mor']}"}}),
        "mor export time": lambda n: ("POST", f"{MOR}/automatic_cdr_exports", {
            "headers": {"Authorization": f"Bearer {logins['mor']}"}, "json": {
                "name": "t", "period": "daily", "timezone": "London", "cdr_export_at_time": f"0{n}:00:00",
                "template_id": 5, "send_cdr_to": "user", "send_to_user_id": 123}}),
        "yeastar port": lambda n: ("POST", "/api/v1.1.0/login", {"json": dict(YEASTAR_LOGIN, port=f"826{n}")}),
        "yeastar starttime": lambda n: ("POST", f"/api/v1.1.0/cdr/get_random?token={logins['yeastar']}", {
            "json": {"extid": "all", "starttime": f"2026-04-0{n} 00:00:00", "endtime": "2026-04-09 00:00:00"}}),
        "control journal limit": lambda n: ("GET", f"/_mockcdr/journal?limit={n}", {}),
        "control advance": lambda n: ("POST", "/_mockcdr/clock/advance", {"json": {"by": f"PT{n}H"}}),
        "control advance seconds": lambda n: ("POST", "/_mockcdr/clock/advance", {"json": {"by": n}}),
        "control set clock": lambda n: ("PUT", "/_mockcdr/clock", {"json": {"now": f"2026-04-0{n}T00:00:00Z"}}),
        "control delete fault": lambda n: ("DELETE", f"/_mockcdr/faults/{n}", {}),
    }


def _answer(client, request) -> tuple[int, str]:
    method, path, kwargs = request
    response = client.open(path, method=method, **kwargs)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("name", list(_requests({"yeti": "", "mor": ""})))
def test_other_scripts_digits_read_as_a_letter_would(client, logins, name):
    """The reproduction: ``page[size]=`` a Gujarati 6 read as 6 on DIDWW. ASCII digits are the only
    digits (as in Ruby and the PBX's C): any other script's digit answers as a letter does."""
    make = _requests(logins)[name]
    start = client.get("/_mockcdr/snapshot").get_json()      # each answer from the same state

    def answer(number):
        client.post("/_mockcdr/snapshot", json=start)
        return _answer(client, make(number))

    letter = answer("x")
    for six in (GUJARATI_SIX, ARABIC_INDIC_SIX, FULLWIDTH_SIX):
        status, body = answer(six)
        assert status == letter[0] and status < 500, (six, body)
        assert body.replace(six, "x") == letter[1], (six, body, letter[1])
    assert answer("6") != letter, "the ASCII digit is read as a number"


# -- served specs name the port that serves them --------------------------------------------------------
@pytest.fixture(scope="module")
def live():
    with LiveServer(Settings(seed="specs")) as server:
        yield server


@pytest.mark.parametrize("name", spec_names())
def test_a_served_spec_names_the_port_that_serves_it(live, name):
    text = requests.get(f"{live.url}/_mockcdr/openapi/{name}.yaml", timeout=10).text
    shipped = yaml.safe_load((Path(mockcdr.resources.specs_dir()) / f"{name}.yaml").read_text())
    served = yaml.safe_load(text)
    urls = [s["url"] for s in served["servers"]]
    for url, original in zip(urls, (s["url"] for s in shipped["servers"])):
        if original.startswith("http://127.0.0.1:8080"):
            assert url == live.url + original.removeprefix("http://127.0.0.1:8080"), url
        else:
            assert url == original                    # a relative URL needs nothing
    assert {k: v for k, v in served.items() if k != "servers"} == \
        {k: v for k, v in shipped.items() if k != "servers"}


def test_the_served_spec_follows_the_host_the_client_used(client):
    spec = yaml.safe_load(client.get("/_mockcdr/openapi/mor.yaml", headers={"Host": "mock.test:9000"}).data)
    assert [s["url"] for s in spec["servers"]] == ["http://mock.test:9000/billing/api/v2",
                                                   "http://mock.test:9000/api/v2"]
    odd = yaml.safe_load(client.get("/_mockcdr/openapi/didww.yaml", headers={"Host": "a b#c"}).data)
    assert odd["servers"] == [{"url": "http://127.0.0.1:8080"}]          # not written into the YAML


def test_a_schemathesis_schema_loaded_from_a_served_spec_calls_that_server(live):
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{live.url}/_mockcdr/openapi/yeastar.yaml")
    response = schema["/api/v1.1.0/login"]["POST"].Case(body=YEASTAR_LOGIN, media_type="application/json").call()
    assert response.status_code == 200 and response.json()["status"] == "Success"
    control = schemathesis.openapi.from_url(f"{live.url}/_mockcdr/openapi/control.yaml")
    assert control.raw_schema["servers"] == [{"url": live.url}]
    assert control["/_mockcdr/health"]["GET"].Case().call().json() == {"status": "ok"}   # the spec's own server


# -- error texts -------------------------------------------------------------------------------------------
INSTALL = str(Path(mockcdr.__file__).resolve().parent.parent)
LEAKS = re.compile(r"Traceback|site-packages|\.py\b|File \"|\b(Key|Type|Value|Attribute|Index|Recursion|Overflow|"
                   r"Lookup|Name|ZeroDivision|Unicode\w*)Error\b|NoneType|object has no attribute|<class |"
                   r"0x[0-9a-f]{6,}")


def _hostile(logins) -> list:
    """Requests that end in errors: unknown names, wrong shapes, wrong types, in every area."""
    snap_bad = [{"version": 1, "seed": "s", "clock": {"now": 1.7e9}, "ids": {"seed": "s", "counters": {}},
                 "store": store, "faults": {"next": 1, "faults": []}}
                for store in ({"_jobs": {"a": {"x": 1}}}, {"_tokens": {"t": {"kind": 1}}},
                              {"_jobs": {"j": {"id": "j", "vendor": "didww", "kind": "nope", "tenant": "acme",
                                               "state": "Pending", "created_at": {"$dt": "2026-01-01T00:00:00+00:00"},
                                               "entered_at": {"$dt": "x"}, "polls": 0, "timeline": [],
                                               "attrs": {}}}},
                              {"mor.tasks": {"1": {"id": "1"}}}, {"_deliveries": {"1": []}})]
    out = [("GET", "/_mockcdr/openapi/nope.yaml", {}), ("GET", "/_mockcdr/openapi/..%2F..%2Fsetup.yaml", {}),
           ("GET", "/_mockcdr/jobs/nope", {}), ("GET", "/_mockcdr/deliveries/9/file", {}),
           ("PUT", "/_mockcdr/transitions/nope", {"json": {}}), ("PUT", "/_mockcdr/transitions/didww.export",
                                                                 {"json": {"seconds": {"pending": "x"}}}),
           ("POST", "/_mockcdr/faults", {"json": {"vendor": "didww", "kind": "error", "status": "x"}}),
           ("POST", "/_mockcdr/snapshot", {"json": {"version": 1}}), ("POST", "/_mockcdr/jobs/x/state", {"json": []}),
           ("POST", "/_mockcdr/seed", {"json": {"seed": []}}), ("GET", "/_mockcdr/journal?since=x", {}),
           ("POST", "/_mockcdr/clock/advance", {"json": {"by": {}}}), ("PUT", "/_mockcdr/clock", {"json": {"now": 5}}),
           ("POST", "/_mockcdr/faults", {"data": "{", "content_type": "application/json"}),
           ("GET", "/v3/exports/nope", {"headers": {"Api-Key": DIDWW_KEY}}),
           ("POST", "/v3/exports", {"headers": {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI}, "json": {"data": 5}}),
           ("POST", "/reporting/cdr_requests", {"headers": {"Authorization": f"Bearer {TELNYX_KEY}"},
                                                "json": {"start_time": [], "call_types": {}}}),
           ("POST", f"{YETI}/cdr-exports", {"headers": {"Authorization": logins["yeti"], "Content-Type": JSONAPI},
                                            "json": {"data": {"type": "cdr-exports", "attributes": []}}}),
           ("POST", f"{MOR}/automatic_cdr_exports", {"headers": {"Authorization": f"Bearer {logins['mor']}"},
                                                     "json": {"period": [], "template_id": {}}}),
           ("POST", "/api/v1.1.0/cdr/get_random?token=x", {"json": {"starttime": []}}),
           ("GET", "/nowhere", {}), ("DELETE", "/_mockcdr/health", {})]
    return out + [("POST", "/_mockcdr/snapshot", {"json": snap}) for snap in snap_bad]


def test_error_texts_show_no_install_path_and_no_python_internals(client, logins):
    rt = client.application.extensions["mockcdr"]
    seen = 0
    for method, path, kwargs in _hostile(logins):
        response = client.open(path, method=method, **kwargs)
        text = response.get_data(as_text=True)
        assert response.status_code >= 400 or '"Failed"' in text, (method, path, text)
        assert response.status_code < 500, (method, path, text)
        assert INSTALL not in text, (method, path, text)
        assert not LEAKS.search(text), (method, path, text)
        seen += 1
    assert not rt.errors and seen > 20


def test_the_unknown_spec_404_lists_the_specs_it_has(client):
    message = client.get("/_mockcdr/openapi/nope.yaml").get_json()["error"]["message"]
    assert message == "no OpenAPI spec named 'nope'; available: " + ", ".join(spec_names())
