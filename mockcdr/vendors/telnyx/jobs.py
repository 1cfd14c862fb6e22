"""CDR requests as jobs: status 1 Pending -> 2 Complete | 3 Failed -> 4 Expired, report tokens, accounts."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from ...core.errors import NotFound, Problem
from ...core.jobkinds import JobKind, Step
from ...core.tokens import TokenError
from .fixtures import SLUG, Account, State
from .formats import report

KIND_NAME = "cdr_request"
KIND_KEY = f"{SLUG}.{KIND_NAME}"
TOKEN_KIND = "telnyx.report"
STATUS = {"pending": 1, "complete": 2, "failed": 3, "expired": 4}
DAY = 86_400.0


def make_kind(generation_seconds: float = 5.0, retention_seconds: float = 30 * DAY) -> JobKind:
    """V1 and V2 requests share this kind (they are one resource seen through two APIs)."""
    return JobKind(
        SLUG, KIND_NAME, states=tuple(STATUS), initial="pending",
        steps={"pending": Step("complete", seconds=generation_seconds),
               "complete": Step("expired", "retention", retention_seconds),
               "failed": Step("expired", "retention", retention_seconds)},
        success="complete", failure="failed",
        description="CDR report request: 1 Pending, 2 Complete, 3 Failed, 4 Expired")


KIND = make_kind()


def setup(world, state: State) -> None:
    """Register the kind with the configured timings, and the hook that mints report tokens."""
    opts = state.options
    retention = timedelta(days=opts["retention_days"])
    world.register_kind(make_kind(opts["generation_seconds"], retention.total_seconds()),
                        lambda rt, job, st, at: _entered(rt, opts, retention, job, st, at))


def _entered(rt, opts: dict, retention: timedelta, job: dict, state: str, at: datetime) -> None:
    attrs = job["attrs"]
    if state == "complete":
        ttl = opts["report_url_ttl_seconds"]
        expires = at + (timedelta(seconds=ttl) if ttl is not None else retention)
        filename = report_filename(attrs["report_name"], job["id"].replace("-", "")[:8])
        token = rt.tokens.issue(TOKEN_KIND, {"job": job["id"], "filename": filename},
                                uses=1 if opts["report_url_one_time"] else None)
        rt.tokens.expire_at(token, expires)    # from the instant the report was made, not from now
        attrs.update(token=token["value"], generated_at=at, filename=filename)
    elif attrs.get("token") and state in ("failed", "pending"):     # forced back: no report
        rt.tokens.revoke(TOKEN_KIND, attrs["token"])


def report_filename(report_name: str, tag: str) -> str:
    """``<report name>_<tag>.csv`` like Telnyx's report links, the name made safe for a URL."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", report_name).strip("_")[:80] or "cdr_report"
    return f"{stem}_{tag}.csv"


def create(rt, account: Account, params: dict) -> dict:
    job_id = rt.ids.uuid("telnyx.cdr_request")
    return rt.lifecycle.create(KIND_KEY, job_id, account.tenant, dict(params, account=account.key, token=None))


def find(rt, account: Account, job_id: str, poll: bool = False) -> dict:
    """The account's request; ``poll``: a status read, counted, and a copy to render without the
    store's lock (``Lifecycle.get``)."""
    job = rt.lifecycle.get(job_id, poll=poll, snapshot=poll,
                           where=lambda j: j["kind"] == KIND_KEY and j["attrs"]["account"] == account.key)
    if job is None:
        raise NotFound(f"no CDR request {job_id}")
    return job


def listing(rt, account: Account) -> list[dict]:
    """The account's requests, newest first."""
    jobs = rt.lifecycle.jobs(vendor=SLUG, kind=KIND_KEY, tenant=account.tenant, snapshot=True)
    return [j for j in reversed(jobs) if j["attrs"]["account"] == account.key]


def remove(rt, account: Account, job_id: str) -> dict:
    with rt.store.lock:
        job = find(rt, account, job_id)
        rt.lifecycle.delete(job_id)
        if job["attrs"].get("token"):
            rt.tokens.revoke(TOKEN_KIND, job["attrs"]["token"])
    return job


def redeem(rt, token: str, filename: str, spend: bool = True) -> dict:
    """The completed job a report URL names; spends one use of a one-time URL. 404 otherwise."""
    with rt.store.lock:
        try:
            tok = rt.tokens.check(TOKEN_KIND, token)
            if tok["data"]["filename"] != filename:
                raise TokenError("unknown")
            job = rt.lifecycle.get(tok["data"]["job"])      # brought up to the clock: may be expired
            if job is None or job["state"] != "complete":
                raise TokenError("expired" if job is not None and job["state"] == "expired" else "revoked")
            if spend:
                rt.tokens.redeem(TOKEN_KIND, token)
        except TokenError as exc:
            raise NotFound(problems=[Problem(f"This report link is {_REASONS[exc.reason]}.")]) from None
    return job


_REASONS = {"unknown": "unknown", "expired": "expired", "used": "already used", "revoked": "no longer valid"}


def status(job: dict) -> int:
    return STATUS[job["state"]]


def window_end(job: dict) -> datetime:
    """Calls up to end_time, but none after the report was made."""
    made = job["attrs"].get("generated_at") or job["entered_at"]
    return min(job["attrs"]["end_time"], made)


def job_file(rt, job: dict):
    """VENDOR.job_file: the CSV behind a complete request's report_url (no use of it spent)."""
    attrs = job["attrs"]
    account = rt.state[SLUG].accounts[attrs["account"]]
    return report(rt, account, attrs, attrs["start_time"], window_end(job), attrs["filename"])
