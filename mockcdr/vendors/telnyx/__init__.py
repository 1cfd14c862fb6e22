"""Telnyx: CDR Reports V1 (/reporting/cdr_requests) and its V2 successor for the official SDK."""
from __future__ import annotations

from ...core.vendor import Vendor
from . import accounts, jobs
from .errors import render_error
from .generate import generate
from .routes import blueprint


def setup(rt, section: dict) -> accounts.State:
    state = accounts.load_state(rt, section)
    jobs.setup(rt, state)
    return state


VENDOR = Vendor(
    slug=accounts.SLUG,
    title="Telnyx CDR Reports",
    prefixes=("/reporting", "/v2/legacy/reporting"),
    blueprint=blueprint,
    render_error=render_error,
    setup=setup,
    describe=accounts.describe,
    job_kinds=(jobs.KIND,),
    generate=generate,
    files={"downloadCdrReport": "plain"},     # the CSV behind report_url
)
