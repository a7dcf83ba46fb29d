"""Field-level differences between two shifts, as readable paths for a plan's updates.

One walk over both shifts' comparable mappings: mappings key by key, lists index by
index (a segment is its position: Feishu reads ``punch_time_rule`` in order), and a
key or an item on one side only reads as added or removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.model import Shift

__all__ = ["FieldChange", "field_changes"]

_Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed leaf or branch of a shift, e.g. ``punch_time_rule[0].on_time``.

    ``before``/``after`` are plain JSON values; ``None`` on one side means absent.
    """

    path: str
    before: Any
    after: Any


def field_changes(before: Shift, after: Shift) -> tuple[FieldChange, ...]:
    """Field-level differences as readable paths (``punch_time_rule[0].on_time``), sorted
    by path with list indices in numeric order."""
    found = sorted(_walk(before.comparable(), after.comparable(), ()), key=lambda f: f[0])
    return tuple(FieldChange(_readable(path), old, new) for _, path, old, new in found)


def _walk(old: Any, new: Any, path: _Path) -> Iterator[tuple[Any, _Path, Any, Any]]:
    """(sort key, path, before, after) for each smallest part that differs."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() | new.keys():
            if key not in new:
                yield _sort_key((*path, key)), (*path, key), old[key], None
            elif key not in old:
                yield _sort_key((*path, key)), (*path, key), None, new[key]
            elif old[key] != new[key]:
                yield from _walk(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            where = (*path, index)
            if index >= len(new):
                yield _sort_key(where), where, old[index], None
            elif index >= len(old):
                yield _sort_key(where), where, None, new[index]
            elif old[index] != new[index]:
                yield from _walk(old[index], new[index], where)
    else:
        yield _sort_key(path), path, old, new


def _readable(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _sort_key(parts: Sequence[str | int]) -> tuple[tuple[int, int, str], ...]:
    # Indices sort numerically so [10] comes after [9]; keys alphabetically.
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)
