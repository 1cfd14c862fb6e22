"""The create request: JR 0.9's parse_add_operation, then CustomerApi::CdrExportForm's casts and 422s."""
from __future__ import annotations

import functools
import math
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import available_timezones

from . import errors
from .fixtures import UUID_RE, Account
from .jsonapi import ruby_s, ruby_to_i, underscore

CREATABLE_ATTRIBUTES = ("filters", "time-format", "time-zone-name")
CREATABLE_RELATIONSHIPS = ("account",)
REQUIRED_FILTERS = ("time_start_gteq", "time_start_lt")
OPTIONAL_FILTERS = ("success_eq", "duration_eq", "duration_gteq", "duration_lteq", "src_prefix_routing_eq",
                    "dst_prefix_routing_eq")
ALLOWED_FILTERS = REQUIRED_FILTERS + OPTIONAL_FILTERS
TIME_FORMATS = ("with_timezone", "without_timezone", "round_to_seconds")
DEFAULT_TIME_FORMAT = "with_timezone"


@functools.cache
def _zones() -> tuple[frozenset, dict]:
    """PostgreSQL's pg_timezone_names that ActiveSupport can build: the IANA names, less the
    pseudo-zones, and each by its lower-case name. Read on the first create (a walk of the zone
    database: 15 ms that the start-up need not pay)."""
    names = frozenset(available_timezones() - {"localtime", "Factory"}) | {"UTC"}
    return names, {name.lower(): name for name in names}

# CdrExport::FiltersModel attributes and their casts: keys it knows but the customer form refuses
# get the form's "not allowed" message; keys it does not know get the model's.
_T, _I, _B, _S, _L = "time", "int", "bool", "str", "list"
MODEL_FILTERS = {
    "time_start_gteq": _T, "time_start_lteq": _T, "time_start_lt": _T, "customer_id_eq": _I,
    "customer_external_id_eq": _I, "customer_acc_id_eq": _I, "customer_acc_external_id_eq": _I,
    "vendor_id_eq": _I, "vendor_external_id_eq": _I, "vendor_acc_id_eq": _I, "vendor_acc_external_id_eq": _I,
    "is_last_cdr_eq": _B, "success_eq": _B, "customer_auth_id_eq": _I, "customer_auth_external_id_eq": _I,
    "failed_resource_type_id_eq": _I, "src_prefix_in_contains": _S, "src_prefix_in_eq": _S,
    "dst_prefix_in_contains": _S, "dst_prefix_in_eq": _S, "src_prefix_routing_contains": _S,
    "src_prefix_routing_eq": _S, "dst_prefix_routing_contains": _S, "dst_prefix_routing_eq": _S,
    "src_prefix_out_contains": _S, "src_prefix_out_eq": _S, "dst_prefix_out_contains": _S,
    "dst_prefix_out_eq": _S, "src_country_id_eq": _I, "dst_country_id_eq": _I, "routing_tag_ids_include": _I,
    "routing_tag_ids_exclude": _I, "routing_tag_ids_empty": _B, "orig_gw_id_eq": _I,
    "orig_gw_external_id_eq": _I, "term_gw_id_eq": _I, "term_gw_external_id_eq": _I, "duration_eq": _I,
    "duration_gteq": _I, "duration_lteq": _I, "customer_auth_external_type_eq": _S,
    "customer_auth_external_type_not_eq": _S, "customer_auth_external_id_in": _L, "dst_country_iso_in": _L,
    "src_country_iso_in": _L,
}
_MISSING = object()
_TIME = re.compile(r"^\s*(\d{4})-(\d\d)-(\d\d)(?:[T\s](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*"
                   r"(Z|[+-]\d\d(?::?\d\d)?)?\s*$", re.IGNORECASE | re.ASCII)   # Ruby: ASCII digits
_RUBY_FALSE = (False, 0, "0", "f", "F", "false", "FALSE", "off", "OFF")


def iso_ms(dt: datetime) -> str:
    """Time#as_json: ISO 8601 in UTC with milliseconds (truncated) and Z; four-digit years."""
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}."
            f"{dt.microsecond // 1000:03d}Z")


# -- ActiveModel casts ------------------------------------------------------------------------
def cast_time(value) -> datetime | None:
    """A ``db_datetime``: ISO-ish text, read as UTC without an offset; anything else is nil."""
    m = _TIME.match(value) if isinstance(value, str) else None
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro, timezone.utc)
        if zone and zone.upper() != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    except (ValueError, OverflowError):
        return None
    return dt


def cast_int(value) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else int(value)
    if isinstance(value, str):
        return ruby_to_i(value) if value.strip() else None
    return None


def cast_bool(value) -> bool | None:
    if value is None or value == "":
        return None
    return not any(value == f and type(value) is type(f) for f in _RUBY_FALSE) and not (
        isinstance(value, float) and value == 0)


def cast_str(value) -> str | None:
    """``string_presence``: blank strings are nil; true/false become t/f."""
    if value is None:
        return None
    if value is True or value is False:
        return "t" if value else "f"
    text = ruby_s(value)
    return text if text.strip() else None


