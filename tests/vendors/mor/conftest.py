"""Fixtures for the MOR tests (helpers live in mor_support, a name no other test folder uses)."""
from __future__ import annotations

import pytest
from mor_support import START, Api

from mockcdr.settings import Settings


@pytest.fixture
def mockcdr_settings():
    return Settings(vendors=("mor",), seed="mor-tests", clock_start=START, clock_frozen=True)


@pytest.fixture
def app(mockcdr_app):
    """The plugin's app (it re-raises any unexpected server-side exception after the test)."""
    return mockcdr_app


@pytest.fixture
def rt(app):
    return app.extensions["mockcdr"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client, rt):
    return Api(client, rt)
