"""Aliases and merge keys while building a document, and where every value is recorded.

The builder keeps, besides the places of the values, logs of everything it records in
order, so the places inside an anchored value are one slice of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yaml.events import AliasEvent

from reconciler.definitions._anchors import (
    MAX_ALIAS_VALUES,
    MAX_ALIAS_VALUES_PER_FILE,
    Anchored,
    Entry,
)
from reconciler.definitions._document import MAX_DEPTH, JsonPath, Through, dotted
from reconciler.errors import Problem, SourceLocation

__all__ = ["MERGE", "TOO_DEEP", "Abort", "Aliasing", "Frame", "place_of"]

TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
MERGE = "<<"
_BUDGET = (
    f"aliases and merge keys add more than {MAX_ALIAS_VALUES:,} values to this document; "
    "a shift needs far fewer (is this an alias bomb?)"
)
_FILE_BUDGET = f"aliases and merge keys add more than {MAX_ALIAS_VALUES_PER_FILE:,} values"


class Abort(Exception):
    """The rest of the file cannot be read meaningfully; the problem is recorded."""


@dataclass(slots=True)
class Frame:
    """A mapping or sequence being built."""

    container: dict[str, Any] | list[Any]
    path: JsonPath
    key: str | None = None
    key_mark: Any = None
    key_merges: bool = False  # the pending key is a plain "<<"
    key_lines: dict[str, int] = field(default_factory=dict)
    height: int = 1
    anchor: str | None = None
    logs_at_open: tuple[int, int, int, int] = (0, 0, 0, 0)
    merges: list[tuple[Anchored | None, Any]] = field(default_factory=list)
    merge_into: Frame | None = None  # a merge source (or a list of them) for this mapping
    merge_mark: Any = None


def place_of(mark: Any) -> tuple[int, int]:
    """A parser mark as a 1-based (line, column)."""
    return mark.line + 1, mark.column + 1


def _under(keys: frozenset[str]) -> Callable[[JsonPath], bool]:
    return lambda rel: bool(rel) and rel[0] in keys


class Aliasing:
    """The builder's state, how it records values, and what aliases and merges do."""

    display: str
    problems: list[Problem]
    file_expanded: int
    stack: list[Frame]
    root: Any
    values: dict[JsonPath, tuple[int, int]]
    keys: dict[JsonPath, tuple[int, int]]
    broken: set[JsonPath]
    through: dict[JsonPath, Through]
    incomplete: set[JsonPath]
    value_log: list[Entry]
    key_log: list[Entry]
    broken_log: list[JsonPath]
    through_log: list[tuple[JsonPath, Through]]
    anchors: dict[str, Anchored]
    open_anchors: set[str]
    anchored: bool
    expanded: int

    def _anchored(self, frame: Frame) -> Anchored:
        values, keys, broken, through = frame.logs_at_open
        cut = len(frame.path)
        return Anchored(
            frame.anchor or "",
            frame.container,
            tuple((path[cut:], place) for path, place in self.value_log[values:]),
            tuple((path[cut:], place) for path, place in self.key_log[keys:]),
            tuple(path[cut:] for path in self.broken_log[broken:]),
            tuple((path[cut:], via) for path, via in self.through_log[through:]),
            frame.height,
        )

    def _merge_target(self, top: Frame | None) -> Frame | None:
        """The mapping a container opening now merges into, if it stands in a merge place."""
        if top is None:
            return None
        if isinstance(top.container, dict) and top.key_merges and top.key == MERGE:
            return top
        if top.merge_into is not None and isinstance(top.container, list):
            return top.merge_into
        return None

    def _merge(self, frame: Frame) -> None:
        container = frame.container
        assert isinstance(container, dict)
        for source, mark in frame.merges:
            if source is None:
                continue  # refused where it is written
            if not isinstance(source.value, dict):
                self.incomplete.add(frame.path)
                message = f"<< merges mappings; *{source.name} is not one"
                self._refuse((*frame.path, MERGE), mark, message)
                continue
            if len(self.stack) + 1 + source.height - 1 > MAX_DEPTH:
                self.fail(mark, TOO_DEEP, frame.path)
                raise Abort
            added = frozenset(key for key in source.value if key not in container)
            self._spend(source.size, mark)
            frame.height = max(frame.height, source.height)
            for key in source.value:
                if key in added:
                    container[key] = source.value[key]
            self._place(frame.path, source, _under(added))
            via = Through("merge", source.name or "(mapping)", *place_of(mark))
            for key in sorted(added):
                self._record_through((*frame.path, key), via)

    def _alias(self, event: AliasEvent) -> None:
        self.anchored = True
        top = self._top_needing_key(event)
        name = event.anchor or ""
        source = self._lookup(name, event.start_mark, top)
        target = self._merge_target(top)
        if target is not None:
            if top is target:
                assert top is not None
                top.key = None
            if source is None:
                self.incomplete.add(target.path)
                self.broken.add((*target.path, MERGE))
                self.broken_log.append((*target.path, MERGE))
            target.merges.append((source, event.start_mark))
            return
        path = self._attach(source.value if source else None, event.start_mark)
        if source is None:
            self.broken.add(path)
            self.broken_log.append(path)
            return
        if len(self.stack) + source.height > MAX_DEPTH:
            self._refuse(path, event.start_mark, TOO_DEEP)
            raise Abort
        self._spend(source.size, event.start_mark)
        if self.stack:
            self.stack[-1].height = max(self.stack[-1].height, source.height + 1)
        self._place(path, source, lambda rel: True)
        self._record_through(path, Through("alias", name, *place_of(event.start_mark)))

    def _lookup(self, name: str, mark: Any, top: Frame | None) -> Anchored | None:
        path: JsonPath = ()
        if top is not None and isinstance(top.container, dict) and top.key is not None:
            path = (*top.path, top.key)
        elif top is not None and top.merge_into is not None:
            path = (*top.merge_into.path, MERGE)
        if name in self.open_anchors:
            self.fail(mark, f"*{name} is inside the value &{name} names (a loop)", path)
            return None
        found = self.anchors.get(name)
        if found is None:
            message = f"unknown anchor *{name} (an alias follows its &{name} in the same document)"
            self.fail(mark, message, path)
        return found

    def _spend(self, size: int, mark: Any) -> None:
        self.expanded += size
        self.file_expanded += size
        if self.expanded > MAX_ALIAS_VALUES:
            self.fail(mark, _BUDGET)
            raise Abort
        if self.file_expanded > MAX_ALIAS_VALUES_PER_FILE:
            self.fail(mark, _FILE_BUDGET)
            raise Abort

    def _place(self, path: JsonPath, source: Anchored, keep: Callable[[JsonPath], bool]) -> None:
        """The places inside ``source``, now also under ``path``."""
        for rel, place in source.values:
            if keep(rel):
                self._record_value((*path, *rel), None, place)
        for rel, place in source.keys:
            if rel and keep(rel):
                self.keys[(*path, *rel)] = place
                self.key_log.append(((*path, *rel), place))
        for rel in source.broken:
            if keep(rel):
                self.broken.add((*path, *rel))
                self.broken_log.append((*path, *rel))
        for rel, via in source.through:
            if keep(rel):
                self._record_through((*path, *rel), via)

    # -- recording ----------------------------------------------------------------

    def _where(self, mark: Any) -> SourceLocation:
        if mark is None:
            return SourceLocation(self.display, 1, 1)
        return SourceLocation(self.display, mark.line + 1, mark.column + 1)

    def fail(self, mark: Any, message: str, field_path: JsonPath = ()) -> None:
        self.problems.append(Problem(self._where(mark), dotted(field_path), message))

    def _top_needing_key(self, event: Any) -> Frame | None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self.fail(event.start_mark, "a mapping key must be plain text", top.path)
            raise Abort
        return top

    def _logs(self) -> tuple[int, int, int, int]:
        return len(self.value_log), len(self.key_log), len(self.broken_log), len(self.through_log)

    def _record_value(
        self, path: JsonPath, mark: Any, place: tuple[int, int] | None = None
    ) -> None:
        where = place or (mark.line + 1, mark.column + 1)
        self.values[path] = where
        self.value_log.append((path, where))

    def _record_through(self, path: JsonPath, via: Through) -> None:
        self.through.setdefault(path, via)
        self.through_log.append((path, via))

    def _refuse(self, path: JsonPath, mark: Any, message: str) -> None:
        self.broken.add(path)
        self.broken_log.append(path)
        self.fail(mark, message, path)

    def _attach(self, value: Any, mark: Any) -> JsonPath:
        if not self.stack:
            self.root = value
            path: JsonPath = ()
        else:
            frame = self.stack[-1]
            if isinstance(frame.container, dict):
                assert frame.key is not None
                path = (*frame.path, frame.key)
                frame.container[frame.key] = value
                key_mark = frame.key_mark
                place = (key_mark.line + 1, key_mark.column + 1)
                self.keys[path] = place
                self.key_log.append((path, place))
                frame.key = None
            else:
                path = (*frame.path, len(frame.container))
                frame.container.append(value)
        self._record_value(path, mark)
        return path
