"""Seeded ids, the record store and its snapshots, and one-time tokens."""
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.core.clock import Clock
from mockcdr.core.ids import Ids, derive_seed, derive_uuid
from mockcdr.core.store import Store, decode, encode
from mockcdr.core.tokens import TokenError, Tokens

UTC = timezone.utc


def test_derive_seed_is_the_same_in_another_process():
    here = derive_seed("mockcdr", "calls", "acme", "2026-01-01")
    code = "from mockcdr.core.ids import derive_seed; print(derive_seed('mockcdr','calls','acme','2026-01-01'))"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "123"}, check=True).stdout.strip()
    assert int(there) == here
    assert derive_seed("a", "b") != derive_seed("ab")


def test_ids_replay_after_reset_and_differ_by_namespace_and_seed():
    ids = Ids("s1")
    first = [ids.uuid("x"), ids.uuid("x"), ids.uuid("y")]
    assert len(set(first)) == 3
    ids.reset()
    assert [ids.uuid("x"), ids.uuid("x"), ids.uuid("y")] == first
    assert Ids("s2").uuid("x") != first[0]
    assert derive_uuid("s1", "x", 1) == first[0]
    assert first[0][14] == "4"  # version 4 layout, as vendors' UUIDs look


def test_ids_counters_survive_dump_and_load():
    ids = Ids("s")
    ids.uuid("job"); ids.uuid("job")
    other = Ids("s")
    other.load(ids.dump())
    assert other.uuid("job") == ids.uuid("job")


def test_store_snapshot_round_trips_datetimes_and_restores_exactly():
    store = Store()
    when = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    store.put("jobs", "a", {"at": when, "list": [when, 1, "x"], "nested": {"n": None}})
    dumped = store.dump()
    assert dumped["jobs"]["a"]["at"] == {"$dt": "2026-01-02T03:04:05.678000+00:00"}
    other = Store()
    other.put("junk", "z", {"v": 1})
    other.load(dumped)
    assert other.get("jobs", "a") == store.get("jobs", "a")
    assert other.values("junk") == []


def test_store_refuses_objects_that_cannot_be_snapshotted():
    with pytest.raises(TypeError):
        encode({"x": object()})
    assert decode(encode({"d": {"$dt": "not a dt wrapper", "k": 1}})) == {"d": {"$dt": "not a dt wrapper", "k": 1}}


def test_store_load_rejects_wrong_shapes():
    with pytest.raises(ValueError):
        Store().load({"jobs": ["not", "records"]})


@pytest.fixture
def tokens():
    clock = Clock()
    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    return Tokens(Store(), clock, Ids("t")), clock


def test_one_time_token_is_redeemed_once_then_reports_used(tokens):
    tok, _ = tokens
    t = tok.issue("dl", {"job": "j1"}, ttl=timedelta(seconds=30))
    assert tok.redeem("dl", t["value"])["data"] == {"job": "j1"}
    with pytest.raises(TokenError) as exc:
        tok.redeem("dl", t["value"])
    assert exc.value.reason == "used"


def test_token_expires_on_the_virtual_clock_and_touch_slides_it(tokens):
    tok, clock = tokens
    t = tok.issue("session", ttl=timedelta(minutes=30), uses=None)
    clock.advance(timedelta(minutes=29))
    tok.touch("session", t["value"], timedelta(minutes=30))
    clock.advance(timedelta(minutes=29))
    assert tok.check("session", t["value"])
    clock.advance(timedelta(minutes=2))
    with pytest.raises(TokenError) as exc:
        tok.check("session", t["value"])
    assert exc.value.reason == "expired"


def test_unknown_and_revoked_and_wrong_kind_tokens_are_refused(tokens):
    tok, _ = tokens
    t = tok.issue("a", uses=None)
    with pytest.raises(TokenError, match="unknown"):
        tok.redeem("b", t["value"])
    assert tok.revoke("a", t["value"]) and not tok.revoke("a", t["value"])
    with pytest.raises(TokenError, match="revoked"):
        tok.check("a", t["value"])
    with pytest.raises(TokenError, match="unknown"):
        tok.check("a", "")


def test_fifty_concurrent_redeems_of_one_token_have_exactly_one_winner(tokens):
    tok, _ = tokens
    value = tok.issue("dl", ttl=timedelta(seconds=30))["value"]
    wins, losses = [], []
    barrier = threading.Barrier(50)

    def redeem():
        barrier.wait()
        try:
            tok.redeem("dl", value)
            wins.append(1)
        except TokenError as exc:
            losses.append(exc.reason)

    threads = [threading.Thread(target=redeem) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and losses == ["used"] * 49
