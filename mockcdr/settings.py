"""One Settings object, from defaults, a YAML config file, MOCKCDR_* environment and CLI flags."""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import yaml

ALL_VENDORS = ("didww", "telnyx", "yeti", "mor", "yeastar")


class SettingsError(ValueError):
    """A setting has a bad value; the message names it (as the user wrote it, once
    ``from_sources`` knows where it came from: ``--port``, ``MOCKCDR_PORT``, a config file)."""

    def __init__(self, message: str, setting: str | None = None):
        super().__init__(message)
        self.setting = setting if setting is not None else message.split(":", 1)[0]
        self.detail = message.split(":", 1)[1].strip() if ":" in message else message

    def named(self, label: str) -> "SettingsError":
        return SettingsError(f"{label}: {self.detail}", self.setting)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: str = "mockcdr"
    fixtures: str | None = None           # a YAML file or folder over the embedded defaults
    vendors: tuple[str, ...] = ALL_VENDORS
    vendor_ports: Mapping[str, int] = field(default_factory=dict)
    access_log: bool = False
    log_format: str = "text"              # text or json (mockcdr.logs)
    threads: int = 8
    max_body: int = 1024 * 1024
    idle_timeout: float = 30.0            # seconds a connection may go without a byte read or written
    header_timeout: float = 10.0          # seconds from a request's first byte to the end of its headers
    shutdown_grace: float = 5.0           # seconds requests in flight get after SIGTERM
    calls_per_day: int = 40
    render_cache_mb: int = 256            # rendered export days kept for repeats (LRU); 0 turns it off
    journal_size: int = 1000
    journal_body_limit: int = 2048
    clock_start: str | None = None        # ISO instant the virtual clock starts at (and resets to)
    clock_frozen: bool = False
    callback_timeout: float = 5.0
    # test mode: check every response against the shipped specs (default: $MOCKCDR_VALIDATE_RESPONSES)
    validate_responses: bool = field(default_factory=lambda: _bool(
        "validate_responses", os.environ.get("MOCKCDR_VALIDATE_RESPONSES", "")))
    session_ttl: float = 1800.0           # seconds a session may stay idle before it is removed
    max_sessions: int = 1000              # sessions live at once (the default one not counted)
    max_snapshot: int = 256 * 1024 * 1024 # bytes a snapshot restore may carry (above max_body)
    token_grace: float = 3600.0           # seconds an expired token still reads as expired, then pruned
    # behind a proxy (deploy/nginx): whose X-Forwarded-* headers count, this process's name, its peers
    trusted_proxies: tuple[str, ...] = () # addresses or networks (CIDR), or "*"; empty: none
    allowed_hosts: tuple[str, ...] = ()   # Host names the control API answers to (core.guard.Hosts)
    node: str | None = None               # generated session ids start with "<node>."
    cluster: Mapping[str, str] = field(default_factory=dict)   # node name -> URL the nodes reach it at
    timings: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    vendor_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # the bearer token every control call but health and the specs must carry (None: no token)
    control_token: str | None = None

    def with_(self, **changes) -> "Settings":
        return validate(replace(self, **changes))


_CASTS = {
    "port": int, "threads": int, "max_body": int, "calls_per_day": int, "render_cache_mb": int, "journal_size": int,
    "journal_body_limit": int, "callback_timeout": float,
    "session_ttl": float, "max_sessions": int, "max_snapshot": int, "token_grace": float,
    "idle_timeout": float, "header_timeout": float, "shutdown_grace": float,
}
_BOOLS = ("access_log", "clock_frozen", "validate_responses")
_WORDS = {"int": "a whole number", "float": "a number"}
LOG_FORMATS = ("text", "json")


def _bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name}: {value!r} is not a boolean (use true or false)")


def _pairs(setting: str, value, shape: str) -> list[tuple[str, str]]:
    """``a=1,b=2`` (or a mapping) -> ``[("a", "1"), ("b", "2")]`` in the order given; a part
    without ``=`` is refused naming the setting and the ``shape`` it should have."""
    if isinstance(value, Mapping):
        return [(str(k), str(v)) for k, v in value.items()]
    items = []
    for part in (p.strip() for p in str(value or "").split(",")):
        if not part:
            continue
        if "=" not in part:
            raise SettingsError(f"{setting}: {part!r} must look like {shape}")
        key, val = part.split("=", 1)
        items.append((key.strip(), val.strip()))
    return items


