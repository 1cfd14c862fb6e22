"""Vendor-neutral services: clock, store, lifecycles, tokens, the call universe, writers, control plane."""
