"""Command-line argument parsing: one-line errors (exit 2) that name the argument and its valid values."""
from __future__ import annotations

import argparse
from datetime import datetime

from .core.clock import parse_instant
from .settings import ALL_VENDORS


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr, exit status 2, and a pointer to ``--help``:
    ``mockcdr generate: argument --rows: -5 is not a whole number of at least 1 (see ...)``."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def whole(low: int | None = None, high: int | None = None, what: str = "a whole number"):
    """An argparse type: an int within [low, high], refused with the range it wanted."""
    if low is not None and high is not None:
        want = f"{what} from {low} to {high}"
    elif low is not None:
        want = f"{what} of at least {low}"
    else:
        want = what

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {want}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is not {want}")
        return value
    parse.__name__ = "whole number"
    return parse


port = whole(0, 65535, "a TCP port")


def seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds of at least 0")
    return value


def instant(text: str) -> datetime:
    """An ISO 8601 date or date-time (UTC when it has no offset)."""
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (e.g. 2026-03-01 or 2026-03-01T12:00:00Z)") from None


def iso_text(text: str) -> str:
    """An ISO 8601 instant, checked here and passed on as written."""
    instant(text)
    return text


def non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def key_value(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (the value may be empty, the key may not)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} must look like KEY=VALUE")
    return key.strip(), value


def vendor_list(text: str) -> str:
    """``didww,yeti``: known slugs, comma separated."""
    slugs = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in slugs if s not in ALL_VENDORS]
    if unknown or not slugs:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of vendors; choose from "
                                         f"{', '.join(ALL_VENDORS)} (comma separated)")
    return ",".join(slugs)


def vendor_port(text: str) -> str:
    """``slug=PORT`` for ``--vendor-port``."""
    slug, sep, number = text.partition("=")
    if not sep or slug.strip() not in ALL_VENDORS:
        raise argparse.ArgumentTypeError(f"{text!r} must look like SLUG=PORT with SLUG one of "
                                         f"{', '.join(ALL_VENDORS)}")
    port(number.strip())
    return f"{slug.strip()}={number.strip()}"


def choice_list(what: str, valid: tuple[str, ...]) -> str:
    return f"{what}; valid: {', '.join(valid)}" if valid else f"{what}; it takes none"


