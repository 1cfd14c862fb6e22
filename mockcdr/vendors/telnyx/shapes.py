"""How a CDR request looks: the bare V1 object and the V2 ``cdr_detailed_report`` object."""
from __future__ import annotations

import json
from datetime import datetime

from ...core.clock import UTC
from .jobs import status

REPORTS_PATH = "/reporting/cdr_reports"


def _utc_text(dt: datetime) -> str:
    """strftime("%Y-%m-%dT%H:%M:%S") in UTC, without strftime's cost (%Y is not zero-padded)."""
    d = dt.astimezone(UTC)
    return f"{d.year}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"


def v1_time(dt: datetime) -> str:
    """``2022-07-29T06:21:27+00:00``, the form the V1 docs print."""
    return _utc_text(dt) + "+00:00"


def v2_time(dt: datetime) -> str:
    """``2024-02-12T14:00:00Z``, the form the V2 examples print."""
    return _utc_text(dt) + "Z"


def report_url(job: dict, base: str, options: dict):
    attrs = job["attrs"]
    if job["state"] in ("complete", "expired") and attrs.get("token"):
        return f"{base}{REPORTS_PATH}/{attrs['token']}/{attrs['filename']}"
    return options["report_url_while_pending"]


def _filters(filters: list[dict], tags_as_list: bool) -> list[dict]:
    out = []
    for f in filters:
        f = dict(f)
        tags = f.get("tags_list")
        if tags is not None:
            if tags_as_list and isinstance(tags, str):
                f["tags_list"] = [tags]
            elif not tags_as_list and isinstance(tags, list):
                f["tags_list"] = ",".join(tags)
        out.append(f)
    return out


def v1(job: dict, base: str, options: dict) -> dict:
    a = job["attrs"]
    filters = _filters(a["filters"], tags_as_list=True)
    return {
        "id": job["id"],
        "start_time": v1_time(a["start_time"]),
        "end_time": v1_time(a["end_time"]),
        "call_types": a["call_types"],
        "record_types": a["record_types"],
        "connections": list(a["connections"]),
        "report_name": a["report_name"],
        "status": status(job),
        "report_url": report_url(job, base, options),
        "filters": filters if options["v1_filters_format"] == "list" else json.dumps(filters),
        "created_at": v1_time(job["created_at"]),
        "updated_at": v1_time(job["entered_at"]),
    }


def v2(job: dict, base: str, options: dict) -> dict:
    a = job["attrs"]
    return {
        "id": job["id"],
        "call_types": a["call_types"],
        "connections": [int(c) for c in a["connections"]],
        "created_at": v2_time(job["created_at"]),
        "end_time": v2_time(a["end_time"]),
        "filters": _filters(a["filters"], tags_as_list=False),
        "managed_accounts": list(a["managed_accounts"]),
        "record_type": "cdr_detailed_report",
        "record_types": a["record_types"],
        "report_name": a["report_name"],
        "report_url": report_url(job, base, options),
        "retry": 0,
        "source": a["source"],
        "start_time": v2_time(a["start_time"]),
        "status": status(job),
        "timezone": a["timezone"],
        "updated_at": v2_time(job["entered_at"]),
    }
