"""The ``mockcdr`` command: serve, spec, generate, control."""
from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import threading
import time
from datetime import timedelta

from . import __version__, logs, resources
from .cli_args import Parser, check_generate, generate_args, settings_args
from .core.fixtures import FixtureError
from .core.guard import is_loopback
from .settings import SettingsError, from_sources

CLI_LABELS = {"vendor_ports": "--vendor-port", "trusted_proxies": "--trusted-proxy", "allowed_hosts": "--allowed-host"}


def _settings(ns: argparse.Namespace, **fixed):
    names = ("host", "port", "vendors", "access_log", "log_format", "threads", "seed", "fixtures",
             "calls_per_day", "render_cache_mb", "clock_start", "config", "session_ttl", "max_sessions",
             "idle_timeout", "header_timeout", "shutdown_grace", "control_token", "node", "cluster")
    cli = {k: getattr(ns, k) for k in names if getattr(ns, k, None) is not None}
    if getattr(ns, "vendor_port", None):
        cli["vendor_ports"] = ",".join(ns.vendor_port)
    if getattr(ns, "trusted_proxy", None):
        cli["trusted_proxies"] = ",".join(ns.trusted_proxy)
    if getattr(ns, "allowed_host", None):
        cli["allowed_hosts"] = ",".join(ns.allowed_host)
    cli.update(fixed)
    return from_sources(cli=cli, cli_labels=CLI_LABELS)


def banner(doc: dict, base: str, ports: dict, json_lines: bool, token: bool = False) -> list[str]:
    """What ``serve`` prints before serving: where everything is, the credentials, how to stop
    (``token``: the control API wants the control token)."""
    if json_lines:
        return [json.dumps({"time": logs.utc_iso(time.time()), "level": "INFO", "logger": "mockcdr",
                            "message": f"mockcdr {__version__} serving on {base}", "base_url": base,
                            "dashboard": f"{base}/_mockcdr/ui/",
                            "seed": doc["seed"], "clock": doc["clock"]["now"], "vendors": doc["vendors"]})]
    session = doc["session"]
    lines = [f"mockcdr {__version__} serving {len(doc['vendors'])} vendors on {base} "
             f"(seed {doc['seed']!r}, clock {doc['clock']['now']})",
             f"  dashboard {base}/_mockcdr/ui/  (see and steer it in a browser)",
             f"  control   {base}/_mockcdr/info  (steer it: mockcdr control --help"
             + ("; bearer token required)" if token else ")"),
             f"  sessions  {session['about']} (up to {session['max']}, idle {session['ttl_seconds']:g} s)"]
    for v in doc["vendors"]:
        urls = "  ".join(v.get("base_urls", []))
        extra = f"  (alone on port {ports[v['slug']]})" if v["slug"] in ports else ""
        lines.append(f"  {v['slug']:<9} {urls}{extra}")
        for cred in v.get("credentials", []):
            lines.append(f"            {'  '.join(f'{k}: {val}' for k, val in cred.items())}")
    lines.append("Press Ctrl+C to stop.")
    return lines


