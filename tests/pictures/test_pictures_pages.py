"""The HTML plan and catalogue opened in headless Chromium: the screenshot shows the day.

The pixels are read back (Pillow): each lane's working-time track is found by its colour,
the axis by its dark baseline, and every sampled minute must show the colour the timeline
model puts there, at the x the geometry gives: 09:00–18:00 with its 12:00–13:00 break,
22:00–30:00 running on past midnight, the whole catalogue in start order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from pictures_browser import screenshot
from PIL import Image, ImageChops

from reconciler.definitions import load_desired
from reconciler.model import CurrentShift, Shift
from reconciler.pictures.page import catalogue_html, plan_html
from reconciler.pictures.svg import COLORS, TRACKS, lane_geometry
from reconciler.pictures.timeline import Axis, Timeline, axis_for, timeline_of
from reconciler.plan import Plan, Update

REPO = Path(__file__).resolve().parents[2]
WORK = COLORS["work"]
TOLERANCE = 10  # per channel: colour management and blending may move a value a little


def rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def near(pixel: tuple[int, ...], color: str) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(pixel[:3], rgb(color), strict=True))


@dataclass(frozen=True)
class Shot:
    image: Image.Image

    def pixel(self, x: float, y: float) -> tuple[int, ...]:
        value = self.image.getpixel((round(x), round(y)))
        assert isinstance(value, tuple)
        return value

    def _rows(self, mask: Image.Image) -> list[bytes]:
        width, height = mask.size
        data = mask.tobytes()
        return [data[y * width : (y + 1) * width] for y in range(height)]

    def mask(self, color: str) -> Image.Image:
        """255 where the screenshot shows ``color`` (within the tolerance), else 0."""
        solid = Image.new("RGB", self.image.size, rgb(color))
        channels = ImageChops.difference(self.image, solid).split()
        close = [c.point(lambda v: 255 if v <= TOLERANCE else 0) for c in channels]
        return ImageChops.multiply(ImageChops.multiply(close[0], close[1]), close[2])

    def rows_with(self, color: str, least: int) -> list[tuple[int, int]]:
        """Bands of consecutive rows holding at least ``least`` pixels of ``color``."""
        bands: list[tuple[int, int]] = []
        for y, row in enumerate(self._rows(self.mask(color))):
            if row.count(255) < least:
                continue
            if bands and y == bands[-1][1] + 1:
                bands[-1] = (bands[-1][0], y)
            else:
                bands.append((y, y))
        return bands

    def baselines(self) -> list[tuple[int, float, float]]:
        """Each axis baseline as (row, left x, right x): long unbroken runs of dark grey."""
        r, g, b = self.image.split()
        high = ImageChops.lighter(ImageChops.lighter(r, g), b)
        low = ImageChops.darker(ImageChops.darker(r, g), b)
        grey = ImageChops.difference(high, low).point(lambda v: 255 if v < 40 else 0)
        dark = ImageChops.multiply(grey, high.point(lambda v: 255 if v < 170 else 0))
        found: list[tuple[int, float, float]] = []
        for y, row in enumerate(self._rows(dark)):
            run = re.search(rb"\xff{300,}", row)
            if run is None:
                continue
            if found and y - found[-1][0] <= 2:
                continue  # the same antialiased line
            found.append((y, run.start(), run.end()))
        return found


@dataclass(frozen=True)
class Scale:
    """Minutes to screen x, from a baseline's pixels and the axis it draws."""

    axis: Axis
    left: float
    right: float

    def x(self, minutes: float) -> float:
        return self.left + (minutes - self.axis.start) * (self.right - self.left) / self.axis.span


def main_track_color(timeline: Timeline, minute: float) -> str | None:
    """What the model draws last on the working-time track at ``minute``."""
    color = None
    for window in timeline.windows:
        if TRACKS[window.kind] == TRACKS["work"] and window.start <= minute < window.end:
            color = COLORS[window.kind]
    return color


def check_lane(shot: Shot, scale: Scale, row: float, timeline: Timeline, name: str) -> int:
    """Every 5 minutes along the lane, the colour the model says; returns the samples made."""
    edges = [e for w in timeline.windows for e in (w.start, w.end)]
    checked = 0
    for step in range(scale.axis.start, scale.axis.end, 5):
        minute = step + 2.5
        x = scale.x(minute)
        if any(abs(x - scale.x(edge)) < 2 for edge in edges):
            continue  # antialiased edges are checked below
        expected = main_track_color(timeline, minute)
        pixel = shot.pixel(x, row)
        if expected is None:
            assert not near(pixel, WORK), f"{name}: work drawn at minute {minute} ({x:.0f})"
        else:
            assert near(pixel, expected), f"{name}: {pixel} at minute {minute}, not {expected}"
        checked += 1
    for window in timeline.of("work"):
        inside, outside = scale.x(window.start) + 2, scale.x(window.start) - 2
        assert near(shot.pixel(inside, row), WORK), f"{name}: work starts late"
        if main_track_color(timeline, window.start - 1) is None:
            assert not near(shot.pixel(outside, row), WORK), f"{name}: work starts early"
    return checked


