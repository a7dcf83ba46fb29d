"""Shifts the picture tests draw, written as the shift files would hold them."""

from __future__ import annotations

from typing import Any

from reconciler.model import Shift


def segment(on: str, off: str, **extra: Any) -> dict[str, Any]:
    rule = {
        "on_time": on,
        "off_time": off,
        "late_minutes_as_late": 5,
        "late_minutes_as_lack": 60,
        "on_advance_minutes": 120,
        "early_minutes_as_early": 1,
        "early_minutes_as_lack": 60,
        "off_delay_minutes": 240,
    }
    return {**rule, **extra}


def shift(name: str, *segments: dict[str, Any], **extra: Any) -> Shift:
    rules = list(segments) or [segment("09:00", "18:00")]
    return Shift.from_mapping(
        {"shift_name": name, "punch_times": len(rules), "punch_time_rule": rules, **extra}
    )


def office(name: str = "标准班", on: str = "09:00") -> Shift:
    """09:00–18:00 with a 12:00–13:00 break."""
    return shift(
        name,
        segment(on, "18:00"),
        rest_time_rule=[{"rest_begin_time": "12:00", "rest_end_time": "13:00"}],
    )


def night(name: str = "夜班", off: str = "30:00") -> Shift:
    """22:00 to 06:00 the next day, written 22:00–30:00, with a 26:00–26:30 break."""
    return shift(
        name,
        segment("22:00", off, on_advance_minutes=60, off_delay_minutes=120),
        rest_time_rule=[{"rest_begin_time": "26:00", "rest_end_time": "26:30"}],
    )
