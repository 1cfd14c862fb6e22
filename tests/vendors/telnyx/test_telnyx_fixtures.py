"""The telnyx fixture section and options (bad ones fail naming the field), describe, and generate."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest
import yaml

from mockcdr.app import build_runtime
from mockcdr.core.fixtures import FixtureError
from mockcdr.core.vendor import GenerateRequest
from mockcdr.resources import default_fixtures
from mockcdr.settings import Settings


def default_section() -> dict:
    return yaml.safe_load((default_fixtures() / "telnyx.yaml").read_text())


def runtime_with(tmp_path, section: dict | None = None, **settings):
    changes = {}
    if section is not None:
        path = tmp_path / "telnyx.yaml"
        path.write_text(yaml.safe_dump(section))
        changes["fixtures"] = str(path)
    return build_runtime(Settings(vendors=("telnyx",), **changes, **settings))


def test_default_fixture_accounts(tmp_path):
    rt = runtime_with(tmp_path)
    accounts = rt.state["telnyx"].accounts
    assert set(accounts) == {"acme", "globex", "initech"}
    assert {a.tenant for a in accounts.values()} == {"acme", "globex", "initech"}


@pytest.mark.parametrize("edit, field", [
    (lambda s: s["telnyx"].pop("accounts"), "telnyx.accounts"),
    (lambda s: s["telnyx"]["accounts"]["acme"].update(tenant="nobody"), "telnyx.accounts.acme.tenant"),
    (lambda s: s["telnyx"]["accounts"]["acme"].update(email="not-an-email"), "telnyx.accounts.acme.email"),
    (lambda s: s["telnyx"]["accounts"]["acme"].pop("api_key"), "telnyx.accounts.acme.api_key"),
    (lambda s: s["telnyx"]["accounts"]["globex"].update(v1_token="fake-v1-token-acme-0001"),
     "telnyx.accounts.globex.v1_token"),
    (lambda s: s["telnyx"]["accounts"]["acme"]["connections"][1].update(trunk="3f1e2d4c-6b5a-4978-8c1d-0e2f3a4b5c6d"),
     "telnyx.accounts.acme.connections[1].trunk"),
    (lambda s: s["telnyx"]["accounts"]["acme"]["connections"][0].update(id="12ab"),
     "telnyx.accounts.acme.connections[0].id"),
    (lambda s: s["telnyx"]["accounts"]["globex"]["connections"][0].update(id="1684641123236054001"),
     "telnyx.accounts.globex.connections[0].id"),
    (lambda s: s["telnyx"]["accounts"]["acme"]["number_tags"].update({"4930123456789": ["x"]}),
     "telnyx.accounts.acme.number_tags.4930123456789"),
    (lambda s: s["telnyx"]["accounts"]["acme"].update(extra=1), "telnyx.accounts.acme.extra"),
    (lambda s: s["telnyx"]["options"].update(retention_days=0), "telnyx.options.retention_days"),
    (lambda s: s["telnyx"]["options"].update(v1_filters_format="xml"), "telnyx.options.v1_filters_format"),
    (lambda s: s["telnyx"]["options"].update(colour="blue"), "telnyx.options.colour"),
])
def test_bad_fixtures_name_the_field(tmp_path, edit, field):
    section = default_section()
    edit(section)
    with pytest.raises(FixtureError) as exc:
        runtime_with(tmp_path, section)
    assert f"{field}:" in str(exc.value)


def test_options_from_settings_are_checked_too(tmp_path):
    with pytest.raises(FixtureError, match="telnyx.options.report_url_ttl_seconds"):
        runtime_with(tmp_path, vendor_options={"telnyx": {"report_url_ttl_seconds": -1}})
    rt = runtime_with(tmp_path, vendor_options={"telnyx": {"report_url_ttl_seconds": 60}})
    assert rt.state["telnyx"].options["report_url_ttl_seconds"] == 60


def test_info_lists_base_urls_and_credentials(app):
    info = app.test_client().get("/_mockcdr/info").get_json()
    (telnyx,) = [v for v in info["vendors"] if v["slug"] == "telnyx"]
    assert telnyx["base_urls"] == ["http://localhost", "http://localhost/v2"]
    acme = telnyx["credentials"][0]
    assert acme["x-api-user"] == "ops@acme.example" and acme["Authorization"].startswith("Bearer KEY")


def test_generate_equals_the_download(api):
    body = {"start_time": "2024-02-05T00:00:00Z", "end_time": "2024-02-12T00:00:00Z", "call_types": [1, 2],
            "record_types": [1, 3], "connections": [1684641123236054001], "timezone": "Europe/London",
            "fields": ["start_timestamp", "cost", "origination_number"],
            "filters": [{"filter_type": "and", "cli": "1", "cli_filter": "starts_with"},
                        {"filter_type": "and", "tags_list": "sales"}]}
    job = api.create_v2(body).get_json()["data"]
    served = api.download(api.complete(job)["report_url"]).data
    out = api.rt.vendors["telnyx"].generate(api.rt, GenerateRequest(
        tenant="KEYFAKEACME00000000000000000001_FakeSecretAcme0001",
        start=datetime(2024, 2, 5, tzinfo=timezone.utc), end=datetime(2024, 2, 12, tzinfo=timezone.utc),
        params={"call_types": "1,2", "record_types": "1,3", "connections": "1684641123236054001",
                "timezone": "Europe/London", "fields": "start_timestamp,cost,origination_number",
                "cli": "1", "cli_filter": "starts_with", "tags_list": "sales"}))
    assert out.content_type == "text/csv" and out.filename == "cdr_report_generated.csv"
    assert out.read() == served
    assert served.count(b"\n") > 3


def test_generate_with_a_row_limit(rt):
    out = rt.vendors["telnyx"].generate(rt, GenerateRequest(
        tenant="globex", start=datetime(2024, 2, 1, tzinfo=timezone.utc), end=None, limit=250,
        params={"call_types": "2"}))
    lines = out.read().decode().splitlines()
    assert len(lines) == 251 and all(",outbound," in line for line in lines[1:])


@pytest.mark.parametrize("params, message", [
    ({"call_types": "7"}, "call_types"), ({"colour": "red"}, "colour"), ({"timezone": "Nowhere"}, "timezone"),
])
def test_generate_refuses_bad_parameters(rt, params, message):
    with pytest.raises(ValueError, match=message):
        rt.vendors["telnyx"].generate(rt, GenerateRequest(
            tenant=None, start=datetime(2024, 2, 1, tzinfo=timezone.utc),
            end=datetime(2024, 2, 2, tzinfo=timezone.utc), params=params))
    with pytest.raises(ValueError, match="no Telnyx account"):
        rt.vendors["telnyx"].generate(rt, GenerateRequest(
            tenant="umbrella", start=datetime(2024, 2, 1, tzinfo=timezone.utc),
            end=datetime(2024, 2, 2, tzinfo=timezone.utc)))


def test_cli_generate(tmp_path):
    out = tmp_path / "r.csv"
    proc = subprocess.run([sys.executable, "-m", "mockcdr.cli", "generate", "telnyx", "--from",
                           "2024-02-01T00:00:00Z", "--to", "2024-02-02T00:00:00Z", "--tenant", "initech",
                           "--param", "record_types=1,2,3", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("billable_time,cost,rate,") and len(lines) > 5
