"""The render cache (LRU by bytes), deflate segments, and exports assembled from cached days."""
from __future__ import annotations

import gzip
import io
import tarfile
import threading
import zlib
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.app import build_runtime
from mockcdr.core import deflate, rendercache
from mockcdr.core.archives import tgz_segments
from mockcdr.core.rendercache import MB, SharedStore
from mockcdr.core.vendor import GenerateRequest
from mockcdr.settings import Settings, SettingsError, from_sources

T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)


# -- the cache itself -------------------------------------------------------------------------
def RenderCache(max_bytes: int):           # noqa: N802 (a World's view, over a store of its own)
    return SharedStore().view(max_bytes)


def test_least_recently_used_go_first_and_the_size_is_bounded():
    cache = RenderCache(100)
    for key in "abc":
        assert cache.put(key, key.upper(), 30)
    assert cache.get("a") == "A"            # a is now the most recently used
    cache.put("d", "D", 30)                 # 120 bytes: b, the least recently used, goes
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acd"] == ["A", "C", "D"]
    stats = cache.stats()
    assert stats["bytes"] == 90 and stats["entries"] == 3 and stats["evictions"] == 1
    assert stats["hits"] == 4 and stats["misses"] == 1


def test_a_value_larger_than_the_cache_is_not_kept_and_zero_turns_it_off():
    cache = RenderCache(10)
    assert not cache.put("big", b"x", 11)
    assert cache.get("big") is None and len(cache) == 0
    off = RenderCache(0)
    assert not off.enabled
    assert not off.put("k", 1, 1) and off.get("k") is None
    with pytest.raises(ValueError):
        RenderCache(-1)


def test_replacing_a_key_counts_its_size_once():
    cache = RenderCache(100)
    cache.put("k", 1, 40)
    cache.put("k", 2, 50)
    assert cache.get("k") == 2 and cache.stats()["bytes"] == 50


def test_threads_putting_and_getting_keep_the_accounting_right():
    cache = RenderCache(1000)

    def work(n):
        for i in range(2000):
            cache.put((n, i % 50), i, 7 + i % 13)
            cache.get((n, (i * 7) % 50))
    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = cache.stats()
    assert stats["bytes"] <= 1000
    assert stats["bytes"] == sum(size for _value, size in cache.store._items.values()) == cache.store.bytes


# -- deflate segments ---------------------------------------------------------------------------
def test_segments_join_into_one_gzip_file_of_their_texts():
    texts = [b"a,b,c\n" * 5000, b"", "üñï,ç\n".encode() * 300, bytes(range(256)) * 40]
    data = b"".join(deflate.gzip_stream([deflate.segment(t) for t in texts], mtime=1_700_000_000))
    assert gzip.decompress(data) == b"".join(texts)
    assert data[4:8] == (1_700_000_000).to_bytes(4, "little")
    assert deflate.inflate(deflate.segment(texts[0])) == texts[0]


def test_a_segment_does_not_depend_on_how_its_text_was_cut():
    text = b"".join(b"%d,%d,call-%x\n" % (i, i * 7, i * 31) for i in range(200_000))
    whole = deflate.segment(text)
    for cuts in ([1], [5, 1 << 20, (1 << 20) + 1], list(range(1000, len(text), 99_991))):
        bounds = [0] + cuts + [len(text)]
        parts = [text[a:b] for a, b in zip(bounds, bounds[1:])]
        assert deflate.segment(parts) == whole
    assert deflate.inflate(whole) == text


def test_crc_combine_without_the_codec_matches_zlib():
    a, b = b"first part " * 999, b"second" * 12345
    assert deflate._crc_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    assert deflate.crc_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    assert deflate._crc_combine(123, 0, 0) == 123


@pytest.mark.parametrize("size,spool", [(0, None), (1, None), (511, None), (512, None), (10240 - 1536, None),
                                        (10240 - 1535, None), (70_000, None), (70_000, "none"), (70_000, "one")])
