"""Job lifecycles: declared states and steps, progression policies, status computed from the clock on read."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Mapping

from .agenda import Agenda
from .clock import Clock
from .jobkinds import JobKind, Policy, default_policy, parse_policy
from .store import Store

JOBS = "_jobs"
POLICIES = "_policies"
Hook = Callable[[object, dict, str, datetime], None]     # hook(owner, job, state, at)


def copy_job(job: dict) -> dict:
    """A job as it is now, apart from the stored one: a step entered later (its state, its
    hooks' attrs, its timeline entry) does not show in it. Records only ever replace the values
    of a job's keys and of its ``attrs`` (and append to its timeline), so copying those two
    levels is enough; take it under the store's lock."""
    return {**job, "attrs": {**job["attrs"]}, "timeline": list(job["timeline"])}


class Lifecycle:
    """Creates jobs and moves them along their kind's steps when they are read or come due.

    Every job with a timed next step sits in an Agenda (a due-time heap): ``sweep()`` pays only
    for the jobs that are due, never for every job held. ``kinds`` and ``hooks`` may be shared
    (a World's); ``owner`` is what hooks receive first (the session).
    """

    def __init__(self, store: Store, clock: Clock, timings: Mapping[str, Mapping[str, float]] | None = None,
                 *, kinds: dict[str, JobKind] | None = None, hooks: dict[str, list[Hook]] | None = None,
                 owner: object = None, agenda: Agenda | None = None):
        self.store = store
        self.clock = clock
        self.timings = dict(timings or {})
        self.kinds: dict[str, JobKind] = kinds if kinds is not None else {}
        self._hooks: dict[str, list[Hook]] = hooks if hooks is not None else {}
        self.owner = owner
        self.agenda = agenda if agenda is not None else Agenda()
        self._policies: dict[str, Policy] = {}

    # -- kinds and policies ---------------------------------------------------
    def register(self, kind: JobKind, on_enter: Hook | None = None) -> None:
        self.kinds[kind.key] = kind
        if on_enter is not None:
            self._hooks.setdefault(kind.key, []).append(on_enter)

    def kind(self, key: str) -> JobKind:
        try:
            return self.kinds[key]
        except KeyError:
            raise KeyError(f"unknown job kind {key!r}; known: {', '.join(sorted(self.kinds))}") from None

    def default_policy(self, key: str) -> Policy:
        return default_policy(self.kind(key), self.timings)

    def policy(self, key: str) -> Policy:
        policy = self._policies.get(key)
        if policy is None:
            stored = self.store.get(POLICIES, key)
            policy = self.default_policy(key) if stored is None else Policy(**stored)
            self._policies[key] = policy
        return policy

    def set_policy(self, key: str, data: Mapping) -> Policy:
        kind = self.kind(key)
        with self.store.lock:
            policy = parse_policy(kind, data, self.policy(key))
            self.store.put(POLICIES, key, policy.to_dict())
            self._policies.pop(key, None)
            now = self.clock.now()
            for job in self.store.collection(JOBS).values():   # due times change with the policy
                if job["kind"] == key:
                    self._advance(job, now)
                    self._schedule(job)
        return policy

    def policies(self) -> dict[str, dict]:
        return {key: self.policy(key).to_dict() for key in sorted(self.kinds)}

    # -- jobs ------------------------------------------------------------------
    def create(self, key: str, job_id: str, tenant: str, attrs: dict | None = None) -> dict:
        kind = self.kind(key)
        now = self.clock.now()
        job = {"id": job_id, "vendor": kind.vendor, "kind": key, "tenant": tenant,
               "state": kind.initial, "created_at": now, "entered_at": now, "polls": 0,
               "timeline": [{"state": kind.initial, "at": now, "cause": "created"}],
               "attrs": dict(attrs or {})}
        with self.store.lock:
            self.store.put(JOBS, job_id, job)
            self._run_hooks(job, kind.initial, now)
            self._advance(job, now)
            self._schedule(job)
        return job

    def get(self, job_id: str, poll: bool = False, snapshot: bool = False,
            where: Callable[[dict], bool] | None = None) -> dict | None:
        """The job with its status brought up to the clock; ``poll=True`` counts a status read.

        ``where``: None (and no poll counted) for a job it refuses (another tenant's, say);
        ``snapshot=True``: a copy taken under the store's lock (``copy_job``), for a reader that
        renders the job without holding the lock."""
        with self.store.lock:
            job = self.store.get(JOBS, job_id)
            if job is None or (where is not None and not where(job)):
                return None
            if poll:
                job["polls"] += 1
            if self._advance(job, self.clock.now()):
                self._schedule(job)
            return copy_job(job) if snapshot else job

    def jobs(self, vendor: str | None = None, kind: str | None = None, tenant: str | None = None,
             last: int | None = None, snapshot: bool = False) -> list[dict]:
        """Matching jobs in creation order, brought up to the clock; ``last``: only the newest
        that many (the others are not even brought up to the clock); ``snapshot``: copies taken
        under the lock, as ``get``'s."""
        now = self.clock.now()
        with self.store.lock:
            out = [job for job in self.store.collection(JOBS).values()
                   if not ((vendor and job["vendor"] != vendor) or (kind and job["kind"] != kind) or (
                       tenant is not None and job["tenant"] != tenant))]
            if last is not None:
                out = out[-last:] if last > 0 else []
            for job in out:
                if self._advance(job, now):
                    self._schedule(job)
            return [copy_job(job) for job in out] if snapshot else out

    def count(self, vendor: str | None = None, kind: str | None = None, tenant: str | None = None) -> int:
        with self.store.lock:
            return sum(1 for job in self.store.collection(JOBS).values()
                       if not ((vendor and job["vendor"] != vendor) or (kind and job["kind"] != kind) or (
                           tenant is not None and job["tenant"] != tenant)))

    def delete(self, job_id: str) -> dict | None:
        return self.store.delete(JOBS, job_id)

    def force(self, job_id: str, state: str) -> dict:
        with self.store.lock:
            job = self.store.get(JOBS, job_id)
            if job is None:
                raise KeyError(f"no job {job_id!r}")
            kind = self.kind(job["kind"])
            if state not in kind.states:
                raise ValueError(f"{state!r} is not a state of {kind.key}; "
                                 f"declared: {', '.join(kind.states)}")
            self._move(job, state, self.clock.now(), "forced")
            self._schedule(job)
            return job

    # -- progression -------------------------------------------------------------
    def _move(self, job: dict, state: str, at: datetime, cause: str) -> None:
        job["state"] = state
        job["entered_at"] = at
        job["polls"] = 0
        job["timeline"].append({"state": state, "at": at, "cause": cause})
        self._run_hooks(job, state, at)

    def _run_hooks(self, job: dict, state: str, at: datetime) -> None:
        for hook in self._hooks.get(job["kind"], ()):
            hook(self.owner, job, state, at)

    def _advance(self, job: dict, now: datetime) -> bool:
        """Move the job along every step due by ``now``; True if it moved."""
        kind = self.kinds.get(job["kind"])
        if kind is None:
            return False
        moved = False
        for _ in range(len(kind.states) * 2 + 2):  # every step visits a new state at most twice
            step = kind.steps.get(job["state"])
            if step is None:
                break
            entered = job["entered_at"]
            target = step.to
            if step.timer == "retention":
                at = entered + timedelta(seconds=step.seconds)
                if now < at:
                    break
                cause = "retention"
            else:
                policy = self.policy(kind.key)
                if policy.mode == "manual":
                    break
                if policy.mode == "immediate":
                    at = entered
                elif policy.mode == "after_polls":
                    if job["polls"] < policy.polls:
                        break
                    at = max(now, entered)
                else:
                    at = entered + timedelta(seconds=policy.seconds.get(job["state"], step.seconds))
                    if now < at:
                        break
                if policy.outcome == "failure" and target == kind.success:
                    target = kind.failure
                cause = "policy"
            self._move(job, target, at, cause)
            moved = True
        return moved

    def _delay(self, kind: JobKind | None, job: dict) -> float | None:
        """Seconds after entering its state that the job's next timed step is due, or None
        (final, manual, or counting polls)."""
        step = kind.steps.get(job["state"]) if kind else None
        if step is None:
            return None
        if step.timer == "retention":
            return step.seconds
        policy = self.policy(kind.key)
        if policy.mode in ("manual", "after_polls"):
            return None
        return 0.0 if policy.mode == "immediate" else policy.seconds.get(job["state"], step.seconds)

    def _due(self, job: dict) -> float | None:
        """Epoch seconds of the job's next timed step, or None (final, manual, or counting polls)."""
        delay = self._delay(self.kinds.get(job["kind"]), job)
        return None if delay is None else job["entered_at"].timestamp() + delay

    def upcoming(self, job: dict) -> dict | None:
        """The job's next step as its policy will take it: ``{"state", "cause", "mode", "at",
        "polls_left"}`` (``at`` None while it waits for polls or for a forced move), or None in
        a final state."""
        kind = self.kinds.get(job["kind"])
        step = kind.steps.get(job["state"]) if kind else None
        if step is None:
            return None
        delay = self._delay(kind, job)
        at = None if delay is None else job["entered_at"] + timedelta(seconds=delay)
        if step.timer == "retention":
            return {"state": step.to, "cause": "retention", "mode": "retention", "at": at, "polls_left": None}
        policy = self.policy(kind.key)
        target = kind.failure if policy.outcome == "failure" and step.to == kind.success else step.to
        polls_left = max(0, policy.polls - job["polls"]) if policy.mode == "after_polls" else None
        return {"state": target, "cause": "policy", "mode": policy.mode, "at": at, "polls_left": polls_left}

    def _schedule(self, job: dict) -> None:
        due = self._due(job)
        if due is not None:
            self.agenda.schedule(due, "job", job["id"])

    def sweep(self) -> int:
        """Bring every job that is due up to the clock, so hooks (callbacks, files) fire with
        nobody polling; returns how many jobs were looked at. O(log n) per due job."""
        now_ts = self.clock.timestamp()
        agenda = self.agenda
        due = agenda.next_due()
        if due is None or now_ts < due:
            return 0
        now = self.clock.now()
        seen = 0
        with self.store.lock:
            while (item := agenda.pop(now_ts)) is not None:
                job = self.store.get(JOBS, item[2])
                if job is None:
                    continue           # deleted since it was scheduled
                seen += 1
                self._advance(job, now)
                self._schedule(job)
        return seen

    def rebuild(self) -> None:
        """Schedule every job afresh (after a reset or a restore replaced the store)."""
        with self.store.lock:
            self._policies.clear()
            self.agenda.clear()
            for job in self.store.collection(JOBS).values():
                self._schedule(job)
