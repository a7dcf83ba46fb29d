"""The packaged JSON Schema of a shift, and its errors as located, readable problems."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reconciler.definitions._fastpath import Predicate, Unsupported, compile_fast, inline_refs
from reconciler.definitions._yaml import Document, JsonPath, dotted
from reconciler.errors import Problem
from reconciler.safetext import describe, first_unsafe

if TYPE_CHECKING:
    # Imported only when the fast path says no: most runs never load jsonschema.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = [
    "load_schema",
    "located_problems",
    "schema_path",
    "schema_problems",
    "unsafe_text_message",
]

SERVER_OWNED = frozenset({"shift_id", "id"})
_MAX_SUGGESTIONS = 20
_KINDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}


def schema_path() -> Path:
    """The schema file shipped inside the package (``schema/`` links to it)."""
    return Path(__file__).resolve().parent.parent / "data" / "shift.schema.json"


def load_schema() -> dict[str, Any]:
    """A fresh copy of the schema, safe for the caller to change."""
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _inlined_schema() -> dict[str, Any]:
    # Local $refs inlined: resolving a $ref on every use was most of the cost.
    return inline_refs(load_schema())


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inlined_schema())


@functools.cache
def _fast_check() -> Predicate | None:
    try:
        return compile_fast(_inlined_schema())
    except Unsupported:  # a keyword the fast path does not know: jsonschema alone
        return None


def schema_problems(document: Document) -> list[Problem]:
    """Every schema violation of one document, each tied to its place in the file."""
    fast = _fast_check()
    if fast is not None and fast(document.data):
        return []
    return located_problems(_validator(), document)


def located_problems(validator: Draft202012Validator, document: Document) -> list[Problem]:
    """Every violation of ``validator``'s schema in one document, each at its place."""
    seen: set[tuple[JsonPath, str]] = set()
    problems: list[Problem] = []
    for error in validator.iter_errors(document.data):
        for path, at_key, message in _explain(error):
            if document.is_broken(path) or (path, message) in seen:
                continue
            if error.validator == "required" and path[:-1] in document.incomplete:
                continue  # its merge key failed, and says so once

            seen.add((path, message))
            where = document.locate_key(path) if at_key else document.locate(path)
            problems.append(Problem(where, dotted(path), message))
    return problems


def _explain(error: ValidationError) -> list[tuple[JsonPath, bool, str]]:
    """(field path, whether to point at the key, message) for one schema error."""
    path: JsonPath = tuple(error.absolute_path)
    # The stubs allow "unset"; a yielded error always has these set.
    kind, expected, value = (
        error.validator,
        cast(Any, error.validator_value),
        cast(Any, error.instance),
    )
    if kind == "required":
        missing = [name for name in expected if name not in value]
        return [((*path, name), False, "missing required field") for name in missing]
    if kind == "additionalProperties":
        known = list(cast(Any, error.schema).get("properties", {}))
        extra = [key for key in value if key not in known]
        # Suggestions cost a fuzzy match each; a mapping of thousands of keys gets none.
        hint = len(extra) <= _MAX_SUGGESTIONS
        return [((*path, key), True, _unknown(key, known if hint else [])) for key in extra]
    if kind == "not" and path and path[-1] in SERVER_OWNED:
        message = "server-owned field: Feishu assigns it; remove it (shift_name is the identity)"
        return [(path, True, message)]
    return [(path, False, _value_message(error))]


def _unknown(key: str, known: list[str]) -> str:
    import difflib  # only for a file with an unknown field

    close = difflib.get_close_matches(key, known, n=1)
    return f"unknown field{f' (did you mean {close[0]}?)' if close else ''}"


def _value_message(error: ValidationError) -> str:
    # The stubs allow "unset"; a yielded error always has these set.
    kind, expected, value = (
        error.validator,
        cast(Any, error.validator_value),
        cast(Any, error.instance),
    )
    if kind == "pattern" and isinstance(value, str):
        unsafe = first_unsafe(value)
        if unsafe is not None:
            return unsafe_text_message(value, unsafe)
    if kind == "type" and _is_time(cast(Any, error.schema).get("pattern", "")):
        return f'expected a time as text such as "18:00", got {_show(value)}'
    if kind == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"expected {' or '.join(_KINDS.get(w, w) for w in kinds)}, got {_show(value)}"
    if kind == "minimum":
        return f"must be at least {expected} (got {_show(value)})"
    if kind == "exclusiveMinimum":
        return f"must be more than {expected} (got {_show(value)})"
    if kind == "maximum":
        return f"must be at most {expected} (got {_show(value)})"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, expected))} (got {_show(value)})"
    if kind == "pattern" and _is_time(expected):
        return (
            f"not a time of day: {_clip(value)!r} (write H:MM or HH:MM; "
            "after midnight go past 24:00, e.g. 26:00, up to 47:59)"
        )
    if kind == "pattern" and "https?://" in str(expected):
        return f"not a URL: {_clip(str(value))!r} (write https://… or http://…)"
    if kind in ("pattern", "minLength") and isinstance(value, str):
        return "must not be blank"
    if kind == "minItems":
        return f"needs at least {expected} entr{'y' if expected == 1 else 'ies'}"
    return str(error.message)


def unsafe_text_message(value: str, index: int) -> str:
    """Why text with a control or bidi character is refused, naming the character."""
    return (
        f"contains {describe(value[index])} at character {index + 1}; control and "
        "bidirectional characters are not allowed (they can rewrite what a terminal "
        "or a review shows)"
    )


def _is_time(pattern: Any) -> bool:
    return ":[0-5][0-9]" in str(pattern)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {_clip(value)!r}"
    return _clip(str(value))


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
