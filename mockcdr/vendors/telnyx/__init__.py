"""Telnyx: CDR Reports V1 (/reporting/cdr_requests) and its V2 successor for the official SDK."""
from __future__ import annotations

from ...core.vendor import Vendor
from . import fixtures, jobs
from .errors import RESPONSE_KINDS, render_error
from .generate import KNOWN, generate
from .routes import blueprint


def setup(world, section: dict) -> fixtures.State:
    state = fixtures.load_state(world, section)
    jobs.setup(world, state)
    return state


VENDOR = Vendor(
    slug=fixtures.SLUG,
    title="Telnyx CDR Reports",
    prefixes=("/reporting", "/v2/legacy/reporting"),
    blueprint=blueprint,
    render_error=render_error,
    setup=setup,
    describe=fixtures.describe,
    job_kinds=(jobs.KIND,),
    generate=generate,
    generate_params=KNOWN,
    generate_formats=("csv",),
    job_file=jobs.job_file,
    files={"downloadCdrReport": "plain"},     # the CSV behind report_url
    response_kinds=RESPONSE_KINDS,
)
