"""jsonapi-resources 0.9 request plumbing: Rails params, key formats, media types, fields, include, sort, page."""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from flask import Response, request

from mockcdr.core.http import mock_response

from . import errors
from .errors import JSONAPI

DEFAULT_PAGE_SIZE = 50
MAXIMUM_PAGE_SIZE = 1000
_MEDIA_TYPE_MATCHER = re.compile(r'.+".+"[^,]*|[^,]+')
_BRACKETS = re.compile(r"\[([^\]]*)\]")


# -- Rails params -------------------------------------------------------------------------------
def rails_params(pairs) -> dict:
    """``filter[status_eq]=x&page[size]=5`` -> nested dicts, as Rails' query parser builds them.

    ``a[]=1&a[]=2`` makes a list; a repeated scalar key keeps the last value.
    """
    out: dict = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        path = [head] + (_BRACKETS.findall("[" + rest) if rest else [])
        node = out
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if last:
                node[part] = value
            elif path[i + 1] == "" and i + 1 == len(path) - 1:
                lst = node.get(part)
                if not isinstance(lst, list):
                    lst = node[part] = []
                lst.append(value)
                break
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return out


def query_params() -> dict:
    if not request.environ.get("QUERY_STRING"):
        return {}           # the status poll's case: no query string to parse
    return rails_params(request.args.items(multi=True))


# -- key formats (DasherizedKeyFormatter) -----------------------------------------------------------
def underscore(word) -> str:
    """ActiveSupport's String#underscore (what JR's unformat_key does)."""
    word = re.sub(r"([A-Z\d]+)([A-Z][a-z])", r"\1_\2", str(word), flags=re.ASCII)
    word = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", word, flags=re.ASCII)
    return word.replace("-", "_").lower()


def dasherize(word: str) -> str:
    return word.replace("_", "-")


def ruby_s(value) -> str:
    """How a parameter value prints in a message (Ruby's to_s for the JSON shapes)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


# -- media types ----------------------------------------------------------------------------------
def check_content_type(strict: bool) -> None:
    """415 unless the request is ``application/vnd.api+json`` (create only)."""
    raw = request.headers.get("Content-Type")
    given = (raw or "").strip() if strict else (raw or "").split(";")[0].strip().lower()
    if given != JSONAPI:
        raise errors.unsupported_media_type(raw)


def check_accept() -> None:
    """406 unless the first Accept entry is missing, ``*/*`` or exactly the JSON:API type."""
    raw = request.headers.get("Accept") or ""
    match = _MEDIA_TYPE_MATCHER.search(raw)
    first = match.group(0).strip() if match else ""
    if not first or first == "*/*":
        return
    if first != JSONAPI:
        raise errors.not_acceptable(raw)


# -- resources as JR knows them -----------------------------------------------------------------------
RESOURCE_FIELDS = {
    "cdr_exports": ("id", "filters", "status", "rows_count", "created_at", "updated_at", "time_format",
                    "time_zone_name", "account"),
    "accounts": ("id", "name", "balance", "min_balance", "max_balance", "destination_rate_limit",
                 "origination_capacity", "termination_capacity", "total_capacity", "currency"),
}
RELATED_TYPE = {("cdr_exports", "account"): "accounts"}


@dataclass
class Query:
    """What JR's RequestParser took from the query string."""
    raw: dict = field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)   # underscored type -> fields
    include: tuple[str, ...] = ()
    filters: dict = field(default_factory=dict)                         # unformatted key -> raw value
    sort: tuple[tuple[str, bool], ...] | None = None                    # (field, descending)
    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def parse_fields(raw) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise errors.invalid_field_format()
    out = {}
    for type_, value in raw.items():
        if type_ != dasherize(type_) or underscore(type_) not in RESOURCE_FIELDS:
            raise errors.invalid_resource(type_)
        resource = underscore(type_)
        if not isinstance(value, str) or not value:
            raise errors.invalid_field(type_, "nil")
        valid = {dasherize(f) for f in RESOURCE_FIELDS[resource]}
        names = []
        for name in ruby_split(value):
            if name not in valid:
                raise errors.invalid_field(type_, name)
            names.append(underscore(name))
        out[resource] = tuple(names)
    return out


def parse_include(raw, resource: str = "cdr_exports") -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list):
        items = raw
    else:
        items = next(csv.reader([str(raw)]), []) if raw else []
    out = []
    for item in items:
        if item is None or item == "":
            continue
        first, _, rest = str(item).partition(".")
        related = RELATED_TYPE.get((resource, underscore(first)))
        if related is None or dasherize(underscore(first)) != first:
            raise errors.invalid_include(dasherize(resource), first)
        if rest:
            # accounts have no relationships of their own
            raise errors.invalid_include(dasherize(related), rest.partition(".")[0])
        out.append(underscore(first))
    return tuple(dict.fromkeys(out))


