"""Plain-text tables that fit a terminal: columns two spaces apart, wide text cut with '…'.

Widths are counted in terminal cells, so CJK names and places line up; control and
bidi characters in a cell are escaped (``reconciler.safetext``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from reconciler.safetext import escape

__all__ = ["fit_table"]

# A shrunk column keeps at least this many cells (its header is cut too).
_MIN_FLEX = 6


def fit_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    flexible: Sequence[int],
    empty: str,
) -> str:
    """Left-aligned columns two spaces apart; ``flexible`` columns shrink to fit ``width``."""
    if not rows:
        return f"({empty})"
    # Cells hold tenant and file text: escaped here, so no table prints a control raw.
    rows = [[escape(cell) for cell in row] for row in rows]
    widths = [max(_width(h), *(_width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    for i in sorted(flexible, key=lambda i: -widths[i]):
        if excess <= 0:
            break
        cut = min(excess, max(0, widths[i] - _MIN_FLEX))
        widths[i] -= cut
        excess -= cut
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(_fit(cell, widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines
    )


def _width(text: str) -> int:
    """Terminal cells taken: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    out, used = "", 0
    for char in text:
        if used + _width(char) > width - 1:
            break
        out += char
        used += _width(char)
    return out + "…" + " " * (width - used - 1)
