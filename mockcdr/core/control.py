"""Control operations on a session (reset, clock, transitions, jobs, faults, journal, snapshots, deliveries)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import quote

from .clock import check_instant, parse_duration, parse_instant
from .faults import parse_fault
from .masking import issued_values, mask_entry
from .session import Session
from .tokens import TOKENS


class ControlError(ValueError):
    """Bad control input; ``status`` is 400 (bad input) or 404 (no such thing)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def jsonable(value: Any) -> Any:
    """Records as JSON: datetimes become ISO 8601 strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _obj(body: Any, what: str) -> Mapping:
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise ControlError(f"{what} must be a JSON object")
    return body


# -- state -----------------------------------------------------------------------------------
def reset(rt: Session, body: Any = None) -> dict:
    seed = _obj(body, "the reset body").get("seed")
    if seed is not None and (not isinstance(seed, (str, int)) or isinstance(seed, bool)):
        raise ControlError("seed must be a string or an integer")
    rt.reset(None if seed is None else str(seed))
    return {"status": "reset", "seed": rt.seed, "clock": rt.clock.state()}


def set_seed(rt: Session, body: Any) -> dict:
    body = _obj(body, "the seed body")
    if not isinstance(body.get("seed"), (str, int)) or isinstance(body.get("seed"), bool):
        raise ControlError("seed is required: a string or an integer")
    return reset(rt, {"seed": body["seed"]})


def get_snapshot(rt: Session) -> dict:
    return rt.snapshot()


def restore_snapshot(rt: Session, body: Any) -> dict:
    try:
        rt.restore(body)
    except (ValueError, TypeError, KeyError) as exc:
        raise ControlError(f"not a mockcdr snapshot: {exc}") from None
    return {"status": "restored", "seed": rt.seed, "clock": rt.clock.state()}


# -- clock -----------------------------------------------------------------------------------
def get_clock(rt: Session) -> dict:
    return rt.clock.state()


def set_clock(rt: Session, body: Any) -> dict:
    body = _obj(body, "the clock body")
    if "now" not in body:
        raise ControlError("now is required: an ISO 8601 instant")
    try:
        instant = check_instant(parse_instant(body["now"]))
    except ValueError as exc:
        raise ControlError(f"now: {exc}") from None
    frozen = body.get("frozen")
    if frozen is not None and not isinstance(frozen, bool):
        raise ControlError("frozen must be true or false")
    if frozen is True:
        rt.clock.freeze(instant)
    else:
        if frozen is False:
            rt.clock.unfreeze()
        rt.clock.set(instant)
    return rt.clock.state()


def advance_clock(rt: Session, body: Any) -> dict:
    body = _obj(body, "the advance body")
    if "by" not in body:
        raise ControlError("by is required: seconds or an ISO 8601 duration such as PT1H")
    try:
        rt.clock.advance(parse_duration(body["by"]))
    except ValueError as exc:
        raise ControlError(f"by: {exc}") from None
    return rt.clock.state()


def freeze_clock(rt: Session, body: Any = None) -> dict:
    at = _obj(body, "the freeze body").get("at")
    try:
        rt.clock.freeze(parse_instant(at) if at is not None else None)
    except ValueError as exc:
        raise ControlError(f"at: {exc}") from None
    return rt.clock.state()


def unfreeze_clock(rt: Session) -> dict:
    rt.clock.unfreeze()
    return rt.clock.state()


# -- transitions and jobs ----------------------------------------------------------------------
def _kind_doc(rt: Session, key: str) -> dict:
    kind = rt.lifecycle.kind(key)
    return {"kind": key, "vendor": kind.vendor, "states": list(kind.states), "initial": kind.initial,
            "success": kind.success, "failure": kind.failure,
            "steps": {s: {"to": st.to, "timer": st.timer, "seconds": st.seconds}
                      for s, st in kind.steps.items()},
            "policy": rt.lifecycle.policy(key).to_dict()}


def list_transitions(rt: Session, vendor: str | None = None) -> list[dict]:
    return [_kind_doc(rt, key) for key in sorted(rt.lifecycle.kinds)
            if vendor is None or rt.lifecycle.kinds[key].vendor == vendor]


def set_transition(rt: Session, kind: str, body: Any) -> dict:
    if kind not in rt.lifecycle.kinds:
        raise ControlError(f"no job kind {kind!r}; known: {', '.join(sorted(rt.lifecycle.kinds))}", 404)
    try:
        rt.lifecycle.set_policy(kind, body)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return _kind_doc(rt, kind)


def _job_doc(rt: Session, job: dict, base_url: str) -> dict:
    """A job as JSON, with its next step and the URL of its file (when it has one now)."""
    with rt.store.lock:
        doc = jsonable(job)
        doc["next"] = jsonable(rt.lifecycle.upcoming(job))
        doc["file_url"] = f"{base_url}/jobs/{quote(job['id'], safe='')}/file" if _has_file(rt, job) else None
    return doc


def _has_file(rt: Session, job: dict) -> bool:
    vendor = rt.vendors.get(job["vendor"])
    kind = rt.lifecycle.kinds.get(job["kind"])
    return (vendor is not None and vendor.job_file is not None and kind is not None
            and kind.success is not None and job["state"] == kind.success)


def jobs_page(rt: Session, vendor: str | None = None, kind: str | None = None, state: str | None = None,
              tenant: str | None = None, limit=None, *, base_url: str = "") -> tuple[list[dict], int]:
    """(jobs in creation order, how many matched): ``limit`` keeps only the newest that many;
    without a state filter, the jobs left out are not even brought up to the clock."""
    limit = _int(limit, "limit", 0)
    if state is None:
        with rt.store.lock:
            jobs = rt.lifecycle.jobs(vendor=vendor, kind=kind, tenant=tenant, last=limit)
            total = len(jobs) if limit is None else rt.lifecycle.count(vendor=vendor, kind=kind, tenant=tenant)
    else:
        jobs = [j for j in rt.lifecycle.jobs(vendor=vendor, kind=kind, tenant=tenant) if j["state"] == state]
        total = len(jobs)
        if limit is not None:
            jobs = jobs[-limit:] if limit else []
    return [_job_doc(rt, j, base_url) for j in jobs], total      # the lock is taken per job: others go between


def list_jobs(rt: Session, vendor: str | None = None, kind: str | None = None, state: str | None = None,
              tenant: str | None = None, limit=None, *, base_url: str = "") -> list[dict]:
    return jobs_page(rt, vendor, kind, state, tenant, limit, base_url=base_url)[0]


def _job(rt: Session, job_id: str) -> dict:
    job = rt.lifecycle.get(job_id)
    if job is None:
        raise ControlError(f"no job {job_id!r}", 404)
    return job


def get_job(rt: Session, job_id: str, *, base_url: str = "") -> dict:
    return _job_doc(rt, _job(rt, job_id), base_url)


def force_job_state(rt: Session, job_id: str, body: Any, *, base_url: str = "") -> dict:
    state = _obj(body, "the state body").get("state")
    if not isinstance(state, str):
        raise ControlError("state is required: one of the job kind's declared states")
    _job(rt, job_id)
    try:
        job = rt.lifecycle.force(job_id, state)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    rt.tick()
    return _job_doc(rt, job, base_url)


def job_file(rt: Session, job_id: str):
    """The FileOut the job's vendor download serves now (no credentials, no token spent)."""
    job = _job(rt, job_id)
    with rt.store.lock:
        if not _has_file(rt, job):
            vendor = rt.vendors.get(job["vendor"])
            if vendor is None or vendor.job_file is None:
                raise ControlError(f"{job['kind']} jobs have no file to download", 404)
            raise ControlError(f"job {job_id!r} has no file while {job['state']!r} "
                               f"(it has one while {rt.lifecycle.kinds[job['kind']].success!r})", 404)
        return rt.vendors[job["vendor"]].job_file(rt, job)


