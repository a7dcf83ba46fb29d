"""Comments inside a shift document, tied to the key they annotate, so ``fmt`` keeps them.

A comment on its own line belongs to the next key (or list item); a comment at the
end of a line belongs to that line's key. Comments after the last key stay at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yaml.events import ScalarEvent

from reconciler.definitions._yaml import PARSER, Document, JsonPath

__all__ = ["Notes", "collect_notes"]

# After the last scalar of a line: a colon, closing brackets or commas, then the comment.
_TRAILING = re.compile(r"[\s\]\},:]*?\s(#.*)$")
# A line with no scalar: a document marker, a bare "-", closing brackets.
_NO_SCALAR = re.compile(r"(?:---|\.\.\.|[\s\-\[\]\{\},])*?\s(#.*)$")


@dataclass(frozen=True, slots=True)
class Notes:
    """The comments of one document, by the path of the key or item they annotate."""

    before: dict[JsonPath, list[str]] = field(default_factory=dict)
    trailing: dict[JsonPath, str] = field(default_factory=dict)
    end: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Scan:
    line_ends: dict[int, int]  # 1-based line → column just after its last scalar
    inside: frozenset[int]  # lines inside multi-line scalars (a "#" there is text)


def collect_notes(text: str, documents: tuple[Document, ...], header_lines: int) -> list[Notes]:
    """The comments of each document of ``text`` (already parsed without problems).

    The first ``header_lines`` lines (the file's top comments) are left to the caller.
    """
    scan = _scan(text)
    lines = text.splitlines()
    bounds = [document.start.line for document in documents] + [len(lines) + 1]
    bounds[0] = header_lines + 1
    return [
        _notes(document, lines, scan, first, last)
        for document, first, last in zip(documents, bounds, bounds[1:], strict=False)
    ]


def _scan(text: str) -> _Scan:
    line_ends: dict[int, int] = {}
    inside: set[int] = set()
    loader = PARSER(text)
    try:
        event = loader.get_event()
        while event is not None:
            start, end = event.start_mark, event.end_mark
            if isinstance(event, ScalarEvent) and start is not None and end is not None:
                line = end.line + 1
                line_ends[line] = max(line_ends.get(line, 0), end.column)
                inside.update(range(start.line + 2, end.line + 2))
            event = loader.get_event()
    finally:
        loader.dispose()
    return _Scan(line_ends, frozenset(inside))


def _anchors(document: Document) -> list[tuple[int, int, int, JsonPath]]:
    """Keys and list items, in the order they are written: (line, column, depth, path)."""
    found = [(line, column, len(path), path) for path, (line, column) in document.keys.items()]
    found += [
        (line, column, len(path), path)
        for path, (line, column) in document.values.items()
        if path and isinstance(path[-1], int)
    ]
    return sorted(found)


def _notes(document: Document, lines: list[str], scan: _Scan, first: int, last: int) -> Notes:
    notes = Notes()
    anchors = _anchors(document)
    last_on_line = {anchor[0]: anchor[3] for anchor in anchors}  # sorted: the last one wins
    pending: list[str] = []
    next_anchor = 0
    for number in range(first, last):
        if number in scan.inside:
            continue
        stripped = lines[number - 1].strip()
        while next_anchor < len(anchors) and anchors[next_anchor][0] <= number:
            next_anchor += 1
        if stripped.startswith("#"):
            pending.append(stripped)
            if next_anchor < len(anchors):
                notes.before.setdefault(anchors[next_anchor][3], []).extend(pending)
                pending = []
            continue
        comment = _trailing(lines[number - 1], scan.line_ends.get(number))
        if comment and number in last_on_line:
            notes.trailing[last_on_line[number]] = comment
        elif comment:  # after "---" or a bare "-": it goes with what follows
            pending.append(comment)
    notes.end.extend(pending)
    return notes


def _trailing(line: str, scalar_end: int | None) -> str | None:
    match = _NO_SCALAR.match(line) if scalar_end is None else _TRAILING.match(line[scalar_end:])
    return match.group(1).rstrip() if match else None
