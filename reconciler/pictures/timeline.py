"""A shift as windows on one line: the model every picture of a shift is drawn from.

Minutes count from the shift day's midnight, so ``"30:00"`` (06:00 the next day) is 1800
and a check-in window opened 12 hours before a 06:00 start begins at -360: nothing wraps.
The windows follow the documented field meanings and the emulator's reading of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from reconciler.model import PunchTimeRule, Shift, minutes_of

__all__ = [
    "DAY",
    "KINDS",
    "Axis",
    "Kind",
    "Timeline",
    "Window",
    "axis_for",
    "clock",
    "timeline_of",
]

DAY = 1440

Kind = Literal[
    "work",
    "rest",
    "rest_slide",
    "overtime",
    "overtime_rest",
    "check_in",
    "check_out",
    "late",
    "serious_late",
    "early",
    "flex",
]

# What each kind of window means, in the words the pictures use (legend and labels).
KINDS: dict[Kind, str] = {
    "work": "working time (on → off)",
    "rest": "break",
    "rest_slide": "a break may slide this much later",
    "overtime": "overtime",
    "overtime_rest": "break in overtime",
    "check_in": "check-in accepted early (on_advance_minutes)",
    "check_out": "check-out accepted late (off_delay_minutes)",
    "late": "check-in counts as late; lack from its end",
    "serious_late": "check-in counts as seriously late",
    "early": "check-out counts as early; lack before its start",
    "flex": "flexible on / off time",
}


@dataclass(frozen=True, slots=True)
class Window:
    """``start`` to ``end`` in minutes of the shift day; ``segment`` indexes punch_time_rule."""

    kind: Kind
    start: int
    end: int
    segment: int | None = None
    side: Literal["on", "off"] | None = None

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Timeline:
    """The windows of one shift, in drawing order (background first)."""

    windows: tuple[Window, ...]
    segments: int
    rest_day: bool = False

    @property
    def start(self) -> int:
        return min((w.start for w in self.windows), default=0)

    @property
    def end(self) -> int:
        return max((w.end for w in self.windows), default=DAY)

    @property
    def first_on(self) -> int:
        """When work starts: what a catalogue sorts by."""
        return min((w.start for w in self.windows if w.kind == "work"), default=0)

    def of(self, kind: Kind) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.kind == kind)

    def label(self, window: Window) -> str:
        """``work 2 17:00–21:00``: the kind, the segment when there are several, the times."""
        name = {
            "check_in": "check-in",
            "check_out": "check-out",
            "serious_late": "serious late",
            "overtime_rest": "overtime break",
            "rest_slide": "break slides",
            "rest": "break",
        }.get(window.kind, window.kind)
        if window.side:
            name += f" {window.side}"
        if window.segment is not None and self.segments > 1:
            name += f" {window.segment + 1}"
        return f"{name} {clock(window.start)}–{clock(window.end)}"


def timeline_of(shift: Shift) -> Timeline:
    """Every window the shift's fields open; empty windows (0 minutes) are left out."""
    windows = [
        *_breaks(shift),
        *(w for i, rule in enumerate(shift.punch_time_rule) for w in _segment(shift, i, rule)),
    ]
    order = {kind: index for index, kind in enumerate(KINDS)}
    clipped = (Window(w.kind, _clip(w.start), _clip(w.end), w.segment, w.side) for w in windows)
    kept = sorted(
        (w for w in clipped if w.end > w.start),
        key=lambda w: (_LAYER[w.kind], w.start, order[w.kind]),
    )
    return Timeline(tuple(kept), len(shift.punch_time_rule), rest_day=shift.day_type == 2)


def _clip(minutes: int) -> int:
    # Valid shifts stay within -12 h and +64 h; a tenant or an edited plan file may hold
    # anything, which is drawn up to the edge of this stretch instead of overflowing.
    return max(-DAY, min(minutes, 4 * DAY))


# Lower layers are drawn first, so a break sits on top of the working time it interrupts.
_LAYER: dict[Kind, int] = {
    "work": 0,
    "overtime": 0,
    "rest": 1,
    "overtime_rest": 1,
    "rest_slide": 1,
    "check_in": 2,
    "check_out": 2,
    "flex": 2,
    "late": 3,
    "early": 3,
    "serious_late": 4,
}


