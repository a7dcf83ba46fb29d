"""A shift's day as inline SVG: lanes of windows over an hour axis, for the HTML pages.

A lane has three tracks: punch windows and thresholds on top, working time and breaks in
the middle, flexible windows below. Every bar carries ``data-kind``, ``data-start`` and
``data-end`` (minutes of the shift day), so what is drawn can be checked against the model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reconciler.pictures.escape import html_text
from reconciler.pictures.timeline import DAY, KINDS, Axis, Kind, Timeline, Window, clock

__all__ = [
    "AXIS_HEIGHT",
    "COLORS",
    "LABEL_WIDTH",
    "LANE_HEIGHT",
    "TRACKS",
    "WIDTH",
    "Geometry",
    "axis_svg",
    "chart_geometry",
    "chart_svg",
    "lane_geometry",
    "lane_svg",
    "legend_svg",
]

WIDTH = 960  # user units; the pages draw them 1:1 as CSS pixels unless the page is narrower
LABEL_WIDTH = 80  # a chart's row labels (before / after)
MARGIN = 28  # room for the first and last hour labels
LANE_HEIGHT = 46
AXIS_HEIGHT = 30

COLORS: dict[Kind, str] = {
    "work": "#2563eb",
    "overtime": "#7c3aed",
    "rest": "#d1d5db",
    "overtime_rest": "#d1d5db",
    "rest_slide": "#f3f4f6",
    "check_in": "#93c5fd",
    "check_out": "#93c5fd",
    "late": "#f59e0b",
    "early": "#f59e0b",
    "serious_late": "#dc2626",
    "flex": "#10b981",
}
_PUNCH, _MAIN, _FLEX = (2, 12), (16, 20), (38, 6)
TRACKS: dict[Kind, tuple[int, int]] = {
    "work": _MAIN,
    "overtime": _MAIN,
    "rest": _MAIN,
    "overtime_rest": _MAIN,
    "rest_slide": _MAIN,
    "check_in": _PUNCH,
    "check_out": _PUNCH,
    "late": _PUNCH,
    "early": _PUNCH,
    "serious_late": _PUNCH,
    "flex": _FLEX,
}
_GRID, _MIDNIGHT, _INK = "#e5e7eb", "#6b7280", "#111827"


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where a minute of the shift day falls: ``left`` is the axis start, ``right`` its end."""

    axis: Axis
    left: float
    right: float

    def x(self, minutes: int) -> float:
        return self.left + (minutes - self.axis.start) * (self.right - self.left) / self.axis.span


def chart_geometry(axis: Axis) -> Geometry:
    return Geometry(axis, LABEL_WIDTH, WIDTH - MARGIN)


def lane_geometry(axis: Axis) -> Geometry:
    return Geometry(axis, MARGIN, WIDTH - MARGIN)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(height: int, title: str, body: Iterator[str]) -> str:
    label = html_text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def _bar(geometry: Geometry, timeline: Timeline, window: Window, top: float) -> str:
    offset, height = TRACKS[window.kind]
    x0, x1 = geometry.x(window.start), geometry.x(window.end)
    outline = ' stroke="#9ca3af" stroke-dasharray="3 2"' if window.kind == "rest_slide" else ""
    return (
        f'<rect x="{_n(x0)}" y="{_n(top + offset)}" width="{_n(x1 - x0)}" height="{height}" '
        f'fill="{COLORS[window.kind]}"{outline} data-kind="{window.kind}" '
        f'data-start="{window.start}" data-end="{window.end}">'
        f"<title>{html_text(timeline.label(window))}</title></rect>"
    )


def _grid(geometry: Geometry, top: float, bottom: float) -> Iterator[str]:
    for tick in geometry.axis.ticks():
        x = _n(geometry.x(tick))
        yield f'<line x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" stroke="{_GRID}"/>'
    for midnight in geometry.axis.midnights():
        x = _n(geometry.x(midnight))
        yield (
            f'<line x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" stroke="{_MIDNIGHT}" '
            f'stroke-dasharray="4 3" data-midnight="{midnight}"/>'
        )


def _lane(geometry: Geometry, timeline: Timeline, top: float) -> Iterator[str]:
    for window in timeline.windows:
        yield _bar(geometry, timeline, window, top)


def _axis(geometry: Geometry, top: float) -> Iterator[str]:
    """The baseline from the axis start to its end, hour labels, and 'next day' at midnight."""
    y = _n(top)
    left, right = _n(geometry.left), _n(geometry.right)
    yield f'<line class="axis" x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{_INK}"/>'
    for tick in geometry.axis.ticks():
        x = _n(geometry.x(tick))
        yield f'<line x1="{x}" y1="{y}" x2="{x}" y2="{_n(top + 4)}" stroke="{_INK}"/>'
        yield (
            f'<text x="{x}" y="{_n(top + 16)}" text-anchor="middle" font-size="11" '
            f'fill="{_INK}">{clock(tick % DAY)}</text>'
        )
    for midnight in geometry.axis.midnights():
        text = "next day" if midnight > 0 else "shift day"
        yield (
            f'<text x="{_n(geometry.x(midnight) + 3)}" y="{_n(top + 27)}" font-size="10" '
            f'fill="{_MIDNIGHT}">{text} →</text>'
        )


def chart_svg(title: str, rows: Sequence[tuple[str, Timeline]], axis: Axis) -> str:
    """Labelled lanes (``before`` and ``after``) over one axis: a change's picture."""
    geometry = chart_geometry(axis)
    height = LANE_HEIGHT * len(rows) + AXIS_HEIGHT

    def body() -> Iterator[str]:
        yield from _grid(geometry, 0, LANE_HEIGHT * len(rows))
        for index, (label, timeline) in enumerate(rows):
            top = LANE_HEIGHT * index
            text = f"{label} (rest day)" if timeline.rest_day else label
            yield (
                f'<text x="0" y="{_n(top + 30)}" font-size="12" fill="{_INK}">'
                f"{html_text(text)}</text>"
            )
            yield from _lane(geometry, timeline, top)
        yield from _axis(geometry, LANE_HEIGHT * len(rows))

    return _svg(height, title, body())


def lane_svg(title: str, timeline: Timeline, axis: Axis) -> str:
    """One unlabelled lane: a catalogue row (the name is the page's, beside it)."""
    geometry = lane_geometry(axis)

    def body() -> Iterator[str]:
        yield from _grid(geometry, 0, LANE_HEIGHT)
        yield from _lane(geometry, timeline, 0)

    return _svg(LANE_HEIGHT, title, body())


def axis_svg(axis: Axis) -> str:
    """The hour axis alone, aligned with ``lane_svg``: a catalogue's header and footer."""
    return _svg(AXIS_HEIGHT, "hours of the shift day", _axis(lane_geometry(axis), 1))


def legend_svg(kind: Kind) -> str:
    """A small swatch for the legend."""
    outline = ' stroke="#9ca3af" stroke-dasharray="3 2"' if kind == "rest_slide" else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="swatch" width="24" height="12" '
        f'aria-hidden="true"><rect x="0.5" y="0.5" width="23" height="11" '
        f'fill="{COLORS[kind]}"{outline}/></svg> {html_text(KINDS[kind])}'
    )
