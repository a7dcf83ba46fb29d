"""Safe YAML loading that remembers the file, line and column of every value.

Values are built straight from parser events (libyaml when available, see
``_builder``), so there is no recursion to exhaust, non-standard tags are refused where
they are written, duplicate keys are reported, anchors, aliases and merge keys work
within a budget (``_anchors``), and plain scalars follow the YAML 1.2 core schema:
``9:00`` and ``18:00`` are text, not YAML 1.1 base-60 numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reconciler.definitions._builder import TOO_DEEP, Abort, Builder
from reconciler.definitions._document import MAX_DEPTH, Document, JsonPath, dotted
from reconciler.definitions._nesting import flow_too_deep
from reconciler.definitions._walk import NotRegular, read_regular
from reconciler.errors import Problem, SourceLocation

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "PARSER",
    "Document",
    "JsonPath",
    "LoadedFile",
    "Reader",
    "dotted",
    "load_file",
    "parse_documents",
]

MAX_FILE_BYTES = 1 << 20

#: How a file's bytes are read: ``read_regular``, or a ``ReadAhead``'s ``read``.
Reader = Callable[[Path, int], bytes]

# libyaml when PyYAML was built with it; the pure-Python loader reads the same events.
PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A shift file: its text (when decodable), documents and loading problems."""

    path: str
    text: str | None
    documents: tuple[Document, ...]
    problems: tuple[Problem, ...]


def load_file(path: Path, display: str, read: Reader = read_regular) -> LoadedFile:
    """Read (with ``read``), decode and parse one file; every failure becomes a ``Problem``."""
    where = SourceLocation(display, 1, 1)
    try:
        raw = read(path, MAX_FILE_BYTES + 1)
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
    builder = Builder(display)
    # Our depth limit speaks before any parser's own (libyaml's fires while scanning ahead).
    too_deep = flow_too_deep(text, MAX_DEPTH)
    if too_deep is not None:
        line, column = too_deep
        builder.problems.append(Problem(SourceLocation(display, line, column), "", TOO_DEEP))
        return (), tuple(builder.problems)
    loader = (parser or PARSER)(text)
    get_event, feed = loader.get_event, builder.feed
    try:
        event = get_event()
        while event is not None:
            feed(event)
            event = get_event()
    except Abort:
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
