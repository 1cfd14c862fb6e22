"""Job kinds, their steps and timing policies, and the checks of stored jobs and policies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping

from .clock import check_span

MODES = ("after_seconds", "after_polls", "immediate", "manual")
OUTCOMES = ("success", "failure")


@dataclass(frozen=True)
class Step:
    """The automatic successor of a state.

    ``timer="progress"`` steps move as the kind's progression policy says (``seconds`` is the
    default delay under ``after_seconds``); ``timer="retention"`` steps always move ``seconds``
    after the state was entered, whatever the policy (expiry, deletion).
    """
    to: str
    timer: str = "progress"
    seconds: float = 1.0


@dataclass(frozen=True)
class JobKind:
    vendor: str
    name: str
    states: tuple[str, ...]
    initial: str
    steps: Mapping[str, Step] = field(default_factory=dict)
    success: str | None = None
    failure: str | None = None
    description: str = ""

    @property
    def key(self) -> str:
        return f"{self.vendor}.{self.name}"

    def __post_init__(self):
        known = set(self.states)
        named = {self.initial, self.success, self.failure} - {None}
        named |= set(self.steps) | {s.to for s in self.steps.values()}
        if not named <= known:
            raise ValueError(f"{self.key}: steps name undeclared states {sorted(named - known)}")
        for state, step in self.steps.items():
            check_span(step.seconds, f"{self.key}: the step from {state!r}")


@dataclass
class Policy:
    mode: str = "after_seconds"
    seconds: dict[str, float] = field(default_factory=dict)
    polls: int = 1
    outcome: str = "success"

    def to_dict(self) -> dict:
        return {"mode": self.mode, "seconds": dict(self.seconds), "polls": self.polls,
                "outcome": self.outcome}


def parse_policy(kind: JobKind, data: Mapping, base: Policy) -> Policy:
    """Validate a policy document against the kind; raise ValueError with a clear message."""
    if not isinstance(data, Mapping):
        raise ValueError("a policy must be an object")
    unknown = set(data) - {"mode", "seconds", "polls", "outcome"}
    if unknown:
        raise ValueError(f"unknown policy fields: {', '.join(sorted(unknown))}")
    mode = data.get("mode", base.mode)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    outcome = data.get("outcome", base.outcome)
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    if outcome == "failure" and not kind.failure:
        raise ValueError(f"{kind.key} has no failure state")
    polls = data.get("polls", base.polls)
    if isinstance(polls, bool) or not isinstance(polls, int) or polls < 1:
        raise ValueError("polls must be an integer of at least 1")
    seconds = dict(base.seconds)
    raw = data.get("seconds", {})
    if not isinstance(raw, Mapping):
        raise ValueError("seconds must map a state to a number of seconds")
    progress = {s for s, step in kind.steps.items() if step.timer == "progress"}
    for state, value in raw.items():
        if state not in progress:
            raise ValueError(f"{state!r} is not a state that {kind.key} leaves by progression "
                             f"(those are: {', '.join(sorted(progress)) or 'none'})")
        seconds[state] = float(check_span(value, f"seconds for {state!r}"))
    return Policy(mode=mode, seconds=seconds, polls=polls, outcome=outcome)


def default_policy(kind: JobKind, timings: Mapping[str, Mapping[str, float]]) -> Policy:
    """After the kind's own step delays, with the settings' ``timings`` for it on top."""
    seconds = {s: step.seconds for s, step in kind.steps.items() if step.timer == "progress"}
    seconds.update(timings.get(kind.key, {}))
    return Policy(seconds=seconds)


JOB_SHAPE = dict(id=str, vendor=str, kind=str, tenant=str, state=str, created_at=datetime,
                 entered_at=datetime, polls=int, timeline=list, attrs=dict)
POLICY_SHAPE = dict(mode=str, seconds=dict, polls=int, outcome=str)


def job_check(kinds: Mapping[str, JobKind]) -> Callable[[str, dict], None]:
    """The check of a restored job: a kind declared here, and one of its states."""
    def check(key: str, job: dict) -> None:
        kind = kinds.get(job["kind"])
        if kind is None:
            raise ValueError(f"kind {job['kind'][:60]!r} is not a job kind here ({', '.join(sorted(kinds))})")
        if job["state"] not in kind.states:
            raise ValueError(f"state {job['state'][:60]!r} is not a state of {kind.key}")
    return check


def policy_check(kinds: Mapping[str, JobKind]) -> Callable[[str, dict], None]:
    """The check of a restored policy: as PUT /transitions/{kind} checks one."""
    def check(key: str, policy: dict) -> None:
        if key not in kinds:
            raise ValueError(f"{key[:60]!r} is not a job kind here ({', '.join(sorted(kinds))})")
        parse_policy(kinds[key], policy, Policy())
    return check
