"""Stateful runs per vendor, chained by the specs' OpenAPI links, with the clock moved through the control API."""
# schemathesis builds a state machine from each spec's links (create -> poll -> download ->
# download again); a rule of ours moves the virtual clock through POST /_mockcdr/clock/advance
# (checked against openapi/control.yaml), and MOR's delivered files are fetched through
# GET /_mockcdr/deliveries/{id}/file, since MOR's API has no download. Every step gets every
# default check; contract_flows.py adds each vendor's token rules and what the run must reach.
from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule
from schemathesis.config import SchemathesisConfig

import contract_files  # noqa: F401  (registers the file deserializers)
from contract_flows import FLOWS
from mockcdr.app import create_app
from mockcdr.resources import spec_path

MAX_MOVES = 2         # clock moves per scenario
# The specs' own links only; positive cases only (the unified suite sends the negative ones): a
# negative step mostly ends a chain before it reaches a download. No constants from the app's
# source: with them, schemathesis drew differently when Hypothesis replayed a scenario
# (FlakyStrategyDefinition under derandomize); the unified suite keeps them.
STATEFUL = {"analysis": {"constants": {"enabled": False}},
            "phases": {"stateful": {"inference": {"algorithms": []}, "generation": {"mode": "positive"}}}}


def _secured(case) -> bool:
    security = case.operation.definition.raw.get("security", case.operation.schema.raw_schema.get("security"))
    return bool(security) and all("basicAuth" not in requirement for requirement in security)


def machine(flow):
    """The flow's state machine class over a fresh in-process app, and the events it collects."""
    app = create_app(flow.settings)
    app.config["TESTING"] = True
    flow.prepare(app)
    rt = app.extensions["mockcdr"]
    client = app.test_client()
    schema = schemathesis.openapi.from_path(spec_path(flow.spec),
                                            config=SchemathesisConfig.from_dict({**flow.config, **STATEFUL}))
    schema.app = app
    control = schemathesis.openapi.from_path(spec_path("control"))
    control.app = app
    seen: set[str] = set()

    def control_call(method: str, path: str, **kwargs):
        case = control[path][method].Case(**kwargs)
        return case.call_and_validate()

    class Workflow(schema.as_state_machine()):
        def setup(self):
            rt.reset()
            rt.errors.clear()
            self.rt = rt
            self.client = client
            self.memory: dict = {}
            self.events = seen
            self.authorization = flow.login(client) if flow.login else None
            self.moves = 0
            self.armed = False          # a job, task or random exists: moving the clock matters
            self.linked: set[str] = set()

        def step(self, input):
            # the parameters a link filled in (steer leaves them alone)
            self.linked = {name for _, name in input.applied_parameters if name}
            return super().step(input)

        def before_call(self, case):
            if case.meta is not None and case.meta.generation.mode.is_positive and flow.steer:
                flow.steer(self, case)
            if self.authorization and _secured(case):
                case.headers = {**(case.headers or {}), "Authorization": self.authorization}

        def after_call(self, response, case):
            super().after_call(response, case)
            if rt.errors:
                raise rt.errors.pop(0)
            if flow.observe:
                flow.observe(self, case, response)
            if case.operation.definition.raw.get("operationId") in flow.creates and response.status_code < 300:
                self.armed = True

        @initialize(mode=st.sampled_from(("after_seconds", "after_polls", "immediate")))
        def progression(self, mode):
            """How this scenario's jobs progress: on the clock, on the first poll, or at once."""
            for kind in flow.kinds:
                control_call("PUT", "/_mockcdr/transitions/{kind}", path_parameters={"kind": kind},
                             body={"mode": mode}, media_type="application/json")

        # Links are followed only when a response feeds them, this rule could always run: it runs
        # once something was created that time changes, and a few times per scenario.
        @precondition(lambda self: self.armed and self.moves < MAX_MOVES)
        @rule(seconds=st.sampled_from(flow.advances))
        def advance_clock(self, seconds):
            """Jobs complete, tokens and randoms expire, schedules run: through the control API."""
            self.moves += 1
            control_call("POST", "/_mockcdr/clock/advance", body={"by": seconds}, media_type="application/json")
            if flow.login:      # a client logs in again once its token may have expired
                self.authorization = flow.login(client)
            if flow.deliveries:
                self.download_delivered_files()

        def download_delivered_files(self):
            """What the server delivered (MOR's scheduled exports), byte for byte."""
            listed = control_call("GET", "/_mockcdr/deliveries", query={"vendor": flow.name})
            for delivery in listed.json():
                if delivery.get("file") and delivery["id"] not in self.memory.setdefault("fetched", set()):
                    self.memory["fetched"].add(delivery["id"])
                    control_call("GET", "/_mockcdr/deliveries/{delivery_id}/file",
                                 path_parameters={"delivery_id": delivery["id"]})
                    self.events.add("delivered file downloaded")

    Workflow.__name__ = f"{flow.name.title()}Workflow"
    return Workflow, seen


@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
def test_stateful(flow):
    workflow, seen = machine(flow)
    workflow.run(settings=hypothesis.settings(
        max_examples=flow.max_examples, stateful_step_count=flow.steps, derandomize=True, database=None,
        deadline=None, suppress_health_check=list(HealthCheck)))
    assert flow.expected <= seen, f"the runs never reached {sorted(flow.expected - seen)} (saw {sorted(seen)})"
