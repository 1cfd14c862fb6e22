"""Sessions over HTTP: create, name, list, describe, delete; what a session starts from and resets to."""
from __future__ import annotations

import pytest

import toyvendor
from mockcdr.app import create_app
from mockcdr.control_client import ControlAPIError, ControlClient
from mockcdr.settings import Settings

KEY = {"X-Toy-Key": "key-acme"}


@pytest.fixture
def app():
    app = create_app(Settings(vendors=(), seed="root-seed", clock_start="2026-03-01T00:00:00Z",
                              clock_frozen=True), extra_vendors=[toyvendor.VENDOR])
    app.config["TESTING"] = True
    return app


@pytest.fixture
def cc(app):
    return ControlClient.for_app(app)


@pytest.fixture
def http(app):
    client = app.test_client()
    client.environ_base.update(HTTP_X_TOY_KEY="key-acme")
    return client


def test_put_creates_a_named_session_and_returns_it_unchanged_the_second_time(cc, http):
    made = cc.put_session("ci-job-7", seed="s7")
    assert made["id"] == "ci-job-7" and made["base_url"] == "http://localhost/_s/ci-job-7"
    assert made["seed"] == "s7" and made["start"]["seed"] == "s7" and made["default"] is False
    assert http.put("/_mockcdr/sessions/ci-job-7", json={"seed": "other"}).status_code == 200
    assert cc.get_session("ci-job-7")["seed"] == "s7"          # an existing session is not changed
    assert http.put("/_mockcdr/sessions/fresh").status_code == 201


def test_post_generates_an_id(cc):
    one, two = cc.create_session(), cc.create_session()
    assert one["id"] != two["id"] and len(one["id"]) == 16
    assert {s["id"] for s in cc.list_sessions()} == {"default", one["id"], two["id"]}


@pytest.mark.parametrize("bad", ["", "x" * 65, "has space", "slash%2Fy", "ü"])
def test_bad_session_ids_are_refused(http, bad):
    resp = http.put(f"/_mockcdr/sessions/{bad}")
    assert resp.status_code in (400, 404, 405)
    assert resp.status_code != 201


def test_an_id_of_64_allowed_characters_is_taken(cc):
    name = "A-z_0.9" * 9 + "x"
    assert cc.put_session(name)["id"] == name


@pytest.mark.parametrize("spec,message", [
    ({"colour": "red"}, "unknown session fields"),
    ({"seed": True}, "seed"), ({"seed": ""}, "seed"),
    ({"calls_per_day": -1}, "calls_per_day"), ({"calls_per_day": "9"}, "calls_per_day"),
    ({"clock": {"now": "soon"}}, "clock.now"), ({"clock": {"frozen": "yes"}}, "clock.frozen"),
    ({"clock": "2026-01-01"}, "clock"), ({"clock": {"at": 1}}, "clock"),
    ({"transitions": {"toy.export": {"mode": "fast"}}}, "transitions.toy.export"),
    ({"transitions": {"nope.kind": {}}}, "no job kind"),
    ({"vendor_options": {"didww": {}}}, "unknown vendors"), ({"vendor_options": []}, "vendor_options"),
    ({"port": 70000}, "port"), ({"port": 0}, "in process"),
])
def test_bad_session_documents_are_400_naming_the_field_and_create_nothing(cc, spec, message):
    with pytest.raises(ControlAPIError) as exc:
        cc.put_session("s", **spec)
    assert exc.value.status == 400 and message in exc.value.message
    assert [s["id"] for s in cc.list_sessions()] == ["default"]


def test_a_session_starts_from_its_own_seed_clock_and_transitions_and_resets_to_them(cc, http):
    s = cc.session("mine", seed="mine", clock={"now": "2025-01-01T00:00:00Z", "frozen": True},
                   transitions={"toy.export": {"mode": "immediate"}})
    assert s.get_clock()["now"] == "2025-01-01T00:00:00.000Z"
    job = http.post("/_s/mine/toy/exports", json={"name": "n"}).get_json()
    assert job["state"] == "done"                                   # the session's transition
    root_job = http.post("/toy/exports", json={"name": "n"}).get_json()
    assert root_job["state"] == "pending" and root_job["id"] != job["id"]   # its own seed, ids, policy
    s.set_seed("changed")
    s.advance_clock("P1D")
    s.set_transition("toy.export", "manual")
    s.reset()
    assert s.info()["seed"] == "mine" and s.get_clock()["now"] == "2025-01-01T00:00:00.000Z"
    assert s.list_transitions()[0]["policy"]["mode"] == "immediate"
    assert http.post("/_s/mine/toy/exports", json={"name": "n"}).get_json()["id"] == job["id"]


