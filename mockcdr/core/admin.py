"""The /_mockcdr control blueprint: thin HTTP over core.control; view names are the operationIds."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from .. import __version__, resources
from . import cluster, control, guard, jsontext, session_control
from .control import ControlError
from .forwarded import FORWARDED
from .http import external_base, file_response, json_response, runtime

PREFIX = "/_mockcdr"
TOTAL = "X-Total-Count"       # how many a list with ``limit`` matched in all
KINDS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         415: "unsupported_media_type"}
# the top-level ``servers:`` block of a shipped spec, which names the default main port
_SERVERS = re.compile(r"^servers:\n((?:[ \t]+.*\n|[ \t]*\n)*)", re.M)
_SHIPPED_ORIGIN = "http://127.0.0.1:8080"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")


def sessions():
    return current_app.extensions["mockcdr.sessions"]


def info_document(rt, base_url: str, served) -> dict:
    """Version, seed, clock, sessions and, per vendor, its base URLs and default credentials."""
    ports = dict(rt.settings.vendor_ports)
    registry = rt.registry
    return {
        "name": "mockcdr", "version": __version__, "seed": rt.seed, "clock": rt.clock.state(),
        "ports": {"main": rt.settings.port, **ports},
        "session": {"id": rt.id, "base_url": base_url, "about": session_control.ABOUT,
                    "live": len(registry) - 1 if registry else 0,
                    "max": registry.max_sessions if registry else 0,
                    "ttl_seconds": registry.ttl if registry else None},
        "vendors": [dict(v.describe(rt.world, base_url), slug=v.slug, title=v.title,
                         spec=f"{base_url}{PREFIX}/openapi/{v.slug}.yaml",
                         port=ports.get(v.slug)) for v in served],
        "render_cache": rt.render_cache.stats(),
    }


def _body():
    """The JSON body, or None when there is none; a ControlError for anything unparseable
    (blanks too: they are a body, and not JSON)."""
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        return jsontext.loads(data)
    except jsontext.JSONTextError as exc:
        raise ControlError(f"the body is not valid JSON: {exc}") from None


def _args(*names):
    return {n: request.args.get(n) for n in names}


def served_spec(text: str) -> str:
    """A shipped spec with its ``servers`` naming the port (and host) that serves it."""
    match = _SERVERS.search(text)
    if match is None or not _HOST.match(request.host):
        return text
    block = match.group(1).replace(_SHIPPED_ORIGIN, external_base())
    return text[:match.start(1)] + block + text[match.end(1):]


def blueprint() -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix=PREFIX)

    @bp.before_request
    def _guard():
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        settings = runtime().settings
        guard.check(request, endpoint, settings.control_token,
                    guard.Hosts.for_server(settings.host, settings.allowed_hosts))

    @bp.errorhandler(guard.Refused)
    @bp.errorhandler(ControlError)
    def _control_error(exc):
        return json_response({"error": {"kind": KINDS.get(exc.status, "bad_request"), "message": str(exc)}},
                             status=exc.status, headers=getattr(exc, "headers", None))

    @bp.get("/health")
    def health():
        return json_response({"status": "ok"})

    @bp.get("/info")
    def info():
        served = current_app.extensions["mockcdr.vendors"]
        return json_response(info_document(runtime(), external_base(), served))

    @bp.get("/openapi/<name>.yaml")
    def get_spec(name):
        try:
            path = resources.spec_path(name)
        except FileNotFoundError:
            raise ControlError(f"no OpenAPI spec named {name!r}; available: "
                               f"{', '.join(resources.spec_names())}", 404) from None
        return Response(served_spec(path.read_text(encoding="utf-8")), content_type="application/yaml")

    @bp.post("/reset")
    def reset():
        return json_response(control.reset(runtime(), _body()))

    @bp.post("/seed")
    def set_seed():
        return json_response(control.set_seed(runtime(), _body()))

    @bp.get("/snapshot")
    def get_snapshot():
        return json_response(control.get_snapshot(runtime()))

    @bp.post("/snapshot")
    def restore_snapshot():
        request.max_content_length = runtime().settings.max_snapshot    # well above max_body
        return json_response(control.restore_snapshot(runtime(), _body()))

    @bp.get("/clock")
    def get_clock():
        return json_response(control.get_clock(runtime()))

    @bp.put("/clock")
    def set_clock():
        return json_response(control.set_clock(runtime(), _body()))

    @bp.post("/clock/advance")
    def advance_clock():
        return json_response(control.advance_clock(runtime(), _body()))

    @bp.post("/clock/freeze")
    def freeze_clock():
        return json_response(control.freeze_clock(runtime(), _body()))

    @bp.post("/clock/unfreeze")
    def unfreeze_clock():
        return json_response(control.unfreeze_clock(runtime()))

    @bp.get("/transitions")
    def list_transitions():
        return json_response(control.list_transitions(runtime(), request.args.get("vendor")))

    @bp.put("/transitions/<kind>")
    def set_transition(kind):
        return json_response(control.set_transition(runtime(), kind, _body()))

    @bp.get("/jobs")
    def list_jobs():
        jobs, total = control.jobs_page(runtime(), **_args("vendor", "kind", "state", "tenant", "limit"),
                                        base_url=external_base() + PREFIX)
        return json_response(jobs, headers={TOTAL: str(total)})

    @bp.get("/jobs/<job_id>")
    def get_job(job_id):
        return json_response(control.get_job(runtime(), job_id, base_url=external_base() + PREFIX))

    @bp.get("/jobs/<job_id>/file")
    def get_job_file(job_id):
        return file_response(control.job_file(runtime(), job_id))

    @bp.post("/jobs/<job_id>/state")
    def force_job_state(job_id):
        return json_response(control.force_job_state(runtime(), job_id, _body(),
                                                     base_url=external_base() + PREFIX))

    @bp.get("/faults")
    def list_faults():
        return json_response(control.list_faults(runtime(), request.args.get("vendor")))

    @bp.post("/faults")
    def add_fault():
        return json_response(control.add_fault(runtime(), _body()), status=201)

    @bp.delete("/faults")
    def clear_faults():
        return json_response(control.clear_faults(runtime(), request.args.get("vendor")))

    @bp.delete("/faults/<int:fault_id>")
    def delete_fault(fault_id):
        return json_response(control.delete_fault(runtime(), fault_id))

    @bp.get("/journal")
    def get_journal():
        return json_response(control.get_journal(
            runtime(), **_args("vendor", "operation", "status", "method", "since", "limit", "reveal")))

    @bp.delete("/journal")
    def clear_journal():
        return json_response(control.clear_journal(runtime()))

    @bp.get("/coverage")
    def get_coverage():
        return json_response(control.get_coverage(runtime(), request.args.get("vendor")))

    @bp.delete("/coverage")
    def clear_coverage():
        return json_response(control.clear_coverage(runtime()))

    @bp.get("/deliveries")
    def list_deliveries():
        found, total = control.deliveries_page(runtime(), **_args("vendor", "channel", "state", "limit"))
        return json_response(found, headers={TOTAL: str(total)})

    @bp.get("/deliveries/<int:delivery_id>")
    def get_delivery(delivery_id):
        return json_response(control.jsonable(control.get_delivery(runtime(), delivery_id)))

    @bp.get("/deliveries/<int:delivery_id>/file")
    def get_delivery_file(delivery_id):
        return file_response(control.delivery_file(runtime(), delivery_id))

    @bp.post("/deliveries/run")
    def run_deliveries():
        return json_response(control.run_deliveries(runtime()))

    @bp.delete("/deliveries")
    def clear_deliveries():
        return json_response(control.clear_deliveries(runtime()))

    _session_routes(bp)
    return bp


def _session_routes(bp: Blueprint) -> None:
    def host_url() -> str:
        return f"{request.scheme}://{request.host}{_outer_root()}"

    def port_url(session) -> str | None:
        if not session.port:
            return None
        scheme, host = request.scheme, request.host.rsplit(':', 1)[0]
        if request.environ.get(FORWARDED):      # the port is on this process, not on the proxy
            scheme, host = _own_address(sessions().settings, request.environ)
        return f"{scheme}://{host}:{session.port}"

    def doc(session) -> dict:
        return session_control.document(session, host_url(), port_url(session))

    def scope() -> str:
        value = request.args.get("scope", "cluster")
        if value not in cluster.SCOPES:
            raise ControlError(f"scope: {value!r} is not one of {', '.join(cluster.SCOPES)}")
        return value

    @bp.get("/sessions")
    def list_sessions():
        settings = sessions().settings
        own = [doc(s) for s in sessions().list()]
        if scope() == "node" or not settings.cluster:
            return json_response(own)
        found, unreachable = cluster.merged_sessions(settings, own, host_url())
        headers = {cluster.UNREACHABLE_HEADER: ", ".join(f"{n} ({why})" for n, why in unreachable.items())}
        return json_response(found, headers=headers if unreachable else None)

    @bp.get("/cluster")
    def get_cluster():
        settings = sessions().settings
        own = cluster.node_status(settings, len(sessions()) - 1, host_url(), __version__)
        if scope() == "node" or not settings.cluster:
            doc = {"status": "ok", "node": settings.node, "nodes": [own]}
        else:
            doc = cluster.cluster_status(settings, own)
        return json_response(doc, status=200 if doc["status"] == "ok" else 503)

    @bp.post("/sessions")
    def create_session():
        return json_response(doc(session_control.create_session(sessions(), _body())), status=201)

    @bp.get("/sessions/<session_id>")
    def get_session(session_id):
        return json_response(doc(session_control.get_session(sessions(), session_id)))

    @bp.put("/sessions/<session_id>")
    def put_session(session_id):
        session, created = session_control.put_session(sessions(), session_id, _body())
        return json_response(doc(session), status=201 if created else 200)

    @bp.delete("/sessions/<session_id>")
    def delete_session(session_id):
        return json_response(session_control.delete_session(sessions(), session_id))


def _own_address(settings, environ) -> tuple[str, str]:
    """(scheme, host) of this process itself: its URL in the cluster, else the address it
    listens on, else the Host it was reached at before the proxy's headers were applied."""
    if settings.node in settings.cluster:
        own = urlsplit(settings.cluster[settings.node])
        return own.scheme, own.hostname or "127.0.0.1"
    orig = environ.get("werkzeug.proxy_fix.orig", {})
    if settings.host not in ("0.0.0.0", "::", ""):
        return orig.get("wsgi.url_scheme", "http"), f"[{settings.host}]" if ":" in settings.host else settings.host
    return orig.get("wsgi.url_scheme", "http"), (orig.get("HTTP_HOST") or "localhost").rsplit(":", 1)[0]


def _outer_root() -> str:
    """SCRIPT_NAME without this request's own session prefix (session URLs hang off the root)."""
    root = request.script_root
    rt = runtime()
    own = f"/_s/{rt.id}"
    return root[: -len(own)] if root.endswith(own) else root
