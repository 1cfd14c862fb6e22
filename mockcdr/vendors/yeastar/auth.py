"""API sessions: login with lockout, the 30-minute sliding token, heartbeat and logout."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import request

from ...core.errors import MalformedBody
from ...core.http import json_body, runtime, set_tenant
from ...core.tokens import TokenError
from . import errors as E
from .fixtures import state

TOKEN = "yeastar.token"
FAILURES = "yeastar.login_failures"      # store collection: lockout counters by user (or IP)


def declare(world) -> None:
    """The shape of the records this module keeps (a snapshot is checked against it)."""
    world.shape(FAILURES, failures=int, locked_until=(datetime, type(None)))


def body_object(required: bool = True) -> dict:
    """The request body as a JSON object, whatever the Content-Type (clients send text/plain too).

    An empty body is errno 20007 when the endpoint needs data, else ``{}``; anything that is
    not a JSON object is 20000.
    """
    data = json_body(default=None)
    if data is None:
        if required:
            raise E.error(E.DATA_EMPTY, "the request body is empty")
        return {}
    if not isinstance(data, dict):
        raise MalformedBody("the request body must be a JSON object")
    return data


def text_param(data: dict, name: str) -> str:
    """A required string parameter; absent, blank or not a string is errno 10004."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise E.error(E.PARAM_BLANK, f"{name} is required")
    return value.strip()


def check_port(value) -> None:
    """``port`` is the app server's event port, a string or number from 0 to 65535."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise E.error(E.PORT_ERROR, "port must be a number from 0 to 65535")
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise E.error(E.PORT_ERROR, f"port {text!r} is not a number from 0 to 65535")


def login(api: str) -> dict:
    """Check the credentials (counting failures for the lockout) and issue a token."""
    rt = runtime()
    st = state(rt)
    opts = st.options
    data = body_object()
    username = text_param(data, "username")
    password = text_param(data, "password")
    port = data.get("port")
    if port is None or (isinstance(port, str) and not port.strip()):
        raise E.error(E.PARAM_BLANK, "port is required")
    check_port(port)
    key = (request.remote_addr or "") if opts["lockout_scope"] == "ip" else username
    now = rt.clock.now()
    with rt.store.lock:
        record = rt.store.get(FAILURES, key)
        if record is not None and record["locked_until"] is not None:
            if now < record["locked_until"]:
                raise E.error(E.LOCKED_OUT, f"{key} is locked out until {record['locked_until']}")
            record = None   # the lock has run out: count afresh
        user = st.users.get(username)
        if user is None or password != user["password_md5"]:
            record = record or {"failures": 0, "locked_until": None}
            record["failures"] += 1
            if record["failures"] >= opts["lockout_failures"]:
                record.update(failures=0, locked_until=now + timedelta(seconds=opts["lockout_seconds"]))
                rt.store.put(FAILURES, key, record)
                raise E.error(E.LOCKED_OUT, f"{opts['lockout_failures']} failed logins: {key} is "
                                            f"locked out for {opts['lockout_seconds']} s")
            rt.store.put(FAILURES, key, record)
            raise E.error(E.BAD_LOGIN, "invalid username or password (the password is the MD5 hex "
                                       "of the API password)")
        rt.store.delete(FAILURES, key)
    set_tenant(user["tenant"])
    token = rt.tokens.issue(TOKEN, {"user": username, "tenant": user["tenant"], "api": api,
                                    "ip": request.remote_addr, "port": str(port).strip()},
                            ttl=timedelta(seconds=opts["token_ttl_seconds"]), uses=None)
    return token


def session(api: str, extend: bool | None = None) -> dict:
    """The caller's live token from ``?token=``; extends it by the token lifetime when used.

    Blank is 20005; unknown, logged out or from the other API version 20004; expired 20006
    (option ``expired_token_errno``).
    """
    rt = runtime()
    opts = state(rt).options
    value = request.args.get("token", "")
    if not value.strip():
        raise E.error(E.TOKEN_BLANK, "token is blank")
    try:
        token = rt.tokens.check(TOKEN, value)
        if token["data"]["api"] != api:
            raise TokenError("unknown")
        if opts["token_extends_on_use"] if extend is None else extend:
            token = rt.tokens.touch(TOKEN, value, timedelta(seconds=opts["token_ttl_seconds"]))
    except TokenError as exc:
        if exc.reason == "expired":
            raise E.error(opts["expired_token_errno"], "the token has timed out") from None
        raise E.error(E.NO_SUCH_TOKEN, f"no such token ({exc.reason})") from None
    set_tenant(token["data"]["tenant"])
    return token


def heartbeat(api: str) -> None:
    """Extend the token; the body (new ipaddr/port/url of the app server) is optional."""
    session(api, extend=False)        # token errors come before body errors
    data = body_object(required=False)
    if data.get("port") not in (None, ""):
        check_port(data["port"])
    session(api, extend=True)


def logout(api: str) -> None:
    token = session(api, extend=False)
    runtime().tokens.revoke(TOKEN, token["value"])
