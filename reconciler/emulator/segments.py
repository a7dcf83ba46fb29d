"""A shift day's segments in Unix seconds: the wire shift turned into what results compare.

Every ``punch_time_rule`` element is a normal segment, every ``overtime_rule``
element an overtime one; times are the day's wall clock in the group's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment in Unix seconds; every duration already in seconds."""

    on: int
    off: int
    advance: int
    delay: int
    late: int
    serious: int  # 0 = no serious-late threshold
    late_lack: int
    early: int
    early_lack: int
    flex_late: int
    flex_early: int
    need_on: bool
    need_off: bool
    overtime: bool


def shift_segments(shift: Mapping[str, Any], day: dt.date, tz: dt.tzinfo) -> list[Segment]:
    """Normal and overtime segments in time order (normal first on a tie)."""
    flex_late, flex_early = _flexible(shift)
    shift_serious = int(shift.get("late_minutes_as_serious_late") or 0)
    shift_no_off = bool(shift.get("no_need_off"))
    normal = [
        _normal(rule, day, tz, flex_late, flex_early, shift_serious, shift_no_off)
        for rule in shift.get("punch_time_rule") or ()
    ]
    overtime = [_overtime(rule, day, tz, normal) for rule in shift.get("overtime_rule") or ()]
    return sorted(normal + [s for s in overtime if s], key=lambda s: (s.on, s.overtime))


def _normal(
    rule: Mapping[str, Any],
    day: dt.date,
    tz: dt.tzinfo,
    flex_late: int,
    flex_early: int,
    shift_serious: int,
    shift_no_off: bool,
) -> Segment:
    return Segment(
        on=_at(day, tz, rule["on_time"]),
        off=_at(day, tz, rule["off_time"]),
        advance=_seconds(rule, "on_advance_minutes"),
        delay=_seconds(rule, "off_delay_minutes"),
        late=_seconds(rule, "late_minutes_as_late"),
        serious=60 * shift_serious or _seconds(rule, "late_minutes_as_serious_late"),
        late_lack=_seconds(rule, "late_minutes_as_lack"),
        early=_seconds(rule, "early_minutes_as_early"),
        early_lack=_seconds(rule, "early_minutes_as_lack"),
        flex_late=flex_late,
        flex_early=flex_early,
        need_on=not rule.get("no_need_on"),
        need_off=not (shift_no_off or rule.get("no_need_off")),
        overtime=False,
    )


def _overtime(
    rule: Mapping[str, Any], day: dt.date, tz: dt.tzinfo, normal: Sequence[Segment]
) -> Segment | None:
    """An overtime period judged with the thresholds of the nearest normal segment."""
    on, off = _at(day, tz, rule["on_overtime"]), _at(day, tz, rule["off_overtime"])
    if not normal:
        return None
    model = min(normal, key=lambda s: max(s.on - off, on - s.off, 0))
    # Overtime never slides and has no exempt sides.
    return replace(
        model, on=on, off=off, flex_late=0, flex_early=0, need_on=True, need_off=True, overtime=True
    )


def _flexible(shift: Mapping[str, Any]) -> tuple[int, int]:
    """(late, early) allowance in seconds; the most generous rule wins."""
    if not shift.get("is_flexible"):
        return 0, 0
    rules = shift.get("flexible_rule") or ()
    if not rules:
        both = _seconds(shift, "flexible_minutes")
        return both, both
    late = max(_seconds(r, "flexible_late_minutes") for r in rules)
    return late, max(_seconds(r, "flexible_early_minutes") for r in rules)


def _seconds(data: Mapping[str, Any], key: str) -> int:
    return 60 * int(data.get(key) or 0)


def _at(day: dt.date, tz: dt.tzinfo, time_of_day: str) -> int:
    """Unix seconds of ``"H:MM"`` on the shift day's wall clock; hours past 24 roll over."""
    hours, minutes = (int(part) for part in str(time_of_day).strip().split(":"))
    date = day + dt.timedelta(days=hours // 24)
    wall = dt.datetime.combine(date, dt.time(hours % 24, minutes), tzinfo=tz)
    return int(wall.timestamp())
