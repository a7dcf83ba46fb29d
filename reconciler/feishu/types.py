"""Typed punch records and attendance results, converted from and to the wire here only.

Times are Unix seconds as ``int`` and days are :class:`datetime.date`; the wire's
strings (``"1611476284"``) and ``yyyyMMdd`` ints never leave this module.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

__all__ = [
    "BatchDelResult",
    "FlowImport",
    "TaskQueryResult",
    "TaskResult",
    "UserFlow",
    "UserTask",
    "day_from_wire",
    "day_to_wire",
]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def day_from_wire(value: int | str) -> datetime.date:
    """``20190819`` → ``date(2019, 8, 19)``."""
    return datetime.datetime.strptime(str(value), "%Y%m%d").date()


def day_to_wire(day: datetime.date) -> int:
    """``date(2019, 8, 19)`` → ``20190819``."""
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class UserFlow:
    """One punch record (``user_flow``); ``check_time`` in Unix seconds.

    On import ``record_id``, ``type`` and ``check_result`` are ignored by Feishu;
    ``idempotent_id`` makes a retried import store nothing twice.
    """

    user_id: str
    creator_id: str
    location_name: str
    check_time: int
    comment: str = ""
    record_id: str | None = None
    idempotent_id: str | None = None
    external_id: str | None = None
    is_field: bool | None = None
    is_wifi: bool | None = None
    ssid: str | None = None
    bssid: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    type: int | None = None
    check_result: str | None = None
    device_id: str | None = None
    create_time: int | None = None
    photo_urls: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            user_id=str(data.get("user_id", "")),
            creator_id=str(data.get("creator_id", "")),
            location_name=str(data.get("location_name", "")),
            check_time=_int(data.get("check_time")) or 0,
            comment=str(data.get("comment") or ""),
            record_id=_str(data.get("record_id")),
            idempotent_id=_str(data.get("idempotent_id")),
            external_id=_str(data.get("external_id")),
            is_field=_bool(data.get("is_field")),
            is_wifi=_bool(data.get("is_wifi")),
            ssid=_str(data.get("ssid")),
            bssid=_str(data.get("bssid")),
            longitude=_float(data.get("longitude")),
            latitude=_float(data.get("latitude")),
            type=_int(data.get("type")),
            check_result=_str(data.get("check_result")),
            device_id=_str(data.get("device_id")),
            create_time=_int(data.get("create_time")),
            photo_urls=_strs(data.get("photo_urls")),
        )

    def to_wire(self) -> dict[str, Any]:
        """The import body's record: unset fields left out, times as strings."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if f.name in ("check_time", "create_time"):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def _flow(value: Any) -> UserFlow | None:
    return UserFlow.from_wire(value) if isinstance(value, Mapping) and value else None


@dataclass(frozen=True, slots=True)
class TaskResult:
    """One shift segment's result; the shift times are the scheduled on/off times."""

    check_in_record_id: str | None = None
    check_in_record: UserFlow | None = None
    check_out_record_id: str | None = None
    check_out_record: UserFlow | None = None
    check_in_result: str | None = None
    check_out_result: str | None = None
    check_in_result_supplement: str | None = None
    check_out_result_supplement: str | None = None
    check_in_shift_time: int | None = None
    check_out_shift_time: int | None = None
    task_shift_type: int = 0

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            check_in_record_id=_str(data.get("check_in_record_id")) or None,
            check_in_record=_flow(data.get("check_in_record")),
            check_out_record_id=_str(data.get("check_out_record_id")) or None,
            check_out_record=_flow(data.get("check_out_record")),
            check_in_result=_str(data.get("check_in_result")),
            check_out_result=_str(data.get("check_out_result")),
            check_in_result_supplement=_str(data.get("check_in_result_supplement")),
            check_out_result_supplement=_str(data.get("check_out_result_supplement")),
            check_in_shift_time=_int(data.get("check_in_shift_time")),
            check_out_shift_time=_int(data.get("check_out_shift_time")),
            task_shift_type=_int(data.get("task_shift_type")) or 0,
        )


@dataclass(frozen=True, slots=True)
class UserTask:
    """One user's attendance day: group "1" means no group, shift "9" the default shift."""

    result_id: str
    user_id: str
    employee_name: str
    day: datetime.date
    group_id: str
    shift_id: str
    records: tuple[TaskResult, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            result_id=str(data.get("result_id", "")),
            user_id=str(data.get("user_id", "")),
            employee_name=str(data.get("employee_name", "")),
            day=day_from_wire(data["day"]),
            group_id=str(data.get("group_id", "")),
            shift_id=str(data.get("shift_id", "")),
            records=tuple(TaskResult.from_wire(r) for r in data.get("records") or ()),
        )


@dataclass(frozen=True, slots=True)
class TaskQueryResult:
    """Results of one ``user_tasks/query`` call and the ids Feishu refused."""

    tasks: tuple[UserTask, ...] = ()
    invalid_user_ids: tuple[str, ...] = ()
    unauthorized_user_ids: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            tasks=tuple(UserTask.from_wire(t) for t in data.get("user_task_results") or ()),
            invalid_user_ids=_strs(data.get("invalid_user_ids")),
            unauthorized_user_ids=_strs(data.get("unauthorized_user_ids")),
        )


@dataclass(frozen=True, slots=True)
class BatchDelResult:
    """Which record ids ``user_flows/batch_del`` deleted and which it did not.

    ``reasons`` pairs a failed id with what the answer's ``msg`` says about it
    (today's pages put per-id reasons there when some ids fail).
    """

    success_record_ids: tuple[str, ...] = ()
    fail_record_ids: tuple[str, ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], msg: str = "") -> Self:
        failed = _strs(data.get("fail_record_ids"))
        return cls(
            success_record_ids=_strs(data.get("success_record_ids")),
            fail_record_ids=failed,
            reasons=tuple((r, why) for r in failed if (why := _reason(msg, r))),
        )

    def reason(self, record_id: str) -> str | None:
        return dict(self.reasons).get(record_id)


def _reason(msg: str, record_id: str) -> str:
    """The text after ``record_id`` in ``msg`` up to the next ``;`` ("…; 7001: not found; …")."""
    found = re.search(rf"(?<!\w){re.escape(record_id)}(?!\w)", msg) if record_id else None
    if found is None:
        return ""
    rest = msg[found.end() :].lstrip(" :=-")
    return rest.split(";", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class FlowImport:
    """One batch's import: the records stored now, and those found stored already.

    A replayed ``idempotent_id`` that Feishu answers with an error ("the object
    already exists") lands in ``present``, never in a failure.
    """

    created: tuple[UserFlow, ...] = ()
    present: tuple[UserFlow, ...] = ()

    @property
    def records(self) -> tuple[UserFlow, ...]:
        return self.created + self.present
