"""Fixtures for the MOR tests (helpers live in mor_support, a name no other test folder uses)."""
from __future__ import annotations

import pytest
from mor_support import Api, make_app


@pytest.fixture
def app():
    app = make_app()
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
def api(client, rt):
    return Api(client, rt)
