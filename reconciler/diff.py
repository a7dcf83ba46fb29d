"""Field-level differences between two shifts, as readable paths for a plan's updates.

deepdiff explains each difference; only the smallest differing parts are handed
to it, since it is the costly step of planning a large tenant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from reconciler.model import Shift

__all__ = ["FieldChange", "field_changes"]

_Differing = tuple[tuple[str | int, ...], Any, Any]  # (path prefix, before, after)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed leaf or branch of a shift, e.g. ``punch_time_rule[0].on_time``.

    ``before``/``after`` are plain JSON values; ``None`` on one side means absent.
    """

    path: str
    before: Any
    after: Any


def field_changes(before: Shift, after: Shift) -> tuple[FieldChange, ...]:
    """Field-level differences as readable paths (``punch_time_rule[0].on_time``)."""
    keyed: list[tuple[tuple[tuple[int, int, str], ...], FieldChange]] = []
    for prefix, old, new in _differing(before.comparable(), after.comparable(), ()):
        tree = DeepDiff(old, new, view="tree")
        for levels in tree.values():
            for level in levels:
                parts = (*prefix, *level.path(output_format="list"))
                change = FieldChange(_readable(parts), _present(level.t1), _present(level.t2))
                keyed.append((_sort_key(parts), change))
    return tuple(change for _, change in sorted(keyed, key=lambda pair: pair[0]))


def _differing(old: Any, new: Any, path: tuple[str | int, ...]) -> Iterator[_Differing]:
    """The smallest parts that differ, for deepdiff to explain: a tenth of its work on big plans.

    Mappings are followed key by key and lists of equal length item by item; a
    key on one side only is handed over in a mapping, so it reads as added or removed.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            if key not in old or key not in new:
                yield path, _only(old, key), _only(new, key)
            elif old[key] != new[key]:
                yield from _differing(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                yield from _differing(a, b, (*path, index))
    else:
        yield path, old, new


def _only(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {key: mapping[key]} if key in mapping else {}


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


def _present(value: Any) -> Any:
    return None if isinstance(value, NotPresent) else value
