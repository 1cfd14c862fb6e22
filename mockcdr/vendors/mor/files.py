"""Export files: the recorded parameters of a run, and the CSV + archive they re-create byte for byte."""
from __future__ import annotations

from datetime import datetime, timedelta

from ...core.archives import archive_chunks, tgz_segments, zip_segments
from ...core.cdrs import Call, day_number
from ...core.clock import UTC, parse_instant
from ...core.csvout import cell_escaper, row_text
from ...core.dayrender import Export, segments, text_chunks, us
from ...core.fixtures import FixtureError
from ...core.vendor import FileOut, GenerateRequest
from .columns import SHAPE, header, shape_columns
from .filters import FILTER_KEYS, TenantView, shape_filter
from .rows import MISS, RowEnv, row_function, text_safe
from .options import opt
from .zones import MAPPING, tzinfo

CONTENT_TYPES = {"tgz": "application/gzip", "zip": "application/zip", "none": "text/csv"}
EXTENSIONS = {"tgz": ".tgz", "zip": ".zip", "none": ".csv"}
# the names of a call shape's fields, in order (a Call is its per-call values, then its shape)
SHAPE_FIELDS = Call._fields[Call._fields.index("shape_id") + 1:]
GENERATE_PARAMS = ("template_id", "timezone", "filename_prefix", "task_id") + FILTER_KEYS
OPEN_ENDED = timedelta(days=366)     # how far ``generate --rows`` without ``--to`` looks
US_PER_DAY = 86_400_000_000


def base_name(fmt: str, prefix: str, task_id, start: datetime, end: datetime, tz) -> str:
    """The file name without extension: ``{prefix}``, ``{task_id}``, ``{from}``, ``{till}``
    (local ``YYYYMMDDHHMMSS``; till is the last second the window covers)."""
    return fmt.format(prefix=prefix, task_id=task_id,
                      **{"from": start.astimezone(tz).strftime("%Y%m%d%H%M%S"),
                         "till": (end - timedelta(seconds=1)).astimezone(tz).strftime("%Y%m%d%H%M%S")})


def check_name_format(fmt) -> None:
    try:
        base_name(str(fmt), "P_", 1, datetime(2026, 1, 1, tzinfo=tzinfo("UTC")),
                  datetime(2026, 1, 2, tzinfo=tzinfo("UTC")), tzinfo("UTC"))
    except KeyError as exc:
        raise FixtureError(f"invalid fixtures:\n  mor.options.file_name_format: {{{exc.args[0]}}} is "
                           "not one of {prefix}, {task_id}, {from}, {till}") from None
    except (IndexError, ValueError) as exc:
        raise FixtureError(f"invalid fixtures:\n  mor.options.file_name_format: {exc}") from None


def params_for(rt, directory, task: dict, due: datetime, start: datetime, end: datetime) -> dict:
    """Everything needed to re-create a run's file, as JSON values (kept with the delivery)."""
    template = directory.templates[task["template_id"]]
    tz = tzinfo(task["timezone"])
    archive = task["archive_extension"]
    stem = base_name(str(opt(rt, "file_name_format")), task["filename_prefix"], task["id"],
                     start, end, tz)
    return {
        "task": task["id"], "tenant": task["tenant"], "template_id": template["id"],
        "window": {"from": start.isoformat(), "till": end.isoformat()},
        "run_at": due.isoformat(), "timezone": task["timezone"], "columns": list(template["columns"]),
        "query": dict(task["query"]), "archive": archive, "member": f"{stem}.csv",
        "filename": stem + EXTENSIONS[archive], "mtime": int(due.timestamp()),
        "separator": str(opt(rt, "csv_separator")), "decimal": str(opt(rt, "csv_decimal")),
        "provider_ratio": float(opt(rt, "provider_cost_ratio")),
    }


def shape_values(rt, tenant, columns: tuple[str, ...], query: dict, view: TenantView, escape=None,
                 runs=None, separator: str = ","):
    """(SV, fill): ``SV[shape_id]`` is a shape's shape-only column values, None if the filters
    drop it, or MISS until ``fill(shape_id)`` computes it on first use (a small window touches
    a few of the tenant's 4,096 shapes; a big one computes each once). ``escape``: a function
    the values go through (a CSV cell escaper, for rows written as text); ``runs``: (from, to)
    ranges of the values joined by ``separator`` into one (a row function's ``runs``)."""
    names = SHAPE_FIELDS
    keep = shape_filter(query, view)
    funcs = [SHAPE[k][1] for k in shape_columns(columns)]
    shapes = rt.universe.shapes(tenant)
    sv = [MISS] * len(shapes)

    def fill(shape_id: int):
        s = dict(zip(names, shapes[shape_id]))
        if keep is not None and not keep(s):
            value = None
        else:
            value = tuple(f(s, view) for f in funcs)
            if escape is not None:
                value = tuple(map(escape, value))
            if runs is not None:
                value = tuple(separator.join(value[i:j]) for i, j in runs)
        sv[shape_id] = value
        return value
    return sv, fill


