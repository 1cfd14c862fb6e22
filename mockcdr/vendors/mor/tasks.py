"""Automatic CDR export tasks in the store: create, read, update, activate, delete, list, render."""
from __future__ import annotations

import re
from datetime import datetime

from ...core.errors import BadRequest, NotFound, Problem, ValidationFailed
from .options import opt
from .schedule import PERIODS, first_run, following
from .validation import FALSE, TRUE, SCHEDULE_FIELDS, split_body, validate_task
from .zones import fmt, iana_name, tzinfo

TASKS = "mor.tasks"
_WHEN = (datetime, type(None))


def declare(world) -> None:
    """The shape of the records this module keeps (a snapshot is checked against it)."""
    def check(key: str, task: dict) -> None:
        """Values the scheduler and the task body look up: a known period, zone and tenant."""
        if task["period"] not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        if not iana_name(task["timezone"], accept_iana=True):
            raise ValueError(f"timezone {task['timezone'][:60]!r} is not a zone MOR knows")
        if task["tenant"] not in world.tenants:
            raise ValueError(f"tenant {task['tenant'][:60]!r} is not one of the fixtures' tenants")

    world.shape(TASKS, check=check, id=int, name=str, active=int, period=str, timezone=str, tenant=str,
                owner_id=int, query=dict, runs=int, created_at=datetime, updated_at=datetime,
                next_run_at=_WHEN, last_run_at=_WHEN)
NOT_FOUND = "Automatic CDR export was not found"


def defaults(rt, owner: dict) -> dict:
    return {"name": None, "active": 1, "period": None, "timezone": owner.get("time_zone") or "UTC",
            "cdr_export_at_time": "00:00:00", "monthly_export_day": 1, "template_id": None,
            "send_cdr_to": "user", "send_to_user_id": None, "send_to_email": None, "query": {},
            "filename_prefix": "", "archive_extension": opt(rt, "default_archive_extension"),
            "s_from": None, "s_till": None, "cdr_export_at_datetime": None}


def schedule(rt, task: dict) -> None:
    """Put an active task's next run in the session's agenda (the scheduler pops it when due)."""
    if task["active"] and task["next_run_at"] is not None:
        rt.agenda("mor").schedule(task["next_run_at"].timestamp(), "mor.task", str(task["id"]))


def reschedule(rt) -> None:
    """VENDOR.reschedule: every task's next run, after a restore replaced the store."""
    for task in rt.store.values(TASKS):
        schedule(rt, task)


def is_id(text) -> bool:
    return re.fullmatch(r"[0-9]{1,12}", str(text)) is not None


def find(rt, owner: dict, task_id) -> dict:
    task = rt.store.get(TASKS, str(int(task_id))) if is_id(task_id) else None
    if task is None or task["owner_id"] != owner["id"]:
        raise NotFound(NOT_FOUND)
    return task


def create(rt, directory, owner: dict, body) -> dict:
    given, query = split_body(body)
    with rt.store.lock:
        now = rt.clock.now()
        rec = validate_task(rt, directory, owner, given, query, defaults(rt, owner), creating=True, now=now)
        rec.update(id=rt.ids.integer("mor.task"), owner_id=owner["id"], tenant=owner["tenant"],
                   last_run_at=None, runs=0, created_at=now, updated_at=now)
        rec["next_run_at"] = first_run(rec, now)
        rt.store.put(TASKS, str(rec["id"]), rec)
        schedule(rt, rec)
        return rec


def update(rt, directory, owner: dict, task_id, body, *, replace: bool) -> dict:
    given, query = split_body(body)
    with rt.store.lock:
        old = find(rt, owner, task_id)
        now = rt.clock.now()
        base = dict(old)
        if replace and opt(rt, "put_requires_all"):
            base.update(defaults(rt, owner))
            query = query if query is not None else {}
        rec = validate_task(rt, directory, owner, given, query, base, creating=False, now=now)
        _reschedule(rt, old, rec, now)
        rec["updated_at"] = now
        rt.store.put(TASKS, str(rec["id"]), rec)
        schedule(rt, rec)
        return rec


