"""Fast CSV rows for a template: one generated function per column list, over a day's columns."""
from __future__ import annotations

from functools import lru_cache

from ...core.daycalls import CostTexts
from ...core.timefmt import TimeFormatter, day_clocks
from .columns import MEMO_FORMATS, ROW

MISS = object()                   # a shape whose column values are not computed yet
HMS_SIZE = 2 * 3600 + 1           # billsec is capped at 90 minutes in the call universe


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


HMS = tuple(hms(n) for n in range(HMS_SIZE))


class _Memo(dict):
    """value -> its text, worked out on first use."""
    __slots__ = ("render",)

    def __init__(self, render):
        super().__init__()
        self.render = render

    def __missing__(self, value):
        text = self[value] = self.render(value)
        return text


class RowEnv:
    """What the generated row function reads: tables for one file (zone, separator, decimal, ratio)."""

    def __init__(self, tz, decimal: str = ".", provider_ratio: float = 0.8, separator: str = ","):
        self.clock = day_clocks(TimeFormatter(tz))
        self.separator = separator
        self.decimal = decimal
        self.ratio = provider_ratio
        self.D = D = (lambda text: text) if decimal == "." else (lambda text: text.replace(".", decimal))
        pdd, user, provider = (MEMO_FORMATS[k] for k in ("pdd", "user_price", "provider_price"))
        self.pdd = _Memo(lambda v: D(pdd(v, provider_ratio)))
        # rate -> (originator price, terminator price) texts by billsec
        self.prices = _Memo(lambda rate: (CostTexts(rate, lambda v: D(user(v, provider_ratio))),
                                          CostTexts(rate, lambda v: D(provider(v, provider_ratio)))))


def text_safe(separator: str, decimal: str) -> bool:
    """Whether cells computed per call (digits, times, ``.``, the decimal separator) never need
    quoting with this separator, so rows can be written as text (``row_function(as_text=True)``)."""
    return (len(separator) == 1 and separator not in '0123456789-:. "\r\n'
            and not any(ch in decimal for ch in (separator, '"', "\r", "\n")))


# what a loop variable of ROW's expressions is drawn from
_INPUTS = {
    "s": "calls.start", "c": "calls.connect", "e": "calls.end", "q": "calls.seq", "du": "calls.duration",
    "b": "calls.billsec", "p": "calls.pdd", "ts": "clock.seconds(calls.start)",
    "tc": "clock.seconds(calls.connect)", "te": "clock.seconds(calls.end)",
    "pt": "map(E.prices.__getitem__, map(calls.rates.__getitem__, calls.shape))",
}


def _names(expr: str) -> set[str]:
    import ast

    return {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}


def _line(cells: list[str], sep: str) -> str:
    """An expression for the CSV line of ``cells`` (expressions): f-strings of at most 30 parts
    (CPython builds a longer one through a list and str.join), added; a cell that is itself an
    f-string is inlined."""
    parts = []
    for cell in cells:
        inner = cell[2:-1] if cell.startswith("f'") and cell.endswith("'") else \
            cell[3:-2] if cell.startswith("(f'") and cell.endswith("')") else None
        parts.append(inner if inner is not None and "'" not in inner else "{" + cell + "}")
    groups, size = [[]], 0
    for i, part in enumerate(parts):
        cost = part.count("{") - part.count("{{") + 2
        if size + cost > 28:
            groups.append([])
            size = 0
        groups[-1].append(part + (sep if i < len(parts) - 1 else "\\n"))
        size += cost
    return " + ".join("f" + repr("".join(g)).replace("\\\\n", "\\n") for g in groups)


@lru_cache(maxsize=128)
def row_function(columns: tuple[str, ...], plain_decimal: bool = True, as_text: bool = False, separator: str = ","):
    """A function ``rows(calls, SV, fill, E)`` giving one tuple per call (``calls``: a day's
    columns, every call's shape kept by the task's filters).

    ``SV[shape_id]`` holds the shape-only columns of a shape, or MISS until ``fill(shape_id)``
    computes it (as text: each run of shape columns joined into one cell, see ``rows.runs``);
    ``E`` is a RowEnv. The body is generated once per column list: one list
    comprehension over the columns the template uses. ``as_text``: each row is instead its CSV
    line, cells joined by ``separator``: the shape's cells in SV must come escaped, and the
    per-call ones must need no quoting (see ``text_safe``).
    """
    cells = []
    runs: list[list[int]] = []          # as text: runs of shape columns in a row, each one cell of SV
    shape_i = 0
    for key in columns:
        if key in ROW:
            expr = ROW[key][1]
            cells.append(expr.replace("D(", "(") if plain_decimal else expr)
        elif as_text and cells and cells[-1] == f"sv[{len(runs) - 1}]":
            runs[-1][1] = shape_i = shape_i + 1
        else:
            cells.append(f"sv[{len(runs) if as_text else shape_i}]")
            runs.append([shape_i, shape_i + 1])
            shape_i += 1
    used = set().union(*(_names(c) for c in cells))
    sep = separator.replace("{", "{{").replace("}", "}}")
    loop = [name for name in _INPUTS if name in used] + ["sv"]
    source = (
        "def rows(calls, SV, fill, E):\n"
        "    for shape_id in set(calls.shape):\n"
        "        if SV[shape_id] is MISS:\n"
        "            fill(shape_id)\n"
        "    D = E.D\n    ZERO6 = D('0.000000')\n    PDD = E.pdd\n"
        "    clock = E.clock(calls.day_index)\n"
        "    IDB = calls.day_index * 10000000 + 1\n"
        f"    return [{_line(cells, sep) if as_text else '(' + ', '.join(cells) + ',)'}\n"
        f"            for ({', '.join(loop)},) in zip({''.join(_INPUTS[n] + ', ' for n in loop[:-1])}"
        "map(SV.__getitem__, calls.shape))]\n"
    )
    scope: dict = {"MISS": MISS, "HMS": HMS, "HMS_SIZE": HMS_SIZE, "hms": hms}
    exec(compile(source, f"<mor rows {','.join(columns)}>", "exec"), scope)  # noqa: S102
    scope["rows"].source = source
    scope["rows"].runs = tuple(map(tuple, runs)) if as_text else None
    return scope["rows"]
