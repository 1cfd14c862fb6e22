"""A task's query filters (s_user_id, s_device, s_call_type, ...) mapped onto the call universe."""
from __future__ import annotations

import re
from functools import lru_cache

from ...core.ids import derive_seed

ANY = (None, "", "all", "any", "-1", -1)
CALL_TYPES = {
    "answered": {"answered"}, "no answer": {"no_answer"}, "no_answer": {"no_answer"},
    "busy": {"busy"}, "failed": {"failed"}, "missed": {"no_answer", "busy", "failed"},
}


class TenantView:
    """The fixture as seen from one tenant's calls: devices by extension, providers by trunk."""

    def __init__(self, directory, tenant: str, decimal: str = ".", provider_ratio: float = 0.8):
        self.directory = directory
        self.tenant = tenant
        self._devices = directory.devices.get(tenant, {})
        self._providers = directory.providers.get(tenant, {})
        self.provider_ratio = provider_ratio
        self.dec = (lambda text: text) if decimal == "." else (lambda text: text.replace(".", decimal))

    def device(self, extension):
        return self._devices.get(extension) if extension else None

    def provider_for(self, trunk):
        """(provider id or "", provider name) of a trunk; the trunk's own name if no provider."""
        if trunk is None:
            return None
        found = self._providers.get(trunk.id)
        return (found[0], found[1]) if found else ("", trunk.name)

    def trunk_ip(self, trunk) -> str:
        if trunk is None:
            return ""
        found = self._providers.get(trunk.id)
        if found and found[2]:
            return found[2]
        return f"198.51.100.{derive_seed('mor.trunk-ip', trunk.id) % 254 + 1}"   # TEST-NET-2


@lru_cache(maxsize=256)
def _like(pattern: str):
    """SQL LIKE (``%`` any run, ``_`` one character), case-insensitive, as MOR's filters use it."""
    parts = ["." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,12}", text) else None


def _on(value) -> bool:
    return value in (True, 1, "1", "true", "yes", "on")


# the query keys that select calls (others are stored and echoed, and filter nothing)
FILTER_KEYS = ("s_user_id", "s_user", "s_device", "s_call_type", "s_provider", "s_destination",
               "s_source", "s_did_pattern", "s_did", "s_hgc", "calls_from_users", "calls_to_users",
               "calls_via_dids")


def shape_filter(query: dict, view: TenantView):
    """A predicate over a call shape (as a dict) for the task's query; None keeps everything."""
    tests = []
    q = {k: v for k, v in (query or {}).items() if v not in ANY}
    user = q.get("s_user_id", q.get("s_user"))
    if user is not None:
        uid = _int(user)
        if uid is None and isinstance(user, str) and user in view.directory.by_username:
            uid = view.directory.by_username[user]["id"]
        tests.append(lambda s, w: uid is not None and uid in _party_users(s, w))
    if "s_device" in q:
        dev = _int(q["s_device"])
        tests.append(lambda s, w: dev is not None and dev in _party_devices(s, w))
    if "s_call_type" in q:
        kinds = CALL_TYPES.get(str(q["s_call_type"]).lower(), set())
        tests.append(lambda s, w: s["disposition"] in kinds)
    if "s_provider" in q:
        pid = _int(q["s_provider"])
        tests.append(lambda s, w: pid is not None and s["direction"] != "internal"
                     and (w.provider_for(s["trunk"]) or ("",))[0] == pid)
    for key, field in (("s_destination", "dst"), ("s_source", "src"), ("s_did_pattern", "did"),
                       ("s_did", "did")):
        if key in q:
            rx = _like(str(q[key]))
            tests.append(lambda s, w, rx=rx, field=field: s[field] is not None
                         and rx.fullmatch(s[field]) is not None)
    if "s_hgc" in q:
        code = _int(q["s_hgc"])
        tests.append(lambda s, w: s["q850"] == code)
    raw = query or {}
    if any(k in raw for k in ("calls_from_users", "calls_to_users", "calls_via_dids")):
        allowed = set()
        if _on(raw.get("calls_from_users")):
            allowed |= {"out", "internal"}
        if _on(raw.get("calls_to_users")):
            allowed |= {"in", "internal"}
        if _on(raw.get("calls_via_dids")):
            allowed |= {"in"}
        tests.append(lambda s, w: s["direction"] in allowed)
    if not tests:
        return None
    return lambda s: all(t(s, view) for t in tests)


def _party_devices(s, w):
    devs = [w.device(s["extension"])]
    if s["direction"] == "internal":
        devs.append(w.device(s["peer_extension"]))
    return {d.id for d in devs if d is not None}


def _party_users(s, w):
    devs = [w.device(s["extension"])]
    if s["direction"] == "internal":
        devs.append(w.device(s["peer_extension"]))
    return {d.user_id for d in devs if d is not None}