def set_active(rt, owner: dict, task_id, body) -> dict:
    value = body.get("active") if isinstance(body, dict) else None
    with rt.store.lock:
        old = find(rt, owner, task_id)
        if value is None or isinstance(value, float) or not (value in TRUE or value in FALSE):
            message = "Active can't be blank" if value is None else "Active is not included in the list"
            raise ValidationFailed("Automatic CDR export was not updated",
                                   problems=[Problem(message, field="active")])
        now = rt.clock.now()
        rec = dict(old, active=1 if value in TRUE else 0, updated_at=now)
        _reschedule(rt, old, rec, now)
        rt.store.put(TASKS, str(rec["id"]), rec)
        schedule(rt, rec)
        return rec


def _reschedule(rt, old: dict, rec: dict, now: datetime) -> None:
    """A save recomputes next_run_at when the schedule changed; activation restarts the clock.

    A one-off is re-armed only for an instant still ahead (a changed instant was validated to
    be); one that already ran is not replayed by, say, a new time zone.
    """
    changed = any(old.get(k) != rec.get(k) for k in SCHEDULE_FIELDS)
    if rec["period"] == "only_once":
        at = rec["cdr_export_at_datetime"]
        if (changed or opt(rt, "reschedule_on_any_update")) and at > now:
            rec["next_run_at"] = at
            rec["last_run_at"] = None      # the reference clears last_run_at of a re-armed one-off
    elif changed or opt(rt, "reschedule_on_any_update"):
        rec["next_run_at"] = first_run(rec, now)
    elif old["active"] == 0 and rec["active"] == 1:
        rec["next_run_at"] = following(rec, now)


def delete(rt, owner: dict, task_id) -> None:
    with rt.store.lock:
        task = find(rt, owner, task_id)
        rt.store.delete(TASKS, str(task["id"]))


def _arg_int(args, name: str, low: int):
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()) or int(raw) < low:
        raise BadRequest(f"Invalid parameter: {name}", field=name)
    return int(raw)


def list_tasks(rt, owner: dict, args) -> list[dict]:
    """Index filters: active (0/1), send_to_user_id, period, name (partial), from, max_results."""
    active = args.get("active")
    if active not in (None, ""):
        if active not in ("0", "1", "true", "false"):
            raise BadRequest("Invalid parameter: active", field="active")
        active = 1 if active in ("1", "true") else 0
    else:
        active = None
    user_id = _arg_int(args, "send_to_user_id", 0)
    offset = _arg_int(args, "from", 0) or 0
    limit = _arg_int(args, "max_results", 0)
    if limit is None:
        limit = opt(rt, "list_default_max_results")
    period = args.get("period") or None
    name = (args.get("name") or "").lower()
    tasks = sorted((t for t in rt.store.values(TASKS) if t["owner_id"] == owner["id"]),
                   key=lambda t: t["id"])
    out = [t for t in tasks
           if (active is None or t["active"] == active)
           and (user_id is None or t["send_to_user_id"] == user_id)
           and (period is None or t["period"] == period)
           and (not name or name in t["name"].lower())]
    out = out[offset:]
    return out if limit is None else out[:limit]


def render(rt, directory, task: dict) -> dict:
    """The task as the API shows it: the seed's keys in the seed's order, then the rest."""
    tz = tzinfo(task["timezone"])
    template = directory.templates.get(task["template_id"]) or {}
    body = {
        "id": task["id"], "name": task["name"], "active": task["active"], "period": task["period"],
        "timezone": task["timezone"], "template_id": task["template_id"],
        "template_name": template.get("name", ""), "send_cdr_to": task["send_cdr_to"],
        "send_to_user_id": task["send_to_user_id"], "next_run_at": fmt(task["next_run_at"], tz),
        "last_run_at": fmt(task["last_run_at"], tz), "cdr_export_at_time": task["cdr_export_at_time"],
        "monthly_export_day": task["monthly_export_day"], "query": task["query"],
    }
    if opt(rt, "task_extra_fields"):
        body.update(send_to_email=task["send_to_email"], filename_prefix=task["filename_prefix"],
                    archive_extension=task["archive_extension"], s_from=fmt(task["s_from"], tz),
                    s_till=fmt(task["s_till"], tz),
                    cdr_export_at_datetime=fmt(task["cdr_export_at_datetime"], tz))
    return body
