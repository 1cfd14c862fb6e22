"""The export resource as each API version shows it, with sparse fieldsets."""
from __future__ import annotations

from mockcdr.core.clock import iso

from . import errors
from .versions import is_legacy, method_word, status_word

TYPE = "exports"
LEGACY_FIELDS = ("status", "created_at", "url", "callback_url", "callback_method", "export_type")
MODERN_FIELDS = LEGACY_FIELDS + ("external_reference_id", "filters")


def field_names(version: str) -> tuple[str, ...]:
    return LEGACY_FIELDS if is_legacy(version) else MODERN_FIELDS


def file_url(base: str, job: dict) -> str:
    return f"{base}/v3/exports/{job['attrs']['file_id']}.csv.gz"


def attributes(job: dict, version: str, base: str) -> dict:
    """Status and callback method in the request's version's words; ``filters`` and
    ``external_reference_id`` only from 2026-04-16 on; ``url`` only once completed."""
    a = job["attrs"]
    state = job["state"]
    out = {
        "status": status_word(state, version),
        "created_at": iso(job["created_at"]),
        "url": file_url(base, job) if state == "completed" else None,
        "callback_url": a["callback_url"],
        "callback_method": method_word(a["callback_method"], version),
        "export_type": a["export_type"],
    }
    if not is_legacy(version):
        out["external_reference_id"] = a["external_reference_id"]
        out["filters"] = dict(a["filters"])
    return out


def resource(job: dict, version: str, base: str, fields: set[str] | None = None) -> dict:
    attrs = attributes(job, version, base)
    if fields is not None:
        attrs = {k: v for k, v in attrs.items() if k in fields}
    return {"id": job["id"], "type": TYPE, "attributes": attrs}


def document(job: dict, version: str, base: str, fields: set[str] | None = None) -> dict:
    return {"data": resource(job, version, base, fields), "meta": {"api_version": version}}


def parse_fields(args, version: str) -> set[str] | None:
    """``fields[exports]=a,b`` (jsonapi-resources checks the type and every field name)."""
    chosen = None
    for key in args:
        if key == "fields":
            raise errors.bad_request("Invalid field format", "Fields must specify a type.",
                                     errors.INVALID_FIELD_FORMAT)
        if not key.startswith("fields["):
            continue
        kind = key[len("fields["):-1] if key.endswith("]") else key
        if kind != TYPE:
            raise errors.bad_request("Invalid resource", f"{kind} is not a valid resource.",
                                     errors.INVALID_RESOURCE)
        value = args.get(key, "")
        names = value.split(",") if value else []
        allowed = field_names(version)
        for name in names:
            if name not in allowed and name != "id":
                raise errors.bad_request("Invalid field", f"{name} is not a valid field for {TYPE}.",
                                         errors.INVALID_FIELD)
        chosen = set(names)
    return chosen


def check_include(args) -> None:
    """Exports have no relationships, so any ``include`` is refused."""
    value = args.get("include") if "include" in args else None   # a miss costs werkzeug an exception
    if value:
        first = value.split(",")[0].strip()
        raise errors.bad_request("Invalid field", f"{first} is not a valid relationship of {TYPE}",
                                 errors.INVALID_INCLUDE)