def shoot(tmp_path: Path, html: str, height: int) -> Shot:
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    png = screenshot(page, tmp_path / "page.png", 1280, height)
    image = Image.open(png).convert("RGB")
    colors = image.getcolors(maxcolors=1 << 16)
    assert colors is None or len(colors) > 8, "the screenshot is blank"
    return Shot(image)


def lanes(shot: Shot) -> list[float]:
    """The middle row of each working-time track (20 px high; legend swatches are smaller)."""
    height = TRACKS["work"][1]
    return [(a + b) / 2 for a, b in shot.rows_with(WORK, 8) if b - a + 1 >= height - 4]


def example(name: str) -> Shift:
    shifts = {d.shift.shift_name: d.shift for d in load_desired([REPO / "shifts"]).shifts}
    return shifts[name]


def moved(shift: Shift, **rule: str) -> Shift:
    first = {**shift.punch_time_rule[0].to_mapping(), **rule}
    return Shift.from_mapping({**shift.to_mapping(), "punch_time_rule": [first]})


def test_the_plan_page_draws_before_and_after_where_the_geometry_says(tmp_path: Path) -> None:
    office, night = example("标准班"), example("夜班")
    changes: Sequence[Update] = (
        Update("1", office, moved(office, on_time="09:30"), ()),
        Update("2", night, moved(night, off_time="31:00"), ()),
    )
    shot = shoot(tmp_path, plan_html(Plan(tuple(changes), 0, 0, "sha256:x")), 1300)
    baselines = shot.baselines()
    found = lanes(shot)
    assert len(baselines) == 2, baselines
    assert len(found) == 4, found
    checked = 0
    for index, change in enumerate(changes):
        before, after = timeline_of(change.before), timeline_of(change.after)
        y, left, right = baselines[index]
        scale = Scale(axis_for(before, after), left, right)
        row_before, row_after = found[2 * index], found[2 * index + 1]
        assert row_before < row_after < y
        checked += check_lane(shot, scale, row_before, before, f"{change.name} before")
        checked += check_lane(shot, scale, row_after, after, f"{change.name} after")
    assert checked > 300
    # The break of 09:00–18:00 and the night past midnight, read straight off the pixels.
    y, left, right = baselines[0]
    scale = Scale(axis_for(timeline_of(office), timeline_of(changes[0].after)), left, right)
    assert near(shot.pixel(scale.x(11 * 60 + 30), found[0]), WORK)
    assert near(shot.pixel(scale.x(12 * 60 + 30), found[0]), COLORS["rest"])
    assert not near(shot.pixel(scale.x(9 * 60 + 15), found[1]), WORK)  # after: on at 09:30
    y, left, right = baselines[1]
    scale = Scale(axis_for(timeline_of(night), timeline_of(changes[1].after)), left, right)
    for minute in (23 * 60 + 50, 24 * 60 + 10, 29 * 60 + 30):  # either side of midnight
        assert near(shot.pixel(scale.x(minute), found[2]), WORK), minute
    assert not near(shot.pixel(scale.x(30 * 60 + 30), found[2]), WORK)  # before: off at 30:00
    assert near(shot.pixel(scale.x(30 * 60 + 30), found[3]), WORK)  # after: off at 31:00


def test_the_catalogue_draws_every_shift_in_start_order_on_one_axis(tmp_path: Path) -> None:
    shifts = [d.shift for d in load_desired([REPO / "shifts"]).shifts]
    remotes = [CurrentShift(str(i), s) for i, s in enumerate(shifts)]
    shot = shoot(tmp_path, catalogue_html(remotes), 1100)
    timelines = sorted(
        ((timeline_of(s), s.shift_name) for s in shifts), key=lambda e: (e[0].first_on, e[1])
    )
    baselines = shot.baselines()
    assert len(baselines) == 2, baselines  # the axis above and below the table
    (_, left, right), (_, left2, right2) = baselines
    assert (left, right) == pytest.approx((left2, right2), abs=1)
    axis = axis_for(*(t for t, _ in timelines))
    scale = Scale(axis, left, right)
    # The drawn axis is the lane geometry's, at whatever width the page gives it.
    geometry = lane_geometry(axis)
    assert (right - left) / (geometry.right - geometry.left) == pytest.approx(1, abs=0.01)
    found = lanes(shot)
    assert len(found) == len(timelines), found
    for row, (timeline, name) in zip(found, timelines, strict=True):
        assert check_lane(shot, scale, row, timeline, name) > 100
