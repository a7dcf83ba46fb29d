"""A pre-scan that finds flow nesting past our limit before any YAML parser sees the text.

libyaml (0.2.6 and newer) refuses nesting past 1,000 levels while it is still scanning
ahead for a possible simple key, before it hands over a single event, so a depth counted
on the event stream cannot speak first. This scan counts ``[`` and ``{`` outside quoted
scalars and comments; it errs on the side of counting (block scalars are not skipped),
which no real shift file comes near.
"""

from __future__ import annotations

import re

__all__ = ["flow_too_deep"]

_INTERESTING = re.compile(r"[\[\]{}\"'#\n]")
# A quote or a comment starts a token only here (YAML 1.2 §6.6, §7.3).
_TOKEN_START = frozenset(" \t\n[]{},:-?")


def flow_too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """(line, column), both 1-based, of the first ``[``/``{`` that opens level ``limit + 1``."""
    if text.count("[") + text.count("{") <= limit:
        return None  # the fast path every ordinary file takes
    depth, position, end = 0, 0, len(text)
    while position < end:
        found = _INTERESTING.search(text, position)
        if found is None:
            return None
        at, char = found.start(), found.group()
        starts_token = at == 0 or text[at - 1] in _TOKEN_START
        if char in "[{":
            depth += 1
            if depth > limit:
                return _line_column(text, at)
            position = at + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
            position = at + 1
        elif char == "#" and starts_token:
            newline = text.find("\n", at)
            position = end if newline < 0 else newline
        elif char in "'\"" and starts_token:
            position = _after_quoted(text, at, char)
        else:
            position = at + 1
    return None


def _after_quoted(text: str, at: int, quote: str) -> int:
    """The index just past the quoted scalar opening at ``at`` (or the end of the text)."""
    position = at + 1
    while True:
        close = text.find(quote, position)
        if close < 0:
            return len(text)
        if quote == '"':
            backslashes = len(text[position:close]) - len(text[position:close].rstrip("\\"))
            if backslashes % 2:  # an escaped quote: \"
                position = close + 1
                continue
            return close + 1
        if text.startswith("''", close):  # '' is a single quote inside '…'
            position = close + 2
            continue
        return close + 1


def _line_column(text: str, at: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("\n", 0, at) + 1, at - line_start + 1
