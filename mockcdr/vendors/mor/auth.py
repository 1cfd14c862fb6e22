"""MOR API v2 authentication: Basic login -> HS256 JWT (15 min) + refresh token (7 days), user checks."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from functools import lru_cache

from flask import request

from ...core import jsontext, signing
from ...core.errors import Unauthorized
from ...core.http import runtime, set_tenant
from ...core.tokens import TokenError
from .errors import UNAUTHORIZED, not_permitted
from .options import opt

ACCESS = "mor.jwt"
REFRESH = "mor.refresh"
KEYS = "mor.keys"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def declare(world) -> None:
    signing.declare(world, KEYS)


def _key(rt) -> bytes:
    """The HS256 signing key, random per session (core.signing)."""
    return signing.key(rt.store, KEYS, "jwt")


def encode_jwt(rt, claims: dict) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing = f"{head}.{body}".encode("ascii")
    return f"{head}.{body}.{_b64(hmac.new(_key(rt), signing, hashlib.sha256).digest())}"


def decode_jwt(rt, token: str) -> dict | None:
    """The claims of a well-formed token signed by this server, else None (expiry not checked).

    Cached per key and token string (clients send the same token on every call); callers must not
    change the returned claims.
    """
    return _verified(_key(rt), token)


@lru_cache(maxsize=1024)
def _verified(key: bytes, token: str) -> dict | None:
    try:
        head, body, sig = token.split(".")
        expected = hmac.new(key, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(sig)):
            return None
        header = jsontext.loads(_unb64(head))
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            return None
        claims = jsontext.loads(_unb64(body))
        return claims if isinstance(claims, dict) else None
    except (ValueError, UnicodeError, AttributeError):
        return None


def issue(rt, user: dict, refresh: str | None = None) -> dict:
    """A fresh access token (and refresh token unless one is being reused)."""
    ttl = timedelta(seconds=float(opt(rt, "token_ttl_seconds")))
    record = rt.tokens.issue(ACCESS, {"user_id": user["id"]}, ttl=ttl, uses=None, length=24)
    now = record["issued_at"]
    claims = {"sub": user["username"], "user_id": user["id"], "usertype": user["usertype"],
              "iat": int(now.timestamp()), "exp": int(record["expires_at"].timestamp()),
              "iss": opt(rt, "jwt_issuer"), "jti": record["value"]}
    if refresh is None:
        rttl = timedelta(seconds=float(opt(rt, "refresh_ttl_seconds")))
        uses = 1 if opt(rt, "rotate_refresh_tokens") else None
        refresh = rt.tokens.issue(REFRESH, {"user_id": user["id"]}, ttl=rttl, uses=uses,
                                  length=64)["value"]
    return {str(opt(rt, "login_token_field")): encode_jwt(rt, claims),
            str(opt(rt, "login_refresh_field")): refresh,
            "expires_in": int(ttl.total_seconds())}


def login() -> dict:
    """POST /authentication/login with HTTP Basic credentials."""
    rt = runtime()
    directory = rt.state["mor"]
    creds = request.authorization
    user = directory.by_username.get(creds.username) if creds and creds.type == "basic" else None
    if user is None or not hmac.compare_digest(str(creds.password or "").encode(),
                                               user["password"].encode()):
        raise Unauthorized(UNAUTHORIZED)
    set_tenant(user["tenant"])
    return issue(rt, user)


def refresh(body) -> dict:
    """POST /authentication/refresh: the refresh token in the JSON body, else as the Bearer token."""
    rt = runtime()
    directory = rt.state["mor"]
    field = str(opt(rt, "login_refresh_field"))
    value = body[field] if isinstance(body, dict) and field in body else _bearer()
    if not isinstance(value, str) or not value:
        raise Unauthorized(UNAUTHORIZED)
    rotate = bool(opt(rt, "rotate_refresh_tokens"))
    try:
        token = rt.tokens.redeem(REFRESH, value) if rotate else rt.tokens.check(REFRESH, value)
    except TokenError:
        raise Unauthorized(UNAUTHORIZED) from None
    user = directory.users.get(token["data"]["user_id"])
    if user is None:
        raise Unauthorized(UNAUTHORIZED)
    set_tenant(user["tenant"])
    return issue(rt, user, refresh=None if rotate else value)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authorize(method: str) -> dict:
    """The calling user: a live Bearer JWT, user type admin, ``method`` in its permission group."""
    rt = runtime()
    directory = rt.state["mor"]
    token = _bearer()
    claims = decode_jwt(rt, token) if token else None
    if claims is None:
        raise Unauthorized(UNAUTHORIZED)
    try:
        record = rt.tokens.check(ACCESS, str(claims.get("jti")))
    except TokenError:
        raise Unauthorized(UNAUTHORIZED) from None
    # the token acts for the user whose login issued it, whatever else its claims say
    user = directory.users.get(record["data"]["user_id"])
    if user is None or claims.get("user_id") != user["id"] or claims.get("sub") != user["username"]:
        raise Unauthorized(UNAUTHORIZED)
    set_tenant(user["tenant"])
    if user["usertype"] != "admin":
        raise Unauthorized(UNAUTHORIZED)
    if not directory.allowed(user, method):
        raise Unauthorized(not_permitted(method))
    return user
