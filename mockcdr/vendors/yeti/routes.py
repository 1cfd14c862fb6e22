"""The customer API v1 blueprint: auth and cdr-exports views, named as the spec's operationIds."""
from __future__ import annotations

import hashlib
import random
import time

from flask import Blueprint, Response, g, request

from mockcdr.core import jsontext
from mockcdr.core.http import MockResponse, external_base, file_response, media_type, raw_body, runtime, set_tenant

from . import auth, errors, form, jobs, listing
from .errors import RAILS_JSON
from .formats import file_out, spec_for
from .jsonapi import (check_accept, check_content_type, document, parse_index_query, parse_related_query,
                      parse_show_query, query_params, rails_params)
from .resources import (account_document, collection_document, export_document, export_url,
                        relationship_document)

PREFIX = "/api/rest/customer/v1"
DEFAULT_HEADERS = (
    ("X-Frame-Options", "SAMEORIGIN"), ("X-XSS-Protection", "0"), ("X-Content-Type-Options", "nosniff"),
    ("X-Permitted-Cross-Domain-Policies", "none"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Vary", "Accept"),
)


def _context(create: bool = False):
    """JR's before_actions (415 on create, 406), then yeti's authorize! (401)."""
    rt = runtime()
    directory = rt.state["yeti"]
    if create:
        check_content_type(directory.options["strict_content_type"])
    check_accept()
    access = auth.authorize(directory, rt.clock.timestamp(), auth.secret(rt))
    set_tenant(directory.customers[access.customer_id].tenant)
    return rt, directory, access


def _json(data: bytes):
    try:
        return jsontext.loads(data)
    except jsontext.JSONTextError:
        text = data.decode("utf-8", "replace")
        raise errors.unparseable_body(f"unexpected token at '{text[:64]}'") from None


# -- /auth (a plain Rails controller, not JSON:API) ---------------------------------------------------
def _auth_params() -> dict:
    """Rails params: the query string, overlaid with a JSON or form body."""
    params = query_params()
    kind = media_type(request.headers.get("Content-Type"))[0]
    data = raw_body()
    if kind in ("application/json", "application/vnd.api+json") and data.strip():
        try:
            body = jsontext.loads(data)
        except jsontext.JSONTextError:
            raise errors.rails_error(400, "Error occurred while parsing request parameters") from None
        params.update(body if isinstance(body, dict) else {"_json": body})
    elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params.update(rails_params(request.form.items(multi=True)))
    return params


def createAuthToken():
    rt = runtime()
    directory = rt.state["yeti"]
    credentials = _auth_params().get("auth")
    if not isinstance(credentials, dict) or not credentials:
        raise errors.rails_error(400, "param is missing or the value is empty: auth")
    access = auth.login(directory, credentials.get("login"), credentials.get("password"))
    set_tenant(directory.customers[access.customer_id].tenant)
    token, _exp = auth.issue(access, directory.options, rt.clock.timestamp(), auth.secret(rt))
    if credentials.get("cookie_auth") not in (None, False):
        resp = MockResponse(b"", status=201, content_type="text/html")
        resp.headers["Set-Cookie"] = auth.cookie_header(token, directory.options["token_lifetime"])
        return resp
    return document({"jwt": token}, status=201, content_type=RAILS_JSON)


def getAuthInfo():
    rt = runtime()
    directory = rt.state["yeti"]
    access = auth.authorize(directory, rt.clock.timestamp(), auth.secret(rt), plain=True)
    customer = directory.customers[access.customer_id]
    set_tenant(customer.tenant)
    return document({"allow-rec": customer.allow_listen_recording}, content_type=RAILS_JSON)


def deleteAuthSession():
    resp = MockResponse(status=204)
    resp.headers.pop("Content-Type", None)
    resp.headers["Set-Cookie"] = auth.cookie_header("logout", 0)
    return resp


# -- cdr-exports ----------------------------------------------------------------------------------------
def listCdrExports():
    rt, directory, access = _context()
    q = parse_index_query(listing.ALLOWED_FILTERS, listing.SORTABLE)
    found = listing.apply_sort(listing.apply_filters(jobs.visible(rt, access), q.filters), q.sort)
    doc = collection_document(listing.page(found, q.page_number, q.page_size), len(found), directory,
                              external_base(), q)
    return document(doc)


def createCdrExport():
    rt, directory, access = _context(create=True)
    q = parse_show_query()
    data = raw_body()
    attributes, account = form.parse_document(_json(data) if data.strip() else {})
    stored = form.validate(attributes, account, directory.visible_accounts(access), directory.options)
    base = external_base()
    with rt.store.lock:
        job = jobs.create(rt, stored)
        doc = export_document(job, directory, base, q)
    return document(doc, status=201, headers={"Location": export_url(base, job["id"])})


def getCdrExport(export_id):
    rt, directory, access = _context()
    q = parse_show_query()
    doc = export_document(jobs.find(rt, access, export_id, snapshot=True), directory, external_base(), q)
    return document(doc)


def downloadCdrExport(export_id):
    rt = runtime()
    directory = rt.state["yeti"]
    access = auth.authorize(directory, rt.clock.timestamp(), auth.secret(rt))
    set_tenant(directory.customers[access.customer_id].tenant)
    with rt.store.lock:
        job = jobs.find(rt, access, export_id)
        state, attrs = job["state"], dict(job["attrs"])
    if state != "Completed":
        raise errors.empty_not_found()
    return file_response(file_out(rt, job["id"], spec_for(directory, attrs, attrs["completed_at"])))


def getCdrExportAccountRelationship(export_id):
    rt, directory, access = _context()
    # the export's id and account never change: no copy needed to read them without the lock
    return document(relationship_document(jobs.find(rt, access, export_id), external_base()))


def getCdrExportAccount(export_id):
    rt, directory, access = _context()
    jobs.verify_key(export_id)
    q = parse_related_query("accounts")
    account = directory.accounts[jobs.find(rt, access, export_id)["attrs"]["account"]]
    return document(account_document(account, external_base(), q))


# -- the blueprint --------------------------------------------------------------------------------------------
_DEFAULTS_BY_LOWER = tuple((name.lower(), (name, value)) for name, value in DEFAULT_HEADERS)
_SET_HERE = ("etag", "x-request-id", "x-runtime")     # replaced, as headers[...] = would


def request_id() -> str:
    """A random (version 4) UUID as Rails' X-Request-Id (SecureRandom.uuid).

    From a generator seeded once by the system, not ``uuid.uuid4()``: ``os.urandom`` releases
    the GIL on every call, and getting it back behind busy threads cost the poll up to a switch
    interval (5 ms) of its tail (bench/RESULTS.md). An id tells requests apart; no secret.
    """
    h = f"{_IDS.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_IDS = random.Random()      # seeded from os.urandom once


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}    # RFC 4122: 10xx


