"""A restored record its owner cannot use is refused at restore (400 naming it), not a 500 on a later request."""
from __future__ import annotations

import copy

import pytest

from hostile import MOR, make_app, mor_tokens

def _state(client) -> dict:
    """The snapshot, less the scheduler's cache of its next due instant (recomputed on any tick)."""
    snap = client.get("/_mockcdr/snapshot").get_json()
    snap["store"].pop("mor.schedule", None)
    return snap


TASK = {"name": "t", "period": "daily", "timezone": "London", "cdr_export_at_time": "02:00:00", "template_id": 5,
        "send_cdr_to": "user", "send_to_user_id": 123}


@pytest.mark.parametrize("field,value,reason", [
    ("timezone", "Atlantis/Lost", "timezone 'Atlantis/Lost' is not a zone MOR knows"),
    ("period", "fortnightly", "period must be one of"),
    ("tenant", "nobody", "tenant 'nobody' is not one of the fixtures' tenants")])
def test_a_mor_task_with_a_value_mor_does_not_know_is_refused(field, value, reason):
    app = make_app(vendors=("mor",))
    rt = app.extensions["mockcdr"]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {mor_tokens(client)['token']}"}
    assert client.post(f"{MOR}/automatic_cdr_exports", headers=auth, json=TASK).status_code == 201
    before = _state(client)
    snap = copy.deepcopy(before)
    next(iter(snap["store"]["mor.tasks"].values()))[field] = value
    response = client.post("/_mockcdr/snapshot", json=snap)
    assert response.status_code == 400
    assert f"record mor.tasks/1: {reason}" in response.get_json()["error"]["message"]
    assert _state(client) == before
    assert client.get(f"{MOR}/automatic_cdr_exports", headers=auth).status_code == 200    # was a 500
    assert client.post("/_mockcdr/clock/advance", json={"by": "P2D"}).status_code == 200
    assert not rt.errors


def test_an_iana_zone_restores_whatever_the_option_says():
    """accept_iana_timezones decides what a new task may name; a stored IANA zone still works."""
    app = make_app(vendors=("mor",), vendor_options={"mor": {"accept_iana_timezones": True}})
    client = app.test_client()
    auth = {"Authorization": f"Bearer {mor_tokens(client)['token']}"}
    assert client.post(f"{MOR}/automatic_cdr_exports", headers=auth,
                       json=dict(TASK, timezone="Europe/Berlin")).status_code == 201
    snap = client.get("/_mockcdr/snapshot").get_json()
    assert client.post("/_mockcdr/snapshot", json=snap).status_code == 200


AT = {"$dt": "2026-04-01T00:00:00+00:00"}
JOB = {"id": "j", "vendor": "didww", "kind": "didww.export", "tenant": "acme", "state": "pending", "created_at": AT,
       "entered_at": AT, "polls": 0, "timeline": [], "attrs": {}}
POLICY = {"mode": "after_seconds", "seconds": {"pending": 5.0}, "polls": 1, "outcome": "success"}


@pytest.mark.parametrize("store,reason", [
    ({"_jobs": {"j": dict(JOB, kind="nope")}}, "record _jobs/j: kind 'nope' is not a job kind here"),
    ({"_jobs": {"j": dict(JOB, state="Exploded")}}, "record _jobs/j: state 'Exploded' is not a state of didww.export"),
    ({"_policies": {"didww.export": dict(POLICY, seconds={"pending": 1e300})}}, "100 years"),
    ({"_policies": {"didww.export": dict(POLICY, mode="warp")}}, "mode must be one of"),
    ({"_policies": {"nope": POLICY}}, "record _policies/nope: 'nope' is not a job kind here"),
    ({"_jobs": {"j": dict(JOB, created_at={"$dt": 5})}}, "{'$dt': '5'} is not an ISO 8601 date-time"),
], ids=["job-kind", "job-state", "policy-seconds", "policy-mode", "policy-kind", "datetime"])
def test_core_records_are_checked_against_what_the_server_knows(store, reason):
    app = make_app(vendors=("didww",))
    client = app.test_client()
    client.get("/v3/exports")
    before = client.get("/_mockcdr/snapshot").get_json()
    response = client.post("/_mockcdr/snapshot", json=dict(before, store=store))
    assert response.status_code == 400 and reason in response.get_json()["error"]["message"]
    assert client.get("/_mockcdr/snapshot").get_json() == before
    assert client.post("/_mockcdr/snapshot", json=dict(before, store={"_jobs": {"j": JOB},
                                                                      "_policies": {"didww.export": POLICY}})
                       ).status_code == 200
