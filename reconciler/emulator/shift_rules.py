"""Checks a shift body the way the API does (required fields, types, documented ranges).

The result is the stored form: known fields only, server defaults filled in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.wire import invalid

_TIME = re.compile(r"([0-9]{1,2}):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Field:
    """One field's rule: a kind (str, int, bool, num, time, strs, obj, objs) and limits."""

    kind: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    children: Mapping[str, Field] | None = None


_INT32_MAX = 2**31 - 1


def _int(low: float = 0, high: float = _INT32_MAX, *, required: bool = False) -> Field:
    """An int32 (Feishu's int) within the documented range."""
    return Field("int", required, low, high)


_TIME_REQ = Field("time", required=True)

PUNCH_TIME_RULE = {
    "on_time": _TIME_REQ,
    "off_time": _TIME_REQ,
    "late_minutes_as_late": _int(required=True),
    "late_minutes_as_lack": _int(required=True),
    "on_advance_minutes": _int(0, 720, required=True),
    "early_minutes_as_early": _int(required=True),
    "early_minutes_as_lack": _int(required=True),
    "off_delay_minutes": _int(0, 960, required=True),
    "late_minutes_as_serious_late": _int(),
    "no_need_on": Field("bool"),
    "no_need_off": Field("bool"),
}
_REST = {"rest_begin_time": _TIME_REQ, "rest_end_time": _TIME_REQ}

SHIFT: dict[str, Field] = {
    "shift_name": Field("str", required=True),
    "punch_times": _int(1, required=True),
    "sub_shift_leader_ids": Field("strs"),
    "is_flexible": Field("bool"),
    "flexible_minutes": _int(),
    "flexible_rule": Field(
        "objs",
        children={
            "flexible_early_minutes": _int(required=True),
            "flexible_late_minutes": _int(required=True),
        },
    ),
    "no_need_off": Field("bool"),
    "punch_time_rule": Field("objs", required=True, low=1, children=PUNCH_TIME_RULE),
    "late_off_late_on_rule": Field(
        "objs",
        children={
            "late_off_minutes": _int(required=True),
            "late_on_minutes": _int(required=True),
        },
    ),
    "rest_time_rule": Field("objs", children=_REST),
    "overtime_rule": Field("objs", children={"on_overtime": _TIME_REQ, "off_overtime": _TIME_REQ}),
    "day_type": _int(1, 2),
    "overtime_rest_time_rule": Field("objs", children=_REST),
    "late_minutes_as_serious_late": _int(),
    "shift_middle_time_rule": Field(
        "obj",
        children={"middle_time_type": _int(0, 3), "fixed_middle_time": Field("time")},
    ),
    "shift_attendance_time_config": Field(
        "obj",
        children={
            "attendance_time": Field("num", low=0, high=3),
            "on_attendance_time": Field("num", low=0, high=3),
            "off_attendance_time": Field("num", low=0, high=3),
        },
    ),
    "late_off_late_on_setting": Field(
        "obj",
        children={
            "late_off_base_on_time_type": _int(0, 1),
            "late_on_base_on_time_type": _int(0, 1),
        },
    ),
    "id": Field("str"),
    "rest_time_flexible_configs": Field(
        "objs", children={"need_flexible": Field("bool"), "late_mins": _int(0, 1500)}
    ),
}

#: What the server fills in when a field is absent.
SHIFT_DEFAULTS: dict[str, Any] = {
    "is_flexible": False,
    "flexible_minutes": 0,
    "flexible_rule": [],
    "no_need_off": False,
    "late_off_late_on_rule": [],
    "rest_time_rule": [],
    "overtime_rule": [],
    "day_type": 1,
    "overtime_rest_time_rule": [],
    "late_minutes_as_serious_late": 0,
}
RULE_DEFAULTS: dict[str, Any] = {
    "late_minutes_as_serious_late": 0,
    "no_need_on": False,
    "no_need_off": False,
}


def check_shift(body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of a create/update body, or a 1220001 error naming the field."""
    shift = _object(body, SHIFT, "")
    if not shift["shift_name"].strip():
        raise invalid("shift_name must not be empty")
    rules = shift["punch_time_rule"]
    if rules[0].get("no_need_on"):
        raise invalid("punch_time_rule[0].no_need_on must be false")
    if shift.get("is_flexible") and shift.get("day_type") == 2:
        raise invalid("day_type 2 (rest day) cannot be flexible")
    shift.pop("id", None)
    shift["punch_time_rule"] = [_ordered(PUNCH_TIME_RULE, RULE_DEFAULTS, rule) for rule in rules]
    return _ordered(SHIFT, SHIFT_DEFAULTS, shift)


def _ordered(
    spec: Mapping[str, Field], defaults: Mapping[str, Any], data: Mapping[str, Any]
) -> dict[str, Any]:
    """Fields in documented order, absent ones at their server default (or left out)."""
    merged = {**defaults, **data}
    return {name: merged[name] for name in spec if name in merged}


def _object(data: Any, spec: Mapping[str, Field], path: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise invalid(f"{path or 'body'} must be an object")
    out: dict[str, Any] = {}
    for name, rule in spec.items():
        value = data.get(name)
        where = f"{path}{name}"
        if value is None:
            if rule.required:
                raise invalid(f"{where} is required")
            continue
        out[name] = _value(value, rule, where)
    return out


def _value(value: Any, rule: Field, where: str) -> Any:
    kind = rule.kind
    if kind == "obj":
        assert rule.children is not None
        return _object(value, rule.children, f"{where}.")
    if kind in ("objs", "strs"):
        if not isinstance(value, list):
            raise invalid(f"{where} must be a list")
        if rule.low is not None and len(value) < rule.low:
            raise invalid(f"{where} must not be empty")
        if kind == "strs":
            if not all(isinstance(v, str) for v in value):
                raise invalid(f"{where} must be a list of strings")
            return list(value)
        assert rule.children is not None
        return [_object(v, rule.children, f"{where}[{i}].") for i, v in enumerate(value)]
    return _scalar(value, rule, where)


def _scalar(value: Any, rule: Field, where: str) -> Any:
    kind = rule.kind
    if kind in ("str", "time"):
        if not isinstance(value, str):
            raise invalid(f"{where} must be a string")
        if kind == "time" and not _is_time(value):
            raise invalid(f"{where} must be a time such as 9:00 or 26:00")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise invalid(f"{where} must be a boolean")
        return value
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "int" and not (numeric and float(value).is_integer()):
        raise invalid(f"{where} must be an integer")
    if kind == "num" and not numeric:
        raise invalid(f"{where} must be a number")
    if (rule.low is not None and value < rule.low) or (rule.high is not None and value > rule.high):
        raise invalid(f"{where} must be between {rule.low} and {rule.high}")
    return int(value) if kind == "int" else value


def _is_time(value: str) -> bool:
    match = _TIME.fullmatch(value)  # not "9:00\n": $ would allow a final line feed
    return bool(match) and int(match.group(1)) < 48 if match else False
