"""Fixtures every vendor's tests share: the plugin's in-process app, its runtime and a test client."""
from __future__ import annotations

import pytest


@pytest.fixture
def app(mockcdr_app):
    """The plugin's app, built from the folder's ``mockcdr_settings`` (it re-raises any unexpected
    server-side exception after the test)."""
    return mockcdr_app


@pytest.fixture
def rt(app):
    return app.extensions["mockcdr"]


@pytest.fixture
def client(app):
    return app.test_client()
