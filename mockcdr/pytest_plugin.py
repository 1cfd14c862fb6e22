"""pytest plugin (pytest11): fixtures over mockcdr.testing; the logic lives there."""
from __future__ import annotations

import pytest

from .settings import Settings


@pytest.fixture
def mockcdr_settings() -> Settings:
    """Settings for in-process apps; override this fixture to change seed, vendors, fixtures."""
    return Settings()


@pytest.fixture
def mockcdr_app(mockcdr_settings):
    """A fresh in-process Flask app per test (its Runtime is ``app.extensions['mockcdr']``)."""
    from .app import create_app

    app = create_app(mockcdr_settings)
    app.config["TESTING"] = True
    yield app
    errors = app.extensions["mockcdr"].errors
    if errors:
        raise errors[0]


@pytest.fixture
def mockcdr_client(mockcdr_app):
    """Flask's test client for ``mockcdr_app``."""
    return mockcdr_app.test_client()