def settings_args(p: argparse.ArgumentParser, serving: bool) -> None:
    """The flags that make Settings (each also a MOCKCDR_* variable)."""
    if serving:
        p.add_argument("--host", type=non_empty, help="interface to bind (default 127.0.0.1; MOCKCDR_HOST)")
        p.add_argument("--port", type=port, help="port for every vendor (default 8080; 0 picks a free one; MOCKCDR_PORT)")
        p.add_argument("--vendor-port", action="append", default=[], type=vendor_port, metavar="SLUG=PORT",
                       help="also serve one vendor alone on its own port (repeatable; MOCKCDR_VENDOR_PORTS)")
        p.add_argument("--vendors", type=vendor_list, metavar="SLUG,...",
                       help=f"vendors to serve (default all: {','.join(ALL_VENDORS)}; MOCKCDR_VENDORS)")
        p.add_argument("--access-log", action="store_true", default=None,
                       help="one line per request on stdout, Combined Log Format (MOCKCDR_ACCESS_LOG)")
        p.add_argument("--log-format", choices=("text", "json"),
                       help="logs as text lines or JSON objects, UTC (default text; MOCKCDR_LOG_FORMAT)")
        p.add_argument("--threads", type=whole(1),
                       help="worker threads running the app; sockets never hold one (default 8; MOCKCDR_THREADS)")
        p.add_argument("--idle-timeout", type=seconds, metavar="SECONDS",
                       help="close a connection quiet this long (default 30; MOCKCDR_IDLE_TIMEOUT)")
        p.add_argument("--header-timeout", type=seconds, metavar="SECONDS",
                       help="answer 408 to a request head not complete this long after its first byte "
                            "(default 10; MOCKCDR_HEADER_TIMEOUT)")
        p.add_argument("--shutdown-grace", type=seconds, metavar="SECONDS",
                       help="on SIGTERM or SIGINT, how long requests in flight get to finish; a second "
                            "signal stops at once (default 5; MOCKCDR_SHUTDOWN_GRACE)")
        p.add_argument("--session-ttl", type=seconds, metavar="SECONDS",
                       help="remove a session idle this long (default 1800; MOCKCDR_SESSION_TTL)")
        p.add_argument("--max-sessions", type=whole(0), metavar="N",
                       help="sessions live at once, the default one not counted (default 1000; MOCKCDR_MAX_SESSIONS)")
        p.add_argument("--control-token", type=non_empty, metavar="TOKEN",
                       help="require this bearer token on the control API (MOCKCDR_CONTROL_TOKEN); "
                            "set one whenever the server binds beyond this machine")
        p.add_argument("--trusted-proxy", action="append", default=[], type=non_empty, metavar="ADDR",
                       help="honour X-Forwarded-Host/-Proto/-Port/-Prefix/-For from this address, network "
                            "(CIDR) or * (repeatable; default none; MOCKCDR_TRUSTED_PROXIES)")
        p.add_argument("--allowed-host", action="append", default=[], type=non_empty, metavar="NAME",
                       help="a name the control API may be reached by besides IP addresses and localhost "
                            "(repeatable, * for any; checked when binding to loopback or when given; "
                            "MOCKCDR_ALLOWED_HOSTS)")
        p.add_argument("--node", type=non_empty, metavar="NAME",
                       help="this process's name behind a proxy: generated session ids start with NAME. "
                            "(MOCKCDR_NODE)")
        p.add_argument("--cluster", type=non_empty, metavar="NODE=URL,...",
                       help="every process behind the proxy and the URL they reach it at, the root URL's "
                            "first (MOCKCDR_CLUSTER)")
    p.add_argument("--seed", type=non_empty, help="seed of all fake data (default 'mockcdr'; MOCKCDR_SEED)")
    p.add_argument("--fixtures", type=non_empty, metavar="FILE",
                   help="YAML file or folder over the embedded defaults (MOCKCDR_FIXTURES)")
    p.add_argument("--calls-per-day", type=whole(0), help="calls per tenant per day (default 40; MOCKCDR_CALLS_PER_DAY)")
    p.add_argument("--render-cache-mb", type=whole(0), metavar="MB",
                   help="memory for export days already rendered, served again from it (default 256, "
                        "0 off; MOCKCDR_RENDER_CACHE_MB)")
    p.add_argument("--clock-start", type=iso_text, metavar="ISO",
                   help="start the virtual clock at this instant (MOCKCDR_CLOCK_START)")
    p.add_argument("--config", type=non_empty, metavar="FILE", help="YAML settings file (MOCKCDR_CONFIG)")


def generate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("slug", choices=ALL_VENDORS, metavar="{" + ",".join(ALL_VENDORS) + "}")
    p.add_argument("--from", dest="start", type=instant, required=True, metavar="ISO", help="window start (UTC)")
    p.add_argument("--to", dest="end", type=instant, metavar="ISO",
                   help="window end, exclusive (default: a day, or as far as --rows needs)")
    p.add_argument("--rows", type=whole(1), help="stop after this many rows (the window grows as needed)")
    p.add_argument("--tenant", type=non_empty, help="tenant key or vendor credential (default: the first)")
    p.add_argument("--format", help="vendor format word, e.g. cdr_in, cdr_out, 2022-05-10 (see the error for each vendor's)")
    p.add_argument("--param", action="append", default=[], type=key_value, metavar="KEY=VALUE",
                   help="vendor-specific option (repeatable; an unknown key lists the valid ones)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def _z(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def check_generate(p: argparse.ArgumentParser, ns: argparse.Namespace, vendor) -> None:
    """What argparse cannot check alone: the window, and the vendor's own params and formats."""
    if ns.end is not None and ns.end <= ns.start:
        p.error(f"argument --to: {_z(ns.end)} is not after --from {_z(ns.start)}")
    if vendor.generate is None:
        p.error(f"argument slug: {ns.slug} has no generator")
    for key, _ in ns.param:
        if key not in vendor.generate_params:
            p.error("argument --param: " + choice_list(f"{key!r} is not a {ns.slug} parameter",
                                                       vendor.generate_params))
    if ns.format is not None and vendor.generate_formats and ns.format not in vendor.generate_formats:
        p.error("argument --format: " + choice_list(f"{ns.format!r} is not a {ns.slug} format",
                                                    vendor.generate_formats))
