"""Shared fixtures: an app hosting only the toy vendor, for tests of the core."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mockcdr.app import create_app  # noqa: E402
from mockcdr.settings import Settings  # noqa: E402

import toyvendor  # noqa: E402


@pytest.fixture
def toy_settings() -> Settings:
    return Settings(vendors=(), seed="test-seed")


@pytest.fixture
def toy_app(toy_settings):
    app = create_app(toy_settings, extra_vendors=[toyvendor.VENDOR])
    app.config["TESTING"] = True
    return app


@pytest.fixture
def toy_rt(toy_app):
    return toy_app.extensions["mockcdr"]


@pytest.fixture
def toy(toy_app):
    client = toy_app.test_client()
    client.environ_base["HTTP_X_TOY_KEY"] = "key-acme"
    return client