def test_tgz_from_segments_is_the_tar_tarfile_writes(size, spool, monkeypatch):
    """``spool``: how many segments are held in memory before the rest go to a temporary file."""
    body = bytes((i * 7) % 251 for i in range(size))
    parts = [body[:size // 3], body[size // 3:2 * size // 3], body[2 * size // 3:]]
    if spool is not None:
        from mockcdr.core import archives

        monkeypatch.setattr(archives, "SPOOL", 0 if spool == "none" else len(deflate.segment(parts[0]).data))
    data = b"".join(tgz_segments("x.csv", (deflate.segment(p) for p in parts), mtime=1_700_000_000))
    expected = io.BytesIO()
    with tarfile.open(fileobj=expected, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("x.csv")
        info.size, info.mtime, info.mode = size, 1_700_000_000, 0o644
        info.uname = info.gname = "mockcdr"
        tar.addfile(info, io.BytesIO(body))
    assert gzip.decompress(data) == expected.getvalue()


# -- settings ---------------------------------------------------------------------------------------
def test_the_cache_size_comes_from_config_environment_and_flags():
    assert Settings().render_cache_mb == 256
    assert from_sources(cli={}, env={"MOCKCDR_RENDER_CACHE_MB": "0"}).render_cache_mb == 0
    assert from_sources(cli={"render_cache_mb": 64}, env={"MOCKCDR_RENDER_CACHE_MB": "0"}).render_cache_mb == 64
    with pytest.raises(SettingsError, match="render[-_]cache[-_]mb"):
        from_sources(cli={"render_cache_mb": -1}, env={})
    with pytest.raises(SettingsError, match="render[-_]cache[-_]mb"):
        from_sources(cli={"render_cache_mb": "lots"}, env={})
    rt = build_runtime(Settings(render_cache_mb=3, vendors=("telnyx",)))
    assert rt.render_cache.max_bytes == 3 * MB
    from mockcdr.cli import _settings, build_parser

    for command in (["serve"], ["generate", "didww", "--from", "2025-01-01"]):
        ns = build_parser().parse_args(command + ["--render-cache-mb", "0"])
        assert _settings(ns).render_cache_mb == 0


# -- exports from cached days ---------------------------------------------------------------------
CASES = [
    ("didww", dict(tenant="globex", format="cdr_in")),
    ("telnyx", dict(tenant="acme", params={"timezone": "America/St_Johns"})),
    ("yeti", dict(tenant="acme-api", params={"time_zone_name": "Asia/Kolkata"})),
    ("mor", dict(tenant="acme_admin", format="tgz", params={"template_id": "6"})),
    ("mor", dict(tenant="acme_admin", format="none", params={"template_id": "5", "timezone": "Tokyo"})),
    ("mor", dict(tenant="acme_admin", format="zip", params={"template_id": "6"})),
    ("yeastar", dict(tenant="acme-api", params={"extid": "1000,1001"})),
]


def _runtime(cache_mb: int, seed: str = "cache-test", calls: int = 300, fresh: bool = True):
    """A session over the World of these settings; ``fresh``: that World's cache emptied first
    (Worlds are shared by every session with the same settings, seed and calls per day apart)."""
    rt = build_runtime(Settings(seed=seed, calls_per_day=calls, render_cache_mb=cache_mb,
                                clock_start="2025-06-01T00:00:00Z"))
    if fresh:
        rt.world.render_cache = RenderCache(cache_mb * MB)
    return rt


def _generate(rt, slug, case, start, end=None, limit=None) -> bytes:
    req = GenerateRequest(tenant=case["tenant"], start=start, end=end, limit=limit,
                          format=case.get("format"), params=dict(case.get("params", {})))
    return rt.vendors[slug].generate(rt, req).read()


def _plain(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


WINDOWS = [
    (T0, T0 + timedelta(days=3), None),                                           # whole days
    (T0 + timedelta(hours=7, seconds=13), T0 + timedelta(days=2, hours=3), None),  # cut at both edges
    (T0 + timedelta(hours=23), T0 + timedelta(days=1, hours=1), None),             # a small share of two days
    (T0 + timedelta(hours=5), T0 + timedelta(days=4), 317),                        # cut by the row limit
]


@pytest.mark.parametrize("slug,case", CASES, ids=[f"{s}-{c.get('format') or ''}" for s, c in CASES])
def test_cached_days_give_the_bytes_of_a_render_without_cache(slug, case):
    cold = _runtime(0)
    warm = _runtime(64)
    for start, end, limit in WINDOWS:
        want = _generate(cold, slug, case, start, end, limit)
        first = _generate(warm, slug, case, start, end, limit)
        again = _generate(warm, slug, case, start, end, limit)
        assert first == want and again == want, (start, end, limit)
    assert warm.render_cache.stats()["hits"] > 0
    assert cold.render_cache.stats()["entries"] == 0


@pytest.mark.parametrize("slug,case", [CASES[0], CASES[2], CASES[3]], ids=["didww", "yeti", "mor-tgz"])
def test_the_bytes_do_not_depend_on_what_the_cache_saw_before(slug, case):
    """A day first cached for a window that needed part of it serves a later whole-day window
    with the bytes a render without the cache gives."""
    warm = _runtime(64)
    _generate(warm, slug, case, T0 + timedelta(hours=9), T0 + timedelta(days=1, hours=20))
    for start, end in ((T0, T0 + timedelta(days=2)), (T0 + timedelta(hours=3), T0 + timedelta(days=1, hours=1))):
        assert _generate(warm, slug, case, start, end) == _generate(_runtime(0), slug, case, start, end)


@pytest.mark.parametrize("slug,case", [CASES[0], CASES[1], CASES[6]], ids=["didww", "telnyx", "yeastar"])
def test_a_day_cut_short_by_the_row_limit_is_kept_whole(slug, case):
    """The limit stops a file in the middle of a day the cache keeps: the file ends there, the
    rest of the day is still rendered for the cache, and a later window over the whole day
    (served from the cache) is the file a render without the cache gives."""
    warm = _runtime(64)
    start = T0 + timedelta(hours=2)
    short = _generate(warm, slug, case, start, limit=37)
    assert short == _generate(_runtime(0), slug, case, start, limit=37)
    assert _plain(short).count(b"\n") == 38                      # the header and 37 rows
    assert warm.render_cache.stats()["entries"] == 1
    whole = (T0, T0 + timedelta(days=1))
    assert _generate(warm, slug, case, *whole) == _generate(_runtime(0), slug, case, *whole)
    assert warm.render_cache.stats()["hits"] >= 1


def test_a_repeat_is_served_from_the_cache_and_other_windows_share_its_days():
    rt = _runtime(64)
    case = CASES[0][1]
    whole = _generate(rt, "didww", case, T0, T0 + timedelta(days=2))
    stats = rt.render_cache.stats()
    assert stats["entries"] == 2 and stats["hits"] == 0
    assert _generate(rt, "didww", case, T0, T0 + timedelta(days=2)) == whole
    assert rt.render_cache.stats()["hits"] == 2
    # a window inside those days is cut from them: nothing new is rendered
    inner = _generate(rt, "didww", case, T0 + timedelta(hours=6), T0 + timedelta(days=1, hours=18))
    assert rt.render_cache.stats()["entries"] == 2
    lines = _plain(whole).decode().splitlines()
    inner_lines = _plain(inner).decode().splitlines()
    stamps = [line.split(",")[0] for line in inner_lines[1:]]
    assert stamps and all("2025-03-01 06:00:00" <= s < "2025-03-02 18:00:00" for s in stamps)
    assert inner_lines[1:] == [line for line in lines[1:] if line.split(",")[0] in set(stamps)]


def test_sessions_share_the_cache_and_seed_and_calls_per_day_are_part_of_its_key():
    """Sessions of one World (seed and calls per day are a session's own) share one cache."""
    case = CASES[1][1]
    day = (T0, T0 + timedelta(days=1))
    first_session = _runtime(64)
    other_seed = _runtime(64, seed="another-seed", fresh=False)
    fewer_calls = _runtime(64, seed="another-seed", calls=150, fresh=False)
    assert other_seed.render_cache is first_session.render_cache is fewer_calls.render_cache
    first = _generate(first_session, "telnyx", case, *day)
    other = _generate(other_seed, "telnyx", case, *day)
    fewer = _generate(fewer_calls, "telnyx", case, *day)
    assert other != first
    assert other == _generate(_runtime(0, seed="another-seed"), "telnyx", case, *day)
    assert fewer == _generate(_runtime(0, seed="another-seed", calls=150), "telnyx", case, *day)
    assert fewer.count(b"\n") < other.count(b"\n")
    assert first_session.render_cache.stats()["entries"] == 3
    assert _generate(_runtime(64, fresh=False), "telnyx", case, *day) == first    # a new session: a hit
    assert first_session.render_cache.stats()["hits"] == 1


def test_the_cache_stays_within_its_size_over_many_days():
    rt = _runtime(1, calls=2000)
    rt.world.render_cache = RenderCache(200_000)
    first = _generate(rt, "telnyx", CASES[1][1], T0, T0 + timedelta(days=12))
    stats = rt.render_cache.stats()
    assert 0 < stats["bytes"] <= 200_000 and stats["evictions"] > 0
    assert _generate(rt, "telnyx", CASES[1][1], T0, T0 + timedelta(days=12)) == first


def test_parallel_exports_over_one_cache_give_the_uncached_bytes():
    """Threads render, store and read the same days at once: every file is the one rendered alone."""
    cold = _runtime(0)
    warm = _runtime(8)
    jobs = [(slug, case, T0 + timedelta(hours=h), T0 + timedelta(days=2, hours=h // 2))
            for h in (0, 5, 11) for slug, case in (CASES[0], CASES[2], CASES[3])]
    want = [_generate(cold, slug, case, start, end) for slug, case, start, end in jobs]
    got: list = [None] * len(jobs) * 2
    errors: list = []

    def run(i: int) -> None:
        slug, case, start, end = jobs[i % len(jobs)]
        try:
            got[i] = _generate(warm, slug, case, start, end)
        except Exception as exc:      # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(got))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert got == want + want
    assert warm.render_cache.stats()["hits"] > 0


def test_an_export_read_halfway_leaves_the_cache_whole():
    """A client that goes away mid-file: the days it had are kept, the next read is whole."""
    rt = _runtime(64, calls=3000)
    case = CASES[1][1]
    req = GenerateRequest(tenant=case["tenant"], start=T0, end=T0 + timedelta(days=4), params=dict(case["params"]))
    chunks = rt.vendors["telnyx"].generate(rt, req).chunks
    next(chunks)
    next(chunks)
    chunks.close()
    assert _generate(rt, "telnyx", case, T0, T0 + timedelta(days=4)) == \
        _generate(_runtime(0, calls=3000), "telnyx", case, T0, T0 + timedelta(days=4))


# -- one byte budget per process ------------------------------------------------------------------
def test_every_world_of_the_process_draws_on_one_store():
    a = build_runtime(Settings(render_cache_mb=64, vendors=("telnyx",)))
    b = build_runtime(Settings(render_cache_mb=64, vendors=("telnyx",),
                               vendor_options={"telnyx": {"max_lookback_days": 900}}))
    assert a.world is not b.world
    assert a.render_cache.store is b.render_cache.store is rendercache.STORE
    assert a.render_cache.stats()["process_max_bytes"] >= 64 * MB


def test_worlds_share_one_budget_and_each_keeps_within_its_own_size():
    store = rendercache.SharedStore()
    big, small = store.view(3000), store.view(1000)
    for i in range(10):
        assert big.put(("day", i), f"big {i}", 400)
        assert small.put(("day", i), f"small {i}", 400)
        assert store.bytes <= 3000 and small.stats()["bytes"] <= 1000
    assert small.get(("day", 9)) == "small 9" and small.get(("day", 0)) is None
    assert big.get(("day", 9)) == "big 9" and big.get(("day", 0)) is None
    # the same key in two Worlds is two entries: nothing crosses from one World to the other
    assert big.get(("day", 8)) == "big 8" and small.get(("day", 8)) == "small 8"
    assert not small.put("too big", "x", 1001)
    off = store.view(0)
    assert not off.enabled and not off.put("k", 1, 1) and off.get("k") is None


def test_a_world_that_goes_away_gives_its_bytes_back():
    import gc

    store = rendercache.SharedStore()
    keeper, leaver = store.view(10_000), store.view(10_000)
    keeper.put("a", 1, 3000)
    leaver.put("a", 2, 3000)
    assert store.bytes == 6000
    del leaver
    gc.collect()
    assert store.bytes == 3000 and keeper.get("a") == 1 and store.budget == 10_000


def test_an_export_under_other_options_is_not_served_from_another_worlds_days():
    """Two Worlds over one store, the same MOR export but another decimal mark: each gets its own bytes."""
    store = rendercache.SharedStore()
    case = dict(tenant="acme_admin", format="none", params={"template_id": "6"})
    worlds = []
    for options in ({}, {"mor": {"csv_decimal": ",", "csv_separator": ";"}}):
        settings = Settings(seed="cache-test", calls_per_day=300, clock_start="2025-06-01T00:00:00Z",
                            vendor_options=options)
        rt = build_runtime(settings)
        rt.world.render_cache = store.view(64 * MB)
        worlds.append(rt)
    day = (T0, T0 + timedelta(days=1))
    plain, comma = (_generate(rt, "mor", case, *day) for rt in worlds)
    assert plain != comma and b";" in comma.splitlines()[1]
    assert _generate(worlds[1], "mor", case, *day) == comma
    assert _generate(worlds[0], "mor", case, *day) == plain
    assert worlds[0].render_cache.stats()["hits"] == 1 and worlds[1].render_cache.stats()["hits"] == 1
