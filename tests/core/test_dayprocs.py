"""Days rendered ahead in forked worker processes: the same bytes as one process, in file order."""
from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.app import build_runtime
from mockcdr.core import dayprocs, dayrender
from mockcdr.core.vendor import GenerateRequest
from mockcdr.settings import Settings, SettingsError, from_sources

T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)
CASES = [
    ("didww", dict(tenant="globex", format="cdr_in")),
    ("telnyx", dict(tenant="acme", params={"timezone": "America/New_York"})),
    ("yeti", dict(tenant="acme-api", params={"time_zone_name": "Asia/Kolkata"})),
    ("mor", dict(tenant="acme_admin", format="tgz", params={"template_id": "6"})),
    ("mor", dict(tenant="acme_admin", format="none", params={"template_id": "5"})),
    ("yeastar", dict(tenant="acme-api")),
]
needs_fork = pytest.mark.skipif(not dayprocs.available(), reason="render workers are forks (Linux only)")


def _runtime(workers: int, cache_mb: int = 0):
    return build_runtime(Settings(seed="workers", calls_per_day=300, render_cache_mb=cache_mb,
                                  render_workers=workers, clock_start="2025-06-01T00:00:00Z"))


def _generate(rt, slug, case, start, end=None, limit=None) -> bytes:
    req = GenerateRequest(tenant=case["tenant"], start=start, end=end, limit=limit,
                          format=case.get("format"), params=dict(case.get("params", {})))
    return rt.vendors[slug].generate(rt, req).read()


def _counting_workers(monkeypatch) -> list:
    started = []
    real = dayprocs.DayWorkers.start

    def spy(*args, **kwargs):
        workers = real(*args, **kwargs)
        started.append(workers is not None)
        return workers
    monkeypatch.setattr(dayprocs.DayWorkers, "start", spy)
    return started


@needs_fork
@pytest.mark.parametrize("slug,case", CASES, ids=[f"{s}-{c.get('format') or ''}" for s, c in CASES])
def test_workers_give_the_bytes_of_one_process(slug, case, monkeypatch):
    started = _counting_workers(monkeypatch)
    alone, forked = _runtime(0), _runtime(2)
    for start, end, limit in ((T0 + timedelta(hours=5), T0 + timedelta(days=6, hours=2), None),
                              (T0, None, 1500)):
        want = _generate(alone, slug, case, start, end, limit)
        assert _generate(forked, slug, case, start, end, limit) == want, (start, end, limit)
    assert started == [True, True]


@needs_fork
def test_workers_fill_the_cache_with_what_they_render(monkeypatch):
    started = _counting_workers(monkeypatch)
    slug, case = CASES[0]
    rt = _runtime(2, cache_mb=64)
    rt.render_cache.clear()
    first = _generate(rt, slug, case, T0, T0 + timedelta(days=5))
    assert rt.render_cache.stats()["entries"] == 5
    again = _generate(rt, slug, case, T0, T0 + timedelta(days=5))
    assert again == first == _generate(_runtime(0), slug, case, T0, T0 + timedelta(days=5))
    assert started == [True]        # the repeat is served from the cache: no workers
    assert gzip.decompress(first).count(b"\n") > 5 * 100     # five days of a tenant's share of 300 calls


def test_a_small_export_or_no_fork_renders_in_this_process(monkeypatch):
    started = _counting_workers(monkeypatch)
    slug, case = CASES[1]
    want = _generate(_runtime(0), slug, case, T0, T0 + timedelta(days=4))
    _generate(_runtime(2), slug, case, T0, T0 + timedelta(days=2, hours=3))   # two whole days: not worth it
    monkeypatch.setattr(dayprocs, "available", lambda: False)
    assert _generate(_runtime(2), slug, case, T0, T0 + timedelta(days=4)) == want
    assert started == []


def test_the_number_of_workers_is_a_setting():
    assert Settings().render_workers is None                          # auto: one per core
    assert from_sources(cli={}, env={"MOCKCDR_RENDER_WORKERS": "0"}).render_workers == 0
    assert from_sources(cli={"render_workers": "3"}, env={}).render_workers == 3
    with pytest.raises(SettingsError, match="render.workers"):
        from_sources(cli={"render_workers": "-1"}, env={})
    assert 1 <= dayprocs.default_workers() <= 4


@needs_fork
def test_one_export_at_a_time_has_workers_the_others_render_alone(monkeypatch):
    started = _counting_workers(monkeypatch)
    slug, case = CASES[2]
    rt = _runtime(2)
    want = _generate(_runtime(0), slug, case, T0, T0 + timedelta(days=4))
    req = GenerateRequest(tenant=case["tenant"], start=T0, end=T0 + timedelta(days=4),
                          params=dict(case["params"]))
    first = iter(rt.vendors[slug].generate(rt, req).chunks)
    head = b""
    while not started:                      # the first export under way, its workers started
        head += next(first)
    assert _generate(rt, slug, case, T0, T0 + timedelta(days=4)) == want
    assert head + b"".join(first) == want
    assert _generate(rt, slug, case, T0, T0 + timedelta(days=4)) == want    # workers free again
    assert started == [True, False, True]


@needs_fork
def test_no_process_to_be_had_renders_in_this_process(monkeypatch):
    started = _counting_workers(monkeypatch)

    real, failing = dayprocs.multiprocessing.get_context, [True]

    def get_context(method):
        if failing[0]:
            raise OSError(11, "Resource temporarily unavailable")
        return real(method)
    monkeypatch.setattr(dayprocs.multiprocessing, "get_context", get_context)
    slug, case = CASES[0]
    assert _generate(_runtime(2), slug, case, T0, T0 + timedelta(days=4)) == \
        _generate(_runtime(0), slug, case, T0, T0 + timedelta(days=4))
    assert started == [False]
    failing[0] = False
    assert _generate(_runtime(2), slug, case, T0, T0 + timedelta(days=4))      # the bound was given back
    assert started == [False, True]


@pytest.mark.parametrize("slug,extra", [("yeti", ["--tenant", "acme-api"]), ("didww", ["--format", "cdr_in"])])
def test_generate_gives_the_same_file_with_or_without_render_workers(slug, extra, tmp_path):
    files = []
    for workers in ("0", "2", "auto"):
        out = tmp_path / f"{slug}-{workers}"
        done = subprocess.run([sys.executable, "-m", "mockcdr.cli", "generate", slug, "--from", "2026-03-01T00:00:00Z",
                               "--to", "2026-03-06T00:00:00Z", "--seed", "gen", "--calls-per-day", "200",
                               "--render-workers", workers, "-o", str(out)] + extra, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        files.append(out.read_bytes())
    assert files[0] == files[1] == files[2] and len(files[0]) > 10_000
