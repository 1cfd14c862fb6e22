"""The call universe: deterministic, consistent across windows, realistic."""
import hashlib
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from mockcdr.core.cdrs import TenantProfile, Trunk, Universe
from mockcdr.core.numbering import PLANS, plan_for

UTC = timezone.utc
ACME = TenantProfile("acme", "ACME", "US", ("12025550143", "13125550111"),
                     (Trunk("t1", "Primary"), Trunk("t2", "Backup")), ("1000", "1001", "1002"),
                     calls_per_day=300)


def digest(calls):
    h = hashlib.sha256()
    for c in calls:
        h.update(repr(c.as_dict()).encode())
    return h.hexdigest()


def test_same_seed_same_calls_in_another_process():
    here = digest(Universe("s").day(ACME, date(2026, 1, 5)))
    code = ("import sys, hashlib; sys.path.insert(0, %r); from test_cdrs import ACME, digest;"
            "from mockcdr.core.cdrs import Universe; from datetime import date;"
            "print(digest(Universe('s').day(ACME, date(2026, 1, 5))))") % str(__import__("pathlib").Path(__file__).parent)
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "7"}).stdout.strip()
    assert there == here


def test_other_seed_or_tenant_or_day_gives_other_calls():
    base = digest(Universe("s").day(ACME, date(2026, 1, 5)))
    assert digest(Universe("t").day(ACME, date(2026, 1, 5))) != base
    assert digest(Universe("s").day(ACME, date(2026, 1, 6))) != base
    other = TenantProfile("other", "ACME", "US", ACME.dids, ACME.trunks, ACME.extensions, calls_per_day=300)
    assert digest(Universe("s").day(other, date(2026, 1, 5))) != base


def test_a_call_is_identical_in_every_window_that_covers_it():
    u = Universe("s")
    start = datetime(2026, 2, 27, 18, tzinfo=UTC)
    wide = {c.uid: c for c in u.calls(ACME, start, start + timedelta(days=3))}
    narrow = list(u.calls(ACME, start + timedelta(hours=20), start + timedelta(hours=30)))
    assert narrow and all(wide[c.uid] == c for c in narrow)
    assert all(start + timedelta(hours=20) <= c.start < start + timedelta(hours=30) for c in narrow)
    desc = list(u.calls(ACME, start, start + timedelta(days=3), descending=True))
    assert [c.uid for c in desc] == [c.uid for c in reversed(list(wide.values()))]


def test_windows_are_half_open_and_empty_windows_yield_nothing():
    u = Universe("s")
    calls = u.day(ACME, date(2026, 1, 5))
    first = calls[0]
    at = datetime.fromtimestamp(first.start_us / 1e6, UTC)
    assert first.uid in {c.uid for c in u.calls(ACME, at, at + timedelta(seconds=1))}
    assert first.uid not in {c.uid for c in u.calls(ACME, at - timedelta(hours=1), at)}
    assert list(u.calls(ACME, at, at)) == []


def test_open_ended_stops_at_the_limit_across_days():
    u = Universe("s", calls_per_day=40)
    small = TenantProfile("small", "S", "GB", ("442079460123",), (), ("200", "201"))
    calls = list(u.open_ended(small, datetime(2026, 1, 1, tzinfo=UTC), 500))
    assert len(calls) == 500 and len({c.day for c in calls}) > 10
    assert [c.start_us for c in calls] == sorted(c.start_us for c in calls)


