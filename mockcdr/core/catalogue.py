"""What a vendor documents: its spec's operations and responses, and the response kinds it declares."""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import urlsplit

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class ResponseKind:
    """One kind a vendor's responses of one status come in, as the client can tell them apart: a
    JSON:API or Telnyx error code, a Yeastar errno, a MOR message. ``operations`` names the
    operations that can answer with it (empty: every operation documenting ``status``)."""
    status: int
    kind: str
    title: str
    operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseKinds:
    """A vendor's declaration (``Vendor.response_kinds``): every kind the mock can produce, and
    ``read(status, body)``, the kinds one response shows (``body`` is None when it was streamed).
    ``read`` runs only for the (operation, status) pairs that have kinds."""
    kinds: tuple[ResponseKind, ...]
    read: Callable[[int, bytes | None], Sequence[str]]


def json_body(body: bytes | None):
    """A response body as JSON, or None (streamed, empty or not JSON): for ``read`` functions."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


_KEYS: dict[str, bytes] = {}


def string_values(body: bytes | None, field: str) -> list[str]:
    """Every ``"field":"value"`` string of a compact JSON body the mock wrote itself, found with
    ``bytes.find`` instead of parsing the body (it runs on the request path); values with escapes
    are returned as written."""
    if not body:
        return []
    key = _KEYS.get(field)
    if key is None:
        key = _KEYS.setdefault(field, b'"' + field.encode() + b'":"')
    out = []
    at = body.find(key)
    while at >= 0:
        start = end = at + len(key)
        while True:
            end = body.find(b'"', end)
            if end < 0:
                return out
            slashes = 0
            while body[end - 1 - slashes] == 92:        # a quote after an odd run of backslashes is escaped
                slashes += 1
            if slashes % 2 == 0:
                break
            end += 1
        out.append(body[start:end].decode("utf-8", "replace"))
        at = body.find(key, end + 1)
    return out


def error_codes(body: bytes | None, field: str = "code") -> list[str]:
    """``code`` of each error object (JSON:API and Telnyx ``{"errors": [...]}`` envelopes)."""
    return string_values(body, field)


@dataclass(frozen=True)
class DocumentedResponse:
    status: str                              # as the spec keys it: "200", "4XX" or "default"
    description: str
    kinds: tuple[ResponseKind, ...] = ()

    @property
    def catch_all(self) -> bool:
        """``default`` is "anything else" (faults, server errors): shown, not counted as a goal."""
        return self.status == "default"


@dataclass(frozen=True)
class DocumentedOperation:
    id: str
    method: str
    path: str                                # the spec's path template
    responses: tuple[DocumentedResponse, ...]
    _by_status: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_status.update((r.status, r) for r in self.responses)

    def response_for(self, status: int) -> DocumentedResponse | None:
        """The response OpenAPI matches a status to: exact, then ``4XX``, then ``default``."""
        by = self._by_status
        code = str(status)
        return by.get(code) or by.get(f"{code[:1]}XX") or by.get("default")


def _resolve(node, root: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node if isinstance(node, dict) else {}


def _first_line(text) -> str:
    return str(text or "").strip().split("\n", 1)[0]


class Catalogue:
    """One vendor's documented surface: operations in spec order, each with its responses and the
    kinds the vendor declares for them. Built once per process per vendor (``catalogue()``)."""

    def __init__(self, slug: str, title: str, doc: dict | None, kinds: ResponseKinds | None = None):
        self.slug = slug
        self.title = title
        self.read = kinds.read if kinds is not None else None
        declared = kinds.kinds if kinds is not None else ()
        doc = doc or {}
        bases = [urlsplit(s.get("url", "")).path.rstrip("/") for s in doc.get("servers") or [{"url": ""}]]
        operations, paths = [], []
        for template, item in (doc.get("paths") or {}).items():
            item = _resolve(item, doc)
            for method, op in item.items():       # in the spec's order
                if method not in METHODS or not isinstance(op, dict) or not op.get("operationId"):
                    continue        # what has no operationId (a CORS preflight) is not an operation
                responses = []
                for status, body in (op.get("responses") or {}).items():
                    body = _resolve(body, doc)
                    mine = tuple(k for k in declared if str(k.status) == str(status)
                                 and (not k.operations or op["operationId"] in k.operations))
                    responses.append(DocumentedResponse(str(status), _first_line(body.get("description")), mine))
                operations.append(DocumentedOperation(op["operationId"], method.upper(), template,
                                                      tuple(responses)))
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            for base in bases:
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(base + template))
                paths.append((literal, re.compile(f"^{pattern}/?$"), template))
        self.operations: tuple[DocumentedOperation, ...] = tuple(operations)
        self.by_id = {op.id: op for op in operations}
        self._paths = [(regex, template) for _, regex, template in sorted(paths, key=lambda p: -p[0])]
        self.reads = frozenset((op.id, int(r.status)) for op in operations for r in op.responses
                               if r.kinds and r.status.isdigit())
        self._check(declared)

    def _check(self, declared: tuple[ResponseKind, ...]) -> None:
        """A declared kind must name known operations, each documenting its status."""
        for kind in declared:
            for name in kind.operations:
                op = self.by_id.get(name)
                if op is None:
                    raise ValueError(f"{self.slug}: kind {kind.kind} names operation {name!r}, "
                                     f"which its spec does not have")
                if not any(r.status == str(kind.status) for r in op.responses):
                    raise ValueError(f"{self.slug}: kind {kind.kind} is declared for {name} {kind.status}, "
                                     f"a status its spec does not document")

    def template_of(self, path: str) -> str | None:
        """The spec path template a concrete request path falls under (the most literal first)."""
        for regex, template in self._paths:
            if regex.match(path):
                return template
        return None


_CATALOGUES: dict[int, tuple[object, Catalogue]] = {}
_LOCK = threading.Lock()


def catalogue(vendor) -> Catalogue:
    """The Catalogue of a Vendor, built on first use and kept for the process (vendors live as long)."""
    found = _CATALOGUES.get(id(vendor))
    if found is not None and found[0] is vendor:
        return found[1]
    from ..contract import load_spec

    name = vendor.spec[:-5] if vendor.spec.endswith(".yaml") else vendor.spec
    try:
        doc = load_spec(name).doc
    except FileNotFoundError:
        doc = None
    built = Catalogue(vendor.slug, vendor.title, doc, getattr(vendor, "response_kinds", None))
    with _LOCK:
        _CATALOGUES[id(vendor)] = (vendor, built)
    return built
