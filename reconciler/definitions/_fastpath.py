"""A yes/no check compiled from the shift schema, for the common case of a valid shift.

It understands exactly the keywords the schema uses; anything else makes ``compile_fast``
raise ``Unsupported`` and validation uses jsonschema alone. A "no" is only a hint:
jsonschema then runs and gives the real, located reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["Predicate", "Unsupported", "compile_fast", "inline_refs"]

Predicate = Callable[[Any], bool]
# Annotations: they describe, they never make a value invalid.
_IGNORED = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"}
)


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not know."""


def compile_fast(schema: Any) -> Predicate:
    """A predicate equal to ``Draft202012Validator(schema).is_valid`` for a $ref-free schema."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    unknown = set(schema) - _IGNORED - set(_KEYWORDS)
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    checks = tuple(
        _KEYWORDS[key](schema[key], schema)
        for key in _ORDER
        if key in schema and not (key == "additionalProperties" and "properties" in schema)
    )
    checks = tuple(check for check in checks if check is not _always)
    return _all_of(checks)


def _all_of(checks: tuple[Predicate, ...]) -> Predicate:
    # Plain loops, not all(generator): this runs for every value of every file.
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def check(value: Any) -> bool:
        for test in checks:  # noqa: SIM110 (a loop is twice as fast as all() on a generator)
            if not test(value):
                return False
        return True

    return check


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every local ``#/$defs/…`` reference replaced by its definition."""
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, definitions) for key, value in node.items() if key != "$defs"}
    reference = out.pop("$ref", None)
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        target = _inline(definitions[reference.removeprefix("#/$defs/")], definitions)
        out = {**target, **out}
    elif reference is not None:
        out["$ref"] = reference
    return out


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


def _type(expected: Any, schema: dict[str, Any]) -> Predicate:
    names = [expected] if isinstance(expected, str) else list(expected)
    tests = [_TYPES[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _properties(properties: dict[str, Any], schema: dict[str, Any]) -> Predicate:
    compiled = {name: compile_fast(sub) for name, sub in properties.items()}
    closed = schema.get("additionalProperties", True) is False
    if schema.get("additionalProperties", True) not in (True, False):
        raise Unsupported("additionalProperties schema")

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            test = compiled.get(key)
            if test is None:
                if closed:
                    return False
            elif not test(item):
                return False
        return True

    return check


def _additional(allowed: Any, schema: dict[str, Any]) -> Predicate:
    if allowed is True:
        return _always
    if allowed is False:
        return lambda value: not isinstance(value, dict) or not value
    raise Unsupported("additionalProperties schema")


def _required(names: list[str], schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _items(items: Any, schema: dict[str, Any]) -> Predicate:
    test = compile_fast(items)

    def check(value: Any) -> bool:
        if isinstance(value, list):
            for item in value:
                if not test(item):
                    return False
        return True

    return check


def _minimum(bound: float, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value >= bound


def _maximum(bound: float, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value <= bound


def _exclusive_minimum(bound: float, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value > bound


def _exclusive_maximum(bound: float, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value < bound


def _equal(one: Any, two: Any) -> bool:
    # As in JSON Schema: true is not 1, but 3.0 is 3.
    if isinstance(one, bool) or isinstance(two, bool):
        return one is two
    return bool(one == two)


def _enum(allowed: list[Any], schema: dict[str, Any]) -> Predicate:
    if any(isinstance(item, dict | list) for item in allowed):
        raise Unsupported("enum of containers")
    if any(isinstance(item, bool) or item is None for item in allowed):
        return lambda value: any(_equal(value, item) for item in allowed)
    # Without booleans a set answers as _equal does (3.0 == 3, and True is never allowed).
    members = frozenset(allowed)
    return lambda value: (
        not isinstance(value, bool | dict | list) and value is not None and value in members
    )


def _const(expected: Any, schema: dict[str, Any]) -> Predicate:
    return _enum([expected], schema)


def _pattern(pattern: str, schema: dict[str, Any]) -> Predicate:
    search = re.compile(pattern).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _min_length(length: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, str) or len(value) >= length


def _min_items(count: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, list) or len(value) >= count


def _not(sub: Any, schema: dict[str, Any]) -> Predicate:
    test = compile_fast(sub)
    return lambda value: not test(value)


def _if(condition: Any, schema: dict[str, Any]) -> Predicate:
    test = compile_fast(condition)
    then = compile_fast(schema.get("then", True))
    otherwise = compile_fast(schema.get("else", True))
    return lambda value: then(value) if test(value) else otherwise(value)


def _handled_by_if(sub: Any, schema: dict[str, Any]) -> Predicate:
    return _always


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Predicate]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _min_length,
    "minItems": _min_items,
    "not": _not,
    "if": _if,
    "then": _handled_by_if,
    "else": _handled_by_if,
}
# Cheap structural checks first, so an invalid value fails fast.
_ORDER = tuple(_KEYWORDS)
