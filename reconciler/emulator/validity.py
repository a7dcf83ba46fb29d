"""Which punches are valid: what ``user_flows/query`` returns in the current dialect.

Today's query page returns valid punches only. Feishu calls a punch outside
every punch window of the person's shift invalid (无效打卡); the emulator
follows that: a punch is valid when it falls within ``[on − on_advance_minutes,
off + off_delay_minutes]`` (widened by a flexible shift's allowance) of a
segment of the shift of its day or of the day before (a night shift ends the
next morning), in the group's time zone. A
person in no group, or on a day without a shift either side, has nothing to
judge against, so every punch of theirs counts as valid.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.emulator.segments import shift_segments

__all__ = ["valid_rows"]

_DEFAULT_ZONE = "Asia/Shanghai"


def valid_rows(conn: sqlite3.Connection, rows: Iterable[sqlite3.Row]) -> list[sqlite3.Row]:
    """The flow rows (with ``uid`` and ``check_time``) that are valid punches."""
    plans: dict[int, _Plan] = {}
    kept = []
    for row in rows:
        uid = row["uid"]
        plan = plans.get(uid)
        if plan is None:
            plan = plans[uid] = _Plan.of(conn, uid)
        if plan.valid(int(row["check_time"])):
            kept.append(row)
    return kept


class _Plan:
    """One person's weekly shifts and time zone."""

    def __init__(self, zone: dt.tzinfo, weekly: Mapping[int, Mapping[str, Any]]) -> None:
        self.zone = zone
        self.weekly = weekly

    @classmethod
    def of(cls, conn: sqlite3.Connection, uid: int) -> _Plan:
        group = conn.execute(
            "SELECT g.group_id, g.time_zone FROM attendance_groups g"
            " JOIN group_members m ON m.group_id = g.group_id WHERE m.uid = ?",
            (uid,),
        ).fetchone()
        if group is None:
            return cls(ZoneInfo(_DEFAULT_ZONE), {})
        rows = conn.execute(
            "SELECT gs.weekday, s.body FROM group_shifts gs"
            " JOIN shifts s ON s.shift_id = gs.shift_id WHERE gs.group_id = ?",
            (group["group_id"],),
        )
        weekly = {r["weekday"]: json.loads(r["body"]) for r in rows}
        return cls(ZoneInfo(group["time_zone"]), weekly)

    def valid(self, when: int) -> bool:
        day = dt.datetime.fromtimestamp(when, self.zone).date()
        judged = False
        for candidate in (day, day - dt.timedelta(days=1)):
            shift = self.weekly.get(candidate.weekday())
            if shift is None:
                continue
            judged = True
            for seg in shift_segments(shift, candidate, self.zone):
                if (
                    seg.on - seg.advance - seg.flex_early
                    <= when
                    <= seg.off + seg.delay + seg.flex_late
                ):
                    return True
        return not judged
