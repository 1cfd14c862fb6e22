"""Garbage collection while serving: survivors frozen after each full collection, cyclic garbage swept when idle."""
from __future__ import annotations

import gc
import weakref

import pytest

from mockcdr.serving.collector import Collector


class Node:
    def __init__(self):
        self.other = None


def cycle() -> tuple[Node, weakref.ref]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(b)


@pytest.fixture
def collector():
    c = Collector(idle=1.0, force=300.0)
    c.install()
    try:
        yield c
    finally:
        c.uninstall()
        gc.collect()


def test_a_full_collection_freezes_its_survivors_so_the_next_one_walks_only_what_came_after(collector):
    held = [cycle()[0] for _ in range(2000)]
    gc.collect()                       # the interpreter's own full collection, as when serving
    assert collector.dirty and collector.freezes >= 1
    assert gc.get_freeze_count() >= 2 * len(held)
    assert gc.get_count()[0] < 100 and len(gc.get_objects(2)) < 100   # nothing left to walk


def test_cyclic_garbage_among_frozen_objects_waits_for_a_sweep_and_the_sweep_collects_it(collector):
    node, alive = cycle()
    gc.collect()                       # survives (still referenced): frozen
    del node                           # now garbage, but frozen garbage
    gc.collect()
    assert alive() is not None, "a plain collection never looks at frozen objects"
    assert collector.sweep() >= 2
    assert alive() is None
    assert not collector.dirty and collector.sweeps == 1
    assert 0 < gc.get_freeze_count() <= collector.swept_count   # the rest is frozen again


def test_a_sweep_is_due_once_requests_pause_or_after_long_under_load_that_never_does(collector):
    now = collector.last_request
    assert not collector.due(now + 600), "nothing frozen since the last sweep: no sweep"
    gc.collect()
    assert collector.dirty
    collector.request()
    busy = collector.last_request + 0.5
    assert not collector.due(busy), "requests keep coming: wait"
    assert collector.due(collector.last_request + 1.0), "a second without a request: sweep"
    collector.last_sweep = busy - 300.0            # the last sweep was five minutes ago
    assert collector.due(busy), "under load that never pauses, time forces it"
    assert collector.check(busy) and collector.sweeps == 1 and not collector.due(busy)


def test_uninstalled_it_leaves_the_interpreters_collections_alone():
    c = Collector()
    c.install()
    assert gc.get_freeze_count() > 0
    c.uninstall()
    assert gc.get_freeze_count() == 0
    try:
        gc.collect()
        assert not c.dirty and c.freezes == 0 and gc.get_freeze_count() == 0
    finally:
        gc.collect()