def test_calls_are_realistic():
    calls = [c for d in range(5) for c in Universe("s").day(ACME, date(2026, 3, 1) + timedelta(days=d))]
    assert len(calls) > 1000
    directions = Counter(c.direction for c in calls)
    outcomes = Counter(c.disposition for c in calls)
    assert {"in", "out", "internal"} <= set(directions)
    assert {"answered", "busy", "no_answer", "failed"} <= set(outcomes)
    assert 0.55 < outcomes["answered"] / len(calls) < 0.85
    for c in calls:
        assert c.end_us >= c.start_us and c.duration >= 0 and c.billsec >= 0 and c.cost >= 0
        if c.answered:
            assert c.start_us <= c.connect_us <= c.end_us and c.billsec >= 1 and c.sip_code == 200
        else:
            assert c.connect_us is None and c.billsec == 0 and c.sip_code >= 400
        assert c.billsec <= c.duration
        if c.direction == "in":
            assert c.did in ACME.dids and c.dst == c.did and c.trunk in ACME.trunks
        if c.direction == "out":
            assert c.src in ACME.dids and c.trunk in ACME.trunks and plan_for(c.dst)
        if c.direction == "internal":
            assert c.src in ACME.extensions and c.dst in ACME.extensions and c.src != c.dst
        if c.direction != "internal":
            peer = c.src if c.direction == "in" else c.dst
            assert re.fullmatch(r"\d{8,15}", peer)
            assert plan_for(peer).iso == c.country
    countries = Counter(c.country for c in calls if c.direction != "internal")
    assert countries.most_common(1)[0][0] == "US" and len(countries) >= 5


def test_e164_numbers_match_their_plans():
    import random
    rng = random.Random(1)
    for plan in PLANS.values():
        for network in ("fixed", "mobile", "tollfree"):
            number = plan.number(rng, network)
            assert number.startswith(plan.cc) and len(number) == len(plan.cc) + plan.length


def test_calls_per_day_setting_scales_the_volume():
    big = TenantProfile("b", "B", "US", ("12025550143",), (), (), calls_per_day=5000)
    n = len(Universe("s").day(big, date(2026, 1, 1)))
    assert 4000 <= n <= 6000
    none = TenantProfile("n", "N", "US", ("12025550143",), (), (), calls_per_day=0)
    assert Universe("s").day(none, date(2026, 1, 1)) == []
    assert list(Universe("s").open_ended(none, datetime(2026, 1, 1, tzinfo=UTC), 10)) == []


def test_a_shape_filter_keeps_exactly_the_unfiltered_calls_of_those_shapes():
    u = Universe("s")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    everything = list(u.calls(ACME, start, start + timedelta(days=2)))
    keep = [i % 3 == 0 for i in range(len(u.shapes(ACME)))]
    kept = list(u.calls(ACME, start, start + timedelta(days=2), keep=keep))
    assert kept == [c for c in everything if keep[c.shape_id]] and 0 < len(kept) < len(everything)
    desc = list(u.calls(ACME, start, start + timedelta(days=2), descending=True, keep=keep))
    assert desc == kept[::-1]
    first = list(u.open_ended(ACME, start, 50, keep=keep))
    assert first == kept[:50]
    assert list(u.open_ended(ACME, start, 5, keep=[False] * len(keep))) == []


def test_bare_calls_and_counts_agree_with_the_full_calls():
    u = Universe("s")
    keep = [i % 5 < 2 for i in range(len(u.shapes(ACME)))]
    for d in (date(2026, 3, 1), date(2026, 3, 2)):
        for wanted in (None, keep):
            full = u.day(ACME, d, wanted)
            bare = u.day(ACME, d, wanted, bare=True)
            assert bare == [tuple(c)[:len(bare[0])] for c in full] and bare[0][-1] == full[0].shape_id
            assert u.count(ACME, d, wanted) == len(full) > 0
    start = datetime(2026, 3, 1, 7, tzinfo=UTC)
    window = (start, start + timedelta(days=1, hours=3))
    assert list(u.calls(ACME, *window, keep=keep, bare=True)) == [
        tuple(c)[:11] for c in u.calls(ACME, *window, keep=keep)]


def test_call_numbers_in_hex_are_eight_digits_past_the_table_too():
    from mockcdr.core.daycalls import seq_hex

    numbers = [0, 1, 255, 65_535, 65_536, 1_000_000, 0xFFFFFFFF]
    assert seq_hex(numbers) == [f"{q:08x}" for q in numbers]
    assert seq_hex(numbers)[4] == "00010000"
