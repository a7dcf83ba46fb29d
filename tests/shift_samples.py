"""Shift fragments the tests share: import them (``from shift_samples import RULE``)."""

from __future__ import annotations

from typing import Any

#: One punch time rule, 9:00 to 18:00, with the thresholds most tests do not care about.
RULE: dict[str, Any] = {
    "on_time": "9:00",
    "off_time": "18:00",
    "late_minutes_as_late": 30,
    "late_minutes_as_lack": 60,
    "on_advance_minutes": 60,
    "early_minutes_as_early": 30,
    "early_minutes_as_lack": 60,
    "off_delay_minutes": 60,
}
