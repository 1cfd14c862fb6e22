"""The didww fixture section and options: errors that name the field, and what describe() shows."""
from __future__ import annotations

import pytest
import yaml

from mockcdr.app import create_app
from mockcdr.core.fixtures import FixtureError
from mockcdr.settings import Settings

GOOD = {"api_key": "didww-fake-key-0001", "tenant": "acme"}


def build(tmp_path, section, **settings):
    path = tmp_path / "didww.yaml"
    path.write_text(yaml.safe_dump({"didww": section}), encoding="utf-8")
    return create_app(Settings(vendors=("didww",), fixtures=str(path), **settings))


@pytest.mark.parametrize("section,message", [
    ({"customers": {"x": {**GOOD, "tenant": "nobody"}}}, "didww.customers.x.tenant: unknown tenant 'nobody'"),
    ({"customers": {"x": {**GOOD, "default_api_version": "2020-01-01"}}},
     "didww.customers.x.value.default_api_version: Must be one of"),
    ({"customers": {"x": {"tenant": "acme"}}}, "didww.customers.x.value.api_key: Missing data"),
    ({"customers": {"x": GOOD, "y": GOOD}}, "the same key is already used by customer 'x'"),
    ({"customers": {}}, "didww.customers: Shorter than minimum length 1"),
    ({"customers": {"x": GOOD}, "options": {"speed": 1}}, "didww.options: unknown options: speed"),
    ({"customers": {"x": GOOD}, "options": {"callback_backoff": []}}, "didww.options.callback_backoff"),
    ({"customers": {"x": GOOD}, "options": {"pending_seconds": "soon"}}, "didww.options.pending_seconds"),
    ({"customers": {"x": GOOD}, "options": {"legacy_cdr_out_columns": ["Nope"]}},
     "didww.options.legacy_cdr_out_columns: legacy_cdr_out_columns: unknown columns ['Nope']"),
])
def test_bad_fixtures_name_the_field(tmp_path, section, message):
    with pytest.raises(FixtureError) as err:
        build(tmp_path, section)
    assert message in str(err.value)


def test_unknown_vendor_options_are_refused():
    with pytest.raises(FixtureError, match="vendor_options.didww: unknown options speed"):
        create_app(Settings(vendors=("didww",), vendor_options={"didww": {"speed": 2}}))


def test_a_users_section_replaces_the_defaults(tmp_path):
    app = build(tmp_path, {"customers": {"solo": {**GOOD, "default_api_version": "2022-05-10"}}})
    rt = app.extensions["mockcdr"]
    assert list(rt.state["didww"].by_name) == ["solo"]
    client = app.test_client()
    resp = client.get("/v3/exports", headers={"Api-Key": "didww-fake-key-0001"})
    assert resp.status_code == 200 and resp.json["meta"]["api_version"] == "2022-05-10"
    assert client.get("/v3/exports", headers={"Api-Key": "didww-test-acme-3f9c1e7a"}).status_code == 401


def test_describe_and_info(app):
    info = app.test_client().get("/_mockcdr/info").json
    [didww] = [v for v in info["vendors"] if v["slug"] == "didww"]
    assert didww["base_urls"] == ["http://localhost/v3"]
    creds = {c["Api-Key"]: c for c in didww["credentials"]}
    assert creds["didww-test-acme-3f9c1e7a"]["default X-DIDWW-API-Version"] == "2022-05-10"
    assert creds["didww-test-globex-51a7c9d2"]["tenant"] == "globex"
    assert len(creds) == 4


def test_options_from_settings_override_the_fixture(api):
    settings = Settings(vendors=("didww",), vendor_options={"didww": {"api_version_in_errors": True}})
    client = create_app(settings).test_client()
    resp = client.get("/v3/exports/x", headers={"Api-Key": "didww-test-initech-0e6b3a94"})
    assert resp.status_code == 404
    assert resp.json["meta"] == {"api_version": "2021-12-15"}
    # default: the recorded error bodies carry no meta
    assert "meta" not in api.show("x").json
