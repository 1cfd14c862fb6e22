"""The yeastar fixture section and options, describe(), and ``mockcdr generate yeastar``."""
from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from mockcdr import cli
from mockcdr.app import create_app
from mockcdr.core.fixtures import FixtureError
from mockcdr.settings import Settings
from yeastar_helpers import PASSWORD, USER, md5, yeastar_settings


def _app_with(tmp_path, section: dict, **settings):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"yeastar": section}), encoding="utf-8")
    return create_app(Settings(vendors=("yeastar",), fixtures=str(path), **settings))


USERS = [{"username": "pbx-1", "password": "pw", "tenant": "globex", "sn": "3631A0009999"}]


def test_a_users_fixture_replaces_the_default_users(tmp_path):
    app = _app_with(tmp_path, {"users": USERS, "options": {"random_ttl_seconds": 5}})
    client = app.test_client()
    token = client.post("/api/v1.1.0/login", json={"username": "pbx-1", "password": md5("pw"),
                                                    "port": 1}).json["token"]
    assert client.post("/api/v1.1.0/login", json={"username": USER, "password": md5(PASSWORD),
                                                   "port": 1}).json["errno"] == "20003"
    random = client.post(f"/api/v1.1.0/cdr/get_random?token={token}", json={
        "extid": "200", "starttime": "2026-03-01 00:00:00", "endtime": "2026-03-01 23:59:59"}).json
    assert random["status"] == "Success"
    app.extensions["mockcdr"].clock.advance(timedelta(seconds=5))
    resp = client.get("/api/v1.1.0/cdr/download", query_string={
        "extid": "200", "starttime": "2026-03-01 00:00:00", "endtime": "2026-03-01 23:59:59",
        "token": token, "random": random["random"]})
    assert resp.json["errno"] == "20020"                   # the option shortened its life


@pytest.mark.parametrize("section, field", [
    ({"users": []}, "yeastar.users"),
    ({"users": [dict(USERS[0], tenant="nobody")]}, "yeastar.users[0].tenant"),
    ({"users": [{k: v for k, v in USERS[0].items() if k != "password"}]}, "yeastar.users[0].password"),
    ({"users": [dict(USERS[0], sn="no spaces allowed")]}, "yeastar.users[0].sn"),
    ({"users": USERS * 2}, "yeastar.users"),
    ({"users": USERS, "options": {"timezone": "Mars/Olympus"}}, "yeastar.options.timezone"),
    ({"users": USERS, "options": {"csv_header": ["a", "b"]}}, "yeastar.options.csv_header"),
    ({"users": USERS, "options": {"lockout_scope": "planet"}}, "yeastar.options.lockout_scope"),
    ({"users": USERS, "options": {"no_such_option": 1}}, "yeastar.options.no_such_option"),
])
def test_a_bad_fixture_names_the_field(tmp_path, section, field):
    with pytest.raises(FixtureError) as exc:
        _app_with(tmp_path, section)
    assert f"{field}:" in str(exc.value)


def test_bad_vendor_options_name_the_option():
    with pytest.raises(FixtureError, match=r"yeastar.options.random_ttl_seconds:"):
        create_app(yeastar_settings(random_ttl_seconds=0))
    with pytest.raises(FixtureError, match=r"vendor_options.yeastar: unknown options typo"):
        create_app(yeastar_settings(typo=1))


def test_info_lists_base_urls_and_credentials():
    app = create_app(yeastar_settings())
    info = app.test_client().get("/_mockcdr/info").json
    (vendor,) = info["vendors"]
    assert vendor["base_urls"] == ["http://localhost/api/v1.1.0", "http://localhost/api/v2.0.0"]
    acme = next(c for c in vendor["credentials"] if c["username"] == USER)
    assert acme == {"username": USER, "password": PASSWORD, "password_md5": md5(PASSWORD),
                    "tenant": "acme"}


def test_the_generate_command_writes_what_a_download_serves(tmp_path, pbx):
    out = tmp_path / "cdr.csv"
    code = cli.main(["generate", "yeastar", "--from", "2026-03-01T00:00:00Z", "--to", "2026-03-02T00:00:00Z",
                     "--tenant", "acme-api", "--param", "extid=1000,1005", "--seed", "yeastar-tests",
                     "-o", str(out)])
    assert code == 0
    assert out.read_bytes() == pbx.csv("1000,1005").encode()


def test_the_generate_command_refuses_unknown_extensions_and_formats(tmp_path, capsys):
    assert cli.main(["generate", "yeastar", "--from", "2026-03-01T00:00:00Z", "--param", "extid=42"]) == 2
    assert "extension '42' does not exist" in capsys.readouterr().err
    assert cli.main(["generate", "yeastar", "--from", "2026-03-01T00:00:00Z", "--format", "xlsx"]) == 2