def parse_vendor_ports(value) -> dict[str, int]:
    """``didww=8081,yeti=8082`` (or a mapping) -> ``{"didww": 8081, "yeti": 8082}``."""
    out = {}
    for slug, port in _pairs("vendor_ports", value, "slug=PORT"):
        try:
            out[slug] = int(port)
        except (TypeError, ValueError):
            raise SettingsError(f"vendor_ports: port for {slug!r} must be an integer") from None
    return out


def parse_cluster(value) -> dict[str, str]:
    """``n1=http://10.0.0.5:8080,n2=http://10.0.0.6:8080`` (or a mapping) -> ``{"n1": "http://...", ...}``,
    in the order given (the first node serves the root URL behind the proxy)."""
    out: dict[str, str] = {}
    for name, url in _pairs("cluster", value, "NODE=URL"):
        if name in out:
            raise SettingsError(f"cluster: node {name!r} is named twice")
        out[name] = url.rstrip("/")
    return out


def coerce(name: str, value) -> Any:
    """Turn a raw (string) value for a setting into its type; raise SettingsError naming it."""
    if name in _CASTS:
        try:
            return _CASTS[name](value)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: {value!r} is not {_WORDS[_CASTS[name].__name__]}") from None
    if name in _BOOLS:
        return _bool(name, value)
    if name == "vendors":
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return tuple(v.strip() for v in items if str(v).strip())
    if name == "vendor_ports":
        return parse_vendor_ports(value)
    if name in ("trusted_proxies", "allowed_hosts"):
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return tuple(str(v).strip() for v in items if str(v).strip())
    if name == "cluster":
        return parse_cluster(value)
    if name == "node":
        return str(value).strip() or None
    if name == "seed":
        return str(value)
    if name == "control_token" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)       # a YAML config may read a token of digits as a number
    return value


_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")       # RFC 6750 b64token: fits a header as it is


def validate(s: Settings) -> Settings:
    if s.control_token is not None:
        if not isinstance(s.control_token, str):
            raise SettingsError("control_token: must be a string")
        if not _TOKEN.fullmatch(s.control_token) or len(s.control_token) > 4096:
            raise SettingsError("control_token: use letters, digits and - . _ ~ + / (a bearer token "
                                "as RFC 6750 writes it)")
    unknown = [v for v in s.vendors if v not in ALL_VENDORS]
    if unknown:
        raise SettingsError(f"vendors: unknown {', '.join(unknown)}; known: {', '.join(ALL_VENDORS)}")
    for slug, port in s.vendor_ports.items():
        if slug not in s.vendors:
            raise SettingsError(f"vendor_ports: {slug!r} is not a served vendor")
        if not 0 <= port <= 65535:
            raise SettingsError(f"vendor_ports: {port} is not a TCP port (0-65535)")
    if not 0 <= s.port <= 65535:
        raise SettingsError(f"port: {s.port} is not a TCP port (0-65535; 0 picks a free one)")
    if s.log_format not in LOG_FORMATS:
        raise SettingsError(f"log_format: {s.log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    for name, low in (("threads", 1), ("max_body", 1024), ("journal_size", 1),
                      ("journal_body_limit", 0), ("calls_per_day", 0),
                      ("render_cache_mb", 0)):
        if getattr(s, name) < low:
            raise SettingsError(f"{name}: must be at least {low}")
    for name in ("session_ttl", "token_grace", "shutdown_grace"):
        if getattr(s, name) < 0:
            raise SettingsError(f"{name}: must be at least 0 seconds")
    for name in ("idle_timeout", "header_timeout"):
        if getattr(s, name) <= 0:
            raise SettingsError(f"{name}: must be more than 0 seconds")
    if s.max_sessions < 0:
        raise SettingsError("max_sessions: must be at least 0")
    if s.max_snapshot < s.max_body:
        raise SettingsError(f"max_snapshot: must be at least max_body ({s.max_body})")
    _validate_cluster(s)
    if s.clock_start is not None:
        from .core.clock import check_instant, parse_instant

        try:
            check_instant(parse_instant(s.clock_start))
        except ValueError as exc:
            raise SettingsError(f"clock_start: {exc}") from None
    _check_timings(s.timings)
    return s