def _after(resp: Response) -> Response:
    """Rails' default headers and ETag, and a fresh session cookie for cookie-authenticated calls.

    One look at the headers present, then every header added at once: as the response's trusted
    headers (written by the mock itself: constants, a digest, a UUID, a number, our own cookie),
    which skip Werkzeug's per-header checks and copies (this hook runs on every yeti response, the
    status poll included)."""
    state = g._get_current_object()
    access = state.get("yeti_cookie_access")
    headers = resp.headers
    extra = []
    if access is not None:
        rt = runtime()
        options = rt.state["yeti"].options
        token, _exp = auth.issue(access, options, rt.clock.timestamp(), auth.secret(rt))
        extra.append(("Set-Cookie", auth.cookie_header(token, options["token_lifetime"])))
    present = {name.lower() for name, _ in headers}
    extra += [pair for lower, pair in _DEFAULTS_BY_LOWER if lower not in present]   # setdefault
    if "cache-control" not in present:
        streamed = resp.direct_passthrough or resp.is_streamed
        body = b"" if streamed else resp.get_data()
        if resp.status_code in (200, 201) and body:
            extra.append(("ETag", f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'))
            extra.append(("Cache-Control", "max-age=0, private, must-revalidate"))
        else:
            extra.append(("Cache-Control", "no-cache"))
    extra.append(("X-Request-Id", request_id()))
    started = state.get("mockcdr_t0")
    if started is not None:
        extra.append(("X-Runtime", f"{time.perf_counter() - started:.6f}"))
    for name in _SET_HERE:
        if name in present:
            del headers[name]
    if isinstance(resp, MockResponse):
        resp.trusted = extra if resp.trusted is None else resp.trusted + extra
    else:
        headers.extend(extra)
    return resp


_ROUTES = (
    ("/auth", ("POST",), createAuthToken), ("/auth", ("GET",), getAuthInfo),
    ("/auth", ("DELETE",), deleteAuthSession),
    ("/cdr-exports", ("GET",), listCdrExports), ("/cdr-exports", ("POST",), createCdrExport),
    ("/cdr-exports/<export_id>", ("GET",), getCdrExport),
    ("/cdr-exports/<export_id>/download", ("GET",), downloadCdrExport),
    ("/cdr-exports/<export_id>/relationships/account", ("GET",), getCdrExportAccountRelationship),
    ("/cdr-exports/<export_id>/account", ("GET",), getCdrExportAccount),
)


def blueprint() -> Blueprint:
    bp = Blueprint("yeti", __name__, url_prefix=PREFIX)
    for rule, methods, view in _ROUTES:
        # a trailing slash is accepted (jsonapi_requests appends one); Rails routes no OPTIONS
        bp.add_url_rule(rule, view.__name__, view, methods=methods, strict_slashes=False,
                        provide_automatic_options=False)
    bp.after_request(_after)
    return bp
