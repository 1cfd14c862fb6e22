"""Export files: the gzip CSV a completed export downloads as, and ``mockcdr generate didww``."""
from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

from mockcdr.core.dayrender import Export, segments, us
from mockcdr.core.deflate import gzip_stream
from mockcdr.core.ids import derive_uuid
from mockcdr.core.vendor import FileOut, GenerateRequest

from . import fixtures, formats
from .filters import EXPORT_TYPES
from .versions import KNOWN_VERSIONS, is_legacy

CONTENT_TYPE = "application/octet-stream"
OPEN_ENDED = timedelta(days=3660)     # how far ``--rows`` without ``--to`` may look
GENERATE_PARAMS = ("export_type", "api_version", "did_number", "voice_out_trunk.id", "file_id")
GENERATE_FORMATS = EXPORT_TYPES + KNOWN_VERSIONS


def export_file(rt, customer: fixtures.Customer, *, export_type: str, version: str, start: datetime,
                end: datetime, file_id: str, did_number: str | None = None, trunk_id: str | None = None,
                limit: int | None = None, headers: dict | None = None) -> FileOut:
    """Calls of the customer's tenant with ``start <= time_start < end``, in the layout of
    ``version`` (the version the export was created under), gzip-compressed, streamed."""
    tenant = rt.tenant(customer.tenant)
    legacy = is_legacy(version)
    out_columns = fixtures.option(rt, "legacy_cdr_out_columns")
    header, rows, keep = formats.layout(
        export_type, legacy, rt.universe.shapes(tenant), did_number=did_number,
        trunk_id=trunk_id, home_country=tenant.country, customer_id=customer.customer_id,
        legacy_out_columns=out_columns)

    def render(calls):      # every call the shape filter keeps is one line
        return rows(calls), calls.start
    ex = Export(key=("didww", export_type, legacy, did_number, trunk_id, customer.customer_id,
                     tuple(out_columns) if out_columns else None), tenant=tenant, render=render, keep=keep)
    body = segments(rt, ex, us(start), us(end), limit, head=formats.header_line(header).encode())
    return FileOut(f"{file_id}.csv.gz", CONTENT_TYPE, gzip_stream(body),
                   headers={"Content-Transfer-Encoding": "binary", **(headers or {})}, compressed=True)


def for_job(rt, job: dict) -> FileOut:
    """The file of a completed export: its window, cut at the moment the export was requested."""
    a = job["attrs"]
    customer = rt.state[fixtures.SLUG].by_name[a["customer"]]
    done = next((t["at"] for t in reversed(job["timeline"]) if t["state"] == "completed"), job["entered_at"])
    return export_file(rt, customer, export_type=a["export_type"], version=a["created_version"],
                       start=a["start"], end=min(a["end"], job["created_at"]), file_id=a["file_id"],
                       did_number=a["did_number"], trunk_id=a["trunk_id"],
                       headers={"Last-Modified": format_datetime(done, usegmt=True)})


def _customer(rt, wanted: str | None) -> fixtures.Customer:
    state = rt.state[fixtures.SLUG]
    if wanted is None:
        return state.by_name[sorted(state.by_name)[0]]
    found = state.by_name.get(wanted) or state.by_key.get(wanted)
    if found is None:
        found = next((c for _, c in sorted(state.by_name.items()) if c.tenant == wanted), None)
    if found is None:
        raise ValueError(f"didww: no customer, API key or tenant {wanted!r}; customers: "
                         f"{', '.join(sorted(state.by_name))}")
    return found


def generate(rt, req: GenerateRequest) -> FileOut:
    """What a download of an equivalent export would serve: ``format`` is ``cdr_in``/``cdr_out``
    or an API version; params ``export_type``, ``api_version``, ``did_number``,
    ``voice_out_trunk.id`` and ``file_id`` (default: derived from the parameters)."""
    customer = _customer(rt, req.tenant)
    params = dict(req.params)
    if req.format in KNOWN_VERSIONS:
        params.setdefault("api_version", req.format)
    elif req.format is not None:
        params.setdefault("export_type", req.format)
    export_type = params.get("export_type", "cdr_in")
    version = params.get("api_version", customer.default_api_version)
    if export_type not in EXPORT_TYPES:
        raise ValueError(f"didww: export type must be one of {', '.join(EXPORT_TYPES)}, not {export_type!r}")
    if version not in KNOWN_VERSIONS:
        raise ValueError(f"didww: api_version must be one of {', '.join(KNOWN_VERSIONS)}, not {version!r}")
    end = req.end or req.start + OPEN_ENDED
    file_id = params.get("file_id") or derive_uuid(rt.seed, "didww.generate", customer.name, export_type,
                                                   version, req.start.isoformat(), end.isoformat())
    return export_file(rt, customer, export_type=export_type, version=version, start=req.start, end=end,
                       file_id=file_id, did_number=params.get("did_number"),
                       trunk_id=params.get("voice_out_trunk.id"), limit=req.limit)


def render_file(rt, params: dict) -> FileOut:
    """Re-create an export's file from ``{"export": <id>}``."""
    job = rt.lifecycle.get(params["export"])
    if job is None:
        raise ValueError(f"didww: no export {params['export']!r}")
    return for_job(rt, job)
