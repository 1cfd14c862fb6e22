"""Automatic CDR export request bodies: flat or nested query, coercion, and the model's validation rules."""
from __future__ import annotations

import re
from datetime import datetime

from ...core.errors import Problem, ValidationFailed
from .options import opt
from .schedule import PERIODS
from .zones import iana_name, parse_local, tzinfo

SETTINGS = ("name", "active", "period", "timezone", "cdr_export_at_time", "monthly_export_day",
            "template_id", "send_cdr_to", "send_to_user_id", "send_to_email", "filename_prefix",
            "archive_extension", "s_from", "s_till", "cdr_export_at_datetime")
ONCE_FIELDS = ("s_from", "s_till", "cdr_export_at_datetime")
SCHEDULE_FIELDS = ("period", "timezone", "cdr_export_at_time", "monthly_export_day") + ONCE_FIELDS
# Query filters may also come at the top level of the body ("flat"): these names, and any other
# ``s_*`` name that is not a setting.
QUERY_KEYS = ("calls_from_users", "calls_to_users", "calls_via_dids")
TARGETS = ("user", "email", "ftp", "sftp")
ARCHIVES = ("tgz", "zip", "none")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PREFIX = re.compile(r"^[^/\\\x00-\x1f]{0,100}$")
TRUE = (True, 1, "1", "true", "TRUE", "True")
FALSE = (False, 0, "0", "false", "FALSE", "False")


def split_body(body) -> tuple[dict, dict | None]:
    """(settings given, query given or None). Non-object bodies give nothing (Rails params)."""
    if not isinstance(body, dict):
        return {}, None
    if isinstance(body.get("automatic_cdr_export"), dict):   # Rails-style wrapped params
        body = {**{k: v for k, v in body.items() if k != "automatic_cdr_export"},
                **body["automatic_cdr_export"]}
    given = {k: body[k] for k in SETTINGS if k in body}
    flat = {k: v for k, v in body.items()
            if k in QUERY_KEYS or (k.startswith("s_") and k not in SETTINGS)}
    query = None
    if flat:
        query = dict(flat)
    if "query" in body:
        nested = body["query"]
        if nested is None:                      # null: no filters (besides any flat ones)
            query = query or {}
        else:
            query = {**(query or {}), **nested} if isinstance(nested, dict) else nested
    return given, query


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value.strip()):
        return int(value.strip())
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Check:
    """Collects Rails-style messages per field."""

    def __init__(self):
        self.details: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.details.setdefault(field, []).append(message)


def validate_task(rt, directory, owner: dict, given: dict, query, base: dict, *, creating: bool,
                  now: datetime) -> dict:
    """The candidate record (``base`` with ``given`` applied), validated; raises 422 if invalid.

    ``base`` is the defaults (create, PUT) or the stored task (PATCH).
    """
    ck = Check()
    rec = dict(base)
    for key in ("name", "period", "timezone", "send_cdr_to", "archive_extension",
                "cdr_export_at_time", "send_to_email", "filename_prefix"):
        if key in given:
            rec[key] = given[key]
    if isinstance(rec.get("name"), str):
        rec["name"] = rec["name"].strip()
    if not isinstance(rec.get("name"), str) or not rec["name"]:
        ck.add("name", "Name cannot be blank")
    if "active" in given:
        value = given["active"]
        if isinstance(value, float) or not (value in TRUE or value in FALSE):
            ck.add("active", "Active is not included in the list")
        else:
            rec["active"] = 1 if value in TRUE else 0
    tz = _schedule(rt, rec, given, ck)
    _template(directory, owner, rec, given, ck)
    _delivery(directory, owner, rec, given, ck)
    if rec.get("filename_prefix") is None:
        rec["filename_prefix"] = ""
    if not isinstance(rec["filename_prefix"], str) or not _PREFIX.match(rec["filename_prefix"]):
        ck.add("filename_prefix", "Filename prefix is invalid")
    if rec.get("archive_extension") not in ARCHIVES:
        ck.add("archive_extension", "Archive extension is not included in the list")
    if query is not None:
        if not isinstance(query, dict) or any(isinstance(v, (dict, list)) for v in query.values()):
            ck.add("query", "Query is invalid")
        else:
            rec["query"] = dict(query)
    _instants(rec, given, tz or tzinfo("UTC"), ck)
    if rec.get("period") == "only_once":
        changed = creating or any(k in given for k in ("period",) + ONCE_FIELDS)
        _only_once(rec, ck, check_future=changed, now=now)
    else:
        rec.update({k: None for k in ONCE_FIELDS})
    if ck.details:
        text = "created" if creating else "updated"
        raise ValidationFailed(f"Automatic CDR export was not {text}",
                               problems=[Problem(msg, field=f) for f, msgs in ck.details.items()
                                         for msg in msgs])
    return rec