def test_sessions_with_vendor_options_share_the_world_of_those_options(app):
    from mockcdr.app import WORLDS
    from mockcdr.core.sessions import Sessions

    registry: Sessions = app.extensions["mockcdr.sessions"]
    a, _ = registry.create("a", {"calls_per_day": 5})
    assert a.world is registry.world and a.universe.calls_per_day == 5
    before = len(WORLDS._worlds)
    b, _ = registry.create("b", {"vendor_options": {"toy": {"x": 1}}})
    c, _ = registry.create("c", {"vendor_options": {"toy": {"x": 1}}})
    assert b.world is c.world and b.world is not registry.world
    assert len(WORLDS._worlds) <= before + 1


def test_the_default_session_cannot_be_deleted_and_unknown_ones_are_404(cc, http):
    with pytest.raises(ControlAPIError) as exc:
        cc.delete_session("default")
    assert exc.value.status == 409 and "reset" in exc.value.message
    with pytest.raises(ControlAPIError) as exc:
        cc.delete_session("ghost")
    assert exc.value.status == 404
    resp = http.get("/_s/ghost/toy/exports/1")
    assert resp.status_code == 404 and "PUT /_mockcdr/sessions/ghost" in resp.get_json()["error"]["message"]


def test_a_deleted_session_is_gone_with_everything_it_held(cc, http):
    cc.put_session("tmp")
    http.post("/_s/tmp/toy/exports", json={"name": "n"})
    session = cc.get_session("tmp")
    assert session["jobs"] == 1 and session["memory_bytes"] > 0
    assert cc.delete_session("tmp") == {"deleted": "tmp"}
    assert http.get("/_s/tmp/_mockcdr/jobs").status_code == 404
    assert [s["id"] for s in cc.list_sessions()] == ["default"]


def test_info_says_what_sessions_are_and_which_one_answers(cc):
    cc.put_session("here")
    info = ControlClient.for_app(cc._send.app).session("here").info()
    assert info["session"]["id"] == "here" and info["session"]["base_url"] == "http://localhost/_s/here"
    assert "isolated" in info["session"]["about"] and info["session"]["live"] == 1
    assert info["vendors"][0]["base_urls"] == ["http://localhost/_s/here/toy"]
    root = cc.info()["session"]
    assert root["id"] == "default" and root["base_url"] == "http://localhost"


def test_the_session_limit_is_a_clear_error_naming_it():
    app = create_app(Settings(vendors=(), max_sessions=2), extra_vendors=[toyvendor.VENDOR])
    cc = ControlClient.for_app(app)
    cc.put_session("one"), cc.put_session("two")
    with pytest.raises(ControlAPIError) as exc:
        cc.put_session("three")
    assert exc.value.status == 429 and "2 sessions" in exc.value.message and "--max-sessions" in exc.value.message
    assert cc.put_session("two")["id"] == "two"        # an existing one is still returned
    cc.delete_session("one")
    assert cc.put_session("three")["id"] == "three"


def test_idle_sessions_expire_after_the_ttl_and_used_ones_do_not():
    app = create_app(Settings(vendors=(), session_ttl=60), extra_vendors=[toyvendor.VENDOR])
    registry = app.extensions["mockcdr.sessions"]
    idle, _ = registry.create("idle")
    busy, _ = registry.create("busy")
    client = app.test_client()
    t0 = idle.last_used
    busy.last_used = t0 + 50
    assert registry.expire(now=t0 + 30) == 0
    assert registry.expire(now=t0 + 61) == 1
    assert registry.get("idle") is None and idle.closed and registry.get("busy") is busy
    assert client.get("/_s/idle/_mockcdr/health").status_code == 404
    assert cc_expires(app, "busy") <= 60


def cc_expires(app, session_id) -> float:
    return ControlClient.for_app(app).get_session(session_id)["expires_in"]
