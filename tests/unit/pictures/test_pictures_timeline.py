"""The timeline model: which windows a shift's fields open, in minutes of the shift day."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pictures_samples import night, office, segment, shift

from reconciler.pictures.gantt import gantt_block
from reconciler.pictures.svg import chart_svg
from reconciler.pictures.timeline import Axis, Window, axis_for, clock, timeline_of


def spans(shift_timeline: object, kind: str) -> list[tuple[int, int]]:
    windows = getattr(shift_timeline, "windows", ())
    return [(w.start, w.end) for w in windows if w.kind == kind]


def test_an_office_day_is_work_with_a_lunch_break_and_its_punch_windows() -> None:
    timeline = timeline_of(office())
    assert spans(timeline, "work") == [(540, 1080)]  # 09:00–18:00
    assert spans(timeline, "rest") == [(720, 780)]  # 12:00–13:00
    assert spans(timeline, "check_in") == [(420, 540)]  # on_advance_minutes 120
    assert spans(timeline, "late") == [(545, 600)]  # late after 5, lack after 60
    assert spans(timeline, "early") == [(1020, 1079)]  # lack before 60, early before 1
    assert spans(timeline, "check_out") == [(1080, 1320)]  # off_delay_minutes 240
    assert spans(timeline, "flex") == []
    assert (timeline.start, timeline.end, timeline.first_on) == (420, 1320, 540)


def test_a_night_shift_runs_past_midnight_on_one_line() -> None:
    timeline = timeline_of(night())
    assert spans(timeline, "work") == [(1320, 1800)]  # 22:00–30:00, not two pieces
    assert spans(timeline, "rest") == [(1560, 1590)]
    assert spans(timeline, "check_out") == [(1800, 1920)]
    axis = axis_for(timeline)
    assert axis == Axis(1260, 1920)
    assert axis.midnights() == (1440,)


def test_the_breaks_are_drawn_over_the_work_they_interrupt() -> None:
    kinds = [w.kind for w in timeline_of(office()).windows]
    assert kinds.index("work") < kinds.index("rest") < kinds.index("late")


def test_flexible_windows_and_thresholds_moved_by_the_allowance() -> None:
    flexible = shift(
        "弹性班",
        segment("09:30", "18:30", late_minutes_as_late=1, late_minutes_as_lack=120),
        is_flexible=True,
        flexible_rule=[{"flexible_early_minutes": 30, "flexible_late_minutes": 60}],
    )
    timeline = timeline_of(flexible)
    assert spans(timeline, "flex") == [(540, 630), (1080, 1170)]
    assert [w.side for w in timeline.of("flex")] == ["on", "off"]
    assert spans(timeline, "late") == [(631, 750)]  # counted from 10:30, the latest on time
    assert spans(timeline, "early") == [(1020, 1079)]  # counted from 18:00, the earliest off
    assert spans(timeline, "check_out") == [(1110, 1410)]  # 18:30 + 60 + 240


def test_flexible_minutes_alone_allow_both_ways() -> None:
    flexible = shift("Flex", segment("09:00", "18:00"), is_flexible=True, flexible_minutes=15)
    assert spans(timeline_of(flexible), "flex") == [(525, 555), (1065, 1095)]


def test_a_flexible_rule_without_is_flexible_draws_nothing_flexible() -> None:
    plain = shift("Plain", flexible_minutes=15)
    assert spans(timeline_of(plain), "flex") == []


def test_sides_that_need_no_punch_open_no_window() -> None:
    split = shift(
        "两头班",
        segment("10:00", "14:00"),
        segment("17:00", "21:00", no_need_on=True),
        no_need_off=True,
    )
    timeline = timeline_of(split)
    assert spans(timeline, "work") == [(600, 840), (1020, 1260)]
    assert [w.segment for w in timeline.of("check_in")] == [0]
    assert spans(timeline, "check_out") == spans(timeline, "early") == []
    assert timeline.label(timeline.of("work")[1]) == "work 2 17:00–21:00"


def test_the_shift_level_serious_late_threshold_wins() -> None:
    own = shift("Own", segment("09:00", "18:00", late_minutes_as_serious_late=30))
    assert spans(timeline_of(own), "serious_late") == [(570, 600)]
    overridden = shift(
        "Shift-level",
        segment("09:00", "18:00", late_minutes_as_serious_late=30),
        late_minutes_as_serious_late=20,
    )
    assert spans(timeline_of(overridden), "serious_late") == [(560, 600)]


def test_overtime_and_sliding_breaks() -> None:
    extra = shift(
        "Extra",
        rest_time_rule=[{"rest_begin_time": "12:00", "rest_end_time": "13:00"}],
        rest_time_flexible_configs=[{"need_flexible": True, "late_mins": 30}],
        overtime_rule=[{"on_overtime": "18:00", "off_overtime": "20:00"}],
        overtime_rest_time_rule=[{"rest_begin_time": "19:00", "rest_end_time": "19:15"}],
    )
    timeline = timeline_of(extra)
    assert spans(timeline, "rest_slide") == [(780, 810)]
    assert spans(timeline, "overtime") == [(1080, 1200)]
    assert spans(timeline, "overtime_rest") == [(1140, 1155)]


def test_an_early_check_in_before_midnight_is_the_day_before() -> None:
    dawn = shift("Dawn", segment("06:00", "14:00", on_advance_minutes=720))
    timeline = timeline_of(dawn)
    assert spans(timeline, "check_in") == [(-360, 360)]
    axis = axis_for(timeline)
    assert axis.start == -360
    assert axis.midnights() == (0,)
    assert timeline.label(timeline.of("check_in")[0]) == "check-in -1d 18:00–06:00"


def test_empty_windows_are_left_out() -> None:
    strict = shift(
        "Strict",
        segment("09:00", "18:00", on_advance_minutes=0, late_minutes_as_late=0,
                late_minutes_as_lack=0, off_delay_minutes=0),
    )  # fmt: skip
    kinds = {w.kind for w in timeline_of(strict).windows}
    assert "check_in" not in kinds
    assert "late" not in kinds
    assert "check_out" not in kinds


def test_clock_writes_times_as_the_shift_files_do() -> None:
    assert [clock(m) for m in (0, 545, 1440, 1800, 2879)] == [
        "00:00",
        "09:05",
        "24:00",
        "30:00",
        "47:59",
    ]
    assert clock(-60) == "-1d 23:00"


def test_ticks_are_whole_hours_at_most_twelve() -> None:
    assert Axis(420, 1320).ticks() == tuple(range(480, 1321, 120))  # 08:00, 10:00, …
    assert Axis(0, 120).ticks() == (0, 60, 120)
    wide = Axis(-720, 3840)
    assert len(wide.ticks()) <= 12
    assert all(t % 360 == 0 for t in wide.ticks())
    assert Axis(-720, 3840).midnights() == (0, 1440, 2880)


_TIMES = st.integers(0, 47 * 60 + 59)
_MINUTES = st.integers(0, 720)


@settings(max_examples=200, deadline=None)
@given(
    on=_TIMES,
    length=st.integers(1, 16 * 60),
    advance=_MINUTES,
    delay=st.integers(0, 960),
    late=_MINUTES,
    lack=_MINUTES,
    flex=st.integers(0, 120),
)
def test_every_window_fits_its_axis_and_has_a_length(
    on: int, length: int, advance: int, delay: int, late: int, lack: int, flex: int
) -> None:
    off = min(on + length, 47 * 60 + 59)
    if off <= on:
        return
    drawn = shift(
        "Any",
        segment(
            clock(on),
            clock(off),
            on_advance_minutes=advance,
            off_delay_minutes=delay,
            late_minutes_as_late=min(late, lack),
            late_minutes_as_lack=lack,
        ),
        is_flexible=True,
        flexible_minutes=flex,
    )
    timeline = timeline_of(drawn)
    axis = axis_for(timeline)
    assert axis.start % 60 == 0
    assert axis.end % 60 == 0
    assert all(isinstance(w, Window) for w in timeline.windows)
    assert all(axis.start <= w.start < w.end <= axis.end for w in timeline.windows)
    assert spans(timeline, "work") == [(on, off)]


def test_values_no_shift_file_allows_are_drawn_to_the_edge_not_overflowing() -> None:
    # A tenant or a hand-edited plan file can hold what the schema refuses.
    wild = shift("Wild", segment("09:00", "99:00", on_advance_minutes=10**400))
    timeline = timeline_of(wild)
    assert spans(timeline, "check_in") == [(-1440, 540)]
    assert spans(timeline, "work") == [(540, 5760)]
    axis = axis_for(timeline)
    assert 0 < len(axis.ticks()) <= 12
    svg = chart_svg("Wild", [("after", timeline)], axis)
    assert 'data-start="-1440"' in svg
    assert "2000-01-02 00:00" in gantt_block("Wild", [("after", timeline)])
