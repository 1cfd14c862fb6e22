"""The mor: fixture section: a bad file fails naming the field; describe() lists URLs and credentials."""
from __future__ import annotations

import copy

import pytest
import yaml
from mor_support import make_app

from mockcdr.core.fixtures import FixtureError
from mockcdr.resources import default_fixtures

DEFAULT = yaml.safe_load((default_fixtures() / "mor.yaml").read_text())["mor"]


def _load(tmp_path, mutate, **settings):
    section = copy.deepcopy(DEFAULT)
    mutate(section)
    path = tmp_path / "mor.yaml"
    path.write_text(yaml.safe_dump({"mor": section}))
    return make_app(fixtures=str(path), **settings)


def _set(path, value):
    def mutate(section):
        node = section
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


@pytest.mark.parametrize("mutate,where", [
    (_set(("users", 0, "tenant"), "umbrella"), "mor.users[0].tenant"),
    (_set(("users", 0, "usertype"), "superuser"), "mor.users[0].usertype"),
    (_set(("users", 0, "time_zone"), "Europe/London"), "mor.users[0].time_zone"),
    (_set(("users", 0, "permission_group"), "missing"), "mor.users[0]"),
    (_set(("users", 0, "devices"), [{"id": 21, "extension": "9999"}]), "mor.users[0].devices[0].extension"),
    (_set(("users", 1, "id"), 2), "mor.users[1]"),
    (_set(("templates", 0, "columns"), ["calldate2", "colour"]), "mor.templates[0].columns[1]"),
    (_set(("templates", 0, "owner_id"), 123), "mor.templates[0]"),
    (_set(("permission_groups", "cdr_export_full"), ["v2_everything"]), "mor.permission_groups"),
    (_set(("providers", 0, "trunk"), "no-such-trunk"), "mor.providers[0].trunk"),
    (_set(("options",), {"no_such_option": 1}), "mor.options.no_such_option"),
    (_set(("options",), {"delete_status": 202}), "mor.options.delete_status"),
    (_set(("options",), {"file_name_format": "{prefix}{when}"}), "mor.options.file_name_format"),
    (_set(("options",), {"csv_separator": ";;"}), "mor.options.csv_separator"),
    (_set(("options",), {"token_ttl_seconds": "15 minutes"}), "mor.options.token_ttl_seconds"),
    (_set(("options",), {"rotate_refresh_tokens": "yes"}), "mor.options.rotate_refresh_tokens"),
])
def test_bad_fixture_names_the_field(tmp_path, mutate, where):
    with pytest.raises(FixtureError) as exc:
        _load(tmp_path, mutate)
    assert where in str(exc.value)


def test_fixture_options_apply(tmp_path):
    app = _load(tmp_path, _set(("options",), {"list_wrapper": "exports"}))
    client = app.test_client()
    from mor_support import basic

    token = client.post("/api/v2/authentication/login", headers=basic("acme_admin")).get_json()["token"]
    resp = client.get("/api/v2/automatic_cdr_exports", headers={"Authorization": f"Bearer {token}"})
    assert resp.get_json() == {"exports": []}


def test_settings_options_win_over_fixture_options(tmp_path):
    app = _load(tmp_path, _set(("options",), {"token_ttl_seconds": 60}),
                vendor_options={"mor": {"token_ttl_seconds": 120}})
    from mor_support import basic

    body = app.test_client().post("/api/v2/authentication/login", headers=basic("acme_admin")).get_json()
    assert body["expires_in"] == 120


def test_describe_lists_both_prefixes_and_the_fake_credentials(app):
    rt = app.extensions["mockcdr"]
    info = rt.vendors["mor"].describe(rt, "http://127.0.0.1:8080")
    assert info["base_urls"] == ["http://127.0.0.1:8080/billing/api/v2", "http://127.0.0.1:8080/api/v2"]
    admin = next(c for c in info["credentials"] if c["username"] == "acme_admin")
    assert admin == {"username": "acme_admin", "password": "acme-admin-FAKE-pass", "usertype": "admin",
                     "tenant": "acme", "permission_group": "cdr_export_full"}
    assert all("FAKE" in c["password"] for c in info["credentials"])
