"""The export list: ``filter[...]``, ``sort``, ``page[number]``/``page[size]`` and absolute links."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from . import errors
from .jobs import STATES
from .versions import is_legacy

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)", re.ASCII)     # Ruby's to_i reads ASCII digits only


def filters_for(version: str) -> tuple[str, ...]:
    return ("id",) if is_legacy(version) else ("id", "external_reference_id")


def sorts_for(version: str) -> tuple[str, ...]:
    if is_legacy(version):
        return ("status", "created_at")
    return ("created_at", "external_reference_id", "status")


def ruby_to_i(text: str) -> int:
    """Ruby's ``String#to_i``: the leading integer, or 0."""
    m = _LEADING_INT.match(text)
    return int(m.group(1)) if m else 0


@dataclass
class ListQuery:
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)     # (field, descending)
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE
    echo: list[tuple[str, str]] = field(default_factory=list)      # params links carry over


def parse(args, version: str) -> ListQuery:
    q = ListQuery()
    allowed = filters_for(version)
    for key in args:
        value = args.get(key, "")
        if key == "filter":
            raise errors.bad_request("Invalid filters syntax", f"{value} is not a valid syntax for filtering.",
                                     errors.INVALID_FILTERS_SYNTAX)
        if key.startswith("filter[") and key.endswith("]"):
            name = key[len("filter["):-1]
            if name not in allowed:
                raise errors.bad_request("Filter not allowed", f"{name} is not allowed.",
                                         errors.FILTER_NOT_ALLOWED)
            q.filters[name] = value.split(",")
            q.echo.append((key, value))
        elif key.startswith("fields[") or key == "include":
            q.echo.append((key, value))
    sort = args.get("sort")
    if sort is not None:
        sortable = sorts_for(version)
        for item in sort.split(","):
            name = item[1:] if item.startswith("-") else item
            if name not in sortable:
                raise errors.bad_request("Invalid sort criteria",
                                         f"{item} is not a valid sort criteria for exports",
                                         errors.INVALID_SORT_CRITERIA)
            q.sort.append((name, item.startswith("-")))
        q.echo.append(("sort", sort))
    _parse_page(args, q)
    return q


def _parse_page(args, q: ListQuery) -> None:
    if "page" in args:          # a bare ``page=N`` is the page number
        q.number = ruby_to_i(args.get("page", ""))
    for key in args:
        if key.startswith("page[") and key.endswith("]"):
            name = key[len("page["):-1]
            if name == "number":
                q.number = ruby_to_i(args.get(key, ""))
            elif name == "size":
                q.size = ruby_to_i(args.get(key, ""))
            else:
                raise errors.BadRequest("page parameter not allowed", problems=[errors.Problem(
                    f"{name} is not an allowed page parameter.", title="Page parameter not allowed",
                    code=errors.PARAM_NOT_ALLOWED)])
    if q.size < 1:
        raise errors.invalid_page_value("size", q.size)
    if q.size > MAX_PAGE_SIZE:
        raise errors.invalid_page_value("size", q.size,
                                        f"size exceeds maximum page size of {MAX_PAGE_SIZE}.")
    if q.number < 1:
        raise errors.invalid_page_value("number", q.number)


def _sort_key(name: str):
    if name == "status":
        return lambda job: STATES.index(job["state"])
    if name == "external_reference_id":   # NULLs last when ascending, as PostgreSQL sorts them
        return lambda job: (job["attrs"]["external_reference_id"] is None,
                            job["attrs"]["external_reference_id"] or "")
    return lambda job: job["created_at"]


def select(jobs: list[dict], q: ListQuery) -> list[dict]:
    """Filtered and sorted (created_at ascending, then creation order, unless ``sort`` says)."""
    out = jobs
    ids = q.filters.get("id")
    if ids is not None:
        wanted = set(ids)
        out = [j for j in out if j["id"] in wanted]
    refs = q.filters.get("external_reference_id")
    if refs is not None:
        wanted = set(refs)
        out = [j for j in out if j["attrs"]["external_reference_id"] in wanted]
    out = sorted(out, key=_sort_key("created_at"))
    for name, descending in reversed(q.sort):
        out = sorted(out, key=_sort_key(name), reverse=descending)
    return out


def page(items: list, q: ListQuery) -> list:
    start = (q.number - 1) * q.size
    return items[start:start + q.size]


def _query(pairs: list[tuple[str, str]]) -> str:
    """Rails' ``Hash#to_query``: CGI-escaped ``key=value`` pairs, sorted."""
    return "&".join(sorted(f"{quote_plus(k, safe='')}={quote_plus(str(v), safe='')}" for k, v in pairs))


def links(url: str, q: ListQuery, total: int) -> dict:
    """``first``/``last`` always; ``prev``/``next`` when there is such a page (absolute URLs)."""
    pages = max(1, math.ceil(total / q.size))

    def link(number: int) -> str:
        return f"{url}?{_query(q.echo + [('page[number]', str(number)), ('page[size]', str(q.size))])}"

    out = {"first": link(1)}
    if q.number > 1:
        out["prev"] = link(q.number - 1)
    if q.number < pages:
        out["next"] = link(q.number + 1)
    out["last"] = link(pages)
    return out
