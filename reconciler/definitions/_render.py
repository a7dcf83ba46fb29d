"""A ``Shift`` as canonical YAML text: declared field order, defaults left out, times quoted.

Written by hand rather than by a YAML dumper so the output is the same everywhere
and reads the same in any YAML 1.1 or 1.2 tool (``"18:00"`` is never a number).
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.definitions._yaml import resolve_plain
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


def render_document(shift: Shift) -> str:
    """The YAML document body of one shift (no comment, no ``---``)."""
    return "".join(line + "\n" for line in _mapping(shift.to_mapping(compact=True), 0))


def _mapping(data: dict[str, Any], depth: int) -> list[str]:
    lines: list[str] = []
    pad = _INDENT * depth
    for key, value in data.items():
        if isinstance(value, dict):
            if value:
                lines.append(f"{pad}{key}:")
                lines.extend(_mapping(value, depth + 1))
            else:
                lines.append(f"{pad}{key}: {{}}")
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:" if value else f"{pad}{key}: []")
            lines.extend(_sequence(value, depth + 1))
        else:
            lines.append(f"{pad}{key}: {_scalar(value, key in _TIME_FIELDS)}")
    return lines


def _sequence(items: list[Any], depth: int) -> list[str]:
    lines: list[str] = []
    pad = _INDENT * depth
    for item in items:
        if isinstance(item, dict) and item:
            # "- " takes the place of one indent, so later keys line up with the first.
            nested = _mapping(item, depth + 1)
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
        elif isinstance(item, dict):
            lines.append(f"{pad}- {{}}")
        else:
            lines.append(f"{pad}- {_scalar(item, False)}")
    return lines


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
