"""A cluster behind a proxy (Settings.cluster): every node's sessions in one list, and each node's health."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any, Callable

from .sessions import PREFIX

PEER_TIMEOUT = 3.0          # seconds a node waits for a peer before naming it unreachable
UNREACHABLE_HEADER = "Mockcdr-Unreachable-Nodes"
SCOPES = ("cluster", "node")


def primary(settings) -> str | None:
    """The node that serves the root URL (the default session) behind the proxy: the first."""
    return next(iter(settings.cluster), None)


def _get(url: str, timeout: float, token: str | None = None) -> Any:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"      # the nodes share one control token
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    return str(exc) or type(exc).__name__


def ask_peers(settings, path: str, timeout: float = PEER_TIMEOUT,
              get: Callable[..., Any] = _get) -> dict[str, tuple[bool, Any]]:
    """``GET {url}{path}`` on every other node at once: node -> (True, JSON) or (False, reason)."""
    out: dict[str, tuple[bool, Any]] = {}
    lock = threading.Lock()

    def ask(name: str, url: str) -> None:
        try:
            result = (True, get(url + path, timeout, getattr(settings, "control_token", None)))
        except Exception as exc:       # refused, timed out, not JSON: the node is unreachable
            result = (False, _reason(exc))
        with lock:
            out[name] = result

    threads = [threading.Thread(target=ask, args=(name, url), daemon=True)
               for name, url in settings.cluster.items() if name != settings.node]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 1)
    for name in settings.cluster:
        if name != settings.node and name not in out:
            out[name] = (False, f"no answer within {timeout:g} s")
    return out


def merged_sessions(settings, own: list[dict], host_url: str,
                    ask: Callable[..., dict] | None = None) -> tuple[list[dict], dict[str, str]]:
    """Every node's sessions as the proxy serves them: the primary's default session first, then
    every other session by creation time, each with its ``node`` and its ``base_url`` at the
    proxy. Returns (sessions, unreachable nodes with the reason)."""
    first = primary(settings)
    found: list[dict] = []
    unreachable: dict[str, str] = {}
    answers = {settings.node: (True, own), **(ask or ask_peers)(settings, "/_mockcdr/sessions?scope=node")}
    for name in settings.cluster:
        ok, data = answers.get(name, (False, "not asked"))
        if not ok or not isinstance(data, list):
            unreachable[name] = data if not ok else "answered something that is not a list of sessions"
            continue
        for doc in data:
            if not isinstance(doc, dict) or "id" not in doc:
                continue
            if doc.get("default") and name != first:
                continue            # the proxy serves only the primary's default session
            doc = dict(doc, node=name)
            doc["base_url"] = host_url if doc.get("default") else f"{host_url}{PREFIX}{doc['id']}"
            found.append(doc)
    found.sort(key=lambda d: (not d.get("default"), str(d.get("created", "")), d["id"]))
    return found, unreachable


def node_status(settings, sessions_live: int, url: str, version: str) -> dict:
    """This node, as ``GET /_mockcdr/cluster`` lists it."""
    return {"node": settings.node, "url": settings.cluster.get(settings.node, url) if settings.node else url,
            "primary": not settings.cluster or settings.node == primary(settings),
            "status": "ok", "sessions": sessions_live, "version": version}


def cluster_status(settings, own: dict, ask: Callable[..., dict] | None = None) -> dict:
    """Every node's status (``ok`` or ``unreachable`` with the reason), this one included; the
    whole is ``ok`` only when every node answered."""
    nodes = [own]
    if settings.cluster:
        answers = (ask or ask_peers)(settings, "/_mockcdr/cluster?scope=node")
        nodes = []
        for name, url in settings.cluster.items():
            if name == settings.node:
                nodes.append(own)
                continue
            ok, data = answers.get(name, (False, "not asked"))
            entry = data.get("nodes", [None])[0] if ok and isinstance(data, dict) else None
            if isinstance(entry, dict):
                nodes.append(dict(entry, node=name, url=url, primary=name == primary(settings)))
            else:
                nodes.append({"node": name, "url": url, "primary": name == primary(settings),
                              "status": "unreachable", "error": data if not ok else "unexpected answer"})
    status = "ok" if all(n["status"] == "ok" for n in nodes) else "degraded"
    return {"status": status, "node": settings.node, "nodes": nodes}
