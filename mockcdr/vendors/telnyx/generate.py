"""``mockcdr generate telnyx``: the report CSV a download would serve, from command-line parameters."""
from __future__ import annotations

from datetime import timedelta

from ...core.errors import ValidationFailed
from ...core.vendor import FileOut, GenerateRequest
from . import formats
from .fixtures import SLUG, Account, State
from .jobs import report_filename
from .schemas import parse_request

LISTS = ("call_types", "record_types", "connections", "fields", "tags_list")
KNOWN = LISTS + ("cli", "cli_filter", "cld", "cld_filter", "billing_group", "timezone", "report_name",
                 "source")


def _account(state: State, who: str | None) -> Account:
    """An account key, tenant key or credential (API key, V1 token, e-mail); None: the first."""
    if who is None:
        return next(iter(state.accounts.values()))
    for account in state.accounts.values():
        if who in (account.key, account.tenant, account.api_key, account.v1_token, account.email):
            return account
    raise ValueError(f"no Telnyx account, tenant or credential {who!r}; accounts: "
                     f"{', '.join(state.accounts)}")


def _list(value: str) -> list:
    return [int(v) if v.strip().isdigit() else v.strip() for v in value.split(",") if v.strip()]


def body_from(params: dict, req: GenerateRequest) -> dict:
    """The V2 create body equivalent to ``--param name=value`` pairs (filters joined with 'and')."""
    unknown = sorted(set(params) - set(KNOWN))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r}; known: {', '.join(KNOWN)}")
    end = req.end or req.start + timedelta(seconds=1)
    body = {"start_time": req.start.isoformat(), "end_time": end.isoformat()}
    for name in ("call_types", "record_types", "connections", "fields"):
        if name in params:
            body[name] = _list(params[name])
    for name in ("timezone", "report_name", "source"):
        if name in params:
            body[name] = params[name]
    filters = []
    for crit in ("cli", "cld"):
        if crit in params:
            filters.append({"filter_type": "and", crit: params[crit],
                            f"{crit}_filter": params.get(f"{crit}_filter", "contains")})
    if "tags_list" in params:
        filters.append({"filter_type": "and", "tags_list": [str(t) for t in _list(params["tags_list"])]})
    if "billing_group" in params:
        filters.append({"filter_type": "and", "billing_group": params["billing_group"]})
    if filters:
        body["filters"] = filters
    return body


def generate(rt, req: GenerateRequest) -> FileOut:
    if req.format not in (None, "csv"):
        raise ValueError(f"format {req.format!r}: Telnyx reports are csv only")
    if req.end is None and req.limit is None:
        raise ValueError("give an end or a row limit")
    state: State = rt.state[SLUG]
    account = _account(state, req.tenant)
    try:
        params = parse_request(body_from(req.params, req), v2=True, now=None, lookback_days=0,
                               catalogue=formats.COLUMNS)
    except ValidationFailed as exc:
        raise ValueError("; ".join(f"{p.pointer.lstrip('/') or 'body'}: {p.detail}" for p in exc.problems)) from None
    return formats.report(rt, account, params, req.start, req.end,
                          report_filename(params["report_name"], "generated"), limit=req.limit)
