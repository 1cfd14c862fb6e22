"""The /_mockcdr control blueprint: thin HTTP over the Runtime and core.control."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from .. import __version__
from .http import json_response

PREFIX = "/_mockcdr"


def runtime():
    return current_app.extensions["mockcdr"]


def info_document(rt, base_url: str, served) -> dict:
    """Version, seed, clock and, per vendor, its base URLs and default credentials."""
    ports = dict(rt.settings.vendor_ports)
    return {
        "name": "mockcdr", "version": __version__, "seed": rt.seed, "clock": rt.clock.state(),
        "ports": {"main": rt.settings.port, **ports},
        "vendors": [dict(v.describe(rt, base_url), slug=v.slug, title=v.title,
                         spec=f"{base_url}{PREFIX}/openapi/{v.slug}.yaml",
                         port=ports.get(v.slug)) for v in served],
    }


def blueprint() -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix=PREFIX)

    @bp.get("/health")
    def getHealth():
        return json_response({"status": "ok"})

    @bp.get("/info")
    def getInfo():
        served = current_app.extensions["mockcdr.vendors"]
        return json_response(info_document(runtime(), request.host_url.rstrip("/"), served))

    return bp
