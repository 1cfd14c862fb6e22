"""The /v3 blueprint: export create, list, show, update and file download (views named by operationId)."""
from __future__ import annotations

from flask import Blueprint, request
from werkzeug.routing import BaseConverter

from mockcdr.core.errors import MethodNotAllowed
from mockcdr.core.http import external_base, file_response, json_body, json_response, runtime

from . import fixtures, documents, files, jobs, listing, resources
from .auth import authenticate, check_accept, check_content_type
from .errors import MEDIA_TYPE


class ResourceId(BaseConverter):
    """An export id: no dots, so ``<uuid>.csv.gz`` can only be a file download."""
    regex = r"[^/.]+"


class FileName(BaseConverter):
    """Whatever precedes ``.csv.gz``: every such URL is a download (an unknown one is a bare 404)."""
    regex = r"[^/]+"


def _document(payload: dict, status: int = 200):
    return json_response(payload, status=status, content_type=MEDIA_TYPE)


def _update(export_id: str):
    """PATCH (and PUT): only ``external_reference_id``, only from 2026-04-16 on."""
    check_content_type()
    check_accept()
    caller = authenticate()
    if caller.legacy:
        raise MethodNotAllowed(f"{request.method} is not supported by API version {caller.version}",
                               headers={"Allow": "GET"})
    rt = runtime()
    attributes = documents.parse_update(json_body(default={}), export_id)
    job = jobs.find(rt, caller, export_id)
    jobs.update(rt, job, documents.validate_update(attributes))
    return _document(resources.document(job, caller.version, external_base()))


def blueprint() -> Blueprint:
    bp = Blueprint(fixtures.SLUG, __name__, url_prefix="/v3")
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("didww_id", ResourceId))
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("didww_file", FileName))

    @bp.post("/exports", strict_slashes=False)
    def createExport():
        check_content_type()
        check_accept()
        caller = authenticate()
        rt = runtime()
        new = documents.parse_create(json_body(default={}), caller.version, rt.clock.now(),
                                     int(fixtures.option(rt, "months_available")))
        job = jobs.create(rt, caller, new)
        return _document(resources.document(job, caller.version, external_base()), status=201)

    @bp.get("/exports", strict_slashes=False)
    def listExports():
        check_accept()
        caller = authenticate()
        fields = resources.parse_fields(request.args, caller.version)
        resources.check_include(request.args)
        query = listing.parse(request.args, caller.version)
        selected = listing.select(jobs.owned(runtime(), caller), query)
        base = external_base()
        shown = listing.page(selected, query)
        return _document({
            "data": [resources.resource(j, caller.version, base, fields) for j in shown],
            "meta": {"total_records": len(selected), "api_version": caller.version},
            "links": listing.links(base + request.path, query, len(selected)),
        })

    @bp.get("/exports/<didww_id:export_id>")
    def getExport(export_id):
        check_accept()
        caller = authenticate()
        fields = resources.parse_fields(request.args, caller.version)
        resources.check_include(request.args)
        job = jobs.find(runtime(), caller, export_id, poll=True)
        return _document(resources.document(job, caller.version, external_base(), fields))

    @bp.patch("/exports/<didww_id:export_id>")
    def updateExport(export_id):
        return _update(export_id)

    @bp.put("/exports/<didww_id:export_id>")
    def replaceExport(export_id):
        return _update(export_id)

    @bp.get("/exports/<didww_file:file_id>.csv.gz")
    def downloadExportFile(file_id):
        caller = authenticate()
        rt = runtime()
        return file_response(files.for_job(rt, jobs.by_file(rt, caller, file_id)))

    return bp
