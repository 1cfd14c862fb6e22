"""Self-validation (test mode): every response to a spec'd operation is checked against its spec."""
from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from urllib.parse import urlsplit

import yaml

from . import resources

VIOLATIONS: list["SpecViolation"] = []        # drained by the pytest plugin after each test
_DROP = {"example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "readOnly",
         "writeOnly", "nullable", "format"}
_JSON = re.compile(r"^application/(.+\+)?json$")


class SpecViolation(AssertionError):
    """A response the spec does not describe."""


def to_json_schema(node, root: dict, depth: int = 0):
    """An OpenAPI 3.0 schema as JSON Schema (draft 4): $refs inlined, ``nullable`` honoured."""
    if depth > 60:
        raise ValueError("schema nesting too deep (recursive $ref?)")
    if isinstance(node, list):
        return [to_json_schema(n, root, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return to_json_schema(target, root, depth + 1)
    out = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {k: to_json_schema(v, root, depth + 1) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value, root, depth + 1)
        else:
            out[key] = value
    if node.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = types + ["null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
        if not {"type", "enum"} & set(out):
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    """One spec's operations, matched by method and concrete path."""

    def __init__(self, doc: dict):
        self.doc = doc
        servers = doc.get("servers") or [{"url": ""}]
        base = urlsplit(servers[0].get("url", "")).path.rstrip("/")
        self.paths = []   # (regex, literal length, template, path item), most literal first
        for template, item in (doc.get("paths") or {}).items():
            pattern = re.escape(base + template)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            self.paths.append((re.compile(f"^{pattern}$"), literal, template, item))
        self.paths.sort(key=lambda p: -p[1])
        self._validators: dict = {}
        self._lock = threading.Lock()

    def match(self, method: str, path: str):
        """(template, operation) as OpenAPI matches it: the most concrete path first, then the
        method. None when no path matches, or when the path has no such method (an unsupported
        method is not an operation the spec describes)."""
        for candidate in (path, path.rstrip("/") or "/"):
            for regex, _literal, template, item in self.paths:
                if regex.match(candidate):
                    op = item.get(method.lower())
                    return (template, op) if isinstance(op, dict) else None
        return None

    def _validator(self, key, schema):
        with self._lock:
            if key not in self._validators:
                import jsonschema_rs

                self._validators[key] = jsonschema_rs.Draft4Validator(to_json_schema(schema, self.doc))
            return self._validators[key]

    def problems(self, template: str, op: dict, method: str, status: int, content_type: str | None,
                 body: bytes | None) -> list[str]:
        responses = op.get("responses") or {}
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if declared is None:
            return [f"status {status} is not documented (documented: {', '.join(sorted(responses))})"]
        declared = _resolve(declared, self.doc)
        content = declared.get("content") or {}
        mime = (content_type or "").split(";")[0].strip().lower()
        if not content:
            if body:
                return [f"status {status} documents no body but {len(body)} bytes came ({mime or 'no type'})"]
            return []
        if not mime and body == b"":
            return [f"status {status} documents a body ({', '.join(content)}) but none came"]
        media = _media(content, mime)
        if media is None:
            return [f"content type {mime!r} is not documented for {status} (documented: {', '.join(content)})"]
        if body is None or not _JSON.match(mime) or "schema" not in content[media]:
            return []
        try:
            instance = json.loads(body) if body else None
        except ValueError:
            return [f"the {status} body is not the JSON its content type says"]
        validator = self._validator((method, template, status, media), content[media]["schema"])
        errors = [str(e).split("\n")[0] for e in validator.iter_errors(instance)]
        return [f"body of {status} does not match the schema: {e}" for e in errors[:3]]


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _media(content: dict, mime: str) -> str | None:
    """The declared media type key that covers ``mime`` (parameters such as charset ignored)."""
    if mime in content:
        return mime
    for declared in content:
        d = declared.split(";")[0].strip().lower()
        if d == mime:
            return declared
        if d == "*/*" or (d.endswith("/*") and mime.startswith(d[:-1])):
            return declared
    return None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when present: 8x faster


@lru_cache(maxsize=None)
def load_spec(name: str) -> Spec:
    """A spec parsed once per process (validation and the coverage catalogue share it)."""
    return Spec(yaml.load(resources.spec_path(name).read_text(encoding="utf-8"), Loader=_LOADER))


def check(spec_name: str, method: str, path: str, status: int, content_type: str | None,
          body: bytes | None, record: bool = True) -> SpecViolation | None:
    """A SpecViolation if the response is not what the spec says for this operation, else None.

    Requests to paths the spec has no operation for are not judged (nothing describes them).
    ``body=None`` means the body was streamed and is not checked, only status and type.
    """
    try:
        spec = load_spec(spec_name)
    except FileNotFoundError:
        return None
    matched = spec.match(method, path)
    if matched is None:
        return None
    template, op = matched
    problems = spec.problems(template, op, method, status, content_type, body)
    if not problems:
        return None
    violation = SpecViolation(f"{spec_name}: {method} {path} ({op.get('operationId', template)}): "
                              + "; ".join(problems))
    if record:
        VIOLATIONS.append(violation)
    return violation