def _cast(kind: str, value):
    if kind == _T:
        return cast_time(value)
    if kind == _I:
        return cast_int(value)
    if kind == _B:
        return cast_bool(value)
    if kind == _L:
        return None if value is None or value == "" or value == [] else value
    return cast_str(value)


def resolve_zone(name, case_insensitive: bool = True) -> str | None:
    """The IANA name a ``time-zone-name`` stands for (None: blank or not a known zone)."""
    if not isinstance(name, str) or not name:
        return None
    names, lower = _zones()
    if name in names:
        return name
    return lower.get(name.lower()) if case_insensitive else None


# -- the JSON:API create document -------------------------------------------------------------------
def _present(value) -> bool:
    return value is not None and value is not False and not (
        isinstance(value, (str, dict, list)) and not (value.strip() if isinstance(value, str) else value))


def parse_document(body) -> tuple[dict, object]:
    """(attributes as sent, account uuid / None / _MISSING) or JR's 400s, in JR's order."""
    data = body.get("data") if isinstance(body, dict) else None
    if not _present(data):
        raise errors.param_missing("data")
    if not isinstance(data, dict):
        raise errors.invalid_data_format()
    if data.get("type") is None:
        raise errors.param_missing("type")
    if underscore(ruby_s(data["type"])) != "cdr_exports":
        raise errors.invalid_resource(ruby_s(data["type"]))
    for key, value in data.items():
        if key in ("relationships", "attributes"):
            if not isinstance(value, dict):
                raise errors.invalid_data_format()
            allowed = CREATABLE_RELATIONSHIPS if key == "relationships" else CREATABLE_ATTRIBUTES
            for name in value:
                if name not in allowed:
                    raise errors.param_not_allowed(name)
        elif key != "type":
            raise errors.param_not_allowed(key)
    account = _MISSING
    relationships = data.get("relationships") or {}
    if "account" in relationships:
        account = _to_one(relationships["account"])
    return dict(data.get("attributes") or {}), account


def _to_one(link_value):
    linkage = link_value.get("data") if isinstance(link_value, dict) else None
    if link_value is not None and not isinstance(link_value, dict):
        raise errors.invalid_links_object()
    if linkage is None:
        return None
    if not isinstance(linkage, dict) or set(linkage) != {"type", "id"}:
        raise errors.invalid_links_object()
    if underscore(ruby_s(linkage["type"])) != "accounts":
        raise errors.type_mismatch(underscore(ruby_s(linkage["type"])))
    key = linkage["id"]
    if key is None:
        return None
    if not UUID_RE.match(ruby_s(key)):
        raise errors.invalid_field_value(ruby_s(key))
    return ruby_s(key).lower()


# -- CustomerApi::CdrExportForm ---------------------------------------------------------------------
def validate(attributes: dict, account_uuid, visible: dict[str, Account], options: dict) -> dict:
    """The export's stored attributes, or 422 with every problem (yeti's texts and pointers)."""
    problems = []
    account = None
    if account_uuid is _MISSING or account_uuid is None:
        problems.append(errors.validation_problem("account", "can't be blank", relationship=True))
    else:
        account = visible.get(account_uuid)
        if account is None:
            problems.append(errors.validation_problem("account", "is invalid", relationship=True))
    echo, filter_problems = _filters(attributes.get("filters"))
    problems += filter_problems
    time_format = attributes.get("time-format")
    if time_format is None:
        time_format = DEFAULT_TIME_FORMAT
    elif time_format not in TIME_FORMATS:
        problems.append(errors.validation_problem(
            "time-format", f"is not included in the list: {', '.join(TIME_FORMATS)}"))
    zone = attributes.get("time-zone-name")
    if zone not in (None, "") and resolve_zone(zone, options["time_zone_case_insensitive"]) is None:
        problems.append(errors.validation_problem("time-zone-name", "is not included in the list"))
    if problems:
        raise errors.validation_failed(problems)
    return {"filters": echo, "account": account.uuid, "time_format": time_format, "time_zone_name": zone}


def _filters(raw) -> tuple[dict, list]:
    def err(message):
        return errors.validation_problem("filters", message)

    if not isinstance(raw, dict):
        return {}, [err("can't be blank")]
    cast = {}
    unknown = []
    for key, value in raw.items():
        if key in MODEL_FILTERS:
            cast[key] = _cast(MODEL_FILTERS[key], value)
        else:
            unknown.append(key)
    problems = []
    refused = [k for k, v in cast.items() if v is not None and k not in ALLOWED_FILTERS]
    if refused:
        problems.append(err(f"{', '.join(refused)} not allowed"))
    if unknown:
        problems.append(err(f"{', '.join(unknown)} not allowed"))
    if cast.get("time_start_gteq") is None:
        problems.append(err("requires time_start_gteq"))
    if cast.get("time_start_lt") is None and cast.get("time_start_lteq") is None:
        problems.append(err("requires time_start_lt"))
    echo = {k: (iso_ms(v) if isinstance(v, datetime) else v) for k, v in cast.items()
            if v is not None and k in ALLOWED_FILTERS}
    return echo, problems