def parse_filters(raw, allowed) -> dict:
    """Unformatted filter key -> raw value; 400 for a non-hash or a key that is not allowed."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise errors.invalid_filters_syntax(ruby_s(raw))
    values = {}
    for key, value in raw.items():
        name = underscore(key)
        if name not in allowed:
            raise errors.filter_not_allowed(key)
        values[name] = value
    return values


def parse_sort(raw, sortable, resource: str = "cdr-exports") -> tuple[tuple[str, bool], ...] | None:
    if raw is None or raw == "" or not isinstance(raw, str):
        return None
    out = []
    for part in ruby_split(raw):
        desc = part.startswith("-")
        name = underscore(part[1:] if desc else part)
        if name not in sortable:
            raise errors.invalid_sort_criteria(resource, name)
        out.append((name, desc))
    return tuple(out) or None


def ruby_split(text: str) -> list[str]:
    """String#split(","): trailing empty fields are dropped."""
    parts = text.split(",")
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def ruby_to_i(value) -> int:
    """String#to_i: leading digits (underscores allowed), else 0."""
    match = re.match(r"\s*([+-]?\d+(?:_\d+)*)", value if isinstance(value, str) else str(value), re.ASCII)
    return int(match.group(1).replace("_", "")) if match else 0


def parse_page(raw) -> tuple[int, int]:
    """PagedPaginator: (number, size) with JR's 400s for out-of-range values."""
    size, number = DEFAULT_PAGE_SIZE, 1
    if isinstance(raw, dict):
        if raw.get("size") is not None:
            size = ruby_to_i(raw["size"])
        if raw.get("number") is not None:
            number = ruby_to_i(raw["number"])
    elif raw is not None:
        number = ruby_to_i(raw[-1] if isinstance(raw, list) and raw else raw)
    if size < 1:
        raise errors.invalid_page_value("size", size)
    if size > MAXIMUM_PAGE_SIZE:
        raise errors.invalid_page_value("size", size,
                                        f"size exceeds maximum page size of {MAXIMUM_PAGE_SIZE}.")
    if number < 1:
        raise errors.invalid_page_value("number", number)
    return number, size


def parse_index_query(allowed_filters, sortable) -> Query:
    """RequestParser#setup_index_action: fields, include, filter, sort, page, in that order."""
    raw = query_params()
    q = Query(raw=raw)
    q.fields = parse_fields(raw.get("fields"))
    q.include = parse_include(raw.get("include"))
    q.filters = parse_filters(raw.get("filter"), allowed_filters)
    q.sort = parse_sort(raw.get("sort"), sortable)
    q.page_number, q.page_size = parse_page(raw.get("page"))
    return q


def parse_show_query() -> Query:
    return parse_related_query("cdr_exports")


def parse_related_query(resource: str) -> Query:
    """fields and include (of ``resource``), as show, create and get_related_resource parse them."""
    raw = query_params()
    return Query(raw=raw, fields=parse_fields(raw.get("fields")),
                 include=parse_include(raw.get("include"), resource))


# -- links ------------------------------------------------------------------------------------------------
def to_query(value, namespace: str = "") -> str:
    """Rails' to_query: CGI-escaped ``key[sub]=value`` pairs; a hash's pairs sorted, a list's kept."""
    if isinstance(value, dict):
        parts = [to_query(v, f"{namespace}[{k}]" if namespace else str(k)) for k, v in value.items()
                 if not (isinstance(v, (dict, list)) and not v)]
        if "[]" not in namespace:
            parts.sort()
        return "&".join(parts)
    if isinstance(value, list):
        return "&".join(to_query(v, f"{namespace}[]") for v in value)
    return f"{quote_plus(namespace, safe='')}={quote_plus(ruby_s(value), safe='')}"


def page_links(url: str, q: Query, record_count: int) -> dict:
    """first / prev / next / last, each carrying the request's fields, include, sort and filter."""
    pages = -(-record_count // q.page_size)
    wanted = {"first": 1}
    if q.page_number > 1:
        wanted["prev"] = q.page_number - 1
    if q.page_number < pages:
        wanted["next"] = q.page_number + 1
    wanted["last"] = pages or 1
    carried = {k: q.raw[k] for k in ("fields", "include", "sort", "filter") if k in q.raw}
    return {name: f"{url}?{to_query(dict(carried, page={'number': n, 'size': q.page_size}))}"
            for name, n in wanted.items()}


# -- responses ------------------------------------------------------------------------------------------------
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode   # json.dumps's, built once


def rails_json(payload) -> str:
    """ActiveSupport's JSON encoding: compact, with ``<``, ``>`` and ``&`` escaped."""
    text = _ENCODE(payload)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def document(payload, status: int = 200, content_type: str = JSONAPI, headers: dict | None = None) -> Response:
    return mock_response(rails_json(payload), status, content_type, headers)