def _check_timings(timings) -> None:
    """``timings``: job kind -> state -> seconds, each from 0 to 100 years."""
    from .core.clock import check_span

    if not isinstance(timings, Mapping):
        raise SettingsError("timings: must map job kinds to {state: seconds}")
    for kind, states in timings.items():
        if not isinstance(states, Mapping):
            raise SettingsError(f"timings.{kind}: must map states to seconds")
        for state, seconds in states.items():
            try:
                check_span(seconds, f"timings.{kind}.{state}")
            except ValueError as exc:
                raise SettingsError(str(exc)) from None


NODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")


def _validate_cluster(s: Settings) -> None:
    for entry in s.trusted_proxies:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(f"trusted_proxies: {entry!r} is not an IP address, a network "
                                f"(CIDR, e.g. 10.0.0.0/8) or *") from None
    for name in ([s.node] if s.node is not None else []) + list(s.cluster):
        if not NODE_PATTERN.fullmatch(name):
            raise SettingsError(f"node: {name!r} must be 1-16 characters of A-Z a-z 0-9 _ - "
                                f"(no dot: generated session ids are <node>.<hex>)")
    for name, url in s.cluster.items():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(f"cluster: {name}={url!r} is not an http(s) URL")
    if s.cluster and s.node is None:
        raise SettingsError("node: required with cluster (which of the cluster's nodes this process is)")
    if s.cluster and s.node not in s.cluster:
        raise SettingsError(f"node: {s.node!r} is not one of the cluster's nodes ({', '.join(s.cluster)})")


NAMES = tuple(f.name for f in fields(Settings))


def from_sources(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
                 config: str | None = None, cli_labels: Mapping[str, str] | None = None) -> Settings:
    """Defaults < config file (``MOCKCDR_CONFIG`` or ``config``) < environment < CLI flags.

    A bad value raises SettingsError naming it where it came from: the flag (``cli_labels``,
    default ``--setting-name``), the ``MOCKCDR_*`` variable, or the config file and key. A
    ``MOCKCDR_*`` variable that is set but empty is refused rather than read as a value.
    """
    env = os.environ if env is None else env
    labels = dict(cli_labels or {})
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}

    def put(name: str, raw, label: str) -> None:
        try:
            values[name] = coerce(name, raw)
        except SettingsError as exc:
            raise exc.named(label) from None
        origin[name] = label

    for name in ("config", *NAMES):
        var = f"MOCKCDR_{name.upper()}"
        if var in env and not str(env[var]).strip():
            raise SettingsError(f"{var}: set but empty; give it a value or unset it", name)
    config_label = labels.get("config", "--config")
    config = config or (cli or {}).get("config")
    if not config and env.get("MOCKCDR_CONFIG"):
        config, config_label = env["MOCKCDR_CONFIG"], "MOCKCDR_CONFIG"
    if config:
        try:
            data = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SettingsError(f"{config_label}: cannot read {config}: {exc}", "config") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{config_label}: {config} must be a mapping of settings", "config")
        bad = sorted(set(data) - set(NAMES))
        if bad:
            raise SettingsError(f"{config_label}: {config} has unknown settings {', '.join(bad)}; "
                                f"known: {', '.join(NAMES)}", "config")
        for name, raw in data.items():
            put(name, raw, f"{config}: {name}")
    for name in NAMES:
        raw = env.get(f"MOCKCDR_{name.upper()}")
        if raw is not None and name not in ("timings", "vendor_options"):
            put(name, raw, f"MOCKCDR_{name.upper()}")
    for name, value in (cli or {}).items():
        if name in NAMES and value is not None:
            put(name, value, labels.get(name, "--" + name.replace("_", "-")))
    try:
        return validate(Settings(**values))
    except SettingsError as exc:
        raise exc.named(origin.get(exc.setting, exc.setting)) from None
