"""Plain-text tables for every listing the CLI prints: columns two spaces apart, fit to
a width, wide text cut with '…'; widths counted in terminal cells (``wcwidth``).

A cell is escaped (``reconciler.safetext``) before it is measured, so a control or bidi
character is shown, and counted, as its escape.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconciler.safetext import escape

__all__ = ["display_width", "fit_cell", "fit_table"]

# A shrunk column keeps at least this many cells (its header is cut too).
_MIN_FLEX = 6
_ELLIPSIS = "…"


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
    widths = [
        max(display_width(h), *(display_width(row[i]) for row in rows))
        for i, h in enumerate(headers)
    ]
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    for i in sorted(flexible, key=lambda i: -widths[i]):
        if excess <= 0:
            break
        cut = min(excess, max(0, widths[i] - _MIN_FLEX))
        widths[i] -= cut
        excess -= cut
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(fit_cell(cell, widths[i]) for i, cell in enumerate(line)).rstrip()
        for line in lines
    )


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: a CJK character or an emoji two, a combining mark or
    a zero-width joiner none, a ZWJ sequence or a flag as one picture (two).

    ``text`` must be escaped already: a control character has no width to count.
    """
    from wcwidth import wcswidth  # loaded by the commands that print tables only

    found = int(wcswidth(text))
    if found >= 0:
        return found
    # A control character slipped through (wcwidth says -1): it counts as one cell.
    return sum(cells if (cells := int(wcswidth(g))) >= 0 else 1 for g in _graphemes(text))


def fit_cell(text: str, width: int) -> str:
    """``text`` padded to ``width`` cells, or cut before a whole character with '…'.

    Cut between grapheme clusters, never inside one: an accent stays on its letter
    and a family emoji is not split into its people.
    """
    used = display_width(text)
    if used <= width:
        return text + " " * (width - used)
    out, used = [], 0
    for grapheme in _graphemes(text):
        cells = display_width(grapheme)
        if used + cells > width - 1:
            break
        out.append(grapheme)
        used += cells
    return "".join(out) + _ELLIPSIS + " " * (width - used - 1)


def _graphemes(text: str) -> Iterator[str]:
    from wcwidth import iter_graphemes

    return iter(iter_graphemes(text))
