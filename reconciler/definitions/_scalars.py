"""Scalars under the YAML 1.2 core schema, and the few explicit tags shift files may use."""

from __future__ import annotations

import re
from typing import Any

from yaml.events import ScalarEvent

__all__ = ["CORE_TAG", "resolve_plain", "resolve_scalar", "short_tag"]

CORE_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


def resolve_scalar(event: ScalarEvent) -> tuple[Any, str | None]:
    """A scalar's value under the YAML 1.2 core schema, or why it is refused."""
    tag, text = event.tag, event.value
    if tag is None:
        return resolve_plain(text) if event.implicit[0] else (text, None)
    if tag in ("!", CORE_TAG + "str"):
        return text, None
    if tag == CORE_TAG + "int":
        value = resolve_plain(text)
        return value if isinstance(value[0], int) and value[1] is None else (None, "not an integer")
    if tag == CORE_TAG + "float":
        value = resolve_plain(text)
        if isinstance(value[0], int | float) and value[1] is None:
            return float(value[0]), None
        return None, "not a number"
    if tag == CORE_TAG + "bool":
        return (text in _TRUE, None) if text in _TRUE | _FALSE else (None, "not true or false")
    if tag == CORE_TAG + "null":
        return None, None
    return None, f"YAML tag {short_tag(tag)} is not allowed"


def resolve_plain(text: str) -> tuple[Any, str | None]:
    """A plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if text in _NULL:
        return None, None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE, None
    if _INT.fullmatch(text):
        try:
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text), None
        except ValueError:  # more digits than Python converts safely
            return None, "number is too large"
    if _FLOAT.fullmatch(text) or _INF.fullmatch(text):
        return float(
            text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
        ), None
    if _NAN.fullmatch(text):
        return None, "NaN is not allowed"
    return text, None


def short_tag(tag: str | None) -> str:
    """``tag:yaml.org,2002:python/name`` → ``!!python/name``, as the user wrote it."""
    tag = tag or "?"
    return "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag
