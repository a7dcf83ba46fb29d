"""One parsed YAML document: its value, where each part of it is written, what aliases did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import SourceLocation

__all__ = ["MAX_DEPTH", "Document", "JsonPath", "Through", "dotted"]

JsonPath = tuple[str | int, ...]
# A shift is four levels deep; anything far deeper is hostile, not a shift.
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Through:
    """How a value came to a path without being written there: ``*name`` or ``<<: *name``."""

    how: str  # "alias" or "merge"
    anchor: str
    line: int  # where the alias (or the merge key) is written
    column: int


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value and where each part of it is written."""

    data: Any
    start: SourceLocation
    # (line, column) pairs; SourceLocation objects are made only when asked for. A value
    # brought by an alias or a merge key is located where it is written (at its anchor).
    values: dict[JsonPath, tuple[int, int]]
    keys: dict[JsonPath, tuple[int, int]]
    broken: frozenset[JsonPath]  # paths whose value the loader had to refuse
    through: Mapping[JsonPath, Through] = field(default_factory=dict)
    incomplete: frozenset[JsonPath] = frozenset()  # mappings whose merge key failed
    anchored: bool = False  # anchors, aliases or merge keys are used

    def locate(self, path: JsonPath) -> SourceLocation:
        """Where the value at ``path`` starts, or its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return SourceLocation(self.start.path, *found)
        return self.start

    def locate_key(self, path: JsonPath) -> SourceLocation:
        """Where the key naming ``path`` is written (for unknown or misplaced fields)."""
        found = self.keys.get(path)
        return SourceLocation(self.start.path, *found) if found else self.locate(path)

    def is_broken(self, path: JsonPath) -> bool:
        return any(path[: len(b)] == b for b in self.broken)

    def via(self, path: JsonPath) -> Through | None:
        """The alias or merge key that brought the value at ``path`` (the nearest one)."""
        for end in range(len(path), 0, -1):
            found = self.through.get(path[:end])
            if found is not None:
                return found
        return None


def dotted(path: JsonPath) -> str:
    """``("punch_time_rule", 0, "on_time")`` → ``punch_time_rule[0].on_time``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
