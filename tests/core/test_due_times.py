"""Work by due time: agendas, a request paying only for what is due, pruning, and the sleeping ticker."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests

import toyvendor
from mockcdr.app import build_runtime
from mockcdr.core.agenda import Agenda
from mockcdr.core.clock import Clock
from mockcdr.core.ids import Ids
from mockcdr.core.store import Store
from mockcdr.core.tokens import TokenError, Tokens
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

UTC = timezone.utc
T0 = datetime(2026, 5, 1, tzinfo=UTC)
KEY = {"X-Toy-Key": "key-acme"}


def test_agenda_pops_in_due_order_and_only_what_is_due():
    earlier = []
    agenda = Agenda(on_earlier=earlier.append)
    for at, key in ((30, "c"), (10, "a"), (20, "b"), (10, "a")):
        agenda.schedule(at, "job", key)
    assert len(agenda) == 3 and agenda.next_due() == 10 and earlier == [30, 10]
    assert agenda.pop(5) is None
    assert [agenda.pop(25)[2], agenda.pop(25)[2], agenda.pop(25)] == ["a", "b", None]
    agenda.clear()
    assert agenda.next_due() is None


def toy_session(**settings):
    rt = build_runtime(Settings(vendors=(), seed="due", **settings), [toyvendor.VENDOR])
    rt.clock.freeze(T0)
    return rt


def test_moving_the_clock_looks_only_at_the_jobs_that_are_due():
    rt = toy_session()
    for i in range(10_000):
        rt.lifecycle.create("toy.export", f"j{i}", "acme")      # each due 5 s after it was made
    looked = []
    real_advance = rt.lifecycle._advance
    rt.lifecycle._advance = lambda job, now: looked.append(job["id"]) or real_advance(job, now)
    rt.clock.freeze(T0 + timedelta(seconds=1))                   # moving the clock ticks the session
    assert looked == []                                          # nothing due: no job is looked at
    rt.lifecycle.create("toy.export", "late", "acme")
    looked.clear()
    rt.clock.freeze(T0 + timedelta(seconds=5))
    assert len(looked) == 10_000 and "late" not in looked        # exactly the due ones
    looked.clear()
    rt.clock.freeze(T0 + timedelta(seconds=6))
    assert looked == ["late"] and rt.lifecycle.get("late")["state"] == "done"


def test_a_request_does_not_pay_for_the_jobs_a_session_holds():
    rt = toy_session()
    rt.lifecycle.set_policy("toy.export", {"mode": "manual"})   # nothing will ever be due
    for i in range(5_000):
        rt.lifecycle.create("toy.export", f"j{i}", "acme")
    assert rt.next_due() is None
    looked = []
    real_advance = rt.lifecycle._advance
    rt.lifecycle._advance = lambda job, now: looked.append(job["id"]) or real_advance(job, now)
    rt.tick()
    assert rt.lifecycle.get("j42", poll=True)["state"] == "pending"
    assert looked == ["j42"]


def test_expired_tokens_read_as_expired_for_the_grace_period_then_are_pruned():
    clock = Clock()
    clock.freeze(T0)
    store = Store()
    tokens = Tokens(store, clock, Ids("t"), grace=3600)
    short = tokens.issue("login", ttl=timedelta(minutes=30), uses=None)
    kept = tokens.issue("login", ttl=timedelta(minutes=30), uses=None)
    forever = tokens.issue("report", ttl=None)
    clock.freeze(T0 + timedelta(minutes=20))
    tokens.touch("login", kept["value"], timedelta(minutes=30))  # a client that keeps using it
    clock.freeze(T0 + timedelta(minutes=31))
    try:
        tokens.check("login", short["value"])
    except TokenError as exc:
        assert exc.reason == "expired"
    assert tokens.prune() == 0
    clock.freeze(T0 + timedelta(minutes=95))
    assert tokens.prune() == 1                                   # only the one expired over an hour ago
    try:
        tokens.check("login", short["value"])
    except TokenError as exc:
        assert exc.reason == "unknown"
    assert store.get("_tokens", f"login:{kept['value']}") is not None
    clock.freeze(T0 + timedelta(minutes=200))
    assert tokens.prune() == 1 and len(store.values("_tokens")) == 1   # the one that never expires
    assert tokens.check("report", forever["value"])


def test_logins_that_expire_do_not_pile_up_in_a_session():
    rt = build_runtime(Settings(vendors=("yeastar",), seed="prune", token_grace=0))
    rt.clock.freeze(T0)
    for _ in range(200):
        rt.tokens.issue("yeastar.token", {"user": "u"}, ttl=timedelta(minutes=30), uses=None)
    assert len(rt.store.values("_tokens")) == 200
    rt.clock.advance(timedelta(minutes=31))        # moving the clock ticks the session
    assert rt.store.values("_tokens") == []


def test_the_ticker_sleeps_until_something_is_due_and_then_acts_with_nobody_polling():
    with LiveServer(Settings(vendors=(), seed="tick"), extra_vendors=[toyvendor.VENDOR]) as live:
        ticker = live._servers.ticker
        time.sleep(0.5)
        assert ticker.ticks == 0                                    # idle: it does not poll
        session = live.session(transitions={"toy.export": {"seconds": {"pending": 0.3}}})
        job = requests.post(f"{session.url}/toy/exports", json={"name": "n"}, headers=KEY).json()
        stored = session.runtime.store.get("_jobs", job["id"])
        deadline = time.monotonic() + 5
        while stored["state"] != "done" and time.monotonic() < deadline:
            time.sleep(0.02)                                         # read the record: no request, no tick
        assert stored["state"] == "done" and stored["attrs"]["token"]
        assert 1 <= ticker.ticks <= 5