def cmd_serve(ns: argparse.Namespace) -> int:
    from .app import build_sessions, create_app
    from .core.admin import info_document
    from .server import ListenError, Servers

    settings = _settings(ns)
    logs.configure(settings.log_format)
    sessions = build_sessions(settings)
    runtime = sessions.default
    apps = [("main", create_app(sessions=sessions), settings.host, settings.port)]
    for slug, port in settings.vendor_ports.items():
        apps.append((slug, create_app(sessions=sessions, only=[slug]), settings.host, port))
    try:
        servers = Servers(sessions, apps, access_log=settings.access_log, threads=settings.threads)
    except ListenError as exc:
        flag = "--port" if exc.name == "main" else f"--vendor-port {exc.name}=PORT"
        why = {errno.EADDRINUSE: "the address is already in use (another mockcdr, or another program)",
               errno.EACCES: "permission denied (ports below 1024 need privileges)",
               errno.EADDRNOTAVAIL: "this machine has no such address (check --host)"}.get(
            exc.errno, exc.strerror or str(exc))
        print(f"mockcdr: cannot listen on {exc.host}:{exc.port}: {why}; choose another port with "
              f"{flag}{' (0 picks a free one)' if exc.name == 'main' else ''}", file=sys.stderr)
        return 1
    ports = servers.ports()
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{host}:{ports['main']}"
    doc = info_document(runtime, base, list(runtime.vendors.values()))
    print("\n".join(banner(doc, base, ports, settings.log_format == "json",
                           token=bool(settings.control_token))), flush=True)
    if not settings.control_token and not is_loopback(settings.host):
        print(f"mockcdr: warning: anyone who can reach {settings.host}:{ports['main']} can reset this "
              f"server, move its clock and read its journal; set --control-token (MOCKCDR_CONTROL_TOKEN)",
              file=sys.stderr, flush=True)
    servers.start()
    # everything built so far (the World: fixtures, universe tables, routes; imported modules)
    # lives as long as the process, and so does most of what survives a full collection (jobs,
    # sessions): frozen out of the collector's sight, a full collection while serving walks only
    # what requests made since (serving/collector.py; bench/RESULTS.md)
    servers.manage_garbage()
    stop = threading.Event()

    def _stop(signum, _frame):
        if stop.is_set():       # a second signal: no more grace
            print("mockcdr: stopped at once", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        stop.set()              # quietly: requests in flight get settings.shutdown_grace

    # SIGTERM (docker stop) and Ctrl+C: finish the requests in flight (within shutdown_grace),
    # then exit with status 0; a second signal exits at once
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        servers.wait(stop.is_set)
    finally:
        servers.stop(settings.shutdown_grace)
    return 0


def cmd_spec(ns: argparse.Namespace) -> int:
    if ns.list or not ns.name:
        print("\n".join(resources.spec_names()))
        return 0
    try:
        path = resources.spec_path(ns.name)
    except FileNotFoundError:
        ns.parser.error(f"argument name: no spec named {ns.name!r}; valid: {', '.join(resources.spec_names())}")
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0


def cmd_generate(ns: argparse.Namespace) -> int:
    from .app import build_runtime
    from .core.vendor import GenerateRequest
    from .vendors import load

    check_generate(ns.parser, ns, load(ns.slug))
    runtime = build_runtime(_settings(ns, vendors=ns.slug))
    vendor = runtime.vendors[ns.slug]
    start, end = ns.start, ns.end
    if end is None and ns.rows is None:
        end = start + timedelta(days=1)
    req = GenerateRequest(tenant=ns.tenant, start=start, end=end, limit=ns.rows, format=ns.format,
                          params=dict(ns.param))
    try:
        out = vendor.generate(runtime, req)
    except ValueError as exc:
        print(f"mockcdr generate: {exc}", file=sys.stderr)
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``command`` (serve, spec, generate): one the arguments name, so
    the control client (urllib, http.client: 10-15 ms) is not imported to start a server."""
    parser = Parser(prog="mockcdr", description="Telecom CDR-export API test double")
    parser.add_argument("--version", action="version", version=f"mockcdr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{serve,spec,generate,control}")

    p = sub.add_parser("serve", help="serve every vendor (and the control API) over HTTP")
    settings_args(p, serving=True)
    p.set_defaults(func=cmd_serve, parser=p)

    p = sub.add_parser("spec", help="print a hand-written OpenAPI spec (a vendor slug or 'control')")
    p.add_argument("name", nargs="?")
    p.add_argument("--list", action="store_true", help="list the available specs")
    p.set_defaults(func=cmd_spec, parser=p)

    p = sub.add_parser("generate", help="write to stdout the bytes a vendor download would serve")
    generate_args(p)
    settings_args(p, serving=False)
    p.set_defaults(func=cmd_generate, parser=p)

    if command not in ("serve", "spec", "generate"):
        from .control_cli import add_control_parser

        add_control_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2: a bad argument, said on one line)."""
    args = sys.argv[1:] if argv is None else argv
    parser = build_parser(args[0] if args else None)
    try:
        ns = parser.parse_args(argv)
        return ns.func(ns) or 0
    except SystemExit as exc:        # argparse: --help, --version, and usage errors
        return exc.code if isinstance(exc.code, int) else 1
    except (SettingsError, FixtureError) as exc:
        print(f"mockcdr: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockcdr: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
