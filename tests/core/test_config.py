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
    ({"MOCKCDR_PORT": "eighty"}, "MOCKCDR_PORT: 'eighty' is not a whole number"),
    ({"MOCKCDR_PORT": "70000"}, "MOCKCDR_PORT: 70000 is not a TCP port (0-65535"),
    ({"MOCKCDR_VENDORS": "didww,acme"}, "MOCKCDR_VENDORS: unknown acme; known: didww, telnyx"),
    ({"MOCKCDR_ACCESS_LOG": "perhaps"}, "MOCKCDR_ACCESS_LOG: 'perhaps' is not a boolean"),
    ({"MOCKCDR_VENDOR_PORTS": "didww"}, "MOCKCDR_VENDOR_PORTS: 'didww' must look like slug=PORT"),
    ({"MOCKCDR_VENDOR_PORTS": "didww=web"}, "MOCKCDR_VENDOR_PORTS: port for 'didww' must be an integer"),
    ({"MOCKCDR_CLUSTER": "n1=http://a:1,n2"}, "MOCKCDR_CLUSTER: 'n2' must look like NODE=URL"),
    ({"MOCKCDR_CLUSTER": "n1=http://a:1,n1=http://b:2"}, "MOCKCDR_CLUSTER: node 'n1' is named twice"),
    ({"MOCKCDR_VENDORS": "didww", "MOCKCDR_VENDOR_PORTS": "yeti=1"}, "MOCKCDR_VENDOR_PORTS: 'yeti' is not a served vendor"),
    ({"MOCKCDR_CLOCK_START": "someday"}, "MOCKCDR_CLOCK_START: 'someday' is not an ISO 8601"),
    ({"MOCKCDR_MAX_BODY": "10"}, "MOCKCDR_MAX_BODY: must be at least 1024"),
    ({"MOCKCDR_LOG_FORMAT": "xml"}, "MOCKCDR_LOG_FORMAT: 'xml' is not one of text, json")])
def test_bad_settings_name_the_variable_and_the_valid_values(env, message):
    with pytest.raises(SettingsError) as exc:
        from_sources(env=env)
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize("name", ["MOCKCDR_SEED", "MOCKCDR_PORT", "MOCKCDR_FIXTURES", "MOCKCDR_CONFIG",
                                  "MOCKCDR_VENDOR_PORTS", "MOCKCDR_ACCESS_LOG"])
def test_an_empty_variable_is_refused_by_its_name_not_read_as_a_value(name):
    with pytest.raises(SettingsError) as exc:
        from_sources(env={name: ""})
    assert str(exc.value) == f"{name}: set but empty; give it a value or unset it"
    with pytest.raises(SettingsError, match=name):
        from_sources(env={name: "  "})


def test_bad_values_name_the_flag_or_the_config_file_they_came_from(tmp_path):
    with pytest.raises(SettingsError, match=r"^--calls-per-day: 'many' is not a whole number"):
        from_sources(cli={"calls_per_day": "many"}, env={})
    with pytest.raises(SettingsError, match=r"^--vendor-port: 'yeti' is not a served vendor"):
        from_sources(cli={"vendors": "didww", "vendor_ports": "yeti=9"}, env={},
                     cli_labels={"vendor_ports": "--vendor-port"})
    cfg = tmp_path / "c.yaml"
    cfg.write_text("threads: 0\n")
    with pytest.raises(SettingsError, match=rf"^{cfg}: threads: must be at least 1"):
        from_sources(env={}, config=str(cfg))


def test_config_file_with_unknown_keys_is_refused(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("prot: 1\n")
    with pytest.raises(SettingsError, match="unknown settings prot; known: host, port"):
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
