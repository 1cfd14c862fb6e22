"""Customer API v1 authentication: HS256 JWTs on the virtual clock, login, header and cookie tokens."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from functools import lru_cache

from flask import g, request

from mockcdr.core import jsontext, signing

from .errors import authentication_failed, authorization_failed
from .fixtures import ApiAccess, Directory

AUDIENCE = "customer-v1"
COOKIE_NAME = "_yeti_customer_v1_session"
_HEADER = b'{"alg":"HS256"}'   # what ruby-jwt writes for HS256
KEYS = "yeti.keys"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _sign(signing_input: str, secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()


def encode(claims: dict, secret: str | bytes) -> str:
    signing_input = f"{_b64(_HEADER)}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    return f"{signing_input}.{_b64(_sign(signing_input, secret))}"


def decode(token: str, secret: str | bytes, now: float) -> dict | None:
    """The claims of a valid token (signature, audience, expiry at ``now``), else None."""
    claims = _verified(token, secret)
    if claims is not None and "exp" in claims:
        exp = claims["exp"]
        # ruby-jwt: expired when exp.to_i <= Time.now.to_i
        if isinstance(exp, bool) or not isinstance(exp, (int, float)) or int(exp) <= int(now):
            return None
    return claims


@lru_cache(maxsize=1024)
def _verified(token: str, secret: str | bytes) -> dict | None:
    """The claims of a well-formed, signed token for our audience, else None; expiry is not checked.

    Cached per token string (clients send the same token on every call): the clock-dependent
    expiry check stays in ``decode``. Callers must not change the returned claims.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = jsontext.loads(_unb64(parts[0]))
        claims = jsontext.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    if not hmac.compare_digest(signature, _sign(f"{parts[0]}.{parts[1]}", secret)):
        return None
    aud = claims.get("aud")
    if AUDIENCE not in (aud if isinstance(aud, list) else [aud]):
        return None
    return claims


def declare(world) -> None:
    signing.declare(world, KEYS)


def secret(rt) -> str | bytes:
    """What tokens are signed with: the ``jwt_secret`` option when set (a test may want to read or
    make tokens itself), else a random key of the session nobody can derive (core.signing)."""
    configured = rt.state["yeti"].options["jwt_secret"]
    return configured if configured is not None else signing.key(rt.store, KEYS, "jwt")


def issue(access: ApiAccess, options: dict, now: float, key: str | bytes) -> tuple[str, int | None]:
    """A token for an API access and its expiry (unix seconds; None when tokens never expire)."""
    lifetime = options["token_lifetime"]
    claims: dict = {"aud": [AUDIENCE], "sub": access.id}
    exp = None
    if lifetime is not None:
        exp = int(now + lifetime)
        claims["exp"] = exp
    return encode(claims, key), exp


def source_ip() -> str | None:
    return request.headers.get("X-Real-IP") or request.remote_addr


def login(directory: Directory, login_name, password) -> ApiAccess:
    """The API access whose credentials these are, from an allowed address; else 401."""
    access = directory.logins.get(login_name) if isinstance(login_name, str) else None
    if access is None or not isinstance(password, str) or not hmac.compare_digest(
            access.password.encode(), password.encode()) or not access.ip_allowed(source_ip()):
        raise authentication_failed()
    return access


def request_token() -> tuple[str | None, bool]:
    """(token, from_cookie): the last word of Authorization, else the session cookie."""
    words = (request.headers.get("Authorization") or "").split()
    if words:
        return words[-1], False
    return request.cookies.get(COOKIE_NAME), True


def authorize(directory: Directory, now: float, key: str | bytes, plain: bool = False) -> ApiAccess:
    """The API access the request's token names; 401 "Authorization failed" otherwise."""
    token, from_cookie = request_token()
    claims = decode(token, key, now) if token else None
    sub = claims.get("sub") if claims else None
    access = directory.accesses.get(sub) if isinstance(sub, int) and not isinstance(sub, bool) else None
    if access is None:
        raise authorization_failed(plain=plain)
    g.yeti_cookie_access = access if from_cookie else None
    return access


def cookie_header(value: str, lifetime: int | None) -> str:
    """``Set-Cookie`` as Rails (rack 3) writes it: path, max-age, expires, httponly, samesite=lax.

    The cookie's lifetime is relative (``max-age``, and ``expires`` on the real clock, as a real
    server's clock is): a client keeps the cookie whatever the virtual clock says, and the JWT
    inside it is still checked on the virtual clock. ``lifetime`` None: a session cookie; 0:
    deleted (as rack's ``delete_cookie``: ``max-age=0`` and an expiry in 1970).
    """
    parts = [f"{COOKIE_NAME}={value}", "path=/"]
    if lifetime is not None:
        at = 0 if lifetime <= 0 else int(time.time()) + int(lifetime)
        parts += [f"max-age={max(0, int(lifetime))}",
                  "expires=" + format_datetime(datetime.fromtimestamp(at, timezone.utc), usegmt=True)]
    parts += ["httponly", "samesite=lax"]
    return "; ".join(parts)
