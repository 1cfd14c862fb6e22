"""The export scheduler: due tasks run once per period, in order, and their files are delivered."""
from __future__ import annotations

import hashlib
import heapq
from datetime import datetime, timedelta

from .files import build, params_for
from .options import opt
from .schedule import following, window
from .tasks import TASKS, schedule
from .zones import fmt, tzinfo


def tick(rt) -> None:
    """VENDOR.tick: cheap when nothing is due (a look at the earliest run in the agenda)."""
    due = rt.agenda("mor").next_due()
    if due is not None and due <= rt.clock.timestamp():
        run_due(rt, rt.clock.now())


def run_due(rt, now: datetime) -> int:
    """Run every due period of every active task up to ``now``, oldest first; returns the count.

    Task state moves on under the store lock; the files are built and recorded after it is
    released, so a big clock jump does not stall other requests while large files are built.
    """
    directory = rt.state["mor"]
    agenda = rt.agenda("mor")
    runs = []
    with rt.store.lock:
        due_tasks: dict[int, dict] = {}
        while (item := agenda.pop(now.timestamp())) is not None:
            task = rt.store.get(TASKS, item[2])
            if task is not None and task["active"] and task["next_run_at"] is not None \
                    and task["next_run_at"] <= now:
                due_tasks[task["id"]] = task
        heap = [(t["next_run_at"], t["id"]) for t in due_tasks.values()]
        heapq.heapify(heap)
        while heap:
            due, task_id = heapq.heappop(heap)
            task = due_tasks[task_id]
            runs.append(_advance(rt, directory, task, due))
            if task["next_run_at"] is not None and task["next_run_at"] <= now:
                heapq.heappush(heap, (task["next_run_at"], task_id))
        for task in due_tasks.values():
            schedule(rt, task)
    for run in runs:
        deliver(rt, directory, *run)
    return len(runs)


def _next_after(task: dict, due: datetime) -> datetime | None:
    nxt = following(task, due)
    ref = due
    while nxt is not None and nxt <= due:      # never loop on a schedule that does not advance
        ref += timedelta(hours=1)
        nxt = following(task, ref)
    return nxt


def _advance(rt, directory, task: dict, due: datetime) -> tuple[dict, dict, datetime, datetime]:
    """Move the task past the run at ``due``; return what its delivery needs (a copy of the task)."""
    start, end = window(task, due)
    params = params_for(rt, directory, task, due, start, end)
    snapshot = dict(task)
    task["last_run_at"] = due
    task["runs"] = task.get("runs", 0) + 1
    task["next_run_at"] = None if task["period"] == "only_once" else _next_after(task, due)
    return snapshot, params, start, end


def deliver(rt, directory, task: dict, params: dict, start: datetime, end: datetime) -> dict:
    """Build a run's file (for its size, rows and digest) and record its delivery."""
    stats: dict = {}
    digest = hashlib.sha256()
    size = 0
    out = build(rt, params, stats=stats)
    for chunk in out.chunks:
        digest.update(chunk)
        size += len(chunk)
    tz = tzinfo(task["timezone"])
    payload = {
        "task_id": task["id"], "task_name": task["name"], "subject": f"Automatic CDR export: {task['name']}",
        "filename": out.filename, "content_type": out.content_type, "size": size,
        "rows": max(stats.get("lines", 1) - 1, 0), "sha256": digest.hexdigest(),
        "window": {"from": fmt(start, tz), "till": fmt(end - timedelta(seconds=1), tz),
                   "timezone": task["timezone"]},
    }
    channel, target, ok, outcome = _destination(rt, directory, task, out.filename)
    payload["send_cdr_to"] = task["send_cdr_to"]
    return rt.deliveries.record(vendor="mor", channel=channel, target=target, payload=payload,
                                ok=ok, outcome=outcome, file=params, source={"task": task["id"]})


def _destination(rt, directory, task: dict, filename: str) -> tuple[str, str, bool, str]:
    """(channel, target, ok, outcome) of a run's delivery."""
    to = task["send_cdr_to"]
    if to == "user":
        user = directory.users.get(task["send_to_user_id"]) or {}
        address = user.get("email")
        where = f" ({address})" if address else ""
        return "mailbox", f"user:{task['send_to_user_id']}", True, f"sent to user {user.get('username')}{where}"
    if to == "email":
        return "email", task["send_to_email"], True, f"sent to {task['send_to_email']}"
    path = opt(rt, f"{to}_path")
    if not path:
        return to, f"{to}:", False, f"{to.upper()} server path is not configured"
    target = f"{str(path).rstrip('/')}/{filename}"
    return to, target, True, f"uploaded to {target}"