# -- faults, journal, deliveries -----------------------------------------------------------------
def list_faults(rt: Session, vendor: str | None = None) -> list[dict]:
    return rt.faults.list(vendor)


def add_fault(rt: Session, body: Any) -> dict:
    try:
        fault = parse_fault(body, rt.vendors)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return rt.faults.add(fault)


def clear_faults(rt: Session, vendor: str | None = None) -> dict:
    return {"cleared": rt.faults.clear(vendor=vendor)}


def delete_fault(rt: Session, fault_id: int) -> dict:
    if not rt.faults.clear(fault_id=fault_id):
        raise ControlError(f"no fault {fault_id}", 404)
    return {"cleared": 1}


def _int(value: Any, name: str, minimum: int | None = None) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"-?[0-9]{1,4000}", str(value).strip()):     # ASCII digits, no "1_000"
        raise ControlError(f"{name} must be an integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ControlError(f"{name} must be an integer of at least {minimum}")
    return number


def _bool(value: Any, name: str) -> bool:
    if value is None:
        return False
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise ControlError(f"{name} must be true or false")
    return text in ("true", "1")


def get_journal(rt: Session, vendor=None, operation=None, status=None, method=None, since=None,
                limit=None, reveal=None) -> dict:
    """Journal entries; passwords and tokens in them are masked unless ``reveal``."""
    reveal = _bool(reveal, "reveal")
    entries = rt.journal.query(vendor=vendor, operation=operation, status=_int(status, "status"),
                               method=method, since=_int(since, "since"), limit=_int(limit, "limit", 0))
    if not reveal:
        issued = issued_values(t["value"] for t in rt.store.values(TOKENS))
        entries = [mask_entry(e, issued) for e in entries]
    return {"entries": entries, "size": len(rt.journal), "capacity": rt.journal.capacity}


def clear_journal(rt: Session) -> dict:
    return {"cleared": rt.journal.clear()}


def get_coverage(rt: Session, vendor: str | None = None) -> dict:
    """Every documented operation, response and kind of the session's vendors with its hits
    (``vendor``: only that one; like every filter here, one that matches nothing lists none)."""
    return rt.coverage.document(rt.id, None if vendor is None else [s for s in rt.vendors if s == vendor])


def clear_coverage(rt: Session) -> dict:
    return {"cleared": rt.coverage.clear()}


def deliveries_page(rt: Session, vendor=None, channel=None, state=None, limit=None) -> tuple[list[dict], int]:
    """(deliveries oldest first, how many matched): ``limit`` keeps only the newest that many."""
    limit = _int(limit, "limit", 0)
    found = rt.deliveries.list(vendor=vendor, channel=channel, state=state)
    kept = found if limit is None else found[-limit:] if limit else []
    out = []
    for d in kept:
        with rt.store.lock:              # an attempt may be appended meanwhile: copy each whole
            out.append(jsonable(d))
    return out, len(found)


def list_deliveries(rt: Session, vendor=None, channel=None, state=None, limit=None) -> list[dict]:
    return deliveries_page(rt, vendor, channel, state, limit)[0]


def get_delivery(rt: Session, delivery_id: str) -> dict:
    delivery = rt.deliveries.get(delivery_id)
    if delivery is None:
        raise ControlError(f"no delivery {delivery_id}", 404)
    return delivery


def delivery_file(rt: Session, delivery_id: str):
    """The FileOut a delivery carried, re-created by its vendor from the recorded params."""
    delivery = get_delivery(rt, delivery_id)
    vendor = rt.vendors.get(delivery["vendor"])
    if not delivery.get("file") or vendor is None or vendor.render_file is None:
        raise ControlError(f"delivery {delivery_id} carried no file", 404)
    return vendor.render_file(rt, delivery["file"])


def run_deliveries(rt: Session) -> dict:
    rt.tick(deliver=False)
    return {"attempted": rt.deliveries.run_due()}


def clear_deliveries(rt: Session) -> dict:
    return {"cleared": rt.deliveries.clear()}
