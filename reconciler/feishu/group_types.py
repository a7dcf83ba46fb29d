"""Typed attendance groups, their members and rota schedules, converted from the wire here only.

Field names follow lark-oapi 1.7.5 (``group.py``, ``punch_special_date_shift.py``,
``user_base.py``, ``user_daily_shift.py``); days are :class:`datetime.date`,
never the wire's ``yyyyMMdd`` ints or ``month`` + ``day_no`` pairs.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from reconciler.feishu.types import day_from_wire

__all__ = [
    "FIXED",
    "FREE",
    "NO_SHIFT",
    "ROTA",
    "DailyShift",
    "Group",
    "GroupMember",
    "GroupMeta",
    "SpecialDay",
]

FIXED = 0
"""``group_type`` of a fixed-schedule group (固定班制): ``punch_day_shift_ids`` names the shifts."""
ROTA = 2
"""``group_type`` of a rota group (排班制): shifts come from ``user_daily_shifts/query``."""
FREE = 3
"""``group_type`` of a free-schedule group (自由班制): no shift at all."""
NO_SHIFT = "0"
"""A rest day in ``punch_day_shift_ids``."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(str(v) for v in value)


def _items(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise TypeError("expected a list of objects")
    return value


@dataclass(frozen=True, slots=True)
class GroupMeta:
    """One entry of the group list or a search: ``{group_id, group_name}``."""

    group_id: str
    group_name: str

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        group_id = _text(data.get("group_id"))
        if not group_id:
            raise ValueError("group entry without group_id")
        return cls(group_id, _text(data.get("group_name")))


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """``need_punch_special_days`` / ``no_need_punch_special_days``: ``{punch_day, shift_id}``."""

    day: datetime.date
    shift_id: str

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(day_from_wire(data["punch_day"]), _text(data.get("shift_id")))


@dataclass(frozen=True, slots=True)
class Group:
    """What a group says about shifts and people (the rest of its settings is not read).

    ``punch_day_shift_ids`` holds seven ids, Monday first, ``"0"`` for a rest day.
    """

    group_id: str
    group_name: str
    group_type: int = FIXED
    time_zone: str = ""
    punch_day_shift_ids: tuple[str, ...] = ()
    need_punch_special_days: tuple[SpecialDay, ...] = ()
    no_need_punch_special_days: tuple[SpecialDay, ...] = ()
    bind_user_ids: tuple[str, ...] = ()
    bind_dept_ids: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        group_type = data.get("group_type", FIXED)
        if isinstance(group_type, bool) or not isinstance(group_type, int):
            raise TypeError(f"group_type is not an integer: {group_type!r:.40}")
        return cls(
            group_id=_text(data.get("group_id")),
            group_name=_text(data.get("group_name")),
            group_type=group_type,
            time_zone=_text(data.get("time_zone")),
            punch_day_shift_ids=_texts(data.get("punch_day_shift_ids")),
            need_punch_special_days=tuple(
                SpecialDay.from_wire(d) for d in _items(data.get("need_punch_special_days"))
            ),
            no_need_punch_special_days=tuple(
                SpecialDay.from_wire(d) for d in _items(data.get("no_need_punch_special_days"))
            ),
            bind_user_ids=_texts(data.get("bind_user_ids")),
            bind_dept_ids=_texts(data.get("bind_dept_ids")),
        )

    def weekly_shift_ids(self) -> frozenset[str]:
        """The shifts of the fixed schedule (rest days left out)."""
        return frozenset(s for s in self.punch_day_shift_ids if s and s != NO_SHIFT)


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One entry of ``list_user``: ``{user_id, department_ids}``."""

    user_id: str
    department_ids: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(_text(data.get("user_id")), _texts(data.get("department_ids")))


@dataclass(frozen=True, slots=True)
class DailyShift:
    """One rota day of one person: ``{group_id, shift_id, month, user_id, day_no}``."""

    user_id: str
    group_id: str
    shift_id: str
    day: datetime.date
    is_clear_schedule: bool = False

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        month, day_no = data["month"], data["day_no"]
        if isinstance(month, bool) or isinstance(day_no, bool):
            raise TypeError("month and day_no must be integers")
        day = datetime.date(int(month) // 100, int(month) % 100, int(day_no))
        return cls(
            user_id=_text(data.get("user_id")),
            group_id=_text(data.get("group_id")),
            shift_id=_text(data.get("shift_id")),
            day=day,
            is_clear_schedule=bool(data.get("is_clear_schedule", False)),
        )
