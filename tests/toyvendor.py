"""A small vendor used only by the core tests: jobs, a one-time download token, gzip files."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request

from mockcdr.core.csvout import csv_chunks, gzip_chunks
from mockcdr.core.errors import MockError, NotFound, Unauthorized, ValidationFailed
from mockcdr.core.http import file_response, json_body, json_response, runtime, set_tenant
from mockcdr.core.jobkinds import JobKind, Step
from mockcdr.core.timefmt import TimeFormatter
from mockcdr.core.tokens import TokenError
from mockcdr.core.vendor import FileOut, Vendor

KIND = JobKind("toy", "export", states=("pending", "done", "failed", "expired"), initial="pending",
               steps={"pending": Step("done", seconds=5), "done": Step("expired", "retention", 3600),
                      "failed": Step("expired", "retention", 3600)},
               success="done", failure="failed")


def render_error(err: MockError):
    return json_response({"toy_error": {"kind": err.kind, "detail": err.detail}}, status=err.status,
                         headers=err.headers)


def _tenant():
    key = request.headers.get("X-Toy-Key")
    tenant = runtime().state["toy"].get(key)
    if tenant is None:
        raise Unauthorized("bad key")
    set_tenant(tenant)
    return tenant


def file_for(rt, tenant: str, job: dict) -> FileOut:
    profile = rt.tenant(tenant)
    start = job["created_at"] - timedelta(days=1)
    fmt = TimeFormatter()
    rows = ((fmt.seconds(c.start_us), c.src, c.dst, c.billsec) for c in
            rt.universe.calls(profile, start, job["created_at"]))
    return FileOut(f"{job['id']}.csv.gz", "application/octet-stream",
                   gzip_chunks(csv_chunks(["start", "src", "dst", "billsec"], rows)), compressed=True)


def blueprint() -> Blueprint:
    bp = Blueprint("toy", __name__, url_prefix="/toy")

    @bp.post("/exports")
    def createExport():
        tenant = _tenant()
        body = json_body()
        if not isinstance(body, dict) or "name" not in body:
            raise ValidationFailed("name is required")
        rt = runtime()
        job = rt.lifecycle.create("toy.export", rt.ids.uuid("toy.export"), tenant, {"name": body["name"]})
        return json_response({"id": job["id"], "state": job["state"]}, status=201)

    @bp.get("/exports/<job_id>")
    def getExport(job_id):
        tenant = _tenant()
        job = runtime().lifecycle.get(job_id, poll=True)
        if job is None or job["tenant"] != tenant:
            raise NotFound(f"no export {job_id}")
        return json_response({"id": job["id"], "state": job["state"],
                              "token": job["attrs"].get("token")})

    @bp.get("/files/<token>")
    def downloadFile(token):
        rt = runtime()
        try:
            tok = rt.tokens.redeem("toy.file", token)
        except TokenError as exc:
            raise NotFound(f"token {exc.reason}") from None
        job = rt.lifecycle.get(tok["data"]["job"])
        return file_response(file_for(rt, job["tenant"], job))

    @bp.get("/stream/<int:kib>")
    def streamFile(kib):
        """``kib`` KiB of zeros, streamed in 64 KiB chunks (cheap to make: the serving tests)."""
        _tenant()
        block = bytes(64 * 1024)
        chunks = (block for _ in range(kib // 64))
        return file_response(FileOut("zeros.bin", "application/octet-stream", chunks))

    @bp.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    return bp


def setup(world, section: dict):
    def on_enter(rt, job, state, at):
        if state == "done":
            job["attrs"]["token"] = rt.tokens.issue("toy.file", {"job": job["id"]},
                                                    ttl=timedelta(minutes=10))["value"]

    world.register_kind(KIND, on_enter)
    return {"key-acme": "acme", "key-globex": "globex"}


VENDOR = Vendor(slug="toy", title="Toy", prefixes=("/toy",), blueprint=blueprint,
                render_error=render_error, setup=setup,
                describe=lambda rt, base: {"base_urls": [f"{base}/toy"],
                                           "credentials": [{"X-Toy-Key": "key-acme"}]},
                job_kinds=(KIND,), files={"downloadFile": "gzip", "streamFile": "plain"})
