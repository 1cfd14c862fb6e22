"""``mockcdr generate yeti``: the file a Completed export with the same parameters would download."""
from __future__ import annotations

from dataclasses import replace

from mockcdr.core.vendor import FileOut, GenerateRequest

from . import form
from .fixtures import Account, Directory
from .formats import file_out, spec_for
from .selection import end_for_limit

_CASTS = {"success_eq": form.cast_bool, "duration_eq": form.cast_int, "duration_gteq": form.cast_int,
          "duration_lteq": form.cast_int, "src_prefix_routing_eq": form.cast_str,
          "dst_prefix_routing_eq": form.cast_str}
PARAMS = ("account", "time_format", "time_zone_name") + tuple(_CASTS)


def _account(directory: Directory, who: str | None) -> Account:
    """An account UUID, an API login (its first account), a tenant key, or None (the first account)."""
    if who is None:
        return next(iter(directory.customers.values())).accounts[0]
    if who.lower() in directory.accounts:
        return directory.accounts[who.lower()]
    if who in directory.logins:
        return next(iter(directory.visible_accounts(directory.logins[who]).values()))
    for customer in directory.customers.values():
        if customer.tenant == who:
            return customer.accounts[0]
    raise ValueError(f"unknown yeti account, login or tenant {who!r}; logins: {', '.join(directory.logins)}")


def generate(rt, req: GenerateRequest) -> FileOut:
    directory: Directory = rt.state["yeti"]
    params = dict(req.params)
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise ValueError(f"unknown yeti params {', '.join(unknown)}; known: {', '.join(PARAMS)}")
    account = _account(directory, params.get("account") or req.tenant)
    time_format = req.format or params.get("time_format") or form.DEFAULT_TIME_FORMAT
    if time_format not in form.TIME_FORMATS:
        raise ValueError(f"time format must be one of {', '.join(form.TIME_FORMATS)}")
    zone = params.get("time_zone_name") or None
    if zone is not None and form.resolve_zone(zone) is None:
        raise ValueError(f"unknown time zone {zone!r}")
    now = rt.clock.now()
    filters = {"time_start_gteq": form.iso_ms(req.start), "time_start_lt": form.iso_ms(req.end or now)}
    for name, cast in _CASTS.items():
        if params.get(name) not in (None, ""):
            filters[name] = cast(params[name])
    attrs = {"filters": filters, "account": account.uuid, "time_format": time_format, "time_zone_name": zone}
    spec = spec_for(directory, attrs, now)
    if req.end is None:
        spec = replace(spec, end_us=end_for_limit(rt, spec, req.limit or 0))
    return file_out(rt, "cdr_export", spec, limit=req.limit)
