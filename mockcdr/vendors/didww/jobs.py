"""The export job: its lifecycle kind, creation, and lookups scoped to the calling customer."""
from __future__ import annotations

from mockcdr.core.jobkinds import JobKind, Step

from . import callbacks, fixtures, errors
from .documents import NewExport

KIND_KEY = "didww.export"
STATES = ("pending", "processing", "completed", "deleted")
FILES = "didww.files"       # file uuid -> {"export": export id}


def build_kind(pending: float = 5.0, processing: float = 10.0, retention: float = 30 * 86400) -> JobKind:
    """pending -> processing -> completed on the progression policy; completed -> deleted after
    the retention period whatever the policy."""
    return JobKind("didww", "export", states=STATES, initial="pending",
                   steps={"pending": Step("processing", seconds=pending),
                          "processing": Step("completed", seconds=processing),
                          "completed": Step("deleted", "retention", retention)},
                   success="completed",
                   description="DIDWW CDR export: Pending -> Processing -> Completed, deleted a month later")


KIND = build_kind()


def register(world) -> None:
    """Declare the kind with the configured timings and hook its completion to the callback."""
    kind = build_kind(float(fixtures.option(world, "pending_seconds")),
                      float(fixtures.option(world, "processing_seconds")),
                      float(fixtures.option(world, "retention_seconds")))

    def on_enter(rt, job: dict, state: str, _at) -> None:
        if state == "completed":
            callbacks.schedule(rt, job)

    world.register_kind(kind, on_enter)
    world.shape(FILES, export=str)


def create(rt, caller, new: NewExport) -> dict:
    export_id = rt.ids.uuid("didww.export")
    file_id = rt.ids.uuid("didww.file")
    window = new.window
    attrs = {
        "customer": caller.customer.name, "tenant": caller.customer.tenant,
        "created_version": caller.version, "export_type": new.export_type,
        "filters": window.echo, "start": window.start, "end": window.end,
        "did_number": window.did_number, "trunk_id": window.trunk_id,
        "callback_url": new.callback_url, "callback_method": new.callback_method,
        "external_reference_id": new.external_reference_id, "file_id": file_id,
    }
    with rt.store.lock:
        rt.store.put(FILES, file_id, {"export": export_id})
        return rt.lifecycle.create(KIND_KEY, export_id, caller.customer.name, attrs)


def _owned(job: dict, customer) -> bool:
    return job["kind"] == KIND_KEY and job["tenant"] == customer.name


def _visible(job: dict | None, customer) -> bool:
    return job is not None and _owned(job, customer) and job["state"] != "deleted"


def find(rt, caller, export_id: str, poll: bool = False) -> dict:
    """The caller's export; a foreign, unknown or deleted one is "Record not found". ``poll``: a
    status read, counted, and a copy to render without the store's lock (``Lifecycle.get``)."""
    job = rt.lifecycle.get(export_id, poll=poll, snapshot=poll, where=lambda j: _owned(j, caller.customer))
    if job is None or job["state"] == "deleted":
        raise errors.record_not_found(export_id)
    return job


def owned(rt, caller) -> list[dict]:
    """The caller's exports that still exist, oldest first."""
    return [job for job in rt.lifecycle.jobs(kind=KIND_KEY, tenant=caller.customer.name, snapshot=True)
            if job["state"] != "deleted"]


def by_file(rt, caller, file_id: str) -> dict:
    """The completed export whose file this is; anything else is a 404 without a body."""
    record = rt.store.get(FILES, file_id)
    job = rt.lifecycle.get(record["export"]) if record else None
    if not _visible(job, caller.customer) or job["state"] != "completed":
        raise errors.file_not_found(f"{file_id}.csv.gz")
    return job


def update(rt, job: dict, changes: dict) -> dict:
    with rt.store.lock:
        job["attrs"].update(changes)
    return job
