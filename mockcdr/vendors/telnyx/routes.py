"""The Telnyx blueprint: V1 /reporting/cdr_requests, V2 /v2/legacy/reporting/.../voice, report downloads."""
from __future__ import annotations

from math import ceil

from flask import Blueprint, request
from werkzeug.routing import BaseConverter

from ...core.http import external_base, file_response, json_body, json_response, runtime, set_tenant
from . import formats, jobs, shapes
from .fixtures import SLUG, State
from .auth import authenticate
from .schemas import page_params, parse_request

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"
V1_PAGE_SIZE, V1_MAX_PAGE_SIZE = 100, 1000


def _state() -> State:
    return runtime().state[SLUG]


def _create(v2: bool) -> dict:
    account = authenticate(v1=not v2)
    rt = runtime()
    body = json_body()
    params = parse_request(body, v2=v2, now=rt.clock.now(),
                           lookback_days=_state().options["max_lookback_days"], catalogue=formats.COLUMNS)
    return jobs.create(rt, account, params)


def _page(v2: bool) -> tuple[list[dict], int, int, int]:
    account = authenticate(v1=not v2)
    opts = _state().options
    if v2:
        number, size = page_params(request.args, default_size=opts["v2_default_page_size"],
                                   max_size=opts["v2_max_page_size"], v1=False)
    else:
        number, size = page_params(request.args, default_size=V1_PAGE_SIZE, max_size=V1_MAX_PAGE_SIZE, v1=True)
    items = jobs.listing(runtime(), account)
    return items[(number - 1) * size:number * size], number, size, len(items)


class RequestId(BaseConverter):
    """Any path segment but ``fields``, so that ``/voice/fields`` answers 405 to DELETE."""
    regex = r"(?!fields$)[^/]+"


def blueprint() -> Blueprint:
    bp = Blueprint(SLUG, __name__)
    bp.record_once(lambda st: st.app.url_map.converters.setdefault("telnyx_request_id", RequestId))

    # -- V1 (the seed): bare objects and arrays ------------------------------------------
    @bp.post(V1)
    def addCdrRequest():
        job = _create(v2=False)
        return json_response(shapes.v1(job, external_base(), _state().options))

    @bp.get(V1)
    def findCdrRequests():
        page, _number, _size, _total = _page(v2=False)
        base, opts = external_base(), _state().options
        return json_response([shapes.v1(job, base, opts) for job in page])

    @bp.get(f"{V1}/<job_id>")
    def getCdrRequest(job_id):
        job = jobs.find(runtime(), authenticate(v1=True), job_id, poll=True)
        return json_response(shapes.v1(job, external_base(), _state().options))

    @bp.delete(f"{V1}/<job_id>")
    def deleteCdrRequest(job_id):
        jobs.remove(runtime(), authenticate(v1=True), job_id)
        return json_response({"success": True, "message": "CDR request deleted."})

    # -- V2 successor: {"data": ...} and meta paging ---------------------------------------
    @bp.post(V2)
    def createVoiceReport():
        job = _create(v2=True)
        return json_response({"data": shapes.v2(job, external_base(), _state().options)})

    @bp.get(V2)
    def listVoiceReports():
        page, number, size, total = _page(v2=True)
        base, opts = external_base(), _state().options
        return json_response({"data": [shapes.v2(job, base, opts) for job in page],
                              "meta": {"page_number": number, "page_size": size,
                                       "total_pages": ceil(total / size), "total_results": total}})

    @bp.get(f"{V2}/fields")
    def getVoiceReportFields():
        authenticate(v1=False)
        return json_response({group: list(names) for group, names in formats.FIELD_GROUPS.items()})

    @bp.get(f"{V2}/<telnyx_request_id:job_id>")
    def getVoiceReport(job_id):
        job = jobs.find(runtime(), authenticate(v1=False), job_id, poll=True)
        return json_response({"data": shapes.v2(job, external_base(), _state().options)})

    @bp.delete(f"{V2}/<telnyx_request_id:job_id>")
    def deleteVoiceReport(job_id):
        job = jobs.remove(runtime(), authenticate(v1=False), job_id)
        return json_response({"data": shapes.v2(job, external_base(), _state().options)})

    # -- the report file behind report_url (a signed link: no credentials) -----------------------
    @bp.get(f"{shapes.REPORTS_PATH}/<token>/<filename>")
    def downloadCdrReport(token, filename):
        rt = runtime()
        job = jobs.redeem(rt, token, filename, spend=request.method != "HEAD")
        attrs = job["attrs"]
        account = _state().accounts[attrs["account"]]
        set_tenant(account.tenant)
        return file_response(formats.report(rt, account, attrs, attrs["start_time"], jobs.window_end(job),
                                            attrs["filename"]))

    return bp
