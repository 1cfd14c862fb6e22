"""Isolation under load: many threads over many sessions; no record crosses a session, none is lost."""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

import toyvendor
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

KEY = {"X-Toy-Key": "key-acme"}
SESSIONS = 50
THREADS = 16
ROUNDS = 12


def test_sixteen_threads_over_fifty_sessions_keep_every_record_in_its_own_session():
    with LiveServer(Settings(vendors=(), seed="iso", clock_start="2026-01-01T00:00:00Z", clock_frozen=True),
                    extra_vendors=[toyvendor.VENDOR]) as live:
        handles = [live.session(f"iso-{i:02d}", seed=f"seed-{i}") for i in range(SESSIONS)]
        made: dict[str, list[str]] = {h.id: [] for h in handles}
        resets: dict[str, int] = {h.id: 0 for h in handles}
        locks = {h.id: threading.Lock() for h in handles}
        http = threading.local()

        def work(n: int) -> None:
            rng = random.Random(n)
            http.s = getattr(http, "s", None) or requests.Session()
            for _ in range(ROUNDS):
                h = rng.choice(handles)
                with locks[h.id]:        # a session's own steps in order; sessions run in parallel
                    action = rng.random()
                    if action < 0.6:
                        job = http.s.post(f"{h.url}/toy/exports", json={"name": h.id}, headers=KEY)
                        assert job.status_code == 201, job.text
                        made[h.id].append(job.json()["id"])
                    elif action < 0.75:
                        h.control.advance_clock("PT1M")
                    elif action < 0.85:
                        h.control.add_fault("toy", "error", operation="downloadFile", count=1)
                    else:
                        h.control.reset()
                        made[h.id].clear()
                        resets[h.id] += 1

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS * 4)))

        assert live.runtime.lifecycle.jobs() == []              # the root saw none of it
        for h in handles:
            jobs = h.control.list_jobs()
            assert sorted(j["id"] for j in jobs) == sorted(made[h.id])     # none lost, none foreign
            assert {j["attrs"]["name"] for j in jobs} <= {h.id}
            entries = h.control.get_journal()["entries"]
            assert all(e["request"]["body"] in (None, "", f'{{"name": "{h.id}"}}') for e in entries)
            assert h.control.info()["seed"] == h.runtime.start.seed
            h.raise_errors()
        assert sum(len(v) for v in made.values()) > 0 and sum(resets.values()) > 0


def test_the_same_requests_in_two_sessions_with_one_seed_give_the_same_ids():
    with LiveServer(Settings(vendors=(), seed="iso"), extra_vendors=[toyvendor.VENDOR]) as live:
        a, b = live.session(seed="twin"), live.session(seed="twin")
        ids_a = [requests.post(f"{a.url}/toy/exports", json={"name": "x"}, headers=KEY).json()["id"] for _ in range(3)]
        ids_b = [requests.post(f"{b.url}/toy/exports", json={"name": "x"}, headers=KEY).json()["id"] for _ in range(3)]
        assert ids_a == ids_b
        assert len(a.control.list_jobs()) == 3 and len(b.control.list_jobs()) == 3
