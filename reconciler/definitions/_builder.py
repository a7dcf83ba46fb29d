"""Parser events → documents with locations, anchors, aliases and merge keys.

Built straight from events (no recursion to exhaust); non-standard tags and duplicate
keys are refused where they are written. ``<<`` is a merge key only when written plain:
its mappings fill the keys the mapping does not write itself, earlier sources first.
"""

from __future__ import annotations

from typing import Any

from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from reconciler.definitions._aliasing import (
    MERGE,
    TOO_DEEP,
    Abort,
    Aliasing,
    Frame,
    place_of,
)
from reconciler.definitions._anchors import Anchored, Entry
from reconciler.definitions._document import MAX_DEPTH, Document, JsonPath, Through
from reconciler.definitions._scalars import CORE_TAG, resolve_scalar, short_tag
from reconciler.errors import Problem, SourceLocation
from reconciler.safetext import describe, first_surrogate

__all__ = ["TOO_DEEP", "Abort", "Builder"]


class Builder(Aliasing):
    """Turns a stream of parser events into documents with locations."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.documents: list[Document] = []
        self.problems: list[Problem] = []
        self.file_expanded = 0
        self._reset(None)

    def _reset(self, mark: Any) -> None:
        self.stack: list[Frame] = []
        self.root: Any = None
        self.start = self._where(mark)
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.broken: set[JsonPath] = set()
        self.through: dict[JsonPath, Through] = {}
        self.incomplete: set[JsonPath] = set()
        # Everything recorded, in order: an anchor's places are a slice of these.
        self.value_log: list[Entry] = []
        self.key_log: list[Entry] = []
        self.broken_log: list[JsonPath] = []
        self.through_log: list[tuple[JsonPath, Through]] = []
        self.anchors: dict[str, Anchored] = {}  # anchors are per document (YAML 1.2 §3.2.2.2)
        self.open_anchors: set[str] = set()
        self.anchored = False
        self.expanded = 0

    def fail_at_offset(self, text: str, offset: int, message: str) -> None:
        # libyaml reports reader errors as a byte offset into the UTF-8 text.
        before = text.encode("utf-8")[:offset].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before.rsplit("\n", 1)[-1]) + 1
        self.problems.append(Problem(SourceLocation(self.display, line, column), "", message))

    def feed(self, event: Event) -> None:
        kind = type(event)
        if kind is ScalarEvent:
            self._scalar(event)  # type: ignore[arg-type]
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            self._open(event)  # type: ignore[arg-type]
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            self._close()
        elif kind is AliasEvent:
            self._alias(event)  # type: ignore[arg-type]
        elif kind is DocumentStartEvent:
            self._reset(event.start_mark)
        elif kind is DocumentEndEvent:
            self._close_document()

    def _close_document(self) -> None:
        if self.root is None:
            return  # an empty document (a stray "---") defines nothing, as in kubectl
        self.documents.append(
            Document(
                self.root,
                self.start,
                self.values,
                self.keys,
                frozenset(self.broken),
                self.through,
                frozenset(self.incomplete),
                self.anchored,
            )
        )

    # -- containers ---------------------------------------------------------------

    def _open(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        kind = "map" if isinstance(event, MappingStartEvent) else "seq"
        top = self._top_needing_key(event)
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event.start_mark, TOO_DEEP)
            raise Abort
        logs = self._logs()
        container: dict[str, Any] | list[Any] = {} if kind == "map" else []
        frame = Frame(container, ())
        target = self._merge_target(top)
        if target is not None:  # a mapping written under "<<", or a list of merge sources
            frame.merge_into, frame.merge_mark = target, event.start_mark
            frame.path = (*target.path, MERGE, len(target.merges))
            if top is target:
                top.key = None
            self._record_value(frame.path, event.start_mark)
        else:
            frame.path = self._attach(container, event.start_mark)
        if event.tag not in (None, "!", CORE_TAG + kind):
            message = f"YAML tag {short_tag(event.tag)} is not allowed"
            self._refuse(frame.path, event.start_mark, message)
        if event.anchor:
            self.anchored = True
            frame.anchor = event.anchor
            self.open_anchors.add(event.anchor)
        frame.logs_at_open = logs
        self.stack.append(frame)

    def _close(self) -> None:
        frame = self.stack.pop()
        if self.stack:
            parent = self.stack[-1]
            parent.height = max(parent.height, frame.height + 1)
        if frame.merges and isinstance(frame.container, dict):
            self._merge(frame)
        if frame.anchor:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = self._anchored(frame)
        if frame.merge_into is not None and isinstance(frame.container, dict):
            frame.merge_into.merges.append((self._anchored(frame), frame.merge_mark))

    # -- scalars and keys ---------------------------------------------------------

    def _scalar(self, event: ScalarEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self._key(top, event)
            return
        if top is not None and top.merge_into is not None and isinstance(top.container, list):
            self.incomplete.add(top.merge_into.path)
            message = "<< takes an alias of a mapping (<<: *name) or a list of them"
            self._refuse(top.merge_into.path, event.start_mark, message)
            return
        if self._merge_target(top) is not None:
            assert top is not None
            top.key = None
            self.incomplete.add(top.path)
            message = "<< takes an alias of a mapping (<<: *name) or a list of them"
            self._refuse((*top.path, MERGE), event.start_mark, message)
            return
        value, error = resolve_scalar(event)
        path = self._attach(value, event.start_mark)
        if error or (isinstance(value, str) and (error := _surrogate(value))):
            self._refuse(path, event.start_mark, error)
        if event.anchor:
            self.anchored = True
            place = place_of(event.start_mark)
            self.anchors[event.anchor] = Anchored.scalar(event.anchor, value, place, bool(error))

    def _key(self, frame: Frame, event: ScalarEvent) -> None:
        key = event.value
        if event.anchor:  # an anchor on a key names the key's text
            self.anchored = True
            place = place_of(event.start_mark)
            self.anchors[event.anchor] = Anchored.scalar(event.anchor, key, place, False)
        first = frame.key_lines.get(key)
        if first is not None:
            message = f"duplicate key {key!r} (first written on line {first})"
            self._refuse((*frame.path, key), event.start_mark, message)
        elif bad := _surrogate(key):
            self._refuse((*frame.path, key), event.start_mark, bad)
        frame.key_lines[key] = self._where(event.start_mark).line
        frame.key, frame.key_mark = key, event.start_mark
        # Only a plain << merges (YAML's merge type); "<<" in quotes is an ordinary key.
        frame.key_merges = key == MERGE and not event.style and event.tag is None
        if frame.key_merges:
            self.anchored = True


def _surrogate(text: str) -> str | None:
    """Why ``text`` is not Unicode text (a lone surrogate from a ``\\ud83d`` escape), or None."""
    index = None if text.isascii() else first_surrogate(text)
    if index is None:
        return None
    return (
        f"contains a {describe(text[index])} at character {index + 1}; write the character itself"
    )
