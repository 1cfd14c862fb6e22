"""The ``mockcdr`` command: serve, spec, generate, control."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from datetime import timedelta

from . import __version__, resources
from .core.clock import parse_instant
from .core.fixtures import FixtureError
from .settings import ALL_VENDORS, SettingsError, from_sources


def _settings_args(p: argparse.ArgumentParser, serving: bool) -> None:
    if serving:
        p.add_argument("--host", help="interface to bind (default 127.0.0.1; MOCKCDR_HOST)")
        p.add_argument("--port", type=int, help="port for every vendor (default 8080; MOCKCDR_PORT)")
        p.add_argument("--vendor-port", action="append", default=[], metavar="SLUG=PORT",
                       help="also serve one vendor alone on its own port (repeatable)")
        p.add_argument("--access-log", action="store_true", default=None,
                       help="print one line per request (MOCKCDR_ACCESS_LOG)")
        p.add_argument("--threads", type=int, help="worker threads (default 8)")
        p.add_argument("--session-ttl", type=float, metavar="SECONDS",
                       help="remove a session idle this long (default 1800; MOCKCDR_SESSION_TTL)")
        p.add_argument("--max-sessions", type=int, metavar="N",
                       help="sessions live at once (default 1000; MOCKCDR_MAX_SESSIONS)")
        p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                       help="honour X-Forwarded-Host/-Proto/-Port/-Prefix/-For from this address, "
                            "network (CIDR) or * (repeatable; default none; MOCKCDR_TRUSTED_PROXIES)")
        p.add_argument("--node", metavar="NAME",
                       help="this process's name behind the proxy: generated session ids start with "
                            "NAME. (MOCKCDR_NODE)")
        p.add_argument("--cluster", metavar="NODE=URL,...",
                       help="every node of the cluster and the URL the nodes reach it at, the root "
                            "URL's node first (MOCKCDR_CLUSTER)")
    p.add_argument("--seed", help="seed of all fake data (default 'mockcdr'; MOCKCDR_SEED)")
    p.add_argument("--fixtures", metavar="FILE", help="YAML file or folder over the embedded defaults")
    p.add_argument("--vendors", metavar="SLUG,...", help=f"vendors to serve (default all: {','.join(ALL_VENDORS)})")
    p.add_argument("--calls-per-day", type=int, help="calls per tenant per day (default 40)")
    p.add_argument("--clock-start", metavar="ISO", help="start the virtual clock at this instant")
    p.add_argument("--config", metavar="FILE", help="YAML settings file (MOCKCDR_CONFIG)")


def _settings(ns: argparse.Namespace):
    cli = {k: v for k, v in vars(ns).items() if v is not None}
    if getattr(ns, "vendor_port", None):
        cli["vendor_ports"] = ",".join(ns.vendor_port)
    cli.pop("vendor_port", None)
    if getattr(ns, "trusted_proxy", None):
        cli["trusted_proxies"] = ",".join(ns.trusted_proxy)
    cli.pop("trusted_proxy", None)
    return from_sources(cli=cli)


def cmd_serve(ns: argparse.Namespace) -> int:
    from .app import build_sessions, create_app
    from .core.admin import info_document
    from .core.session_control import ABOUT
    from .server import Servers

    settings = _settings(ns)
    sessions = build_sessions(settings)
    runtime = sessions.default
    apps = [("main", create_app(sessions=sessions), settings.host, settings.port)]
    for slug, port in settings.vendor_ports.items():
        apps.append((slug, create_app(sessions=sessions, only=[slug]), settings.host, port))
    servers = Servers(sessions, apps, access_log=settings.access_log, threads=settings.threads)
    ports = servers.ports()
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{host}:{ports['main']}"
    doc = info_document(runtime, base, list(runtime.vendors.values()))
    print(f"mockcdr {__version__} serving {len(runtime.vendors)} vendors on {base} "
          f"(seed {runtime.seed!r}, clock {doc['clock']['now']})", flush=True)
    print(f"  control   {base}/_mockcdr/info", flush=True)
    print(f"  sessions  {ABOUT} (up to {settings.max_sessions}, idle {settings.session_ttl:g} s)",
          flush=True)
    for v in doc["vendors"]:
        urls = "  ".join(v.get("base_urls", []))
        extra = f"  (alone on port {ports[v['slug']]})" if v["slug"] in ports else ""
        print(f"  {v['slug']:<9} {urls}{extra}", flush=True)
        for cred in v.get("credentials", []):
            print(f"            {'  '.join(f'{k}: {val}' for k, val in cred.items())}", flush=True)
    servers.start()
    stop = {"flag": False}

    def _stop(*_):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        servers.wait(lambda: stop["flag"])
    finally:
        servers.stop()
    return 0


def cmd_spec(ns: argparse.Namespace) -> int:
    if ns.list or not ns.name:
        print("\n".join(resources.spec_names()))
        return 0
    try:
        path = resources.spec_path(ns.name)
    except FileNotFoundError as exc:
        print(f"mockcdr: {exc}; available: {', '.join(resources.spec_names())}", file=sys.stderr)
        return 2
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


def cmd_generate(ns: argparse.Namespace) -> int:
    from .app import build_runtime
    from .core.vendor import GenerateRequest

    ns.vendors = ns.slug
    settings = _settings(ns)
    runtime = build_runtime(settings)
    vendor = runtime.vendors[ns.slug]
    if vendor.generate is None:
        print(f"mockcdr: {ns.slug} has no generator", file=sys.stderr)
        return 2
    try:
        start = parse_instant(ns.start)
        end = parse_instant(ns.end) if ns.end else None
    except ValueError as exc:
        print(f"mockcdr: {exc}", file=sys.stderr)
        return 2
    if end is None and ns.rows is None:
        end = start + timedelta(days=1)
    params = dict(p.split("=", 1) for p in ns.param)
    req = GenerateRequest(tenant=ns.tenant, start=start, end=end, limit=ns.rows, format=ns.format,
                          params=params)
    try:
        out = vendor.generate(runtime, req)
    except ValueError as exc:
        print(f"mockcdr: {exc}", file=sys.stderr)
        return 2
    sink = open(ns.output, "wb") if ns.output else sys.stdout.buffer
    progress = _Progress(runtime, req) if sys.stderr.isatty() else None
    try:
        for chunk in out.chunks:
            sink.write(chunk)
            if progress:
                progress.update()
    finally:
        if progress:
            progress.done()
        if ns.output:
            sink.close()
        else:
            sink.flush()
    return 0


class _Progress:
    """A one-line progress bar on stderr: calls generated against the expected number."""

    def __init__(self, runtime, req):
        self.universe = runtime.universe
        self.base = self.universe.produced
        days = ((req.end - req.start).total_seconds() / 86400) if req.end else None
        per_day = max(1, runtime.start.calls_per_day)
        self.total = req.limit or int((days or 1) * per_day) or 1
        self.started = time.perf_counter()
        self.last = 0.0

    def update(self, final: bool = False):
        now = time.perf_counter()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        done = self.universe.produced - self.base
        frac = 1.0 if final else min(done / self.total, 0.999)
        bar = "#" * int(frac * 30)
        rate = done / max(now - self.started, 1e-6)
        sys.stderr.write(f"\r[{bar:<30}] {frac:6.1%} {done} rows  {rate:,.0f} rows/s")
        sys.stderr.flush()

    def done(self):
        self.update(final=True)
        sys.stderr.write("\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockcdr", description="Telecom CDR-export API test double")
    parser.add_argument("--version", action="version", version=f"mockcdr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve every vendor (and the control API) over HTTP")
    _settings_args(p, serving=True)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("spec", help="print a hand-written OpenAPI spec (a vendor slug or 'control')")
    p.add_argument("name", nargs="?")
    p.add_argument("--list", action="store_true", help="list the available specs")
    p.set_defaults(func=cmd_spec)

    p = sub.add_parser("generate", help="write to stdout the bytes a vendor download would serve")
    p.add_argument("slug", choices=ALL_VENDORS)
    p.add_argument("--from", dest="start", required=True, metavar="ISO", help="window start (UTC)")
    p.add_argument("--to", dest="end", metavar="ISO", help="window end, exclusive (default: a day)")
    p.add_argument("--rows", type=int, help="stop after this many rows (the window grows as needed)")
    p.add_argument("--tenant", help="tenant key or vendor credential (default: the first)")
    p.add_argument("--format", help="vendor format word, e.g. cdr_in, cdr_out, 2022-05-10")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="vendor-specific option (repeatable)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    _settings_args(p, serving=False)
    p.set_defaults(func=cmd_generate)

    from .control_cli import add_control_parser

    add_control_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        return ns.func(ns) or 0
    except (SettingsError, FixtureError) as exc:
        print(f"mockcdr: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockcdr: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
