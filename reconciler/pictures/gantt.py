"""A shift's day as a mermaid gantt chart: the picture GitHub draws inside a PR comment.

Mermaid reads ``HH:mm`` as a time of one day and refuses ``26:00``, so every minute is
placed on a fixed reference date instead (``YYYY-MM-DD HH:mm``): the shift day is
2000-01-03, and a next-day time such as ``26:00`` is 2000-01-04 02:00, drawn past
midnight on one axis. The axis shows only hours, so the date itself never shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reconciler.pictures.escape import mermaid_text
from reconciler.pictures.timeline import Kind, Timeline

__all__ = ["REFERENCE", "gantt_block", "gantt_minutes"]

REFERENCE = dt.datetime(2000, 1, 3)  # the shift day's midnight; the day before also exists
_DATE = "%Y-%m-%d %H:%M"

# Mermaid's gantt offers four task styles; each kind of window takes the one closest to it.
_TAGS: dict[Kind, str] = {
    "work": "",
    "overtime": "",
    "rest": "done, ",
    "overtime_rest": "done, ",
    "rest_slide": "done, ",
    "check_in": "active, ",
    "check_out": "active, ",
    "flex": "active, ",
    "late": "crit, ",
    "early": "crit, ",
    "serious_late": "crit, active, ",
}


def gantt_minutes(when: str) -> int:
    """A date of the chart back to minutes of the shift day (what tests compare)."""
    delta = dt.datetime.strptime(when, _DATE) - REFERENCE
    return int(delta.total_seconds() // 60)


def _when(minutes: int) -> str:
    return (REFERENCE + dt.timedelta(minutes=minutes)).strftime(_DATE)


def gantt_block(name: str, rows: Sequence[tuple[str, Timeline]]) -> str:
    """A fenced ```mermaid block: one section per timeline (``before``/``after``), one axis."""
    lines = ["```mermaid", "gantt"]
    title = mermaid_text(name)
    if title.strip():
        lines.append(f"    title {title}")
    lines += ["    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %H:%M", "    todayMarker off"]
    for section, timeline in rows:
        heading = f"{section}, rest day" if timeline.rest_day else section
        lines.append(f"    section {mermaid_text(heading)}")
        for window in sorted(timeline.windows, key=lambda w: (w.start, w.end)):
            label = mermaid_text(timeline.label(window))
            data = f"{_TAGS[window.kind]}{_when(window.start)}, {_when(window.end)}"
            lines.append(f"    {label} :{data}")
    lines.append("```")
    return "\n".join(lines) + "\n"
