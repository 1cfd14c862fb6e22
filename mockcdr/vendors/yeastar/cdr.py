"""CDR download: get_random (a one-time 30-second random bound to its request) and the CSV it buys."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from itertools import chain

from flask import request

from ...core.cdrs import SHAPE_INDEX
from ...core.clock import UTC
from ...core.http import runtime
from ...core.tokens import TokenError
from ...core.dayrender import Export, text_chunks, us
from ...core.timefmt import TimeFormatter, day_clocks
from ...core.vendor import FileOut, GenerateRequest
from . import errors as E
from . import formats
from .auth import body_object, session, text_param
from .fixtures import find_user, state

RANDOM = "yeastar.random"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", re.ASCII)
_OPEN_ENDED_DAYS = 3660     # how far ``generate --rows`` looks for rows without an end


def parse_time(name: str, value: str) -> datetime:
    """``yyyy-mm-dd hh:mm:ss`` (PBX local time, naive) or errno 20019."""
    if _TIME.match(value):
        try:
            return datetime.strptime(value, TIME_FORMAT)
        except ValueError:
            pass
    raise E.error(E.CDR_TIME_FORMAT, f"{name} {value!r} is not a time like 2019-02-18 23:59:59")


def parse_window(starttime: str, endtime: str) -> tuple[datetime, datetime]:
    start, end = parse_time("starttime", starttime), parse_time("endtime", endtime)
    if end < start:
        raise E.error(E.CDR_TIME_FORMAT, f"endtime {endtime} is before starttime {starttime}")
    return start, end


def extensions(value: str, known: tuple[str, ...], strict: bool) -> list[str] | None:
    """``all`` -> None; ``1000`` or ``1000,1001`` -> the sorted distinct extension numbers.

    Raises ValueError naming an extension the PBX does not have (when ``strict``).
    """
    if value == "all":
        return None
    items = [part.strip() for part in value.split(",")]
    for item in items:
        if not item or (strict and item not in known):
            raise ValueError(f"extension {item!r} does not exist; extensions are {', '.join(known)}")
    return sorted(set(items))


def _request_extensions(value: str, tenant_key: str) -> list[str] | None:
    rt = runtime()
    try:
        return extensions(value, rt.tenant(tenant_key).extensions,
                          state(rt).options["reject_unknown_extensions"])
    except ValueError as exc:
        raise E.error(E.NO_SUCH_EXTENSION, str(exc)) from None


def _utc_range(start: datetime, end: datetime, tz) -> tuple[datetime, datetime]:
    """The local window [start, end] (whole seconds, end included) as a UTC [start, end)."""
    return (start.replace(tzinfo=tz).astimezone(UTC),
            (end + timedelta(seconds=1)).replace(tzinfo=tz).astimezone(UTC))


def _body(rt, user: dict, exts: list[str] | None, start: datetime, end: datetime,
          limit: int | None = None):
    """The CSV lines (bytes, no header) of ``user``'s PBX for the UTC window [start, end)."""
    st = state(rt)
    tenant = rt.tenant(user["tenant"])
    shapes = rt.universe.shapes(tenant)
    keep = None
    if exts is not None:     # which extensions take part depends on the call's shape only
        wanted = frozenset(exts)
        ext, peer = SHAPE_INDEX["extension"], SHAPE_INDEX["peer_extension"]
        keep = [shape[ext] in wanted or shape[peer] in wanted for shape in shapes]
    sn, recordings, terminator = user["sn"], st.options["recordings"], st.options["csv_line_terminator"]
    memo: dict = {}
    clock_for = day_clocks(TimeFormatter(st.tz))

    def render(calls):        # every call the extension filter keeps is one line
        return formats.lines(calls, shapes, clock_for, sn, exts, terminator, recordings, memo), calls.start
    ex = Export(key=("yeastar", st.tz, sn, tuple(exts) if exts is not None else None, recordings, terminator),
                tenant=tenant, render=render, keep=keep)
    return text_chunks(rt, ex, us(start), us(end), limit)


