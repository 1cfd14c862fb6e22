"""X-Forwarded-* headers: honoured from trusted proxies only (werkzeug's ProxyFix behind an address check)."""
from __future__ import annotations

import ipaddress
from typing import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = "mockcdr.forwarded"     # environ key: True when a trusted proxy's headers were applied
_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def _unchanged(environ, start_response):
    return None


class TrustedProxies:
    """Applies a trusted proxy's ``X-Forwarded-For/-Proto/-Host/-Port/-Prefix`` to a WSGI environ,
    so every URL built from the request (``request.host``, ``request.scheme``, ``script_root``)
    is the one the client used at the proxy; strips those headers from anyone else.

    ``entries`` are IP addresses, networks in CIDR notation, or ``*`` (any peer: only where
    nothing but the proxy can reach this process). One proxy hop is trusted: the last value of
    each header, the one the proxy itself wrote, counts.
    """

    def __init__(self, entries: Iterable[str]):
        entries = tuple(entries)
        self.any = "*" in entries
        self.networks = tuple(ipaddress.ip_network(e, strict=False) for e in entries if e != "*")
        self._known: dict[str | None, bool] = {}
        self._fix = ProxyFix(_unchanged, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    def trusts(self, address: str | None) -> bool:
        if self.any:
            return True
        known = self._known.get(address)
        if known is None:
            if len(self._known) >= 1024:        # bounded: peers are few (the proxy), spoofers are not
                self._known.clear()
            known = self._known[address] = self._match(address)
        return known

    def _match(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address((address or "").strip("[]"))
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.networks)

    def __call__(self, environ: dict) -> None:
        if not any(h in environ for h in _HEADERS):
            return
        if not self.trusts(environ.get("REMOTE_ADDR")):
            for header in _HEADERS:
                environ.pop(header, None)
            return
        prefix = environ.get("HTTP_X_FORWARDED_PREFIX")
        if prefix is not None:
            last = prefix.split(",")[-1].strip().strip("/")
            environ["HTTP_X_FORWARDED_PREFIX"] = f"/{last}" if last else ""
        root = environ.get("SCRIPT_NAME", "")
        self._fix(environ, None)        # ProxyFix rewrites the environ in place
        if environ.get("SCRIPT_NAME") != root:   # the proxy's prefix, then whatever was mounted below it
            environ["SCRIPT_NAME"] = environ["SCRIPT_NAME"].rstrip("/") + root
        environ[FORWARDED] = True


def trusted_proxies(entries: Iterable[str]) -> TrustedProxies | None:
    entries = tuple(entries)
    return TrustedProxies(entries) if entries else None
