"""The README's fenced code blocks, for tests that run its examples."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^(?:<!-- run by (?P<runner>\S+) -->\n)?```(?P<info>[^\n`]*)\n(?P<body>.*?)^```", re.M | re.S)


def blocks(path: Path = README) -> list[tuple[str, str, int, str | None]]:
    """(info string, body, line number, the test file that runs it or None) per block."""
    text = path.read_text(encoding="utf-8")
    return [(m.group("info").strip(), m.group("body"), text[: m.start("info")].count("\n") + 1, m.group("runner"))
            for m in FENCE.finditer(text)]


def snippets_run_by(test_file: str) -> list[tuple[str, str]]:
    """(info string, body) of every block marked ``<!-- run by <test_file> -->``, in order."""
    return [(info, body) for info, body, _, runner in blocks() if runner == test_file]


def vendor_snippet(slug: str) -> str:
    """The client snippet of a vendor's README section, the one marked as run by its tests."""
    found = [body for info, body, _, runner in blocks()
             if runner and runner.startswith(f"tests/vendors/{slug}/") and info == "python"]
    if len(found) != 1:
        raise LookupError(f"README has {len(found)} snippets marked for {slug}, expected 1")
    return found[0]
