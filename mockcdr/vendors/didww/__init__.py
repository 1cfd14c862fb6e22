"""DIDWW API v3 CDR exports (API versions 2021-12-15, 2022-05-10 and 2026-04-16)."""
from __future__ import annotations

from mockcdr.core.clock import LONGEST_SECONDS
from mockcdr.core.fixtures import FixtureError
from mockcdr.core.vendor import Vendor

from . import files, fixtures, jobs
from .errors import RESPONSE_KINDS, render_error
from .formats import legacy_out_layout
from .routes import blueprint
from .versions import KNOWN_VERSIONS

_METHODS = ("post", "get")


def _check_options(world) -> None:
    """Fail at start-up, naming the option, when a configured value cannot work."""
    def bad(name: str, why: str) -> FixtureError:
        return FixtureError(f"invalid fixtures:\n  {fixtures.SLUG}.options.{name}: {why}")

    unknown = sorted(set(world.settings.vendor_options.get(fixtures.SLUG, {})) - set(fixtures.OPTION_DEFAULTS))
    if unknown:
        raise FixtureError(f"vendor_options.{fixtures.SLUG}: unknown options {', '.join(unknown)}; known: "
                           f"{', '.join(sorted(fixtures.OPTION_DEFAULTS))}")

    for name in ("pending_seconds", "processing_seconds", "retention_seconds"):
        value = fixtures.option(world, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= LONGEST_SECONDS:
            raise bad(name, f"must be a number of seconds from 0 to {LONGEST_SECONDS:.0f} (100 years)")
    months = fixtures.option(world, "months_available")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 1200:
        raise bad("months_available", "must be an integer from 1 to 1200 (100 years)")
    backoff = fixtures.option(world, "callback_backoff")
    if not isinstance(backoff, (list, tuple)) or not backoff or not all(
            isinstance(s, (int, float)) and not isinstance(s, bool) and 0 <= s <= LONGEST_SECONDS for s in backoff):
        raise bad("callback_backoff", f"must be a non-empty list of seconds from 0 to {LONGEST_SECONDS:.0f}")
    if str(fixtures.option(world, "default_callback_method")).lower() not in _METHODS:
        raise bad("default_callback_method", "must be post or get")
    if not isinstance(fixtures.option(world, "callback_status"), str):
        raise bad("callback_status", "must be a string")
    try:
        legacy_out_layout(fixtures.option(world, "legacy_cdr_out_columns"))
    except ValueError as exc:
        raise bad("legacy_cdr_out_columns", str(exc)) from None


def setup(world, section: dict) -> fixtures.State:
    state = fixtures.load(world, section)
    _check_options(world)
    jobs.register(world)
    return state


def describe(world, base_url: str) -> dict:
    state: fixtures.State = world.state[fixtures.SLUG]
    return {
        "base_urls": [f"{base_url}/v3"],
        "credentials": [{"Api-Key": c.api_key, "tenant": c.tenant,
                         "default X-DIDWW-API-Version": c.default_api_version}
                        for _, c in sorted(state.by_name.items())],
        "api_versions": list(KNOWN_VERSIONS),
    }


VENDOR = Vendor(
    slug=fixtures.SLUG, title="DIDWW API v3 (CDR exports)", prefixes=("/v3",), blueprint=blueprint,
    render_error=render_error, setup=setup, describe=describe, job_kinds=(jobs.KIND,),
    generate=files.generate, generate_params=files.GENERATE_PARAMS,
    generate_formats=files.GENERATE_FORMATS, render_file=files.render_file, job_file=files.for_job,
    files={"downloadExportFile": "gzip"},     # a .csv.gz, whatever the API version
    response_kinds=RESPONSE_KINDS)
