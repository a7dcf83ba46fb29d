"""The tolerant reader: a shift object from any read answer, as far as it can be understood.

Feishu's answers vary (the SDK models, lark-oapi 1.7.5, declare every field
optional): unset fields may come as ``""`` or ``null`` or not at all, numbers
may come as strings, and fields this version does not know may appear. Each
reads as unset or is converted; unknown fields are ignored and logged once at
-vv. Only a shift without a name or an id cannot be read: the plan could not
tell it apart, so that one answer fails.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.model import Record, Shift, canonical_time

__all__ = ["ReadNotes", "clean_shift", "read_shift"]

log = logging.getLogger("reconciler.feishu")

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
# Fields every shift object carries on the wire besides the definition.
_SERVER_FIELDS = frozenset({"shift_id", "id"})


class ReadNotes:
    """What the reader met: unknown fields, empty strings, values it could not use.

    Thread-safe; each kind of note is logged once per field path.
    """

    def __init__(self) -> None:
        self.unknown: set[str] = set()
        self.empty: set[str] = set()
        self.unreadable: set[str] = set()
        self._lock = threading.Lock()

    def note(self, kind: str, path: str, value: Any = None) -> None:
        with self._lock:
            seen: set[str] = getattr(self, kind)
            if path in seen:
                return
            seen.add(path)
        if kind == "unreadable":
            log.warning("shift answer: %s = %r cannot be read; taken as unset", path, value)
        else:
            log.debug("shift answer: %s field %s ignored", kind, path)


def read_shift(data: Mapping[str, Any], notes: ReadNotes | None = None) -> Shift:
    """The :class:`~reconciler.model.Shift` in a wire object, read tolerantly.

    An answer already in the expected shape (the usual case, thousands per
    listing) takes the direct path; anything odd is cleaned field by field.
    """
    if _plain(Shift, data, _SERVER_FIELDS):
        try:
            return Shift.from_mapping(data)
        except (TypeError, ValueError):
            pass  # a time or number the direct path cannot read: clean it
    return Shift.from_mapping(clean_shift(data, notes))


def _plain(cls: type[Record], data: Mapping[str, Any], allowed: frozenset[str]) -> bool:
    """No unknown field, no empty or null value, booleans as booleans, nested likewise."""
    spec = _spec(cls)
    keys = data.keys()
    if not (keys - allowed <= spec.known and spec.required <= keys):
        return False
    values = data.values()
    if None in values or "" in values:
        return False
    for name in spec.bools & keys:
        if type(data[name]) is not bool:
            return False
    for name in spec.numbers & keys:
        if type(data[name]) not in (int, float):
            return False
    for name in spec.lists & keys:
        items = data[name]
        if type(items) is not list:
            return False
        item = _spec(spec.items[name])
        if not all(isinstance(v, Mapping) and _plain_nested(item, v) for v in items):
            return False
    for name in spec.objects.keys() & keys:
        value = data[name]
        if not (isinstance(value, Mapping) and _plain_nested(_spec(spec.objects[name]), value)):
            return False
    return True


def _plain_nested(spec: _Spec, data: Mapping[str, Any]) -> bool:
    """A nested object: known fields and real booleans. Anything else the direct path
    cannot read raises there (an empty time, a number as text) and is cleaned instead."""
    keys = data.keys()
    if not (keys <= spec.known and spec.required <= keys):
        return False
    return all(type(data[name]) is bool for name in spec.bools & keys if data[name] is not None)


@dataclass(frozen=True, slots=True)
class _Spec:
    """One record class's fields, sorted by kind, for the direct path's set checks."""

    known: frozenset[str]
    required: frozenset[str]
    bools: frozenset[str]
    numbers: frozenset[str]
    lists: frozenset[str]  # lists of records
    items: Mapping[str, type[Record]]
    objects: Mapping[str, type[Record]]


_SPECS: dict[type[Record], _Spec] = {}


def _spec(cls: type[Record]) -> _Spec:
    found = _SPECS.get(cls)
    if found is None:
        kinds = _kinds(cls)
        items = {
            n: k[0]
            for n, k in kinds.items()
            if isinstance(k, tuple) and isinstance(k[0], type) and issubclass(k[0], Record)
        }
        found = _SPECS[cls] = _Spec(
            known=frozenset(kinds),
            required=frozenset(_required(cls)),
            bools=frozenset(n for n, k in kinds.items() if k is bool),
            numbers=frozenset(n for n, k in kinds.items() if k in (int, float)),
            lists=frozenset(items),
            items=items,
            objects={
                n: k for n, k in kinds.items() if isinstance(k, type) and issubclass(k, Record)
            },
        )
    return found


def clean_shift(data: Mapping[str, Any], notes: ReadNotes | None = None) -> dict[str, Any]:
    """``data`` with only what :class:`~reconciler.model.Shift` understands, converted.

    ``punch_times`` missing or unreadable is the number of segments.
    """
    notes = notes or ReadNotes()
    cleaned = _fields(Shift, data, "", notes, _SERVER_FIELDS)
    if "punch_times" not in cleaned:
        cleaned["punch_times"] = len(cleaned.get("punch_time_rule", ()))
    cleaned.setdefault("punch_time_rule", [])
    return cleaned


def _fields(
    cls: type[Record],
    data: Mapping[str, Any],
    path: str,
    notes: ReadNotes,
    allowed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    kinds = _kinds(cls)
    out: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}{key}"
        kind = kinds.get(key)
        if kind is None:
            if key not in allowed:
                notes.note("unknown", where)
            continue
        if value is None or value == "":
            if value == "":
                notes.note("empty", where)
            continue
        converted = _convert(kind, value, where, notes)
        if converted is not None and key in cls._times and not _is_time(converted):
            notes.note("unreadable", where, value)
            converted = None
        if converted is not None:
            out[key] = converted
    return out


def _record(
    cls: type[Record], data: Mapping[str, Any], path: str, notes: ReadNotes
) -> dict[str, Any] | None:
    """A nested object; one lacking a required field cannot be read and is left out."""
    out = _fields(cls, data, path, notes)
    missing = [name for name in _required(cls) if name not in out]
    if missing:
        notes.note("unreadable", f"{path.rstrip('.')} (no {', '.join(missing)})", dict(data))
        return None
    return out


def _is_time(value: Any) -> bool:
    try:
        canonical_time(str(value))
    except ValueError:
        return False
    return True


def _convert(kind: Any, value: Any, where: str, notes: ReadNotes) -> Any:
    if isinstance(kind, tuple):  # a list of records or of strings
        item = kind[0]
        if not isinstance(value, list):
            notes.note("unreadable", where, value)
            return None
        converted = [_convert(item, v, f"{where}[{i}]", notes) for i, v in enumerate(value)]
        return [v for v in converted if v is not None]
    if isinstance(kind, type) and issubclass(kind, Record):
        if not isinstance(value, Mapping):
            notes.note("unreadable", where, value)
            return None
        return _record(kind, value, f"{where}.", notes)
    try:
        return _scalar(kind, value)
    except (TypeError, ValueError):
        notes.note("unreadable", where, value)
        return None


def _scalar(kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(value)
    if kind is int:
        if isinstance(value, bool):
            raise TypeError(value)
        number = float(value)
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    if kind is float:
        if isinstance(value, bool):
            raise TypeError(value)
        return float(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise TypeError(value)
    return str(value)


_REQUIRED: dict[type[Record], tuple[str, ...]] = {}
_KINDS: dict[type[Record], dict[str, Any]] = {}


def _required(cls: type[Record]) -> tuple[str, ...]:
    found = _REQUIRED.get(cls)
    if found is None:
        found = _REQUIRED[cls] = tuple(
            f.name
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
    return found


def _kinds(cls: type[Record]) -> dict[str, Any]:
    """Field name → bool/int/float/str, a Record class, or a 1-tuple of the item kind."""
    found = _KINDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        found = _KINDS[cls] = {f.name: _kind(hints[f.name]) for f in fields}
    return found


def _kind(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return _kind(next(a for a in typing.get_args(hint) if a is not type(None)))
    if origin is tuple:
        return (_kind(typing.get_args(hint)[0]),)
    return hint
