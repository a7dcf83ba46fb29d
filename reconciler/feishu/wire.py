"""Shifts on the wire ↔ :class:`~reconciler.model.CurrentShift`: ids, the no-need flags, bodies.

Feishu's get, list and query pages say ``punch_time_rule[].no_need_on/no_need_off``
come back inverted on read ("注意和接口创建时的区别": true means the punch IS
needed), while the create page's answer shows them as sent. Which is true
differs per tenant: ``inverted`` says how to read one answer, and the setting
``tenant.no_need_inverted_on_read`` (with what ``shiftctl doctor`` learned) decides it.

Updates send the full definition, every field at its value or default, so a
server that merges an update into the stored shift ends where one that
replaces it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.feishu.reader import ReadNotes, read_shift
from reconciler.model import (
    CurrentShift,
    LateOffLateOnSetting,
    Shift,
    ShiftAttendanceTimeConfig,
    ShiftMiddleTimeRule,
)

__all__ = ["ReadNotes", "full_body", "shift_from_wire", "shift_to_wire"]

_NO_NEED_FLAGS = ("no_need_on", "no_need_off")
# Optional objects the canonical form drops at their defaults; a full body spells them out.
_OBJECT_DEFAULTS = {
    "late_off_late_on_setting": LateOffLateOnSetting(),
    "shift_middle_time_rule": ShiftMiddleTimeRule(),
    "shift_attendance_time_config": ShiftAttendanceTimeConfig(),
}


def shift_from_wire(
    data: Mapping[str, Any], *, inverted: bool = False, notes: ReadNotes | None = None
) -> CurrentShift:
    """A shift object from a get/query/list/create answer as a :class:`CurrentShift`.

    Tolerant (:mod:`reconciler.feishu.reader`); raises ValueError only for a
    shift without an id or a name.
    """
    if not isinstance(data, Mapping):
        raise TypeError("a shift answer must be an object")
    shift_id = data.get("shift_id") or data.get("id")
    if not shift_id or not isinstance(shift_id, str | int) or isinstance(shift_id, bool):
        raise ValueError("shift object without shift_id")
    name = data.get("shift_name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"shift {shift_id} has no shift_name")
    if inverted:
        data = _invert_no_need(data)
    if any(name in data for name in Shift.LOCAL_ONLY):  # the files' own keys, never Feishu's
        data = {k: v for k, v in data.items() if k not in Shift.LOCAL_ONLY}
    return CurrentShift(shift_id=str(shift_id), shift=read_shift(data, notes))


def shift_to_wire(
    shift: Shift, *, shift_id: str | None = None, full: bool = False
) -> dict[str, Any]:
    """The create body (compact); with ``shift_id`` it carries ``id``, which makes it an update.

    ``full`` spells out every field, defaults included (what updates send); the files'
    own keys (``previous_names``) are never sent.
    """
    body = full_body(shift) if full else shift.sent_mapping()
    if shift_id is not None:
        body["id"] = shift_id
    return body


def full_body(shift: Shift) -> dict[str, Any]:
    """Every field of ``shift`` at its value or its default, optional objects included."""
    body = shift.to_mapping(compact=False)
    for name in Shift.LOCAL_ONLY:
        body.pop(name, None)
    for name, default in _OBJECT_DEFAULTS.items():
        if name not in body:
            body[name] = default.to_mapping(compact=False)
    return body


def _invert_no_need(data: Mapping[str, Any]) -> dict[str, Any]:
    rules = data.get("punch_time_rule")
    if not isinstance(rules, list):
        return dict(data)
    return {**data, "punch_time_rule": [_invert_rule(r) for r in rules]}


def _invert_rule(rule: Any) -> Any:
    if not isinstance(rule, Mapping):
        return rule  # the reader leaves it out as unreadable
    flipped = dict(rule)
    for flag in _NO_NEED_FLAGS:
        needed = _needed(rule.get(flag))
        if needed is not None:
            flipped[flag] = not needed
    return flipped


def _needed(value: Any) -> bool | None:
    """An inverted read's flag: true means the punch IS needed; absent or empty too."""
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None  # unreadable: the reader says so and takes it as unset
