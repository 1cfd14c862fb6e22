"""Yeti switch (yeti-web) customer API v1: JWT auth and CDR exports, as jsonapi-resources 0.9 serves them."""
from __future__ import annotations

from mockcdr.core.vendor import Vendor

from . import auth, jobs
from .errors import RESPONSE_KINDS, render_error
from .fixtures import Directory, load_directory
from .form import TIME_FORMATS
from .generate import PARAMS, generate
from .routes import PREFIX, blueprint


def setup(world, section: dict) -> Directory:
    directory = load_directory(world, section)
    jobs.register(world)
    auth.declare(world)
    return directory


def describe(world, base_url: str) -> dict:
    directory: Directory = world.state["yeti"]
    credentials = []
    for access in directory.accesses.values():
        customer = directory.customers[access.customer_id]
        credentials.append({"login": access.login, "password": access.password, "customer": customer.name,
                            "accounts": ", ".join(directory.visible_accounts(access))})
    return {"base_urls": [f"{base_url}{PREFIX}"], "credentials": credentials}


VENDOR = Vendor(slug="yeti", title="Yeti switch customer API v1", prefixes=(PREFIX,), blueprint=blueprint,
                render_error=render_error, setup=setup, describe=describe, job_kinds=(jobs.KIND,),
                generate=generate, generate_params=PARAMS, generate_formats=TIME_FORMATS,
                files={"downloadCdrExport": "gzip"}, job_file=jobs.job_file, response_kinds=RESPONSE_KINDS)
