"""``mockcdr control ...``: steer a running server or one of its sessions (reset, clock, faults, journal...) by URL."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .cli_args import whole
from .control_client import ControlAPIError, ControlClient

DEFAULT_URL = "http://127.0.0.1:8080"


class UsageError(Exception):
    """A command line ``mockcdr control`` refuses before asking any server: exit status 2."""


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL, e.g. {DEFAULT_URL}")
    return text


def _session_id(text: str) -> str:
    from .core.sessions import valid_id

    if not valid_id(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a session id (1-64 characters of A-Z a-z 0-9 . _ -)")
    return text


def _state_seconds(text: str) -> tuple[str, float]:
    state, sep, seconds = text.partition("=")
    try:
        if not sep or not state:
            raise ValueError
        return state, float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} must look like STATE=SECONDS, e.g. processing=10") from None


def add_control_parser(sub) -> None:
    p = sub.add_parser("control", help="steer a running mock through its /_mockcdr API")
    p.add_argument("--url", default=None, type=_url,
                   help=f"the server (default $MOCKCDR_URL or {DEFAULT_URL})")
    p.add_argument("--session", default=None, type=_session_id, metavar="ID",
                   help="act on this session of the server (its base URL is URL/_s/ID)")
    p.add_argument("--token", default=None,
                   help="the server's control token, if it has one (default $MOCKCDR_CONTROL_TOKEN)")
    csub = p.add_subparsers(dest="action", required=True)

    csub.add_parser("health", help="is it up?")
    csub.add_parser("info", help="version, seed, vendors, credentials")
    r = csub.add_parser("reset", help="back to the seeded initial state")
    r.add_argument("--seed", help="reset with this seed instead")

    c = csub.add_parser("clock", help="show or steer the virtual clock")
    c.add_argument("op", nargs="?", choices=["show", "set", "advance", "freeze", "unfreeze"], default="show")
    c.add_argument("value", nargs="?", help="ISO instant (set, freeze) or duration (advance: PT1H, 90)")
    c.add_argument("--frozen", action="store_true", help="with set: freeze at that instant")

    t = csub.add_parser("transitions", help="list or set job progression policies")
    t.add_argument("op", nargs="?", choices=["list", "set"], default="list")
    t.add_argument("kind", nargs="?", help="job kind, e.g. didww.export")
    t.add_argument("mode", nargs="?", choices=["after_seconds", "after_polls", "immediate", "manual"])
    t.add_argument("--vendor")
    t.add_argument("--polls", type=whole(0))
    t.add_argument("--seconds", action="append", default=[], type=_state_seconds, metavar="STATE=N")
    t.add_argument("--outcome", choices=["success", "failure"])

    j = csub.add_parser("jobs", help="list jobs or force one into a state")
    j.add_argument("op", nargs="?", choices=["list", "show", "force"], default="list")
    j.add_argument("job_id", nargs="?")
    j.add_argument("state", nargs="?")
    for name in ("vendor", "kind", "tenant"):
        j.add_argument(f"--{name}")
    j.add_argument("--in-state", dest="in_state", help="list only jobs in this state")

    f = csub.add_parser("faults", help="list, add or clear injected faults")
    f.add_argument("op", nargs="?", choices=["list", "add", "clear", "delete"], default="list")
    f.add_argument("target", nargs="?", help="vendor (add), fault id (delete)")
    f.add_argument("kind", nargs="?", choices=["error", "latency", "rate_limit", "truncate", "corrupt_gzip", "drop"])
    f.add_argument("--vendor")
    f.add_argument("--operation")
    for name in ("count", "status", "latency-ms", "retry-after", "after-bytes"):
        f.add_argument(f"--{name}", type=whole())
    f.add_argument("--detail")
    f.add_argument("--code")

    jr = csub.add_parser("journal", help="show or clear the request journal")
    jr.add_argument("op", nargs="?", choices=["show", "clear"], default="show")
    for name in ("vendor", "operation", "method"):
        jr.add_argument(f"--{name}")
    for name in ("status", "since", "limit"):
        jr.add_argument(f"--{name}", type=whole())

    d = csub.add_parser("deliveries", help="list deliveries (callbacks, scheduled files)")
    d.add_argument("op", nargs="?", choices=["list", "file", "run", "clear"], default="list")
    d.add_argument("delivery_id", nargs="?")
    d.add_argument("--vendor")
    d.add_argument("-o", "--output", help="with file: write the file here (default stdout)")

    cv = csub.add_parser("coverage", help="which documented operations, responses and kinds were exercised")
    cv.add_argument("op", nargs="?", choices=["show", "clear"], default="show")
    cv.add_argument("--vendor", help="only this vendor")
    cv.add_argument("--format", choices=["table", "json"], default="table")

    ss = csub.add_parser("sessions", help="list, show, create or delete sessions (isolated mock worlds)")
    ss.add_argument("op", nargs="?", choices=["list", "show", "create", "delete"], default="list")
    ss.add_argument("session_id", nargs="?", help="its id (create: a generated one when left out)")
    ss.add_argument("--seed")
    ss.add_argument("--clock-now", metavar="ISO", help="create: where its clock starts")
    ss.add_argument("--frozen", action="store_true", help="create: with its clock frozen")
    ss.add_argument("--calls-per-day", type=int)
    ss.add_argument("--port", type=int, help="create: serve it alone on this port too (0: a free one)")
    ss.add_argument("--scope", choices=["cluster", "node"],
                    help="list: behind a proxy, every node's sessions (cluster, the default) or this process's")
    csub.add_parser("cluster", help="each node of the cluster behind the proxy, and whether it answers")

    s = csub.add_parser("snapshot", help="save or load the whole state as JSON")
    s.add_argument("op", choices=["save", "load"])
    s.add_argument("path")
    p.set_defaults(func=cmd_control, parser=p)
    for action in csub.choices.values():
        action.set_defaults(action_parser=action)


def _need(value, what: str):
    if value is None:
        raise UsageError(f"{what} is required")
    return value


def _read_json(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None


def _dispatch(cc: ControlClient, ns):
    a = ns.action
    if a in ("health", "info"):
        return getattr(cc, a)()
    if a == "reset":
        return cc.reset(ns.seed)
    if a == "clock":
        if ns.op == "set":
            return cc.set_clock(_need(ns.value, "an ISO instant (2026-04-16T12:00:00Z)"), frozen=True if ns.frozen else None)
        if ns.op == "advance":
            return cc.advance_clock(_need(ns.value, "a duration (PT1H, 90)"))
        if ns.op == "freeze":
            return cc.freeze_clock(ns.value)
        return cc.unfreeze_clock() if ns.op == "unfreeze" else cc.get_clock()
    if a == "transitions":
        if ns.op == "set":
            seconds = dict(ns.seconds) or None
            return cc.set_transition(_need(ns.kind, "the job kind"), ns.mode, seconds=seconds,
                                     polls=ns.polls, outcome=ns.outcome)
        return cc.list_transitions(ns.vendor)
    if a == "jobs":
        if ns.op == "force":
            return cc.force_job_state(_need(ns.job_id, "the job id"), _need(ns.state, "the state"))
        if ns.op == "show":
            return cc.get_job(_need(ns.job_id, "the job id"))
        return cc.list_jobs(vendor=ns.vendor, kind=ns.kind, state=ns.in_state, tenant=ns.tenant)
    if a == "faults":
        if ns.op == "add":
            return cc.add_fault(_need(ns.target, "the vendor"), _need(ns.kind, "the fault kind"),
                                operation=ns.operation, count=ns.count, status=ns.status,
                                detail=ns.detail, code=ns.code, latency_ms=ns.latency_ms,
                                retry_after=ns.retry_after, after_bytes=ns.after_bytes)
        if ns.op == "clear":
            return cc.clear_faults(ns.vendor)
        if ns.op == "delete":
            target = _need(ns.target, "the fault id")
            if not target.isdigit():
                raise UsageError(f"the fault id must be a number (mockcdr control faults lists them), not {target!r}")
            return cc.delete_fault(int(target))
        return cc.list_faults(ns.vendor)
    if a == "journal":
        if ns.op == "clear":
            return cc.clear_journal()
        return cc.get_journal(vendor=ns.vendor, operation=ns.operation, status=ns.status,
                              method=ns.method, since=ns.since, limit=ns.limit)
    if a == "deliveries":
        if ns.op == "file":
            data = cc.get_delivery_file(_need(ns.delivery_id, "the delivery id"))
            if ns.output:
                Path(ns.output).write_bytes(data)
                return {"written": ns.output, "bytes": len(data)}
            sys.stdout.buffer.write(data)
            return None
        if ns.op == "run":
            return cc.run_deliveries()
        return cc.clear_deliveries() if ns.op == "clear" else cc.list_deliveries(ns.vendor)
    if a == "coverage":
        return _coverage(cc, ns)
    if a == "sessions":
        return _sessions(cc, ns)
    if a == "cluster":
        return cc.get_cluster()
    if a == "snapshot":
        if ns.op == "save":
            Path(ns.path).write_text(json.dumps(cc.get_snapshot(), indent=1))
            return {"saved": ns.path}
        return cc.restore_snapshot(_read_json(ns.path))
    raise UsageError(f"unknown action {a}")


def _coverage(cc: ControlClient, ns):
    if ns.op == "clear":
        return cc.clear_coverage()
    doc = cc.get_coverage(ns.vendor)
    if ns.vendor is not None and not doc["vendors"]:
        served = ", ".join(v["vendor"] for v in cc.get_coverage()["vendors"])
        raise UsageError(f"--vendor: the server has no vendor {ns.vendor!r}; it serves {served}")
    if ns.format == "json":
        return doc
    from .coverage_report import table

    return table(doc)


def _sessions(cc: ControlClient, ns):
    if ns.op == "create":
        spec = {"seed": ns.seed, "calls_per_day": ns.calls_per_day, "port": ns.port}
        if ns.clock_now or ns.frozen:
            spec["clock"] = {"now": ns.clock_now, "frozen": True if ns.frozen else None}
        spec = {k: v for k, v in spec.items() if v is not None}
        return cc.put_session(ns.session_id, **spec) if ns.session_id else cc.create_session(**spec)
    if ns.op == "show":
        return cc.get_session(_need(ns.session_id, "the session id"))
    if ns.op == "delete":
        return cc.delete_session(_need(ns.session_id, "the session id"))
    return cc.list_sessions(ns.scope)


def cmd_control(ns: argparse.Namespace) -> int:
    url = ns.url
    if url is None and "MOCKCDR_URL" in os.environ:
        try:
            url = _url(os.environ["MOCKCDR_URL"].strip()) if os.environ["MOCKCDR_URL"].strip() else None
        except argparse.ArgumentTypeError as exc:
            ns.parser.error(f"MOCKCDR_URL: {exc}")
        if url is None:
            ns.parser.error("MOCKCDR_URL: set but empty; give it a value or unset it")
    url = (url or DEFAULT_URL).rstrip("/")
    if ns.session:
        url = f"{url}/_s/{ns.session}"
    try:
        result = _dispatch(ControlClient(url, token=ns.token), ns)
    except UsageError as exc:
        ns.action_parser.error(f"{ns.op + ': ' if getattr(ns, 'op', None) else ''}{exc}")
    except ControlAPIError as exc:
        print(f"mockcdr control: {exc.message} (HTTP {exc.status} from {url})", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        print(f"mockcdr control: cannot reach {url}: {reason}; is `mockcdr serve` running there? "
              "(point at another server with --url or MOCKCDR_URL)", file=sys.stderr)
        return 1
    if isinstance(result, str):
        sys.stdout.write(result)
    elif result is not None:
        print(json.dumps(result, indent=2))
    return 0
