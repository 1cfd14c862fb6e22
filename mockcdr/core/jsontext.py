"""Untrusted JSON text: standard JSON only, bounded nesting and numbers, one error type for every refusal."""
from __future__ import annotations

import json
import math
from typing import Any

# Rails' JSON.parse refuses documents nested deeper than 100 levels (its max_nesting): DIDWW, Yeti
# and MOR are Rails applications, and no vendor's real requests come near it. Python's own parser
# would instead recurse until it hits the interpreter's recursion limit.
MAX_DEPTH = 100


class JSONTextError(ValueError):
    """The text is not JSON this server takes; ``str(exc)`` is a short reason for an error body."""


def _constant(name: str):
    raise JSONTextError(f"{name} is not a JSON value")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONTextError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=_constant)


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``data`` (UTF-8 bytes or text); JSONTextError for anything else.

    Refused: invalid JSON, ``NaN``/``Infinity``, numbers beyond a float, integers longer than
    Python converts (4,300 digits), and arrays or objects nested more than ``max_depth`` levels.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise JSONTextError("not UTF-8 text") from None
    try:
        value = _DECODER.decode(data)
    except JSONTextError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONTextError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JSONTextError(f"arrays and objects are nested deeper than {max_depth} levels") from None
    except ValueError:      # int(): more digits than sys.get_int_max_str_digits()
        raise JSONTextError("a number has too many digits") from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """JSONTextError if arrays and objects in ``value`` nest more than ``max_depth`` levels
    (``{}`` and ``[]`` are one level). Iterative: no recursion however deep the value."""
    if not isinstance(value, (dict, list)):
        return
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise JSONTextError(f"arrays and objects are nested deeper than {max_depth} levels")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
