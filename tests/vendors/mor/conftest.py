"""Fixtures for the MOR tests (helpers live in mor_support, a name no other test folder uses)."""
from __future__ import annotations

import pytest
from mor_support import START, Api

from mockcdr.settings import Settings


@pytest.fixture
def mockcdr_settings():
    return Settings(vendors=("mor",), seed="mor-tests", clock_start=START, clock_frozen=True)


@pytest.fixture
def api(client, rt):
    return Api(client, rt)
