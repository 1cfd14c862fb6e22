"""Fixtures for the yeti tests: an in-process app on a frozen clock and a logged-in request helper."""
from __future__ import annotations

import pytest

from mockcdr.app import create_app
from mockcdr.settings import Settings

from yeti_helpers import START, Yeti


@pytest.fixture
def settings() -> Settings:
    return Settings(vendors=("yeti",), seed="yeti-tests", clock_start=START, clock_frozen=True)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    errors = app.extensions["mockcdr"].errors
    if errors:
        raise errors[0]


@pytest.fixture
def rt(app):
    return app.extensions["mockcdr"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def yeti(client, rt) -> Yeti:
    y = Yeti(client, rt)
    y.login()
    return y
