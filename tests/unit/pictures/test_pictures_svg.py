"""The SVG draws the model's windows at the coordinates its geometry gives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pictures_samples import night, office

from reconciler.pictures.svg import (
    LANE_HEIGHT,
    TRACKS,
    WIDTH,
    axis_svg,
    chart_geometry,
    chart_svg,
    lane_geometry,
    lane_svg,
)
from reconciler.pictures.timeline import axis_for, timeline_of

NS = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[dict[str, float | str]]:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    return [
        {
            "kind": rect.attrib["data-kind"],
            "start": int(rect.attrib["data-start"]),
            "end": int(rect.attrib["data-end"]),
            "x": float(rect.attrib["x"]),
            "y": float(rect.attrib["y"]),
            "width": float(rect.attrib["width"]),
            "height": float(rect.attrib["height"]),
            "fill": rect.attrib["fill"],
        }
        for rect in root.iter(f"{NS}rect")
    ]


def of(found: list[dict[str, float | str]], kind: str) -> list[dict[str, float | str]]:
    return [bar for bar in found if bar["kind"] == kind]


def test_nine_to_six_with_a_lunch_break_at_the_right_coordinates() -> None:
    timeline = timeline_of(office())
    axis = axis_for(timeline)
    geometry = chart_geometry(axis)
    found = bars(chart_svg("标准班", [("after", timeline)], axis))
    (work,) = of(found, "work")
    (rest,) = of(found, "rest")
    assert work["x"] == pytest.approx(geometry.x(9 * 60), abs=0.01)
    assert work["width"] == pytest.approx(geometry.x(18 * 60) - geometry.x(9 * 60), abs=0.01)
    assert rest["x"] == pytest.approx(geometry.x(12 * 60), abs=0.01)
    assert rest["width"] == pytest.approx(geometry.x(13 * 60) - geometry.x(12 * 60), abs=0.01)
    assert work["y"] == rest["y"] == TRACKS["work"][0]  # one track: the break cuts the work
    # 07:00–22:00 over the plot width: a minute is the same length everywhere.
    assert (geometry.left, geometry.right) == (80, WIDTH - 28)
    assert geometry.x(7 * 60) == geometry.left
    assert geometry.x(22 * 60) == geometry.right
    assert rest["width"] * 9 == pytest.approx(work["width"], abs=0.05)


def test_every_window_of_the_model_is_one_bar_in_order() -> None:
    timeline = timeline_of(office())
    found = bars(chart_svg("x", [("after", timeline)], axis_for(timeline)))
    assert [(b["kind"], b["start"], b["end"]) for b in found] == [
        (w.kind, w.start, w.end) for w in timeline.windows
    ]


def test_twenty_two_to_thirty_crosses_midnight_in_one_bar() -> None:
    timeline = timeline_of(night())
    axis = axis_for(timeline)
    geometry = chart_geometry(axis)
    svg = chart_svg("夜班", [("after", timeline)], axis)
    (work,) = of(bars(svg), "work")
    midnight = geometry.x(24 * 60)
    assert work["x"] == pytest.approx(geometry.x(22 * 60), abs=0.01)
    assert work["x"] + work["width"] == pytest.approx(geometry.x(30 * 60), abs=0.01)
    assert work["x"] < midnight < work["x"] + work["width"]
    lines = [e for e in ET.fromstring(svg).iter(f"{NS}line") if "data-midnight" in e.attrib]
    assert [float(line.attrib["x1"]) for line in lines] == [pytest.approx(midnight, abs=0.01)]
    assert "next day" in svg


def test_before_and_after_share_one_axis_in_their_own_lanes() -> None:
    before, after = timeline_of(office()), timeline_of(office(on="09:30"))
    axis = axis_for(before, after)
    geometry = chart_geometry(axis)
    found = of(bars(chart_svg("x", [("before", before), ("after", after)], axis)), "work")
    assert [b["x"] for b in found] == [
        pytest.approx(geometry.x(540), abs=0.01),
        pytest.approx(geometry.x(570), abs=0.01),
    ]
    assert found[1]["y"] - found[0]["y"] == LANE_HEIGHT


def test_a_catalogue_lane_lines_up_with_its_axis() -> None:
    timeline = timeline_of(night())
    axis = axis_for(timeline)
    geometry = lane_geometry(axis)
    (work,) = of(bars(lane_svg("夜班", timeline, axis)), "work")
    assert work["x"] == pytest.approx(geometry.x(22 * 60), abs=0.01)
    ruler = ET.fromstring(axis_svg(axis))
    (baseline,) = [e for e in ruler.iter(f"{NS}line") if e.attrib.get("class") == "axis"]
    assert float(baseline.attrib["x1"]) == geometry.left
    assert float(baseline.attrib["x2"]) == geometry.right


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", 'a"b&c', "\u202egnp.exe", "\x00"])
def test_hostile_names_stay_text(name: str) -> None:
    timeline = timeline_of(office())
    svg = chart_svg(name, [("after", timeline)], axis_for(timeline))
    root = ET.fromstring(svg)  # still well-formed
    assert "<script" not in svg
    title = root.find(f"{NS}title")
    assert title is not None
    assert "\u202e" not in (title.text or "")
    assert "\x00" not in svg
