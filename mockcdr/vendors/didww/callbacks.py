"""Export callbacks: the ``X-DIDWW-Signature`` HMAC and queueing the call when an export completes."""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode, urlsplit

from . import fixtures

SIGNATURE_HEADER = "X-DIDWW-Signature"


def normalize_url(url: str) -> str:
    """``scheme://[user[:pass]@]host:PORT/path[?query][#fragment]`` with the port always written
    (80/443 by default) and IPv6 hosts in brackets, as DIDWW's validators rebuild it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    userinfo = ""
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{userinfo}{host}:{port}{parts.path}{query}{fragment}"


def signature(key: str, url: str, payload: dict[str, str]) -> str:
    """Lower-case hex HMAC-SHA1 of the normalized URL followed by ``key + value`` for every payload
    key in sorted order."""
    message = normalize_url(url) + "".join(k + payload[k] for k in sorted(payload))
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).hexdigest()


def request_url(url: str, method: str, payload: dict[str, str]) -> str:
    """The URL the callback is really sent to: a GET carries the payload in its query string
    (appended exactly as the core's HTTP sender appends it), and that full URL is what is signed."""
    if method.upper() != "GET":
        return url
    sep = "&" if urlsplit(url).query else "?"
    return url + sep + urlencode(payload)


def schedule(rt, job: dict) -> dict | None:
    """Queue the completion callback of ``job`` once (no callback_url: nothing to do)."""
    attrs = job["attrs"]
    url = attrs.get("callback_url")
    if not url or attrs.get("callback_queued"):
        return None
    customer = rt.state[fixtures.SLUG].by_name.get(job["tenant"])
    if customer is None:
        return None
    method = (attrs.get("callback_method") or fixtures.option(rt, "default_callback_method")).upper()
    payload = {"id": job["id"], "status": str(fixtures.option(rt, "callback_status")), "type": "exports"}
    signed = signature(customer.signing_key, request_url(url, method, payload), payload)
    attrs["callback_queued"] = True
    return rt.deliveries.enqueue_http(
        vendor=fixtures.SLUG, url=url, method=method, payload=payload,
        headers={SIGNATURE_HEADER: signed}, source={"export": job["id"]},
        backoff=tuple(fixtures.option(rt, "callback_backoff")))
