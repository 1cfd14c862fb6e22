"""Job lifecycles: progression policies, retention, forcing, hooks, sweeping with nobody polling."""
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.core.clock import Clock
from mockcdr.core.jobkinds import JobKind, Step
from mockcdr.core.lifecycle import Lifecycle
from mockcdr.core.store import Store

UTC = timezone.utc
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

KIND = JobKind("v", "export", states=("Pending", "Processing", "Completed", "Failed", "Deleted"),
               initial="Pending",
               steps={"Pending": Step("Processing", seconds=2), "Processing": Step("Completed", seconds=3),
                      "Completed": Step("Deleted", "retention", 86400 * 30)},
               success="Completed", failure="Failed")


@pytest.fixture
def lc():
    clock = Clock()
    clock.freeze(T0)
    lifecycle = Lifecycle(Store(), clock, timings={"v.export": {"Processing": 10}})
    entered = []
    lifecycle.register(KIND, lambda _owner, job, state, at: entered.append((job["id"], state, at)))
    lifecycle.entered = entered
    return lifecycle


def states(job):
    return [(t["state"], t["at"], t["cause"]) for t in job["timeline"]]


def test_after_seconds_moves_at_exact_instants_with_settings_timings(lc):
    lc.create("v.export", "j1", "acme")
    lc.clock.advance(timedelta(seconds=60))
    job = lc.get("j1")
    assert job["state"] == "Completed"
    assert states(job) == [("Pending", T0, "created"),
                           ("Processing", T0 + timedelta(seconds=2), "policy"),
                           ("Completed", T0 + timedelta(seconds=12), "policy")]


def test_status_is_computed_on_read_not_before(lc):
    lc.create("v.export", "j1", "acme")
    lc.clock.advance(timedelta(seconds=1))
    assert lc.get("j1")["state"] == "Pending"
    lc.clock.advance(timedelta(seconds=1))
    assert lc.get("j1")["state"] == "Processing"


def test_retention_moves_completed_jobs_whatever_the_policy(lc):
    lc.set_policy("v.export", {"mode": "immediate"})
    job = lc.create("v.export", "j1", "acme")
    assert job["state"] == "Completed"
    lc.set_policy("v.export", {"mode": "manual"})
    lc.clock.advance(timedelta(days=30))
    assert lc.get("j1")["state"] == "Deleted"


def test_after_polls_moves_one_step_per_n_polls(lc):
    lc.set_policy("v.export", {"mode": "after_polls", "polls": 2})
    lc.create("v.export", "j1", "acme")
    seen = [lc.get("j1", poll=True)["state"] for _ in range(4)]
    assert seen == ["Pending", "Processing", "Processing", "Completed"]
    lc.clock.advance(timedelta(days=1))
    assert lc.get("j1")["state"] == "Completed"  # time alone does not move it


def test_manual_policy_waits_for_force(lc):
    lc.set_policy("v.export", {"mode": "manual"})
    lc.create("v.export", "j1", "acme")
    lc.clock.advance(timedelta(days=2))
    assert lc.get("j1")["state"] == "Pending"
    job = lc.force("j1", "Failed")
    assert job["state"] == "Failed" and job["timeline"][-1]["cause"] == "forced"


def test_failure_outcome_sends_jobs_to_the_failure_state(lc):
    lc.set_policy("v.export", {"outcome": "failure"})
    lc.create("v.export", "j1", "acme")
    lc.clock.advance(timedelta(minutes=1))
    assert [s for s, _, _ in states(lc.get("j1"))] == ["Pending", "Processing", "Failed"]


def test_force_any_declared_state_and_refuse_undeclared_ones(lc):
    lc.create("v.export", "j1", "acme")
    lc.force("j1", "Completed")
    lc.clock.advance(timedelta(days=30))
    assert lc.get("j1")["state"] == "Deleted"
    with pytest.raises(ValueError, match="declared"):
        lc.force("j1", "Exploded")
    with pytest.raises(KeyError):
        lc.force("nope", "Completed")


@pytest.mark.parametrize("policy,message", [
    ({"mode": "fast"}, "mode"), ({"polls": 0}, "polls"), ({"outcome": "maybe"}, "outcome"),
    ({"seconds": {"Completed": 5}}, "progression"), ({"seconds": {"Pending": -1}}, "from 0 to"),
    ({"seconds": {"Pending": 1e300}}, "100 years"),
    ({"colour": "red"}, "unknown"), ("immediate", "object")])
def test_bad_policies_are_refused_and_leave_the_policy_unchanged(lc, policy, message):
    before = lc.policy("v.export").to_dict()
    with pytest.raises(ValueError, match=message):
        lc.set_policy("v.export", policy)
    assert lc.policy("v.export").to_dict() == before


def test_sweep_fires_hooks_with_nobody_polling(lc):
    lc.create("v.export", "j1", "acme")
    lc.entered.clear()
    lc.clock.advance(timedelta(seconds=30))
    lc.sweep()
    assert [s for _, s, _ in lc.entered] == ["Processing", "Completed"]
    lc.entered.clear()
    lc.sweep()
    assert lc.entered == []  # nothing is due: the sweep is a no-op


def test_sweep_after_a_new_job_with_an_earlier_due_time(lc):
    lc.create("v.export", "slow", "acme")
    lc.set_policy("v.export", {"seconds": {"Pending": 1000}})
    lc.sweep()
    lc.set_policy("v.export", {"seconds": {"Pending": 1}})
    lc.create("v.export", "fast", "acme")
    lc.clock.advance(timedelta(seconds=2))
    lc.sweep()
    assert lc.store.get("_jobs", "fast")["state"] == "Processing"


def test_jobs_filters_by_vendor_kind_and_tenant(lc):
    lc.create("v.export", "a", "acme")
    lc.create("v.export", "b", "globex")
    assert [j["id"] for j in lc.jobs(tenant="globex")] == ["b"]
    assert len(lc.jobs(vendor="v")) == 2 and lc.jobs(vendor="w") == []


def test_kind_refuses_steps_to_undeclared_states():
    with pytest.raises(ValueError, match="undeclared"):
        JobKind("v", "k", states=("a",), initial="a", steps={"a": Step("b")})


def test_a_snapshot_is_the_job_as_read_whatever_happens_to_it_later(lc):
    lc.create("v.export", "j1", "acme", {"rows": None})
    seen = lc.get("j1", snapshot=True)
    assert seen == lc.get("j1") and seen is not lc.get("j1")
    lc.clock.advance(timedelta(seconds=60))
    stored = lc.get("j1")
    stored["attrs"]["rows"] = 42                    # what a hook of the completing step writes
    assert stored["state"] == "Completed" and len(stored["timeline"]) == 3
    assert seen["state"] == "Pending" and seen["attrs"] == {"rows": None} and len(seen["timeline"]) == 1


def test_a_job_refused_by_where_is_not_found_and_its_poll_not_counted(lc):
    lc.set_policy("v.export", {"mode": "after_polls", "polls": 1})
    lc.create("v.export", "j1", "acme")
    assert lc.get("j1", poll=True, where=lambda job: job["tenant"] == "globex") is None
    assert lc.get("j1")["polls"] == 0 and lc.get("j1")["state"] == "Pending"
    assert lc.get("j1", poll=True, where=lambda job: job["tenant"] == "acme")["state"] == "Processing"
