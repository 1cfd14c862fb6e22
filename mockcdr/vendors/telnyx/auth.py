"""Who is calling: V1 x-api-user/x-api-token or ``Authorization: Token``, V2 ``Authorization: Bearer``."""
from __future__ import annotations

from flask import request

from ...core.errors import Unauthorized
from ...core.http import runtime, set_tenant
from .fixtures import SLUG, Account, State


def authenticate(v1: bool) -> Account:
    """The account behind the request's credentials, or 401.

    On the V1 paths (``v1=True``) the V1 headers win when present (the official SDK also sends
    its Bearer key, so a client adding ``x-api-user``/``x-api-token`` is judged by those); then
    ``Authorization: Token <v1 token>`` or ``Authorization: Bearer <API key>``. The V2 paths take
    only ``Authorization: Bearer <API key>``.
    """
    state: State = runtime().state[SLUG]
    account = _v1_headers(state) if v1 else None
    if account is None:
        account = _authorization(state, v1)
    set_tenant(account.tenant)
    return account


def _v1_headers(state: State) -> Account | None:
    user = request.headers.get("x-api-user")
    token = request.headers.get("x-api-token")
    if user is None and token is None:
        return None
    account = state.by_v1_token.get(token or "")
    if account is None or (user or "").strip().lower() != account.email:
        raise Unauthorized("x-api-user and x-api-token do not name a V1 API token")
    return account


def _authorization(state: State, v1: bool) -> Account:
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    account = None
    if scheme == "bearer":
        account = state.by_api_key.get(value)
    elif scheme == "token" and v1:
        account = state.by_v1_token.get(value)
    if account is None:
        raise Unauthorized("no valid credentials")
    return account
