"""The parts of a seeded group beyond its weekly shifts: its type, special days and rota.

A group entry of the seed document may carry ``type`` (``fixed``, ``rota`` or
``free``), ``departments`` (the members are then bound through these department
ids rather than one by one), ``special_days`` (``[{day, shift}]``: a day worked on that shift,
Feishu's ``need_punch_special_days``), ``rest_days`` (``[day]``, Feishu's
``no_need_punch_special_days``) and, for a rota group, ``schedule``
(``{employee_id: {day: shift}}``, what ``user_daily_shifts/query`` answers).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

__all__ = [
    "FIXED",
    "FREE",
    "GROUP_TYPES",
    "ROTA",
    "GroupSeedError",
    "department_ids",
    "group_type",
    "seed_days",
]

FIXED, ROTA, FREE = 0, 2, 3
GROUP_TYPES = {"fixed": FIXED, "rota": ROTA, "free": FREE}
#: The shift id the wire shows for a rest day (``punch_day_shift_ids`` and rest days).
REST = "0"


class GroupSeedError(ValueError):
    """A bad part of a group entry (the message names it); seed.py reports it as a SeedError."""


def group_type(entry: Mapping[str, Any], where: str) -> int:
    """``type``: a name (fixed, rota, free) or Feishu's number (0, 2, 3); default fixed."""
    value = entry.get("type", "fixed")
    if isinstance(value, str) and value.lower() in GROUP_TYPES:
        return GROUP_TYPES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in GROUP_TYPES.values():
        return value
    raise GroupSeedError(f"{where}.type must be one of fixed, rota, free (or 0, 2, 3)")


def department_ids(entry: Mapping[str, Any], where: str) -> list[str]:
    """``departments``: open department ids the group binds (its members come through them)."""
    value = entry.get("departments") or []
    if not isinstance(value, list) or not all(isinstance(d, str) and d for d in value):
        raise GroupSeedError(f"{where}.departments must be a list of department ids")
    return list(dict.fromkeys(value))


def seed_days(
    conn: sqlite3.Connection,
    entry: Mapping[str, Any],
    where: str,
    group_id: str,
    kind: int,
    members: dict[str, int],
) -> None:
    """Store the group's special days, rest days and rota schedule (replacing earlier ones).

    ``members`` maps each member's employee_id to the person's uid.
    """
    if kind != FIXED and entry.get("shifts"):
        raise GroupSeedError(f"{where}.shifts: only a fixed group has weekly shifts")
    if kind != ROTA and entry.get("schedule"):
        raise GroupSeedError(f"{where}.schedule: only a rota group has a schedule")
    conn.execute("DELETE FROM group_special_days WHERE group_id = ?", (group_id,))
    conn.execute("DELETE FROM daily_shifts WHERE group_id = ?", (group_id,))
    special: dict[int, tuple[str, int]] = {}
    for index, item in enumerate(_list(entry, "special_days", where)):
        here = f"{where}.special_days[{index}]"
        if not isinstance(item, Mapping):
            raise GroupSeedError(f"{here} must be an object with day and shift")
        special[_day(item.get("day"), f"{here}.day")] = (_shift(conn, item.get("shift"), here), 1)
    for index, item in enumerate(_list(entry, "rest_days", where)):
        special[_day(item, f"{where}.rest_days[{index}]")] = (REST, 0)
    conn.executemany(
        "INSERT INTO group_special_days (group_id, day, shift_id, need_punch) VALUES (?, ?, ?, ?)",
        [(group_id, day, shift_id, need) for day, (shift_id, need) in special.items()],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO daily_shifts (uid, day, group_id, shift_id) VALUES (?, ?, ?, ?)",
        [(uid, day, group_id, s) for uid, day, s in _schedule(conn, entry, where, members)],
    )


def _schedule(
    conn: sqlite3.Connection, entry: Mapping[str, Any], where: str, members: dict[str, int]
) -> list[tuple[int, int, str]]:
    schedule = entry.get("schedule") or {}
    if not isinstance(schedule, Mapping):
        raise GroupSeedError(f"{where}.schedule must map employee_ids to {{day: shift}}")
    rows: list[tuple[int, int, str]] = []
    for person, days in schedule.items():
        here = f"{where}.schedule.{person}"
        uid = members.get(str(person))
        if uid is None:
            raise GroupSeedError(f"{here}: {person} is not a member of this group")
        if not isinstance(days, Mapping):
            raise GroupSeedError(f"{here} must map days to shifts")
        for day, ref in days.items():
            if ref is not None:  # null: a day without a shift (nothing stored)
                rows.append((uid, _day(day, f"{here}.{day}"), _shift(conn, ref, here)))
    return rows


def _list(entry: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = entry.get(name) or []
    if not isinstance(value, list):
        raise GroupSeedError(f"{where}.{name} must be a list")
    return value


def _day(value: Any, where: str) -> int:
    """A day as ``yyyyMMdd``: a YAML date, an ISO date string or the int itself."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = None
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            day = dt.date(value // 10000, value // 100 % 100, value % 100)
        except (ValueError, OverflowError):
            day = None
    if day is None or not dt.date(1970, 1, 1) <= day <= dt.date(9998, 12, 31):
        raise GroupSeedError(f"{where} must be a day (2026-05-01 or 20260501), got {value!r:.40}")
    return day.year * 10000 + day.month * 100 + day.day


def _shift(conn: sqlite3.Connection, ref: Any, where: str) -> str:
    """A stored shift by id or by name."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref:
        raise GroupSeedError(f"{where}: a shift id or name is needed")
    row = conn.execute(
        "SELECT shift_id FROM shifts WHERE shift_id = ? OR shift_name = ?"
        " ORDER BY shift_id = ? DESC LIMIT 1",
        (ref, ref, ref),
    ).fetchone()
    if row is None:
        raise GroupSeedError(f"{where}: no shift with id or name {ref!r}")
    return str(row["shift_id"])