def _segment(shift: Shift, index: int, rule: PunchTimeRule) -> Iterator[Window]:
    on, off = minutes_of(rule.on_time), minutes_of(rule.off_time)
    flex_late, flex_early = _flexible(shift)
    yield Window("work", on, off, index)
    if flex_late or flex_early:
        yield Window("flex", on - flex_early, on + flex_late, index, "on")
        yield Window("flex", off - flex_early, off + flex_late, index, "off")
    if not rule.no_need_on:
        # Thresholds count from the latest on time the flexible rule allows.
        late_from = on + flex_late
        yield Window("check_in", on - rule.on_advance_minutes, on, index)
        yield Window(
            "late",
            late_from + rule.late_minutes_as_late,
            late_from + rule.late_minutes_as_lack,
            index,
        )
        serious = shift.late_minutes_as_serious_late or rule.late_minutes_as_serious_late
        if serious:
            lack = late_from + rule.late_minutes_as_lack
            yield Window("serious_late", min(late_from + serious, lack), lack, index)
    if not (rule.no_need_off or shift.no_need_off):
        early_to = off - flex_early
        yield Window(
            "early",
            early_to - rule.early_minutes_as_lack,
            early_to - rule.early_minutes_as_early,
            index,
        )
        yield Window("check_out", off, off + flex_late + rule.off_delay_minutes, index)


def _breaks(shift: Shift) -> Iterator[Window]:
    for index, rest in enumerate(shift.rest_time_rule):
        begin, end = minutes_of(rest.rest_begin_time), minutes_of(rest.rest_end_time)
        yield Window("rest", begin, end)
        # Feishu pairs no config with a break explicitly; the n-th config is read as the
        # n-th break's.
        configs = shift.rest_time_flexible_configs
        if index < len(configs) and configs[index].need_flexible:
            yield Window("rest_slide", end, end + configs[index].late_mins)
    for overtime in shift.overtime_rule:
        begin, end = minutes_of(overtime.on_overtime), minutes_of(overtime.off_overtime)
        yield Window("overtime", begin, end)
    for rest in shift.overtime_rest_time_rule:
        yield Window(
            "overtime_rest", minutes_of(rest.rest_begin_time), minutes_of(rest.rest_end_time)
        )


def _flexible(shift: Shift) -> tuple[int, int]:
    """(late, early) allowance: the largest of the flexible rules, else flexible_minutes."""
    if not shift.is_flexible:
        return 0, 0
    if not shift.flexible_rule:
        return shift.flexible_minutes, shift.flexible_minutes
    return (
        max(r.flexible_late_minutes for r in shift.flexible_rule),
        max(r.flexible_early_minutes for r in shift.flexible_rule),
    )


def clock(minutes: int) -> str:
    """Minutes of the shift day as the shift files write them: 1800 → ``30:00``.

    Before the shift day's midnight there is no such notation; it reads ``-1d 18:00``.
    """
    if minutes < 0:
        return f"-1d {clock(minutes + DAY)}"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Axis:
    """The stretch of the line a picture shows, whole hours, shared by before and after."""

    start: int
    end: int

    @property
    def span(self) -> int:
        return self.end - self.start

    def ticks(self, most: int = 12) -> tuple[int, ...]:
        """Hour marks, at most ``most`` of them, on multiples of the step."""
        nice = (h for h in (1, 2, 3, 4, 6, 12) if self.span / (60 * h) <= most)
        step = next(nice, 24 * -(-self.span // (DAY * most))) * 60
        first = -(-self.start // step) * step
        return tuple(range(first, self.end + 1, step))

    def midnights(self) -> tuple[int, ...]:
        """Day boundaries strictly inside the axis (the shift day's 00:00, the next day's)."""
        first = -(-(self.start + 1) // DAY) * DAY
        return tuple(range(first, self.end, DAY))


def axis_for(*timelines: Timeline) -> Axis:
    """Whole hours around every window of every timeline (at least one hour)."""
    present = [t for t in timelines if t.windows]
    if not present:
        return Axis(0, DAY)
    start = min(t.start for t in present) // 60 * 60
    end = -(-max(t.end for t in present) // 60) * 60
    return Axis(start, max(end, start + 60))
