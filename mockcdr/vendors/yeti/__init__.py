"""Yeti switch (yeti-web) customer API v1: JWT auth and CDR exports, as jsonapi-resources 0.9 serves them."""
from __future__ import annotations

from mockcdr.core.vendor import Vendor

from . import exports
from .errors import render_error
from .fixtures import Directory, load_directory
from .generate import generate
from .routes import PREFIX, blueprint


def setup(rt, section: dict) -> Directory:
    directory = load_directory(rt, section)
    exports.register(rt)
    return directory


def describe(rt, base_url: str) -> dict:
    directory: Directory = rt.state["yeti"]
    credentials = []
    for access in directory.accesses.values():
        customer = directory.customers[access.customer_id]
        credentials.append({"login": access.login, "password": access.password, "customer": customer.name,
                            "accounts": ", ".join(directory.visible_accounts(access))})
    return {"base_urls": [f"{base_url}{PREFIX}"], "credentials": credentials}


VENDOR = Vendor(slug="yeti", title="Yeti switch customer API v1", prefixes=(PREFIX,), blueprint=blueprint,
                render_error=render_error, setup=setup, describe=describe, job_kinds=(exports.KIND,),
                generate=generate, files={"downloadCdrExport": "gzip"})