def _schedule(rt, rec: dict, given: dict, ck: Check):
    """period, timezone, cdr_export_at_time, monthly_export_day; returns the zone if valid."""
    if _blank(rec.get("period")):
        ck.add("period", "Period can't be blank")
    elif rec["period"] not in PERIODS:
        ck.add("period", "Period is not included in the list")
    tz = None
    if not iana_name(rec.get("timezone"), bool(opt(rt, "accept_iana_timezones"))):
        ck.add("timezone", "Timezone is not included in the list")
    else:
        tz = tzinfo(rec["timezone"])
    at = rec.get("cdr_export_at_time")
    m = _TIME.match(at) if isinstance(at, str) else None
    if m is None:
        ck.add("cdr_export_at_time", "Cdr export at time is invalid")
    else:
        rec["cdr_export_at_time"] = f"{m.group(1)}:{m.group(2)}:{m.group(3) or '00'}"
    if "monthly_export_day" in given:
        rec["monthly_export_day"] = _int(given["monthly_export_day"])
        if rec["monthly_export_day"] is None:
            ck.add("monthly_export_day", "Monthly export day is not a number")
        elif not 1 <= rec["monthly_export_day"] <= 31:
            ck.add("monthly_export_day", "Monthly export day must be between 1 and 31")
    return tz


def _template(directory, owner: dict, rec: dict, given: dict, ck: Check) -> None:
    """A template the caller owns and that has columns (what the templates index lists)."""
    if "template_id" in given:
        rec["template_id"] = _int(given["template_id"])
    tpl_id = rec.get("template_id")
    if tpl_id is None or tpl_id <= 0:
        ck.add("template_id", "Template must be selected")
        return
    tpl = directory.templates.get(tpl_id)
    if tpl is None or tpl["owner_id"] != owner["id"] or not tpl["columns"]:
        ck.add("template_id", "Template was not found")


def _delivery(directory, owner: dict, rec: dict, given: dict, ck: Check) -> None:
    """send_cdr_to with its companion field (user: a user of the admin's system; email: an
    address); the companion of another target is cleared. ftp/sftp need nothing here."""
    if rec.get("send_cdr_to") not in TARGETS:
        ck.add("send_cdr_to", "Send cdr to is not included in the list")
    for key, types in (("send_to_user_id", (int, str)), ("send_to_email", (str,))):
        raw = given.get(key)
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, types)):
            ck.add(key, f"{key.replace('_', ' ').capitalize()} is invalid")
    if "send_to_user_id" in given and "send_to_user_id" not in ck.details:
        raw = given["send_to_user_id"]
        rec["send_to_user_id"] = None if _blank(raw) else _int(raw)
    if rec.get("send_cdr_to") == "user":
        uid = rec.get("send_to_user_id")
        target = directory.users.get(uid) if uid is not None else None
        if "send_to_user_id" in ck.details:
            pass
        elif uid is None:
            ck.add("send_to_user_id", "Send CDR to User must be selected")
        elif target is None or target["tenant"] != owner["tenant"]:
            ck.add("send_to_user_id", "User was not found")
    else:
        rec["send_to_user_id"] = None
    if rec.get("send_cdr_to") == "email":
        email = rec.get("send_to_email")
        if "send_to_email" in ck.details:
            pass
        elif not isinstance(email, str) or not _EMAIL.match(email.strip()):
            ck.add("send_to_email", "Send CDR to Email invalid format")
        else:
            rec["send_to_email"] = email.strip()
    else:
        rec["send_to_email"] = None


LABELS = {"s_from": "From", "s_till": "Till", "cdr_export_at_datetime": "Start CDR Export at"}


def _instants(rec: dict, given: dict, tz, ck: Check) -> None:
    """s_from, s_till, cdr_export_at_datetime: ISO 8601 when given (blank clears them)."""
    for key in ONCE_FIELDS:
        if key in given:
            raw = given[key]
            rec[key] = None if _blank(raw) else parse_local(raw, tz)
            if rec[key] is None and not _blank(raw):
                ck.add(key, f"{LABELS[key]} is invalid")


def _only_once(rec: dict, ck: Check, *, check_future: bool, now: datetime) -> None:
    for key in ONCE_FIELDS:
        if rec.get(key) is None and key not in ck.details:
            ck.add(key, f"{LABELS[key]} can't be blank")
    if rec.get("s_from") and rec.get("s_till") and rec["s_till"] <= rec["s_from"]:
        ck.add("s_till", "Till must be greater than From")
    at = rec.get("cdr_export_at_datetime")
    if at is not None and check_future and at <= now:
        ck.add("cdr_export_at_datetime", "Start CDR Export at must be in future")
