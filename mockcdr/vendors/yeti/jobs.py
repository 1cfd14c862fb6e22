"""CDR exports as yeti keeps them: the job kind, creation, visibility per API access, rows-count."""
from __future__ import annotations

from mockcdr.core.jobkinds import JobKind, Step

from . import errors
from .fixtures import UUID_RE, ApiAccess, Directory
from .formats import count_rows, file_out, spec_for

STATUSES = ("Pending", "Completed", "Failed", "Deleted")
KIND = JobKind("yeti", "cdr_export", states=STATUSES, initial="Pending",
               steps={"Pending": Step("Completed", seconds=5.0)}, success="Completed", failure="Failed",
               description="Pending -> Completed (Failed when the policy outcome is failure); "
                           "Deleted only when forced, as yeti's admin does")
KIND_KEY = KIND.key


def directory(rt) -> Directory:
    return rt.state["yeti"]


def register(world) -> None:
    """Count the file's rows when an export completes (yeti stores COPY's row count)."""
    def on_enter(rt, job: dict, state: str, at) -> None:
        if state == "Completed":
            attrs = job["attrs"]
            attrs["completed_at"] = at
            attrs["rows_count"] = count_rows(rt, spec_for(directory(rt), attrs, at))

    world.register_kind(KIND, on_enter)


def create(rt, stored: dict) -> dict:
    """A Pending export (``stored`` comes from form.validate)."""
    account = directory(rt).accounts[stored["account"]]
    attrs = dict(stored, seq=rt.ids.integer("yeti.cdr_export"), rows_count=None, completed_at=None)
    return rt.lifecycle.create(KIND_KEY, rt.ids.uuid("yeti.cdr_export"), account.tenant, attrs)


def visible(rt, access: ApiAccess) -> list[dict]:
    """The exports whose account this access may see (its customer's, within its whitelist)."""
    accounts = directory(rt).visible_accounts(access)
    return [job for job in rt.lifecycle.jobs(vendor="yeti", kind=KIND_KEY, snapshot=True)
            if job["attrs"]["account"] in accounts]


def verify_key(key: str) -> None:
    """JR's verify_key for ``key_type :uuid``: 400 Invalid field value."""
    if not UUID_RE.match(key):
        raise errors.invalid_field_value(key)


def find(rt, access: ApiAccess, key: str, snapshot: bool = False) -> dict:
    """One visible export by UUID: 400 for a key that is not a UUID, 404 for unknown or foreign.
    ``snapshot``: a copy to render without the store's lock (``Lifecycle.get``)."""
    verify_key(key)
    accounts = directory(rt).visible_accounts(access)
    job = rt.lifecycle.get(key.lower(), snapshot=snapshot,
                           where=lambda j: j["kind"] == KIND_KEY and j["attrs"]["account"] in accounts)
    if job is None:
        raise errors.record_not_found(key)
    return job


def job_file(rt, job: dict):
    """VENDOR.job_file: the gzip file a Completed export downloads as."""
    attrs = job["attrs"]
    return file_out(rt, job["id"], spec_for(directory(rt), attrs, attrs["completed_at"]))