def build(rt, params: dict, limit: int | None = None, stats: dict | None = None) -> FileOut:
    """The file of ``params`` (see ``params_for``); ``stats["lines"]`` counts CSV lines (the
    header included) once the file has been read, if given."""
    directory = rt.state["mor"]
    tenant = rt.tenant(params["tenant"])
    columns = tuple(params["columns"])
    decimal = params.get("decimal", ".")
    ratio = params.get("provider_ratio", 0.8)
    query = params.get("query") or {}
    view = TenantView(directory, tenant.key, decimal, ratio)
    separator = params.get("separator", ",")
    # rows as text, shape cells escaped once, when no per-call cell can need quoting
    as_text = len(columns) > 1 and text_safe(separator, decimal)
    escape = cell_escaper(separator) if as_text else None
    rows = row_function(columns, decimal == ".", as_text, separator)
    sv, fill = shape_values(rt, tenant, columns, query, view, escape, rows.runs, separator)
    test = shape_filter(query, view)
    keep = None if test is None else [test(dict(zip(SHAPE_FIELDS, s))) for s in rt.universe.shapes(tenant)]
    env = RowEnv(tzinfo(params["timezone"]), decimal, ratio, separator)

    def render(calls):      # every call the task's filters keep is one line
        out = rows(calls, sv, fill, env)        # fills sv for every shape it meets
        return (out if as_text else [row_text(r, separator) for r in out]), calls.start
    ex = Export(key=("mor", columns, decimal, separator, ratio, params["timezone"], _frozen(query)),
                tenant=tenant, render=render, keep=keep)
    head = ((separator.join(escape(header(k)) for k in columns) + "\n") if as_text
            else row_text([header(k) for k in columns], separator)).encode()
    start, end = us(parse_instant(params["window"]["from"])), us(parse_instant(params["window"]["till"]))
    kind = params["archive"]
    if kind in ("tgz", "zip"):
        pack = tgz_segments if kind == "tgz" else zip_segments
        chunks = pack(params["member"], segments(rt, ex, start, end, limit, head=head), params["mtime"])
    else:
        chunks = archive_chunks(kind, params["member"], text_chunks(rt, ex, start, end, limit, head=head),
                                mtime=params["mtime"])
    if stats is not None:
        chunks = _counted(chunks, ex, stats)
    return FileOut(params["filename"], CONTENT_TYPES[kind], chunks, compressed=kind == "tgz")


def _counted(chunks, ex: Export, stats: dict):
    yield from chunks
    stats["lines"] = ex.lines + 1


def _frozen(query: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in query.items()))


def render_file(rt, params: dict) -> FileOut:
    """VENDOR.render_file: the delivered file again, byte for byte, from its recorded params."""
    return build(rt, params)


def end_for_limit(rt, tenant_key: str, query: dict, start: datetime, limit: int) -> datetime:
    """The window end (a whole second, exclusive) holding the first ``limit`` calls that ``query``
    keeps from ``start`` on, so the file is named after the rows it holds; at most a year on."""
    tenant = rt.tenant(tenant_key)
    test = shape_filter(query, TenantView(rt.state["mor"], tenant.key, ".", 0.8))
    keep = None if test is None else [test(dict(zip(SHAPE_FIELDS, s))) for s in rt.universe.shapes(tenant)]
    cap = start + OPEN_ENDED
    start_us = int(start.timestamp() * 1_000_000)
    day, seen = start.astimezone(UTC).date(), 0
    while seen < limit and day_number(day) * US_PER_DAY < int(cap.timestamp() * 1_000_000):
        base = day_number(day) * US_PER_DAY
        first = base < start_us
        n = (sum(1 for c in rt.universe.day(tenant, day, keep, bare=True) if c[3] >= start_us) if first
             else rt.universe.count(tenant, day, keep))
        if seen + n >= limit:
            calls = [c for c in rt.universe.day(tenant, day, keep, bare=True) if c[3] >= start_us]
            last_us = calls[limit - seen - 1][3]
            return datetime.fromtimestamp(last_us // 1_000_000 + 1, UTC)
        seen += n
        day += timedelta(days=1)
    return cap


def generate(rt, req: GenerateRequest) -> FileOut:
    """``mockcdr generate mor``: the file an export of this window would deliver.

    tenant: a tenant key or an admin's username; format: tgz (default), zip or none;
    params: template_id, timezone, filename_prefix, task_id and any query filter (s_*).
    """
    directory = rt.state["mor"]
    admins = [u for u in directory.users.values() if u["usertype"] == "admin"]
    owner = next((u for u in admins if req.tenant in (None, u["tenant"], u["username"])), None)
    if owner is None:
        raise ValueError(f"no MOR admin for {req.tenant!r}; use a tenant key or an admin username")
    params = dict(req.params)
    templates = [t for t in directory.templates.values() if t["owner_id"] == owner["id"] and t["columns"]]
    tpl_id = int(params.pop("template_id", templates[0]["id"] if templates else 0))
    if tpl_id not in {t["id"] for t in templates}:
        raise ValueError(f"template {tpl_id} is not a template of {owner['username']}")
    zone = params.pop("timezone", owner.get("time_zone") or "UTC")
    if zone not in MAPPING:
        raise ValueError(f"unknown time zone {zone!r}; use a Rails zone name such as London")
    archive = req.format or "tgz"
    if archive not in EXTENSIONS:
        raise ValueError("format must be tgz, zip or none")
    end = req.end
    if end is None:
        end = end_for_limit(rt, owner["tenant"], params, req.start, req.limit) if req.limit \
            else req.start + OPEN_ENDED
    task = {"id": params.pop("task_id", 0), "tenant": owner["tenant"], "template_id": tpl_id,
            "timezone": zone, "archive_extension": archive,
            "filename_prefix": params.pop("filename_prefix", ""), "query": params}
    return build(rt, params_for(rt, directory, task, end, req.start, end), limit=req.limit)
