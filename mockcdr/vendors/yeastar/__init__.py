"""Yeastar S-Series PBX API v1.1.0 (and v2.0.0): login, one-time CDR random, CSV download."""
from __future__ import annotations

from ...core.vendor import Vendor
from . import auth, cdr, fixtures
from .errors import RESPONSE_KINDS, render_error
from .routes import PREFIXES, blueprint


def setup(world, section: dict) -> fixtures.State:
    state = fixtures.setup(world, section)
    auth.declare(world)
    return state


def describe(world, base_url: str) -> dict:
    users = fixtures.state(world).users.values()
    return {
        "base_urls": [f"{base_url}{prefix}" for prefix in PREFIXES],
        "credentials": [{"username": u["username"], "password": u["password"],
                         "password_md5": u["password_md5"], "tenant": u["tenant"]} for u in users],
    }


VENDOR = Vendor(
    slug=fixtures.SLUG,
    title="Yeastar S-Series API",
    prefixes=PREFIXES,
    blueprint=blueprint,
    render_error=render_error,
    setup=setup,
    describe=describe,
    generate=cdr.generate,
    generate_params=("extid", "number"),
    generate_formats=("csv",),
    files={op: "plain" for op in ("downloadCdr", "downloadCdrPost", "downloadCdrV2", "downloadCdrPostV2")},
    response_kinds=RESPONSE_KINDS,
)
