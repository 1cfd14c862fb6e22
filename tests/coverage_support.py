"""Reading coverage documents in tests: hits of an operation, a response or a kind; the declared kinds."""
from __future__ import annotations

from mockcdr.control_client import ControlClient


def coverage(app, vendor: str | None = None) -> dict:
    """The coverage document of an in-process app's root session, through the control API."""
    return ControlClient.for_app(app).get_coverage(vendor)


def operation(doc: dict, vendor: str, name: str) -> dict:
    v = next(v for v in doc["vendors"] if v["vendor"] == vendor)
    return next(op for op in v["operations"] if op["operation"] == name)


def hits(doc: dict, vendor: str, name: str, status: str | int | None = None, kind: str | None = None) -> int:
    """Requests of an operation, or of one of its documented responses, or of one kind of it."""
    op = operation(doc, vendor, name)
    if status is None:
        return op["hits"]
    response = next(r for r in op["responses"] if r["status"] == str(status))
    if kind is None:
        return response["hits"]
    return next(k["hits"] for k in response["kinds"] if k["kind"] == kind)


def hit_map(doc: dict, vendor: str) -> dict:
    """{(operation, status[, kind]): hits} of every response and kind that was reached."""
    out = {}
    v = next(v for v in doc["vendors"] if v["vendor"] == vendor)
    for op in v["operations"]:
        for r in op["responses"]:
            if r["hits"]:
                out[(op["operation"], r["status"])] = r["hits"]
            for k in r.get("kinds", ()):
                if k["hits"]:
                    out[(op["operation"], r["status"], k["kind"])] = k["hits"]
    return out


def declared(vendor_obj) -> set[tuple[int, str]]:
    """(status, kind) of every response kind a vendor declares."""
    return {(k.status, k.kind) for k in vendor_obj.response_kinds.kinds}


def declared_for(vendor_obj, operation_id: str) -> set[tuple[int, str]]:
    return {(k.status, k.kind) for k in vendor_obj.response_kinds.kinds
            if not k.operations or operation_id in k.operations}
