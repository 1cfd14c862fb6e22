"""An example test suite for a project that talks to telecom CDR APIs: copy this folder.

The fixtures (mockcdr_server, mockcdr_control, mockcdr_app, mockcdr_client, mockcdr_settings)
come from the mockcdr pytest plugin, installed with `pip install mockcdr`. Nothing to import.
"""
import pytest

from mockcdr.settings import Settings


@pytest.fixture
def mockcdr_settings():
    """In-process apps of this suite start on a fixed, frozen clock with a fixed seed."""
    return Settings(seed="example-suite", clock_start="2026-04-16T12:00:00Z", clock_frozen=True)
