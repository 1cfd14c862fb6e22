"""Secrets out of journal entries: passwords and tokens by field name, and every token value the mock issued."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import unquote_plus

MASK = "***"
# field names whose values are credentials: password, passwd, secret, token (access_token,
# refresh_token...), jwt, api_key, authorization, credential; Yeastar's one-time ``random``
SECRET_NAME = re.compile(r"pass(?:word|wd)?$|secret|token|jwt|api[-_]?key|authori[sz]ation|credential|^random$|^pwd$",
                         re.IGNORECASE)
_JSON_STRING = r'"(?:[^"\\]|\\.)*(?:"|$)'       # a JSON string, or one cut off by the body limit
_JSON_MEMBER = re.compile(r'(?P<lead>"(?P<name>(?:[^"\\]|\\.){1,64})"\s*:\s*)(?P<value>' + _JSON_STRING + ")")
_FORM_PAIR = re.compile(r"(?P<lead>(?:^|(?<=[&;]))(?P<name>[^=&;]{1,64})=)(?P<value>[^&;]*)")
_WORD = re.compile(r"[A-Za-z0-9_~-]{8,}")      # where an issued token value may stand


@lru_cache(maxsize=512)
def secret_name(name: str) -> bool:
    """Whether a field or parameter called ``name`` (``page[token]`` too) holds a credential."""
    return bool(SECRET_NAME.search(name.rsplit("[", 1)[-1].rstrip("]")))


def _json(text: str) -> str:
    def repl(m: re.Match) -> str:
        return m.group("lead") + f'"{MASK}"' if secret_name(m.group("name")) else m.group(0)
    return _JSON_MEMBER.sub(repl, text)


def _form(text: str) -> str:
    def repl(m: re.Match) -> str:
        return m.group("lead") + MASK if secret_name(unquote_plus(m.group("name"))) else m.group(0)
    return _FORM_PAIR.sub(repl, text) if "=" in text else text


def _values(text: str, issued: frozenset[str]) -> str:
    if not issued:
        return text
    return _WORD.sub(lambda m: MASK if m.group(0) in issued else m.group(0), text)


def mask_text(text: str | None, content_type: str | None, issued: frozenset[str]) -> str | None:
    """``text`` with credentials masked: JSON members and form fields named like secrets, and any
    value in ``issued`` (tokens the mock handed out) wherever it stands."""
    if not text:
        return text
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind.endswith("json"):
        text = _json(text)
    elif kind == "application/x-www-form-urlencoded":
        text = _form(text)
    return _values(text, issued)


def issued_values(values: Iterable[str]) -> frozenset[str]:
    """The token values worth looking for (8 characters or more), once per query."""
    return frozenset(v for v in values if isinstance(v, str) and len(v) >= 8)


def mask_entry(entry: dict, issued: frozenset[str]) -> dict:
    """A journal entry (as ``Journal.query`` returns it) with its path, query and bodies masked;
    ``issued`` comes from ``issued_values``."""
    out = dict(entry, path=_values(entry["path"], issued), query=_values(_form(entry["query"]), issued))
    for side in ("request", "response"):
        body = entry.get(side)
        if body and body.get("body"):
            out[side] = dict(body, body=mask_text(body["body"], body.get("content_type"), issued))
    return out
