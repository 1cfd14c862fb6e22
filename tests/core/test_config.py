"""Settings from flags, environment and files; fixtures that fail with the field's name."""
from pathlib import Path

import pytest

from mockcdr.core.fixtures import FixtureError, overlay, parse_tenants, read_tree
from mockcdr.core.world import load_fixtures
from mockcdr import resources
from mockcdr.settings import Settings, SettingsError, from_sources


def test_cli_beats_environment_beats_config_file(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("port: 9000\nseed: file\ncalls_per_day: 7\n")
    s = from_sources(cli={"port": 9100}, env={"MOCKCDR_PORT": "9050", "MOCKCDR_SEED": "env"}, config=str(cfg))
    assert (s.port, s.seed, s.calls_per_day) == (9100, "env", 7)


def test_environment_variables_cover_every_serve_flag():
    s = from_sources(env={"MOCKCDR_HOST": "0.0.0.0", "MOCKCDR_PORT": "9999", "MOCKCDR_SEED": "x",
                          "MOCKCDR_VENDORS": "didww,yeti", "MOCKCDR_VENDOR_PORTS": "yeti=9001",
                          "MOCKCDR_ACCESS_LOG": "true", "MOCKCDR_FIXTURES": "/f.yaml"})
    assert (s.host, s.port, s.seed, s.vendors, dict(s.vendor_ports), s.access_log, s.fixtures) == \
        ("0.0.0.0", 9999, "x", ("didww", "yeti"), {"yeti": 9001}, True, "/f.yaml")


@pytest.mark.parametrize("env,message", [
    ({"MOCKCDR_PORT": "eighty"}, "port"), ({"MOCKCDR_VENDORS": "didww,acme"}, "vendors"),
    ({"MOCKCDR_ACCESS_LOG": "perhaps"}, "access_log"), ({"MOCKCDR_VENDOR_PORTS": "didww"}, "slug=PORT"),
    ({"MOCKCDR_VENDORS": "didww", "MOCKCDR_VENDOR_PORTS": "yeti=1"}, "not a served vendor"),
    ({"MOCKCDR_CLOCK_START": "someday"}, "clock_start"), ({"MOCKCDR_MAX_BODY": "10"}, "max_body")])
def test_bad_settings_name_the_setting(env, message):
    with pytest.raises(SettingsError, match=message):
        from_sources(env=env)


def test_config_file_with_unknown_keys_is_refused(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("prot: 1\n")
    with pytest.raises(SettingsError, match="unknown settings prot"):
        from_sources(env={}, config=str(cfg))


def test_embedded_default_fixtures_define_the_tenants():
    tenants = parse_tenants(read_tree(resources.default_fixtures())["tenants"])
    assert {"acme", "globex", "initech"} <= set(tenants)
    assert all(t.dids and t.trunks and t.extensions for t in tenants.values())


@pytest.mark.parametrize("yaml_text,message", [
    ("tenants:\n  t: {name: T, dids: [abc]}\n", "tenants.t.dids[0]: 'abc' is not an E.164 number"),
    ("tenants:\n  t: {name: T, country: XX}\n", "tenants.t.country: Must be one of"),
    ("tenants:\n  t: {dids: []}\n", "tenants.t.name: Missing data for required field"),
    ("tenants:\n  t: {name: T, trunks: [{id: x}]}\n", "tenants.t.trunks[0].name: Missing data"),
    ("tenants:\n  t: {name: T, extensions: [12a]}\n", "tenants.t.extensions[0]"),
    ("tenants: {}\n", "at least one tenant")])
def test_bad_tenants_fail_with_the_fields_path(tmp_path, yaml_text, message):
    f = tmp_path / "f.yaml"
    f.write_text(yaml_text)
    with pytest.raises(FixtureError) as exc:
        parse_tenants(read_tree(f)["tenants"])
    assert message in str(exc.value)


def test_unreadable_yaml_names_file_and_line(tmp_path):
    f = tmp_path / "f.yaml"
    f.write_text("tenants:\n  t: [unclosed\n")
    with pytest.raises(FixtureError, match=r"f.yaml: line \d+ column \d+: not valid YAML"):
        read_tree(f)
    with pytest.raises(FixtureError, match="does not exist"):
        read_tree(tmp_path / "missing.yaml")


def test_folder_merges_files_and_refuses_duplicate_sections(tmp_path):
    (tmp_path / "a.yaml").write_text("tenants:\n  x: {name: X}\nsome: 1\n")
    (tmp_path / "b.yaml").write_text("tenants:\n  y: {name: Y}\n")
    assert set(read_tree(tmp_path)["tenants"]) == {"x", "y"}
    (tmp_path / "c.yaml").write_text("some: 2\n")
    with pytest.raises(FixtureError, match="section 'some' is defined twice"):
        read_tree(tmp_path)


def test_user_fixtures_overlay_sections_and_add_tenants(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("tenants:\n  mine: {name: Mine, dids: ['12025550100']}\n")
    merged = load_fixtures(Settings(fixtures=str(user)), resources.default_fixtures())
    assert {"acme", "mine"} <= set(merged["tenants"])
    assert overlay({"a": 1, "b": 2}, {"b": 3}) == {"a": 1, "b": 3}
