"""Fast CSV rows for a template: one generated function per column list, fed by per-file caches."""
from __future__ import annotations

from functools import lru_cache

from ...core.timefmt import TimeFormatter
from .columns import IDX, MEMO_FORMATS, ROW

SEC = tuple(f"{s:02d}" for s in range(60))
MISS = object()                   # a shape whose column values are not computed yet
HMS_SIZE = 2 * 3600 + 1           # billsec is capped at 90 minutes in the call universe


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


HMS = tuple(hms(n) for n in range(HMS_SIZE))


class RowEnv:
    """What the generated row function reads: caches for one file (zone, separator, ratio)."""

    def __init__(self, tz, decimal: str = ".", provider_ratio: float = 0.8, separator: str = ","):
        self.formatter = TimeFormatter(tz)
        self.separator = separator
        self.minutes: dict[int, str] = {}
        self.decimal = decimal
        self.ratio = provider_ratio
        self.D = (lambda text: text) if decimal == "." else (lambda text: text.replace(".", decimal))
        self.memos = {name: {} for name in MEMO_FORMATS}

    def minute(self, index: int) -> str:
        """``YYYY-MM-DD HH:MM:`` of a minute since the epoch, in the file's zone (cached)."""
        text = self.formatter.seconds(index * 60_000_000)[:-2]
        self.minutes[index] = text
        return text

    def memo_function(self, name: str):
        cache = self.memos[name]
        render = MEMO_FORMATS[name]
        ratio, dec = self.ratio, self.D

        def fmt(value):
            text = cache[value] = dec(render(value, ratio))
            return text
        return fmt


def text_safe(separator: str, decimal: str) -> bool:
    """Whether cells computed per call (digits, times, ``.``, the decimal separator) never need
    quoting with this separator, so rows can be written as text (``row_function(as_text=True)``)."""
    return (len(separator) == 1 and separator not in '0123456789-:. "\r\n'
            and not any(ch in decimal for ch in (separator, '"', "\r", "\n")))


@lru_cache(maxsize=128)
def row_function(columns: tuple[str, ...], plain_decimal: bool = True, as_text: bool = False):
    """A generator ``rows(calls, SV, fill, E)`` yielding one tuple per call the filters keep.

    ``SV[shape_id]`` holds the shape-only columns of a shape, None when the task's filters
    exclude it, or MISS until ``fill(shape_id)`` computes it; ``E`` is a RowEnv. The body is
    generated once per column list, so each row is one tuple built from local names.
    ``as_text``: each row is instead its CSV line, cells joined by ``E.separator``: the shape's
    cells in SV must come escaped, and the per-call ones must need no quoting (see ``text_safe``).
    """
    cells = []
    shape_i = 0
    for key in columns:
        if key in ROW:
            expr = ROW[key][1]
            cells.append(expr.replace("D(", "(") if plain_decimal else expr)
        else:
            cells.append(f"sv[{shape_i}]")
            shape_i += 1
    memos = [name for name in MEMO_FORMATS if any(f"M_{name}" in c for c in cells)]
    binds = "".join(f"    M_{n} = E.memos[{n!r}]\n    f_{n} = E.memo_function({n!r})\n" for n in memos)
    source = (
        "def rows(calls, SV, fill, E):\n"
        "    MIN = E.minutes\n    mp = E.minute\n    D = E.D\n    SEP = E.separator\n"
        "    ZERO6 = D('0.000000')\n"
        f"{binds}"
        "    for c in calls:\n"
        f"        sv = SV[c[{IDX['shape_id']}]]\n"
        "        if sv is MISS:\n"
        f"            sv = fill(c[{IDX['shape_id']}])\n"
        "        if sv is None:\n"
        "            continue\n"
        + (f"        yield f\"{'{SEP}'.join('{' + cell + '}' for cell in cells)}\\n\"\n" if as_text
           else f"        yield ({', '.join(cells)},)\n")
    )
    scope: dict = {"MISS": MISS, "SEC": SEC, "HMS": HMS, "HMS_SIZE": HMS_SIZE, "hms": hms}
    exec(compile(source, f"<mor rows {','.join(columns)}>", "exec"), scope)  # noqa: S102
    return scope["rows"]
