"""A process behind a proxy: its settings, the ids it generates, and the views that span the cluster
(other nodes stand in as functions here; tests/cluster runs real ones behind nginx)."""
from __future__ import annotations

import pytest

from mockcdr.app import create_app
from mockcdr.cli import _settings, build_parser
from mockcdr.core import cluster
from mockcdr.settings import Settings, SettingsError, from_sources

CLUSTER = {"n1": "http://10.0.0.5:8080", "n2": "http://10.0.0.6:8080"}


def app_of(**kw):
    app = create_app(Settings(**kw))
    app.config["TESTING"] = True
    return app, app.test_client()


def test_cli_and_environment_name_the_node_its_peers_and_the_trusted_proxies():
    ns = build_parser().parse_args(["serve", "--node", "n2", "--cluster", "n1=http://a:1,n2=http://b:2/",
                                    "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1"])
    settings = _settings(ns)
    assert settings.node == "n2" and settings.cluster == {"n1": "http://a:1", "n2": "http://b:2"}
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    env = from_sources(env={"MOCKCDR_NODE": "n1", "MOCKCDR_CLUSTER": "n1=http://a:1",
                            "MOCKCDR_TRUSTED_PROXIES": "*"})
    assert env.node == "n1" and list(env.cluster) == ["n1"] and env.trusted_proxies == ("*",)


@pytest.mark.parametrize("changes, message", [
    ({"cluster": {"n1": "http://a:1"}}, "node: required with cluster"),
    ({"node": "n3", "cluster": {"n1": "http://a:1"}}, "not one of the cluster's nodes"),
    ({"node": "n.1"}, "no dot"),
    ({"node": "n1", "cluster": {"n1": "a:1"}}, "not an http"),
])
def test_a_cluster_that_cannot_work_is_refused_at_start(changes, message):
    with pytest.raises(SettingsError, match=message):
        Settings().with_(**changes)


def test_generated_ids_carry_the_node_name_and_named_ones_do_not_change():
    app, c = app_of(node="n2")
    made = c.post("/_mockcdr/sessions").get_json()
    assert made["id"].startswith("n2.") and len(made["id"]) == 3 + 16 and made["node"] == "n2"
    assert c.get(f"/_s/{made['id']}/_mockcdr/clock").status_code == 200
    named = c.put("/_mockcdr/sessions/mine").get_json()
    assert named["id"] == "mine" and named["node"] == "n2"
    alone = app_of()[1].post("/_mockcdr/sessions").get_json()
    assert "." not in alone["id"] and "node" not in alone


def peers(answers):
    def ask(settings, path, **_kw):
        assert path.endswith("?scope=node")
        return {name: answers[name] for name in settings.cluster if name != settings.node}
    return ask


def doc(sid, created, default=False):
    return {"id": sid, "default": default, "created": created, "base_url": f"http://direct/_s/{sid}"}


def test_the_merged_list_has_the_first_nodes_default_then_every_session_by_creation():
    settings = Settings(node="n2", cluster=CLUSTER)
    own = [doc("default", "2026-01-01T00:00:00Z", True), doc("b", "2026-01-01T00:00:03Z")]
    theirs = [doc("default", "2026-01-01T00:00:01Z", True), doc("a", "2026-01-01T00:00:02Z"),
              doc("c", "2026-01-01T00:00:04Z")]
    found, unreachable = cluster.merged_sessions(settings, own, "https://proxy:8443/mock",
                                                 ask=peers({"n1": (True, theirs)}))
    assert unreachable == {}
    assert [(d["id"], d["node"]) for d in found] == [("default", "n1"), ("a", "n1"), ("b", "n2"), ("c", "n1")]
    assert found[0]["base_url"] == "https://proxy:8443/mock"
    assert found[2]["base_url"] == "https://proxy:8443/mock/_s/b"


def test_a_node_that_does_not_answer_is_named_and_its_sessions_are_missing():
    settings = Settings(node="n1", cluster=CLUSTER)
    own = [doc("default", "2026-01-01T00:00:00Z", True), doc("x", "2026-01-01T00:00:01Z")]
    found, unreachable = cluster.merged_sessions(settings, own, "http://p",
                                                 ask=peers({"n2": (False, "timed out")}))
    assert [d["id"] for d in found] == ["default", "x"] and unreachable == {"n2": "timed out"}
    found, unreachable = cluster.merged_sessions(settings, own, "http://p",
                                                 ask=peers({"n2": (True, {"not": "a list"})}))
    assert "not a list" in unreachable["n2"]


def test_peers_are_asked_at_once_and_a_refusal_is_a_reason():
    settings = Settings(node="n1", cluster={"n1": "http://127.0.0.1:9", "n2": "http://127.0.0.1:9"})
    answers = cluster.ask_peers(settings, "/_mockcdr/sessions?scope=node", timeout=2)
    assert list(answers) == ["n2"] and answers["n2"][0] is False and answers["n2"][1]


def test_without_a_cluster_the_views_describe_this_process_alone():
    app, c = app_of()
    view = c.get("/_mockcdr/cluster")
    assert view.status_code == 200
    assert view.get_json()["nodes"] == [{"node": None, "url": "http://localhost", "primary": True,
                                         "status": "ok", "sessions": 0, "version": view.get_json()["nodes"][0]["version"]}]
    assert [s["id"] for s in c.get("/_mockcdr/sessions?scope=node").get_json()] == ["default"]
    assert c.get("/_mockcdr/sessions?scope=all").status_code == 400


def test_a_cluster_view_with_a_peer_down_is_degraded_and_a_503(monkeypatch):
    monkeypatch.setattr(cluster, "ask_peers", peers({"n2": (False, "Connection refused")}))
    app, c = app_of(node="n1", cluster=CLUSTER)
    view = c.get("/_mockcdr/cluster")
    assert view.status_code == 503
    body = view.get_json()
    assert body["status"] == "degraded" and body["node"] == "n1"
    assert [(n["node"], n["status"], n["primary"]) for n in body["nodes"]] == [("n1", "ok", True),
                                                                                ("n2", "unreachable", False)]
    assert body["nodes"][1]["error"] == "Connection refused"
    listed = c.get("/_mockcdr/sessions")
    assert listed.headers["Mockcdr-Unreachable-Nodes"] == "n2 (Connection refused)"
