"""A ``Shift`` as canonical YAML text: declared field order, defaults left out, times quoted.

Written by hand rather than by a YAML dumper so the output is the same everywhere
and reads the same in any YAML 1.1 or 1.2 tool (``"18:00"`` is never a number).
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.definitions._comments import Notes
from reconciler.definitions._scalars import resolve_plain
from reconciler.definitions._yaml import JsonPath
from reconciler.model import Shift

__all__ = ["SCHEMA_COMMENT", "render_document", "render_shift_yaml"]

SCHEMA_COMMENT = "# yaml-language-server: $schema="
_INDENT = "  "
_TIME_FIELDS = frozenset(
    {
        "on_time",
        "off_time",
        "rest_begin_time",
        "rest_end_time",
        "on_overtime",
        "off_overtime",
        "fixed_middle_time",
    }
)
# Plain only when every YAML reader sees the same text: starts with a letter, plain
# punctuation inside, and not one of YAML 1.1's boolean or null words.
_PLAIN = re.compile(r"[^\W\d_][\w .()（）·/+-]*(?<! )")
_YAML11_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)


def render_shift_yaml(shift: Shift, schema_ref: str) -> str:
    """A whole shift file for one shift, starting with the editor's ``$schema`` comment."""
    return f"{SCHEMA_COMMENT}{schema_ref}\n{render_document(shift)}"


def render_document(shift: Shift, notes: Notes | None = None) -> str:
    """The YAML document body of one shift (no ``---``), with its comments if given."""
    writer = _Writer(notes or Notes())
    writer.mapping(shift.to_mapping(compact=True), 0, ())
    return writer.finish()


class _Writer:
    """Collects output lines, putting each comment before or after its key's line."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes
        self.lines: list[str] = []
        self.written: set[JsonPath] = set()

    def line(self, indent: str, text: str, *paths: JsonPath) -> None:
        for path in paths:
            self.lines.extend(indent + comment for comment in self.notes.before.get(path, ()))
        trailing = [self.notes.trailing[p] for p in paths if p in self.notes.trailing]
        self.lines.append(indent + text + "".join("  " + comment for comment in trailing))
        self.written.update(paths)

    def finish(self) -> str:
        # Comments on values the canonical form leaves out (defaults) are kept at the end.
        orphans = [c for p, cs in self.notes.before.items() if p not in self.written for c in cs]
        orphans += [c for p, c in self.notes.trailing.items() if p not in self.written]
        self.lines.extend([*orphans, *self.notes.end])
        return "".join(line + "\n" for line in self.lines)

    def mapping(self, data: dict[str, Any], depth: int, path: JsonPath, *lead: JsonPath) -> None:
        """Write a mapping; ``lead`` marks the first key as sharing a list item's "- " line."""
        pad = _INDENT * depth
        for index, (key, value) in enumerate(data.items()):
            here = (*path, key)
            paths = (*lead, here) if index == 0 else (here,)
            indent, prefix = (pad[:-2], "- ") if index == 0 and lead else (pad, "")
            if isinstance(value, dict) and value:
                self.line(indent, f"{prefix}{key}:", *paths)
                self.mapping(value, depth + 1, here)
            elif isinstance(value, list) and value:
                self.line(indent, f"{prefix}{key}:", *paths)
                self.sequence(value, depth + 1, here)
            else:
                self.line(indent, f"{prefix}{key}: {_value(value, key in _TIME_FIELDS)}", *paths)

    def sequence(self, items: list[Any], depth: int, path: JsonPath) -> None:
        pad = _INDENT * depth
        for index, item in enumerate(items):
            here = (*path, index)
            if isinstance(item, dict) and item:
                # "- " takes the place of one indent, so later keys line up with the first.
                self.mapping(item, depth + 1, here, here)
            else:
                self.line(pad, f"- {_value(item, False)}", here)


def _value(value: Any, is_time: bool) -> str:
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return _scalar(value, is_time)


def _scalar(value: Any, is_time: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if is_time or not _is_plain(text):
        return _quote(text)
    return text


def _is_plain(text: str) -> bool:
    if not _PLAIN.fullmatch(text) or text.lower() in _YAML11_WORDS:
        return False
    return resolve_plain(text) == (text, None)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar; anything not printable is escaped."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)
