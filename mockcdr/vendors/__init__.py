"""The vendor registry: each slug names a package here that exposes a ``VENDOR`` object."""
from __future__ import annotations

import importlib

from ..core.vendor import Vendor
from ..settings import ALL_VENDORS


def load(slug: str) -> Vendor:
    if slug not in ALL_VENDORS:
        raise KeyError(f"unknown vendor {slug!r}; known: {', '.join(ALL_VENDORS)}")
    vendor = importlib.import_module(f"{__name__}.{slug}").VENDOR
    if vendor.slug != slug:
        raise RuntimeError(f"mockcdr.vendors.{slug} declares slug {vendor.slug!r}")
    return vendor
