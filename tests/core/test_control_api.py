"""The /_mockcdr control API through ControlClient, in-process: every operation and its bad input."""
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.control_client import ControlAPIError, ControlClient

UTC = timezone.utc


@pytest.fixture
def cc(toy_app):
    return ControlClient.for_app(toy_app)


def test_health_info_and_spec(cc):
    assert cc.health() == {"status": "ok"}
    info = cc.info()
    assert info["seed"] == "test-seed" and [v["slug"] for v in info["vendors"]] == ["toy"]
    assert info["vendors"][0]["credentials"] == [{"X-Toy-Key": "key-acme"}]
    assert info["render_cache"]["max_bytes"] == 256 * 2**20 and info["render_cache"]["bytes"] >= 0
    assert cc.get_spec("control").startswith("openapi: 3.0.3")
    with pytest.raises(ControlAPIError) as exc:
        cc.get_spec("nope")
    assert exc.value.status == 404


def test_clock_set_advance_freeze_unfreeze(cc):
    state = cc.set_clock("2026-04-16T12:00:00Z", frozen=True)
    assert state["now"] == "2026-04-16T12:00:00.000Z" and state["frozen"]
    assert cc.advance_clock("PT1H30M")["now"] == "2026-04-16T13:30:00.000Z"
    assert cc.advance_clock(30)["now"] == "2026-04-16T13:30:30.000Z"
    assert cc.advance_clock(timedelta(days=1))["now"] == "2026-04-17T13:30:30.000Z"
    assert not cc.unfreeze_clock()["frozen"]
    assert cc.freeze_clock(datetime(2027, 1, 1, tzinfo=UTC))["now"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize("call,message", [
    (lambda cc: cc.advance_clock("soon"), "by:"), (lambda cc: cc._call("POST", "/clock/advance", {}), "by is required"),
    (lambda cc: cc.set_clock("yesterday"), "now:"), (lambda cc: cc.freeze_clock("noon"), "at:"),
    (lambda cc: cc._call("PUT", "/clock", {"now": "2026-01-01T00:00:00Z", "frozen": "yes"}), "frozen"),
    (lambda cc: cc._call("PUT", "/clock", [1]), "object"),
    (lambda cc: cc.advance_clock("inf"), "by:"), (lambda cc: cc.advance_clock(1e300), "by:"),
    (lambda cc: cc.advance_clock("P99999999W"), "9000-01-01"),
    (lambda cc: cc.set_clock("0623-11-13T18:44:22Z"), "1970-01-01")])
def test_bad_clock_input_is_400_and_leaves_the_clock(cc, call, message):
    before = cc.freeze_clock("2026-01-01T00:00:00Z")
    with pytest.raises(ControlAPIError) as exc:
        call(cc)
    assert exc.value.status == 400 and message in exc.value.message
    assert cc.get_clock() == before


def test_transitions_jobs_and_forcing(cc, toy, toy_rt):
    kinds = cc.list_transitions()
    assert kinds[0]["kind"] == "toy.export" and kinds[0]["policy"]["mode"] == "after_seconds"
    assert cc.set_transition("toy.export", "manual")["policy"]["mode"] == "manual"
    job = toy.post("/toy/exports", json={"name": "n"}).json
    cc.advance_clock("P1D")
    assert cc.get_job(job["id"])["state"] == "pending"
    forced = cc.force_job_state(job["id"], "failed")
    assert forced["state"] == "failed" and forced["timeline"][-1]["cause"] == "forced"
    assert toy.get(f"/toy/exports/{job['id']}").json["state"] == "failed"   # the vendor sees it at once
    assert [j["id"] for j in cc.list_jobs(vendor="toy", state="failed")] == [job["id"]]
    assert cc.list_jobs(state="done") == []


@pytest.mark.parametrize("call,status", [
    (lambda cc: cc.set_transition("toy.export", "sometimes"), 400),
    (lambda cc: cc.set_transition("toy.export", polls=0), 400),
    (lambda cc: cc.set_transition("nope.kind", "manual"), 404),
    (lambda cc: cc.get_job("nope"), 404),
    (lambda cc: cc.force_job_state("nope", "done"), 404)])
def test_bad_transition_and_job_input(cc, call, status):
    before = cc.list_transitions()
    with pytest.raises(ControlAPIError) as exc:
        call(cc)
    assert exc.value.status == status and cc.list_transitions() == before


def test_forcing_an_undeclared_state_is_refused(cc, toy):
    job = toy.post("/toy/exports", json={"name": "n"}).json
    with pytest.raises(ControlAPIError, match="declared"):
        cc.force_job_state(job["id"], "Exploded")
    assert cc.get_job(job["id"])["state"] == "pending"


def test_faults_queue_set_list_and_clear(cc, toy):
    queued = cc.add_fault("toy", "error", operation="createExport", status=502, count=2)
    assert queued["count"] == 2 and queued["hits"] == 0
    standing = cc.add_fault("toy", "rate_limit", operation="getExport", retry_after=3)
    assert [f["id"] for f in cc.list_faults("toy")] == [queued["id"], standing["id"]]
    assert [toy.post("/toy/exports", json={"name": "n"}).status_code for _ in range(3)] == [502, 502, 201]
    assert [f["id"] for f in cc.list_faults()] == [standing["id"]]
    for _ in range(3):
        r = toy.get("/toy/exports/x")
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert cc.list_faults()[0]["hits"] == 3
    assert cc.delete_fault(standing["id"]) == {"cleared": 1}
    assert toy.get("/toy/exports/x").status_code == 404
    cc.add_fault("toy", "latency", latency_ms=1)
    assert cc.clear_faults("toy") == {"cleared": 1} and cc.list_faults() == []


@pytest.mark.parametrize("body,message", [
    ({"vendor": "toy", "kind": "explode"}, "kind must be one of"),
    ({"vendor": "acme", "kind": "error"}, "vendor must be one of"),
    ({"vendor": "toy", "kind": "error", "status": 200}, "status"),
    ({"vendor": "toy", "kind": "error", "count": 0}, "count"),
    ({"vendor": "toy", "kind": "latency", "latency_ms": "slow"}, "latency_ms"),
    ({"vendor": "toy", "kind": "error", "colour": "red"}, "unknown fault fields"),
    ({"vendor": {}, "kind": "error"}, "vendor must be one of"),
    ({"vendor": "toy", "kind": "error", "code": False}, "code"),
    ([], "JSON object")])
def test_bad_faults_are_400_and_nothing_is_added(cc, body, message):
    with pytest.raises(ControlAPIError) as exc:
        cc._call("POST", "/faults", body)
    assert exc.value.status == 400 and message in exc.value.message and cc.list_faults() == []


def test_a_fault_property_given_as_null_takes_its_default(cc):
    fault = cc._call("POST", "/faults", {"vendor": "toy", "kind": "rate_limit", "status": None,
                                         "retry_after": None, "count": None})
    assert (fault["status"], fault["retry_after"], fault["count"]) == (429, 1, None)


def test_control_body_that_is_not_json_is_400(toy_app):
    r = toy_app.test_client().post("/_mockcdr/faults", data="{nope", content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["kind"] == "bad_request"


def test_journal_query_and_clear(cc, toy):
    toy.post("/toy/exports", json={"name": "n"})
    toy.get("/toy/exports/missing")
    toy.get("/_mockcdr/health")   # control calls are not journaled
    j = cc.get_journal()
    assert [e["operation"] for e in j["entries"]] == ["createExport", "getExport"]
    assert j["size"] == 2 and j["capacity"] == 1000
    assert [e["status"] for e in cc.get_journal(status=404)["entries"]] == [404]
    assert cc.get_journal(since=j["entries"][0]["seq"])["entries"] == j["entries"][1:]
    assert cc.get_journal(limit=1)["entries"] == j["entries"][-1:]
    assert cc.get_journal(limit=0)["entries"] == []
    with pytest.raises(ControlAPIError, match="at least 0"):
        cc._call("GET", "/journal", limit=-1)
    with pytest.raises(ControlAPIError, match="integer"):
        cc._call("GET", "/journal", status="bad")
    assert cc.clear_journal() == {"cleared": 2} and cc.get_journal()["entries"] == []


def test_reset_returns_to_the_seeded_initial_state(cc, toy, toy_rt):
    first = toy.post("/toy/exports", json={"name": "n"}).json
    cc.add_fault("toy", "latency", latency_ms=1)
    cc.set_transition("toy.export", "manual")
    cc.advance_clock("P3D")
    cc.reset()
    assert cc.list_jobs() == [] and cc.list_faults() == [] and cc.get_journal()["entries"] == []
    assert cc.list_transitions()[0]["policy"]["mode"] == "after_seconds"
    assert abs(cc.get_clock()["offset_seconds"]) < 1
    again = toy.post("/toy/exports", json={"name": "n"}).json
    assert again["id"] == first["id"]          # ids replay after a reset
    seeded = cc.set_seed("other")
    assert seeded["seed"] == "other" and cc.list_jobs() == []
    assert toy.post("/toy/exports", json={"name": "n"}).json["id"] != first["id"]
    with pytest.raises(ControlAPIError, match="seed"):
        cc._call("POST", "/reset", {"seed": False})
    # a plain reset goes back to the session's own start seed: a seed set by one test never
    # leaks into the next one
    assert cc.reset()["seed"] == "test-seed"
    assert toy.post("/toy/exports", json={"name": "n"}).json["id"] == first["id"]


def test_snapshot_restores_a_recorded_situation(cc, toy):
    cc.freeze_clock("2026-03-01T00:00:00Z")
    job = toy.post("/toy/exports", json={"name": "n"}).json
    cc.add_fault("toy", "error", operation="getExport", count=5)
    snap = cc.get_snapshot()
    cc.advance_clock("P1D")
    cc.reset()
    restored = cc.restore_snapshot(snap)
    assert restored["status"] == "restored" and restored["clock"]["now"] == "2026-03-01T00:00:00.000Z"
    assert cc.get_job(job["id"])["state"] == "pending"
    assert cc.list_faults()[0]["count"] == 5
    cc.clear_faults()
    cc.advance_clock(6)
    assert toy.get(f"/toy/exports/{job['id']}").json["state"] == "done"
    nxt = toy.post("/toy/exports", json={"name": "n"}).json
    assert nxt["id"] != job["id"]      # id counters came back with the snapshot


@pytest.mark.parametrize("mangle", [
    lambda s: [s], lambda s: {**s, "version": 99}, lambda s: {k: v for k, v in s.items() if k != "store"},
    lambda s: {**s, "store": {"_jobs": ["x"]}}, lambda s: {**s, "clock": {"when": 1}},
    lambda s: {**s, "clock": {"now": "later"}}, lambda s: {**s, "ids": {"counters": {"a": "b"}}},
    lambda s: {**s, "faults": {"faults": [1]}}, lambda s: {**s, "seed": {}},
    lambda s: {**s, "ids": {"seed": {}, "counters": {}}}, lambda s: {**s, "ids": {"counters": {"a": True}}},
    lambda s: {**s, "faults": {"next": False, "faults": []}}, lambda s: {**s, "clock": {"now": 1e300}},
    lambda s: {**s, "clock": {"frozen_at": 0, "now": {}}},
    # records this server's code would trip over later: refused at restore, naming the record
    lambda s: {**s, "store": {"_jobs": {"a": {"x": 1}}}}, lambda s: {**s, "store": {"_tokens": {"t": {}}}},
    lambda s: {**s, "store": {"_deliveries": {"1": {"id": 1}}}},
    lambda s: {**s, "store": {"_jobs": {k: {**j, "polls": "2"} for k, j in s["store"]["_jobs"].items()}}}])
def test_snapshots_of_the_wrong_shape_are_400_and_change_nothing(cc, toy, mangle):
    job = toy.post("/toy/exports", json={"name": "n"}).json
    snap = cc.get_snapshot()
    before = (cc.list_jobs(), cc.list_faults())
    with pytest.raises(ControlAPIError) as exc:
        cc.restore_snapshot(mangle(snap))
    assert exc.value.status == 400 and "snapshot" in exc.value.message
    assert (cc.list_jobs(), cc.list_faults()) == before and before[0][0]["id"] == job["id"]


def test_deliveries_run_is_post_only_and_ids_are_integers(toy_app, cc):
    client = toy_app.test_client()
    r = client.get("/_mockcdr/deliveries/run")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert client.get("/_mockcdr/deliveries/nope").status_code == 404
    with pytest.raises(ControlAPIError) as exc:
        cc.get_delivery(12345)
    assert exc.value.status == 404


def test_jobs_say_their_next_step_under_each_policy(cc, toy):
    cc.set_clock("2026-04-16T12:00:00Z", frozen=True)
    job = toy.post("/toy/exports", json={"name": "n"}).json
    assert cc.get_job(job["id"])["next"] == {"state": "done", "cause": "policy", "mode": "after_seconds",
                                             "at": "2026-04-16T12:00:05+00:00", "polls_left": None}
    cc.set_transition("toy.export", seconds={"pending": 90}, outcome="failure")
    assert cc.get_job(job["id"])["next"] == {"state": "failed", "cause": "policy", "mode": "after_seconds",
                                             "at": "2026-04-16T12:01:30+00:00", "polls_left": None}
    cc.set_transition("toy.export", "manual")
    manual = cc.get_job(job["id"])
    assert manual["next"]["mode"] == "manual" and manual["next"]["at"] is None
    cc.advance_clock("P1D")
    assert cc.get_job(job["id"])["state"] == "pending"
    forced = cc.force_job_state(job["id"], "done")
    assert forced["next"] == {"state": "expired", "cause": "retention", "mode": "retention",
                              "at": "2026-04-17T13:00:00+00:00", "polls_left": None}
    assert forced["file_url"] is None               # the toy vendor serves no job files
    with pytest.raises(ControlAPIError) as exc:
        cc.get_job_file(job["id"])
    assert exc.value.status == 404 and "no file" in exc.value.message
    cc.advance_clock("PT1H")
    assert cc.get_job(job["id"])["next"] is None    # expired is final


def test_the_journal_names_the_faults_that_acted_on_a_request(cc, toy):
    cc.add_fault("toy", "latency", operation="createExport", latency_ms=1, count=1)
    cc.add_fault("toy", "error", operation="createExport", status=503, count=1)
    assert toy.post("/toy/exports", json={"name": "a"}).status_code == 503
    assert toy.post("/toy/exports", json={"name": "b"}).status_code == 201
    cc.add_fault("toy", "rate_limit", count=1)
    assert toy.post("/toy/exports", json={"name": "c"}).status_code == 429
    entries = cc.get_journal(vendor="toy")["entries"]
    assert [(e["status"], e.get("fault")) for e in entries] == [(503, "latency,error"), (201, None),
                                                                (429, "rate_limit")]


def test_jobs_and_deliveries_take_a_limit_and_say_how_many_matched(cc, toy, toy_app, toy_rt):
    ids = [toy.post("/toy/exports", json={"name": str(n)}).json["id"] for n in range(5)]
    client = toy_app.test_client()
    resp = client.get("/_mockcdr/jobs", query_string={"limit": 2})
    assert [j["id"] for j in resp.json] == ids[-2:] and resp.headers["X-Total-Count"] == "5"
    assert client.get("/_mockcdr/jobs").headers["X-Total-Count"] == "5"
    assert cc.list_jobs(limit=0) == [] and len(cc.list_jobs(limit=99)) == 5
    cc.force_job_state(ids[1], "failed")
    failed = client.get("/_mockcdr/jobs", query_string={"state": "failed", "limit": 1})
    assert [j["id"] for j in failed.json] == [ids[1]] and failed.headers["X-Total-Count"] == "1"
    cc.advance_clock("PT10S")                     # the jobs a limit left out still move when read
    assert {j["state"] for j in cc.list_jobs(state="done")} == {"done"} and len(cc.list_jobs(state="done")) == 4
    for n in range(3):
        toy_rt.deliveries.record("toy", "mailbox", f"box-{n}", {"n": n}, ok=True, outcome="stored")
    resp = client.get("/_mockcdr/deliveries", query_string={"limit": 2})
    assert [d["target"] for d in resp.json] == ["box-1", "box-2"] and resp.headers["X-Total-Count"] == "3"
    for bad in ("-1", "two"):
        for path in ("/_mockcdr/jobs", "/_mockcdr/deliveries"):
            refused = client.get(path, query_string={"limit": bad})
            assert refused.status_code == 400 and "limit" in refused.json["error"]["message"]