def get_random(api: str, ext_param: str) -> dict:
    """Validate a CDR request and issue its random: 32 hex, one use, ``random_ttl_seconds``."""
    rt = runtime()
    opts = state(rt).options
    token = session(api)
    data = body_object()
    extid = text_param(data, ext_param)
    starttime = text_param(data, "starttime")
    endtime = text_param(data, "endtime")
    parse_window(starttime, endtime)
    exts = _request_extensions(extid, token["data"]["tenant"])
    ips = [token["data"]["ip"]]
    allowed = data.get("allowedip")
    if allowed not in (None, ""):
        try:
            ips.append(str(ipaddress.ip_address(allowed.strip() if isinstance(allowed, str) else "")))
        except ValueError:
            raise E.error(E.ALLOWEDIP_ERROR, f"allowedip {allowed!r} is not one IP address") from None
    random = rt.tokens.issue(RANDOM, {
        "user": token["data"]["user"], "tenant": token["data"]["tenant"], "api": api, "exts": exts,
        "starttime": starttime, "endtime": endtime, "ips": ips,
    }, ttl=timedelta(seconds=opts["random_ttl_seconds"]), uses=1)
    return {"status": "Success", ext_param: extid, "starttime": starttime, "endtime": endtime,
            "random": random["value"]}


def _redeem(value: str, token: dict, api: str, exts, starttime: str, endtime: str) -> dict:
    """Spend the random if it was issued for exactly this request; else 20020, still unspent."""
    rt = runtime()
    opts = state(rt).options
    with rt.store.lock:
        try:
            random = rt.tokens.check(RANDOM, value)
        except TokenError as exc:
            raise E.error(E.CDR_RANDOM_INVALID, f"random is {exc.reason}") from None
        bound = random["data"]
        if bound["user"] != token["data"]["user"] or bound["api"] != api:
            raise E.error(E.CDR_RANDOM_INVALID, "random was issued to another session")
        if opts["bind_random"] and (bound["exts"], bound["starttime"], bound["endtime"]) != (
                exts, starttime, endtime):
            raise E.error(E.CDR_RANDOM_INVALID, "random was issued for another extid or window: "
                          f"{bound['starttime']} .. {bound['endtime']}")
        if opts["check_download_ip"] and request.remote_addr not in bound["ips"]:
            raise E.error(E.CDR_RANDOM_INVALID, f"{request.remote_addr} may not use this random; "
                          f"allowed: {', '.join(bound['ips'])}")
        return rt.tokens.redeem(RANDOM, value)


def download(api: str, ext_param: str) -> FileOut:
    """The CSV for a redeemed random: the requested extensions and window, in PBX local time."""
    rt = runtime()
    st = state(rt)
    token = session(api)
    values = {}
    for name in (ext_param, "starttime", "endtime", "random"):
        values[name] = request.args.get(name, "").strip()
        if not values[name]:
            raise E.error(E.PARAM_BLANK, f"{name} is required")
    start, end = parse_window(values["starttime"], values["endtime"])
    exts = _request_extensions(values[ext_param], token["data"]["tenant"])
    _redeem(values["random"], token, api, exts, values["starttime"], values["endtime"])
    body = _body(rt, st.users[token["data"]["user"]], exts, *_utc_range(start, end, st.tz))
    first = next(body, None)        # 20021 must be known before the file starts
    if first is None and st.options["empty_result"] == "error":
        raise E.error(E.CDR_NOT_FOUND, f"no CDR from {values['starttime']} to {values['endtime']}")
    return formats.cdr_file(body if first is None else chain((first,), body), st.options)


def generate(rt, req: GenerateRequest) -> FileOut:
    """What a download serves for the UTC window [start, end) (``mockcdr generate yeastar``).

    ``--tenant`` is a username or tenant key; ``--param extid=1000,1001`` filters extensions.
    """
    st = state(rt)
    if req.format not in (None, "csv"):
        raise ValueError(f"yeastar serves one CSV format, not {req.format!r}")
    user = find_user(st, req.tenant)
    exts = extensions(str(req.params.get("extid", req.params.get("number", "all"))).strip(),
                      rt.tenant(user["tenant"]).extensions, st.options["reject_unknown_extensions"])
    end = req.end or req.start + timedelta(days=_OPEN_ENDED_DAYS)
    return formats.cdr_file(_body(rt, user, exts, req.start, end, req.limit), st.options)
