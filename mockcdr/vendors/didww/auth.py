"""Who is calling and in which API version: the Api-Key header, the version header, media types."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from mockcdr.core.http import media_type, runtime, set_tenant

from . import errors
from .fixtures import SLUG, Customer
from .versions import HEADER, is_legacy, resolve


@dataclass(frozen=True)
class Caller:
    customer: Customer
    version: str

    @property
    def legacy(self) -> bool:
        return is_legacy(self.version)


def check_content_type() -> None:
    """Create and update need ``application/vnd.api+json`` (jsonapi-resources; parameters ignored)."""
    mime, _params = media_type(request.headers.get("Content-Type"))
    if mime != errors.MEDIA_TYPE:
        raise errors.unsupported_media_type(mime)


def check_accept() -> None:
    """Accept must be absent, ``*/*`` or exactly ``application/vnd.api+json`` (any one of a list)."""
    raw = request.headers.get("Accept", "")
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if items and not any(item == errors.MEDIA_TYPE or item.startswith("*/*") for item in items):
        raise errors.not_acceptable(raw)


def authenticate() -> Caller:
    """The customer owning the Api-Key (any header case) and the version serving the request."""
    key = (request.headers.get("Api-Key") or "").strip()
    customer = runtime().state[SLUG].by_key.get(key) if key else None
    if customer is None:
        raise errors.unauthorized()
    set_tenant(customer.tenant)
    version = resolve(request.headers.get(HEADER), customer.default_api_version)
    g.didww_version = version
    return Caller(customer, version)
