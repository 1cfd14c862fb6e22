"""Fixtures for the yeastar tests (helpers live in yeastar_helpers.py)."""
from __future__ import annotations

import pytest

from mockcdr.app import create_app
from mockcdr.settings import Settings

from yeastar_helpers import V1, V2, Pbx, yeastar_settings


@pytest.fixture
def make_pbx():
    """``make_pbx(base=V1, settings=None, **options)``: a Pbx over a fresh app.

    Unexpected exceptions the app met while serving fail the test.
    """
    made = []

    def make(base: str = V1, settings: Settings | None = None, **options) -> Pbx:
        app = create_app(settings or yeastar_settings(**options))
        app.config["TESTING"] = True
        made.append(app.extensions["mockcdr"])
        return Pbx(app, base)

    yield make
    for rt in made:
        if rt.errors:
            raise rt.errors[0]


@pytest.fixture
def pbx(make_pbx) -> Pbx:
    return make_pbx()


@pytest.fixture
def pbx2(make_pbx) -> Pbx:
    return make_pbx(V2)
