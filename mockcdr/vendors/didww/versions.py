"""DIDWW API versions: which one serves a request, and the words each version uses."""
from __future__ import annotations

HEADER = "X-DIDWW-API-Version"
V2021 = "2021-12-15"
V2022 = "2022-05-10"
V2026 = "2026-04-16"
KNOWN_VERSIONS = (V2021, V2022, V2026)
LEGACY = frozenset((V2021, V2022))
LATEST = V2026


def resolve(header_value: str | None, default: str) -> str:
    """The version serving a request.

    A known version in the header wins unless it is older than the customer's default (the server
    then ignores it); a missing or unknown value gets the customer's default.
    """
    value = (header_value or "").strip()
    if value in KNOWN_VERSIONS and value >= default:
        return value
    return default


def is_legacy(version: str) -> bool:
    return version in LEGACY


def status_word(state: str, version: str) -> str:
    """Stored states are lower case; legacy versions print them capitalised."""
    return state.capitalize() if version in LEGACY else state


def method_word(method: str | None, version: str) -> str | None:
    """Stored callback methods are lower case; legacy versions print ``POST``/``GET``."""
    if method is None:
        return None
    return method.upper() if version in LEGACY else method.lower()


def method_words(version: str) -> tuple[str, ...]:
    return ("POST", "GET") if version in LEGACY else ("post", "get")
