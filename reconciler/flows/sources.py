"""Rows of a CSV, JSON-array or NDJSON file, streamed one at a time with their line.

Nothing here holds the whole file: CSV and NDJSON are read line by line and a
JSON array element by element, so a file may be far larger than memory.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, NoReturn

from reconciler.errors import InputError
from reconciler.safetext import escape

__all__ = ["FORMATS", "BrokenFile", "Format", "RawRow", "RowProblem", "infer_format", "read_rows"]

Format = Literal["csv", "json", "ndjson"]
FORMATS: tuple[Format, ...] = ("csv", "json", "ndjson")
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
_CHUNK = 1 << 16
# One punch row is a few hundred bytes; an element this large means a broken file.
_MAX_ELEMENT = 1 << 20
_BLANKS = re.compile(r"[ \t\r\n]*")
_TOO_DEEP = "not a row: JSON nested too deeply"


@dataclass(frozen=True, slots=True, order=True)
class RowProblem:
    """One bad row (or file), shown as ``FILE:LINE: message``.

    ``fatal`` marks a fault that stops the reading: no row after it is known.
    """

    path: str
    line: int
    message: str
    fatal: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        # One line whatever the file's name or the row's text holds.
        where = f"{escape(self.path)}:{self.line}" if self.line else escape(self.path)
        return f"{where}: {escape(self.message)}"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row's values as the file spelled them, and the line where it starts."""

    line: int
    values: Mapping[str, object]


class BrokenFile(InputError):
    """The file cannot be read on from ``problem``'s line: no later row can be trusted."""

    def __init__(self, name: str, line: int, message: str) -> None:
        self.problem = RowProblem(name, line, message, fatal=True)
        super().__init__(str(self.problem))


def infer_format(name: str, given: str | None) -> Format:
    """``given`` if set, else the format the file name's extension stands for."""
    if given:
        if given not in FORMATS:
            raise InputError(f"unknown format {given!r} (use one of {', '.join(FORMATS)})")
        return given
    found = _SUFFIXES.get(Path(name).suffix.lower())
    if found is None:
        raise InputError(
            f"{name}: cannot tell the format from the name; pass --format csv|json|ndjson"
        )
    return found


def read_rows(
    path: Path, fmt: Format, *, name: str, columns: frozenset[str], required: frozenset[str]
) -> Iterator[RawRow | RowProblem]:
    """Every row of the file in order, or a problem in its place when a row is unreadable.

    ``columns``/``required`` are checked once against a CSV header. Raises
    :class:`BrokenFile` when the file cannot be read on (bad header, broken JSON).
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            if fmt == "csv":
                yield from _csv_rows(stream, name, columns, required)
            elif fmt == "ndjson":
                yield from _ndjson_rows(stream, name)
            else:
                yield from _json_rows(stream, name)
    except UnicodeDecodeError as exc:
        raise BrokenFile(name, 0, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


def _csv_rows(
    stream: IO[str], name: str, columns: frozenset[str], required: frozenset[str]
) -> Iterator[RawRow | RowProblem]:
    reader = csv.reader(stream, strict=True)
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BrokenFile(name, start, f"not valid CSV: {exc}") from None
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _header(cells, name, start, columns, required)
        elif len(cells) != len(header):
            yield RowProblem(name, start, f"{len(cells)} values for {len(header)} columns")
        else:
            yield RawRow(start, dict(zip(header, cells, strict=True)))


def _header(
    cells: list[str], name: str, line: int, columns: frozenset[str], required: frozenset[str]
) -> list[str]:
    header = [cell.strip() for cell in cells]
    unknown = [c for c in header if c not in columns]
    missing = sorted(required - set(header))
    duplicated = sorted({c for c in header if header.count(c) > 1})
    faults = []
    if unknown:
        faults.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    if missing:
        faults.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if duplicated:
        faults.append(
            f"repeated column{'s' if len(duplicated) > 1 else ''} {', '.join(duplicated)}"
        )
    if faults:
        known = ", ".join(sorted(columns))
        raise BrokenFile(name, line, f"{'; '.join(faults)} (known: {known})")
    return header


def _ndjson_rows(stream: IO[str], name: str) -> Iterator[RawRow | RowProblem]:
    # Lines are read with a bound, so one endless line cannot take all the memory.
    lines = iter(lambda: stream.readline(_MAX_ELEMENT + 1), "")
    for number, text in enumerate(lines, start=1):
        if len(text) > _MAX_ELEMENT:
            raise BrokenFile(name, number, "a line larger than 1 MiB cannot be a punch row")
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RowProblem(name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield RowProblem(name, number, _TOO_DEEP)
            continue
        yield _object(value, name, number)


def _object(value: object, name: str, line: int) -> RawRow | RowProblem:
    if not isinstance(value, dict):
        return RowProblem(name, line, f"a row must be a JSON object, not {_kind(value)}")
    return RawRow(line, value)


def _kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _json_rows(stream: IO[str], name: str) -> Iterator[RawRow | RowProblem]:
    """Elements of one top-level JSON array, each decoded as soon as it is complete."""
    scanner = _Scanner(stream, name)
    first = scanner.next_char()
    if not first:
        return
    if first != "[":
        scanner.fail("a JSON file must hold one array of row objects")
    scanner.advance(1)
    if scanner.next_char() == "]":
        scanner.advance(1)
        scanner.expect_end()
        return
    while True:
        scanner.next_char()
        line = scanner.line
        yield _object(scanner.decode(), name, line)
        char = scanner.next_char()
        if char == "]":
            scanner.advance(1)
            scanner.expect_end()
            return
        if char != ",":
            scanner.fail("expected ',' or ']' after an array element")
        scanner.advance(1)


class _Scanner:
    """A window over a text stream that decodes JSON values and counts lines."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self._stream = stream
        self._name = name
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()
        self.line = 1

    def next_char(self) -> str:
        """The next non-blank character ('' at the end), after skipping blanks."""
        while True:
            text = self._buffer
            blanks = _BLANKS.match(text, self._pos)
            pos = blanks.end() if blanks else self._pos
            self._move(pos)
            if pos < len(text) or not self._fill():
                return text[pos] if pos < len(text) else ""

    def advance(self, count: int) -> None:
        self._move(self._pos + count)

    def decode(self) -> object:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buffer) - self._pos > _MAX_ELEMENT:
                    self.fail("an element larger than 1 MiB cannot be a punch row")
                if not self._fill():
                    where = self._buffer.count("\n", self._pos, exc.pos)
                    self.line += where
                    self.fail(f"not valid JSON: {exc.msg}")
                continue
            except RecursionError:
                self.fail(_TOO_DEEP)
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self._buffer) and self._fill():
                continue
            self._move(end)
            return value

    def expect_end(self) -> None:
        if self.next_char():
            self.fail("unexpected text after the array")

    def fail(self, message: str) -> NoReturn:
        raise BrokenFile(self._name, self.line, message)

    def _move(self, pos: int) -> None:
        self.line += self._buffer.count("\n", self._pos, pos)
        self._pos = pos

    def _fill(self) -> bool:
        """Read one more chunk, dropping what was consumed; False at the end."""
        if self._eof:
            return False
        chunk = self._stream.read(_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True
