"""The yeti fixture section and options: validation that names the field, describe(), the CLI generator."""
from __future__ import annotations

import gzip

import pytest
import yaml

from mockcdr import cli
from mockcdr.app import build_runtime, create_app
from mockcdr.core.fixtures import FixtureError
from mockcdr.settings import Settings

from yeti_helpers import ACME_PRIMARY, BASE

GOOD = {"customers": [{"id": 7, "name": "Solo", "tenant": "acme",
                       "accounts": [{"uuid": "11111111-2222-4333-8444-555555555555", "name": "Solo USD"}],
                       "api_accesses": [{"id": 70, "login": "solo", "password": "pw"}]}]}


def runtime_with(tmp_path, section, **settings):
    path = tmp_path / "yeti.yaml"
    path.write_text(yaml.safe_dump({"yeti": section}))
    return build_runtime(Settings(vendors=("yeti",), fixtures=str(path), **settings))


def test_a_users_section_replaces_the_default_one(tmp_path):
    rt = runtime_with(tmp_path, GOOD)
    app = create_app(runtime=rt)
    client = app.test_client()
    r = client.post(f"{BASE}/auth", json={"auth": {"login": "solo", "password": "pw"}})
    assert r.status_code == 201
    assert client.post(f"{BASE}/auth", json={"auth": {"login": "acme-api", "password": "acme-fake-password"}}
                       ).status_code == 401
    # an account without `trunks` takes every trunk of its tenant
    assert rt.state["yeti"].accounts["11111111-2222-4333-8444-555555555555"].trunks == {
        t.id for t in rt.tenant("acme").trunks}


def mutate(path, value):
    section = yaml.safe_load(yaml.safe_dump(GOOD))
    node = section
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return section


@pytest.mark.parametrize("section, message", [
    ({}, "yeti.customers: Missing data for required field."),
    (mutate(["customers", 0, "tenant"], "umbrella"), "yeti.customers[0].tenant: unknown tenant 'umbrella'"),
    (mutate(["customers", 0, "accounts", 0, "uuid"], "acct-1"), "yeti.customers[0].accounts[0].uuid: 'acct-1' is not a UUID"),
    (mutate(["customers", 0, "accounts", 0, "trunks"], ["nope"]),
     "yeti.customers[0].accounts[0].trunks[0]: 'nope' is not a trunk of tenant 'acme'"),
    (mutate(["customers", 0, "api_accesses", 0, "allowed_ips"], ["10.0.0.300"]),
     "yeti.customers[0].api_accesses[0].allowed_ips[0]: '10.0.0.300' is not an IP address or network"),
    (mutate(["customers", 0, "api_accesses", 0, "accounts"], [ACME_PRIMARY]),
     f"yeti.customers[0].api_accesses[0].accounts[0]: {ACME_PRIMARY} is not an account of customer 7"),
    (mutate(["customers", 0, "accounts"], GOOD["customers"][0]["accounts"] * 2),
     "yeti.customers[0].accounts[1].uuid: account 11111111-2222-4333-8444-555555555555 is defined twice"),
    (mutate(["customers", 0, "api_accesses"], GOOD["customers"][0]["api_accesses"] * 2),
     "yeti.customers[0].api_accesses[1].login: login 'solo' is used twice"),
    (dict(GOOD, options={"token_lifetime": -1}), "yeti.options.token_lifetime: must be a number of seconds from 1"),
    (dict(GOOD, options={"hidden_fields": ["colour"]}), "yeti.options.hidden_fields: must be a list of field names"),
    (dict(GOOD, options={"tokn_lifetime": 5}), "yeti.options.tokn_lifetime: unknown option"),
])
def test_bad_fixtures_fail_naming_the_field(tmp_path, section, message):
    with pytest.raises(FixtureError) as info:
        runtime_with(tmp_path, section)
    assert message in str(info.value)


def test_two_accounts_cannot_share_a_trunk(tmp_path):
    section = mutate(["customers", 0, "accounts"], [
        {"uuid": "11111111-2222-4333-8444-555555555555", "name": "a"},
        {"uuid": "11111111-2222-4333-8444-555555555556", "name": "b",
         "trunks": ["457bf47d-446d-41cd-91c3-dfbda7bf0753"]}])
    with pytest.raises(FixtureError, match=r"accounts\[1\]\.trunks: trunk 457bf47d.* already belongs to accounts\[0\]"):
        runtime_with(tmp_path, section)


def test_options_from_settings_are_validated_too():
    with pytest.raises(FixtureError, match="yeti.options.directions"):
        build_runtime(Settings(vendors=("yeti",), vendor_options={"yeti": {"directions": ["sideways"]}}))


def test_describe_lists_every_login_with_its_accounts():
    rt = build_runtime(Settings(vendors=("yeti",)))
    doc = rt.vendors["yeti"].describe(rt, "http://127.0.0.1:8080")
    assert doc["base_urls"] == ["http://127.0.0.1:8080/api/rest/customer/v1"]
    by_login = {c["login"]: c for c in doc["credentials"]}
    assert set(by_login) == {"acme-api", "acme-primary-only", "globex-api", "initech-api"}
    assert by_login["acme-primary-only"]["accounts"] == ACME_PRIMARY
    assert by_login["acme-api"]["password"] == "acme-fake-password"


def test_the_cli_writes_what_a_download_serves(tmp_path, capsys):
    out = tmp_path / "export.csv.gz"
    code = cli.main(["generate", "yeti", "--from", "2026-07-10T00:00:00Z", "--to", "2026-07-11T00:00:00Z",
                     "--tenant", "acme-api", "--format", "without_timezone", "--param", "success_eq=t",
                     "--seed", "cli", "--clock-start", "2026-07-18T10:00:00Z", "-o", str(out)])
    assert code == 0
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert lines[0].startswith("Time Start,") and len(lines) > 1
    assert all(line.split(",")[3] == '"t"' for line in lines[1:])
    assert cli.main(["generate", "yeti", "--from", "2026-07-10T00:00:00Z", "--param", "colour=red"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockcdr generate: argument --param: 'colour' is not a yeti parameter; valid: "
                          "account, time_format, time_zone_name, success_eq")
