"""Hostile JSON: deep nesting, huge numbers and non-standard constants get each vendor's own 4xx, never a 500."""
from __future__ import annotations

import base64
import json

import pytest

from mockcdr.core import jsontext

from hostile import YETI, json_operations, make_app

DEEP_ARRAY = "[" * 2000 + "]" * 2000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000
JUST_TOO_DEEP = "[" * 101 + "]" * 101
LONG_INT = "1" * 5000
BOMBS = {
    "deep array": DEEP_ARRAY,
    "deep object": DEEP_OBJECT,
    "101 levels": JUST_TOO_DEEP,
    "5000-digit integer": LONG_INT,
    "5000-digit integer in an object": '{"data": %s}' % LONG_INT,
    "float beyond range": '{"data": 1e999}',
    "NaN": '{"data": NaN}',
    "Infinity": '{"data": -Infinity}',
}


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture(scope="module")
def operations(app):
    return json_operations(app.test_client())


def _envelope_of(vendor: str, response) -> None:
    """The vendor's own error, not the generic one; Yeastar says so in a 200 with errno 20000."""
    body = response.get_json(silent=True)
    if vendor == "yeastar":
        assert response.status_code == 200 and body == {"status": "Failed", "errno": "20000"}
        return
    assert 400 <= response.status_code < 500, response.get_data()[:300]
    if vendor == "control":
        assert body["error"]["kind"] == "bad_request" and "not valid JSON" in body["error"]["message"]
    elif vendor == "yeti" and response.content_type.startswith("text/html"):
        return  # the Rails params parser's own 400 page (POST /auth, as for any unparseable body)
    else:
        generic = isinstance(body, dict) and isinstance(body.get("error"), dict) and "kind" in body["error"]
        assert body is not None and not generic, response.get_data()[:300]


@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_every_json_reader_answers_a_bomb_with_its_vendors_own_error(app, operations, bomb):
    rt = app.extensions["mockcdr"]
    client = app.test_client()
    for vendor, method, path, headers in operations:
        rt.errors.clear()
        response = client.open(path, method=method, data=BOMBS[bomb], headers=headers)
        assert not rt.errors, f"{vendor} {method} {path}: {rt.errors[0]!r}"
        _envelope_of(vendor, response)


def test_a_deep_bomb_leaves_the_state_as_it_was(app):
    client = app.test_client()
    before = client.get("/_mockcdr/faults").get_json()
    client.post("/_mockcdr/faults", data='{"vendor": "didww", "kind": "error", "x": ' + DEEP_ARRAY + "}",
                content_type="application/json")
    assert client.get("/_mockcdr/faults").get_json() == before


def test_yeti_answers_a_nested_jwt_header_with_401():
    """An Authorization header whose JWT header segment is base64 of 2,000 nested arrays."""
    app = make_app(vendors=("yeti",))
    rt = app.extensions["mockcdr"]
    segment = base64.urlsafe_b64encode(("[" * 2000 + "]" * 2000).encode()).decode().rstrip("=")
    claims = base64.urlsafe_b64encode(b'{"sub": 1, "aud": ["customer-v1"]}').decode().rstrip("=")
    client = app.test_client()
    for header in (f"{segment}.{claims}.c2ln", f"Bearer {segment}.{claims}.c2ln", f"{claims}.{segment}.c2ln"):
        response = client.get(f"{YETI}/cdr-exports", headers={"Authorization": header})
        assert response.status_code == 401, response.get_data()
        assert response.get_json()["errors"][0]["title"] == "Authorization failed"
    assert not rt.errors


def test_mor_answers_a_nested_jwt_with_401():
    app = make_app(vendors=("mor",))
    rt = app.extensions["mockcdr"]
    nested = base64.urlsafe_b64encode(("[" * 2000 + "]" * 2000).encode()).decode().rstrip("=")
    response = app.test_client().get("/billing/api/v2/automatic_cdr_exports",
                                     headers={"Authorization": f"Bearer {nested}.{nested}.c2ln"})
    assert response.status_code == 401 and response.get_json() == {"errors": "Unauthorized"}
    assert not rt.errors


def test_depth_limit_is_rails_max_nesting():
    """100 levels parse (Rails' JSON.parse default max_nesting), 101 do not."""
    assert jsontext.loads("[" * 100 + "]" * 100) is not None
    with pytest.raises(jsontext.JSONTextError, match="deeper than 100"):
        jsontext.loads(JUST_TOO_DEEP)
    with pytest.raises(jsontext.JSONTextError, match="deeper than 100"):
        jsontext.loads(DEEP_OBJECT)


def test_ordinary_json_reads_as_before():
    doc = {"a": [1, 2.5, -3e10, None, True, "é"], "b": {"c": {"d": []}}, "n": 10 ** 30}
    assert jsontext.loads(json.dumps(doc)) == doc
    assert jsontext.loads(json.dumps(doc).encode()) == doc
    with pytest.raises(jsontext.JSONTextError, match="UTF-8"):
        jsontext.loads(b'{"a": "\xff"}')
