"""MOR API v2 routes under /billing/api/v2 and /api/v2; view names are the spec's operationIds."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, Response, request

from ...core.errors import BadRequest, NotFound
from ...core.http import json_body, json_response, media_type, raw_body, runtime
from . import auth, tasks
from .errors import JSON, NOT_AN_OBJECT
from .options import opt

PREFIXES = ("/billing/api/v2", "/api/v2")
TEMPLATE_NOT_FOUND = "CDR export template was not found"


def _ok(payload, status: int = 200) -> Response:
    return json_response(payload, status=status, content_type=JSON)


def _body():
    """The request body: JSON (whatever the Content-Type) or an HTML form (``query[s_x]=`` nests)."""
    if media_type(request.content_type)[0] == "application/x-www-form-urlencoded":
        out: dict = {}
        for key, value in parse_qsl(raw_body().decode("utf-8", "replace"), keep_blank_values=True):
            if key.endswith("]") and "[" in key:
                outer, inner = key[:-1].split("[", 1)
                if isinstance(out.setdefault(outer, {}), dict):
                    out[outer][inner] = value
            else:
                out[key] = value
        return out
    body = json_body(default={})
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return body


def _wrap(task: dict) -> dict:
    rt = runtime()
    return {"automatic_cdr_export": tasks.render(rt, rt.state["mor"], task)}


# -- authentication ---------------------------------------------------------------
def authenticationLogin():
    return _ok(auth.login())


def authenticationRefresh():
    return _ok(auth.refresh(_body()))


# -- automatic CDR exports ----------------------------------------------------------
def listAutomaticCdrExports():
    owner = auth.authorize("v2_automatic_cdr_exports_index")
    rt = runtime()
    items = [tasks.render(rt, rt.state["mor"], t) for t in tasks.list_tasks(rt, owner, request.args)]
    wrapper = opt(rt, "list_wrapper")
    return _ok({wrapper: items} if wrapper else items)


def createAutomaticCdrExport():
    owner = auth.authorize("v2_automatic_cdr_exports_create")
    rt = runtime()
    task = tasks.create(rt, rt.state["mor"], owner, _body())
    return _ok(_wrap(task), status=201)


def showAutomaticCdrExport(task_id):
    owner = auth.authorize("v2_automatic_cdr_exports_show")
    return _ok(_wrap(tasks.find(runtime(), owner, task_id)))


def replaceAutomaticCdrExport(task_id):
    owner = auth.authorize("v2_automatic_cdr_exports_update")
    rt = runtime()
    return _ok(_wrap(tasks.update(rt, rt.state["mor"], owner, task_id, _body(), replace=True)))


def updateAutomaticCdrExport(task_id):
    owner = auth.authorize("v2_automatic_cdr_exports_update")
    rt = runtime()
    return _ok(_wrap(tasks.update(rt, rt.state["mor"], owner, task_id, _body(), replace=False)))


def deleteAutomaticCdrExport(task_id):
    owner = auth.authorize("v2_automatic_cdr_exports_destroy")
    rt = runtime()
    tasks.delete(rt, owner, task_id)
    resp = Response(b"", status=int(opt(rt, "delete_status")), content_type=JSON)
    if resp.status_code == 204:
        del resp.headers["Content-Type"]
    return resp


def setAutomaticCdrExportActive(task_id):
    owner = auth.authorize("v2_automatic_cdr_exports_update_active")
    rt = runtime()
    return _ok(_wrap(tasks.set_active(rt, owner, task_id, _body())))


# -- CDR export templates (read-only) -----------------------------------------------
def _template_body(rt, tpl: dict) -> dict:
    columns = list(tpl["columns"])
    shown = ";".join(columns) if opt(rt, "template_columns_format") == "string" else columns
    return {"id": tpl["id"], "name": tpl["name"], "columns": shown, "column_count": len(columns)}


def listCdrExportTemplates():
    owner = auth.authorize("v2_cdr_export_templates_index")
    rt = runtime()
    directory = rt.state["mor"]
    return _ok([_template_body(rt, t) for t in sorted(directory.templates.values(), key=lambda t: t["id"])
                if t["owner_id"] == owner["id"] and t["columns"]])


def showCdrExportTemplate(template_id):
    owner = auth.authorize("v2_cdr_export_templates_show")
    rt = runtime()
    tpl = rt.state["mor"].templates.get(int(template_id)) if tasks.is_id(template_id) else None
    if tpl is None or tpl["owner_id"] != owner["id"]:
        raise NotFound(TEMPLATE_NOT_FOUND)
    return _ok(_template_body(rt, tpl))


ROUTES = (
    ("/authentication/login", ("POST",), authenticationLogin),
    ("/authentication/refresh", ("POST",), authenticationRefresh),
    ("/automatic_cdr_exports", ("GET",), listAutomaticCdrExports),
    ("/automatic_cdr_exports", ("POST",), createAutomaticCdrExport),
    ("/automatic_cdr_exports/<task_id>", ("GET",), showAutomaticCdrExport),
    ("/automatic_cdr_exports/<task_id>", ("PUT",), replaceAutomaticCdrExport),
    ("/automatic_cdr_exports/<task_id>", ("PATCH",), updateAutomaticCdrExport),
    ("/automatic_cdr_exports/<task_id>", ("DELETE",), deleteAutomaticCdrExport),
    ("/automatic_cdr_exports/<task_id>/active", ("PATCH",), setAutomaticCdrExportActive),
    ("/cdr_export_templates", ("GET",), listCdrExportTemplates),
    ("/cdr_export_templates/<template_id>", ("GET",), showCdrExportTemplate),
)


def blueprint() -> Blueprint:
    """One blueprint; every route is served under both prefixes by the same endpoint (the
    view's name), so the journal and faults see the operationId whichever prefix was used."""
    bp = Blueprint("mor", __name__)
    for prefix in PREFIXES:
        for path, methods, view in ROUTES:
            bp.add_url_rule(prefix + path, endpoint=view.__name__, view_func=view, methods=methods)
    return bp
