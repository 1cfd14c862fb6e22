"""Kolmisoft MOR API v2: automatic CDR exports, their scheduler and deliveries, and CDR export templates."""
from __future__ import annotations

from ...core.clock import LONGEST_SECONDS
from ...core.fixtures import FixtureError
from ...core.vendor import Vendor
from . import auth, fixtures, tasks
from .errors import RESPONSE_KINDS, render_error
from .files import EXTENSIONS, GENERATE_PARAMS, check_name_format, generate, render_file
from .options import DEFAULTS, opt
from .routes import PREFIXES, blueprint
from .scheduler import tick
from .tasks import reschedule

_CHOICES = {"delete_status": (200, 204), "template_columns_format": ("array", "string"),
            "default_archive_extension": ("tgz", "zip", "none")}


_SPANS = ("token_ttl_seconds", "refresh_ttl_seconds")
_UNSET_KINDS = {"list_default_max_results": int, "ftp_path": str, "sftp_path": str}


def _same_kind(name: str, value, default) -> bool:
    """An option value of the default's type (any number for a number; None means unset)."""
    if default is None:
        return value is None or (isinstance(value, _UNSET_KINDS[name]) and not isinstance(value, bool))
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def setup(world, section: dict):
    directory = fixtures.load(world, section)
    for name in section.get("options") or {}:
        if name not in DEFAULTS:
            raise FixtureError(f"invalid fixtures:\n  mor.options.{name}: unknown option; known: "
                               f"{', '.join(sorted(DEFAULTS))}")
    world.state["mor"] = directory        # options below read through the runtime
    for name, default in DEFAULTS.items():
        value = opt(world, name)
        if not _same_kind(name, value, default) or (name.startswith("csv_") and len(value) != 1):
            raise FixtureError(f"invalid fixtures:\n  mor.options.{name}: {value!r} does not fit the "
                               f"default {default!r}")
    for name in _SPANS:
        if not 0 < opt(world, name) <= LONGEST_SECONDS:
            raise FixtureError(f"invalid fixtures:\n  mor.options.{name}: must be a number of seconds above 0, "
                               f"at most {LONGEST_SECONDS:.0f} (100 years)")
    for name, allowed in _CHOICES.items():
        if opt(world, name) not in allowed:
            raise FixtureError(f"invalid fixtures:\n  mor.options.{name}: must be one of "
                               f"{', '.join(map(str, allowed))}")
    check_name_format(opt(world, "file_name_format"))
    tasks.declare(world)
    auth.declare(world)
    return directory


VENDOR = Vendor(
    slug="mor",
    title="Kolmisoft MOR API v2 (automatic CDR exports)",
    prefixes=PREFIXES,
    blueprint=blueprint,
    render_error=render_error,
    setup=setup,
    describe=fixtures.describe,
    tick=tick,
    reschedule=reschedule,
    generate=generate,
    generate_params=GENERATE_PARAMS,
    generate_formats=tuple(EXTENSIONS),
    render_file=render_file,
    files={},   # MOR's API serves no file: scheduled exports go out as deliveries
    response_kinds=RESPONSE_KINDS,
)
