"""Fixtures for the yeti tests: an in-process app on a frozen clock and a logged-in request helper."""
from __future__ import annotations

import pytest

from mockcdr.settings import Settings

from yeti_helpers import START, Yeti


@pytest.fixture
def settings() -> Settings:
    return Settings(vendors=("yeti",), seed="yeti-tests", clock_start=START, clock_frozen=True)


@pytest.fixture
def mockcdr_settings(settings) -> Settings:
    return settings


@pytest.fixture
def yeti(client, rt) -> Yeti:
    y = Yeti(client, rt)
    y.login()
    return y
