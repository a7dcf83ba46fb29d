"""Which shift a group member works on a day, and which groups use a shift.

The rota day wins in a rota group; otherwise a special day (a rest day has no
shift), then the weekly shift. Shared by the results and by shift delete.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from reconciler.emulator.group_seed import ROTA

__all__ = ["day_shifts", "groups_using"]


def day_shifts(
    conn: sqlite3.Connection, group: sqlite3.Row, uid: int, days: Iterable[dt.date]
) -> dict[dt.date, str | None]:
    """The shift id of each day for one member: the rota day, else a special day (a rest
    day is None), else the weekly shift; a rota group without a schedule entry has none."""
    group_id = group["group_id"]
    weekly = {
        r["weekday"]: r["shift_id"]
        for r in conn.execute(
            "SELECT weekday, shift_id FROM group_shifts WHERE group_id = ?", (group_id,)
        )
    }
    special = {
        r["day"]: (r["shift_id"] if r["need_punch"] else None)
        for r in conn.execute("SELECT * FROM group_special_days WHERE group_id = ?", (group_id,))
    }
    rota = {
        r["day"]: r["shift_id"]
        for r in conn.execute(
            "SELECT day, shift_id FROM daily_shifts WHERE uid = ? AND group_id = ?",
            (uid, group_id),
        )
    }
    shifts: dict[dt.date, str | None] = {}
    for day in days:
        key = day.year * 10000 + day.month * 100 + day.day
        if group["group_type"] == ROTA:
            shifts[day] = rota.get(key)
        elif key in special:
            shifts[day] = special[key]
        else:
            shifts[day] = weekly.get(day.weekday())
    return shifts


def groups_using(conn: sqlite3.Connection, shift_id: str, now: dt.datetime) -> list[str]:
    """Groups whose weekly shifts name ``shift_id``, or whose special days or rota days
    from today on (in the group's time zone) do."""
    found = {
        r["group_id"]
        for r in conn.execute("SELECT group_id FROM group_shifts WHERE shift_id = ?", (shift_id,))
    }
    dated = conn.execute(
        "SELECT s.group_id, s.day, g.time_zone FROM group_special_days s"
        " JOIN attendance_groups g ON g.group_id = s.group_id WHERE s.shift_id = ?"
        " UNION ALL SELECT d.group_id, d.day, g.time_zone FROM daily_shifts d"
        " JOIN attendance_groups g ON g.group_id = d.group_id WHERE d.shift_id = ?",
        (shift_id, shift_id),
    )
    for row in dated:
        today = now.astimezone(ZoneInfo(row["time_zone"])).date()
        if row["day"] >= today.year * 10000 + today.month * 100 + today.day:
            found.add(row["group_id"])
    return sorted(found)
