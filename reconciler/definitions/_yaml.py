"""Safe YAML loading that remembers the file, line and column of every value.

Values are built straight from parser events (libyaml when available), so there is
no recursion to exhaust, aliases and non-standard tags are refused where they are
written, duplicate keys are reported, and plain scalars follow the YAML 1.2 core
schema: ``9:00`` and ``18:00`` are text, not YAML 1.1 base-60 numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
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

from reconciler.definitions._nesting import flow_too_deep
from reconciler.definitions._scalars import CORE_TAG, resolve_scalar, short_tag
from reconciler.definitions._walk import NotRegular, read_regular
from reconciler.errors import Problem, SourceLocation
from reconciler.safetext import describe, first_surrogate

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "PARSER",
    "Document",
    "JsonPath",
    "LoadedFile",
    "dotted",
    "load_file",
    "parse_documents",
]

JsonPath = tuple[str | int, ...]
MAX_FILE_BYTES = 1 << 20
# A shift is four levels deep; anything far deeper is hostile, not a shift.
MAX_DEPTH = 32
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"

# libyaml when PyYAML was built with it; the pure-Python loader reads the same events.
PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value and where each part of it is written."""

    data: Any
    start: SourceLocation
    # (line, column) pairs; SourceLocation objects are made only when asked for.
    values: dict[JsonPath, tuple[int, int]]
    keys: dict[JsonPath, tuple[int, int]]
    broken: frozenset[JsonPath]  # paths whose value the loader had to refuse

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


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A shift file: its text (when decodable), documents and loading problems."""

    path: str
    text: str | None
    documents: tuple[Document, ...]
    problems: tuple[Problem, ...]


def load_file(path: Path, display: str) -> LoadedFile:
    """Read, decode and parse one file; every failure becomes a ``Problem``."""
    where = SourceLocation(display, 1, 1)
    try:
        raw = read_regular(path, MAX_FILE_BYTES + 1)
    except NotRegular as exc:
        return LoadedFile(display, None, (), (Problem(where, "", str(exc)),))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return LoadedFile(display, None, (), (Problem(where, "", f"cannot read: {reason}"),))
    if len(raw) > MAX_FILE_BYTES:
        message = f"file is larger than {MAX_FILE_BYTES // 1024} KiB; a shift file is far smaller"
        return LoadedFile(display, None, (), (Problem(where, "", message),))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return LoadedFile(display, None, (), (_decode_problem(display, raw, exc),))
    documents, problems = parse_documents(text, display)
    return LoadedFile(display, text, documents, problems)


def _decode_problem(display: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
    byte = raw[exc.start]
    message = f"not UTF-8 text (byte 0x{byte:02x}); shift files must be UTF-8"
    return Problem(SourceLocation(display, line, column), "", message)


def parse_documents(
    text: str, display: str, parser: type[Any] | None = None
) -> tuple[tuple[Document, ...], tuple[Problem, ...]]:
    """Every document of ``text`` and every problem found while reading it."""
    builder = _Builder(display)
    # Our depth limit speaks before any parser's own (libyaml's fires while scanning ahead).
    too_deep = flow_too_deep(text, MAX_DEPTH)
    if too_deep is not None:
        line, column = too_deep
        builder.problems.append(Problem(SourceLocation(display, line, column), "", _TOO_DEEP))
        return (), tuple(builder.problems)
    loader = (parser or PARSER)(text)
    get_event, feed = loader.get_event, builder.feed
    try:
        event = get_event()
        while event is not None:
            feed(event)
            event = get_event()
    except _Abort:
        pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        builder.fail(mark, f"invalid YAML: {_syntax_message(text, mark, exc)}")
    except yaml.reader.ReaderError as exc:
        builder.fail_at_offset(text, exc.position, f"invalid YAML: {exc.reason}")
    except yaml.YAMLError as exc:  # anything else libyaml may say
        builder.fail(None, f"invalid YAML: {exc}")
    finally:
        loader.dispose()
    if not builder.documents and not builder.problems:
        builder.fail(None, "empty file: no shift defined")
    return tuple(builder.documents), tuple(builder.problems)


def _syntax_message(text: str, mark: Any, exc: yaml.MarkedYAMLError) -> str:
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        return "tabs cannot indent YAML; use spaces"
    return str(exc.problem or exc.context)


class _Abort(Exception):
    """The rest of the file cannot be read meaningfully; the problem is recorded."""


@dataclass(slots=True)
class _Frame:
    container: dict[str, Any] | list[Any]
    path: JsonPath
    key: str | None = None
    key_mark: Any = None
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns a stream of parser events into documents with locations."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.documents: list[Document] = []
        self.problems: list[Problem] = []
        self._reset(None)

    def _reset(self, mark: Any) -> None:
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.start = self._where(mark)
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.broken: set[JsonPath] = set()

    def _where(self, mark: Any) -> SourceLocation:
        if mark is None:
            return SourceLocation(self.display, 1, 1)
        return SourceLocation(self.display, mark.line + 1, mark.column + 1)

    def fail(self, mark: Any, message: str, field_path: JsonPath = ()) -> None:
        self.problems.append(Problem(self._where(mark), dotted(field_path), message))

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
            self.stack.pop()
        elif kind is AliasEvent:
            self._alias(event)  # type: ignore[arg-type]
        elif kind is DocumentStartEvent:
            self._reset(event.start_mark)
        elif kind is DocumentEndEvent:
            self._close_document()

    def _close_document(self) -> None:
        if self.root is None:
            return  # an empty document (a stray "---") defines nothing, as in kubectl
        document = Document(self.root, self.start, self.values, self.keys, frozenset(self.broken))
        self.documents.append(document)

    def _open(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        kind = "map" if isinstance(event, MappingStartEvent) else "seq"
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self.fail(event.start_mark, "a mapping key must be plain text", top.path)
            raise _Abort
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event.start_mark, _TOO_DEEP)
            raise _Abort
        container: dict[str, Any] | list[Any] = {} if kind == "map" else []
        path = self._attach(container, event.start_mark)
        if event.tag not in (None, "!", CORE_TAG + kind):
            self._refuse(path, event.start_mark, f"YAML tag {short_tag(event.tag)} is not allowed")
        self.stack.append(_Frame(container, path))

    def _scalar(self, event: ScalarEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self._key(top, event)
            return
        value, error = resolve_scalar(event)
        path = self._attach(value, event.start_mark)
        if error or (isinstance(value, str) and (error := _surrogate(value))):
            self._refuse(path, event.start_mark, error)

    def _key(self, frame: _Frame, event: ScalarEvent) -> None:
        key = event.value
        first = frame.key_lines.get(key)
        if first is not None:
            message = f"duplicate key {key!r} (first written on line {first})"
            self._refuse((*frame.path, key), event.start_mark, message)
        elif bad := _surrogate(key):
            self._refuse((*frame.path, key), event.start_mark, bad)
        frame.key_lines[key] = self._where(event.start_mark).line
        frame.key, frame.key_mark = key, event.start_mark

    def _alias(self, event: AliasEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self.fail(event.start_mark, "a mapping key must be plain text", top.path)
            raise _Abort
        path = self._attach(None, event.start_mark)
        message = f"YAML aliases (*{event.anchor}) are not allowed; write the value out"
        self._refuse(path, event.start_mark, message)

    def _refuse(self, path: JsonPath, mark: Any, message: str) -> None:
        self.broken.add(path)
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
                self.keys[path] = (key_mark.line + 1, key_mark.column + 1)
                frame.key = None
            else:
                path = (*frame.path, len(frame.container))
                frame.container.append(value)
        self.values[path] = (mark.line + 1, mark.column + 1)
        return path


def _surrogate(text: str) -> str | None:
    """Why ``text`` is not Unicode text (a lone surrogate from a ``\\ud83d`` escape), or None."""
    index = None if text.isascii() else first_surrogate(text)
    if index is None:
        return None
    return (
        f"contains a {describe(text[index])} at character {index + 1}; write the character itself"
    )


def dotted(path: JsonPath) -> str:
    """``("punch_time_rule", 0, "on_time")`` → ``punch_time_rule[0].on_time``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
