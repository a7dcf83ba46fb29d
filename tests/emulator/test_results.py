"""Punch results of a shift day: thresholds, windows, exemptions, flex, overtime, time zones."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shift_samples import RULE

from reconciler.emulator.results import task_records

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 16)
SPLIT = [
    {**RULE, "off_time": "12:00"},
    {**RULE, "on_time": "13:00"},
]


def at(clock: str, day: dt.date = DAY, tz: dt.tzinfo = SHANGHAI) -> int:
    """Unix seconds of ``"HH:MM[:SS]"`` on ``day``; hours past 24 are the next day."""
    hours, minutes, *seconds = (int(p) for p in clock.split(":"))
    date = day + dt.timedelta(days=hours // 24)
    wall = dt.time(hours % 24, minutes, seconds[0] if seconds else 0)
    local = dt.datetime.combine(date, wall, tzinfo=tz)
    return int(local.timestamp())


def flow(clock: str, day: dt.date = DAY, tz: dt.tzinfo = SHANGHAI) -> dict[str, Any]:
    return {
        "record_id": f"r-{clock}",
        "user_id": "u1",
        "creator_id": "u1",
        "location_name": "HQ",
        "check_time": str(at(clock, day, tz)),
        "comment": "",
        "type": 7,
    }


# (check-in punch or None, check-in result, check-out punch or None, check-out result)
Expected = tuple[str | None, str, str | None, str]


@dataclass(frozen=True)
class Case:
    punches: Sequence[str]
    expected: Sequence[Expected]
    rules: Sequence[Mapping[str, Any]] = (RULE,)
    shift: Mapping[str, Any] = field(default_factory=dict)
    now: str = "36:00"  # next day noon: every window has closed
    need_overtime: bool = False


def run(case: Case, day: dt.date = DAY, tz: dt.tzinfo = SHANGHAI) -> list[dict[str, Any]]:
    shift = {"shift_name": "早班", "punch_times": len(case.rules)}
    shift |= {"punch_time_rule": list(case.rules), **case.shift}
    flows = [flow(p, day, tz) for p in case.punches]
    random.Random(7).shuffle(flows)  # the emulator hands punches over in any order
    now = dt.datetime.fromtimestamp(at(case.now, day, tz), tz)
    return task_records(shift, day, tz, flows, now, need_overtime=case.need_overtime)


def summary(record: Mapping[str, Any], day: dt.date = DAY, tz: dt.tzinfo = SHANGHAI) -> Expected:
    def punch(side: str) -> str | None:
        rec = record.get(f"check_{side}_record")
        if rec is None:
            assert record[f"check_{side}_record_id"] == ""
            return None
        assert rec["record_id"] == record[f"check_{side}_record_id"]
        label = rec["record_id"].removeprefix("r-")
        assert rec["check_time"] == str(at(label, day, tz))
        return str(label)

    return (punch("in"), record["check_in_result"], punch("out"), record["check_out_result"])


CASES = {
    "on time": Case(["08:55", "18:05"], [("08:55", "Normal", "18:05", "Normal")]),
    "earliest accepted check-in": Case(
        ["08:00", "18:00"], [("08:00", "Normal", "18:00", "Normal")]
    ),
    "too early to count": Case(["07:59:59", "18:00"], [(None, "Lack", "18:00", "Normal")]),
    "late just under threshold": Case(
        ["09:29:59", "18:00"], [("09:29:59", "Normal", "18:00", "Normal")]
    ),
    "late at exactly the threshold": Case(
        ["09:30", "18:00"], [("09:30", "Late", "18:00", "Normal")]
    ),
    "serious late reads as Late": Case(
        ["09:15", "18:00"],
        [("09:15", "Late", "18:00", "Normal")],
        rules=[{**RULE, "late_minutes_as_serious_late": 10}],
    ),
    "shift serious-late threshold wins over the segment's": Case(
        ["09:15", "18:00"],
        [("09:15", "Late", "18:00", "Normal")],
        rules=[{**RULE, "late_minutes_as_serious_late": 50}],
        shift={"late_minutes_as_serious_late": 10},
    ),
    "segment serious-late threshold not reached": Case(
        ["09:15", "18:00"],
        [("09:15", "Normal", "18:00", "Normal")],
        rules=[{**RULE, "late_minutes_as_serious_late": 50}],
    ),
    "lack by lateness at exactly the threshold": Case(
        ["10:00", "18:00"], [("10:00", "Lack", "18:00", "Normal")]
    ),
    "later than the lack threshold is not counted": Case(
        ["10:00:01", "18:00"], [(None, "Lack", "18:00", "Normal")]
    ),
    "early at exactly the threshold": Case(
        ["09:00", "17:30"], [("09:00", "Normal", "17:30", "Early")]
    ),
    "early just under threshold": Case(
        ["09:00", "17:30:01"], [("09:00", "Normal", "17:30:01", "Normal")]
    ),
    "lack by earliness at exactly the threshold": Case(
        ["09:00", "17:00"], [("09:00", "Normal", "17:00", "Lack")]
    ),
    "earlier than the lack threshold is not counted": Case(
        ["09:00", "16:59:59"], [("09:00", "Normal", None, "Lack")]
    ),
    "latest accepted check-out": Case(["09:00", "19:00"], [("09:00", "Normal", "19:00", "Normal")]),
    "too late to count": Case(["09:00", "19:00:01"], [("09:00", "Normal", None, "Lack")]),
    "first in, last out": Case(
        ["08:30", "08:50", "09:10", "12:00", "17:10", "18:10", "18:40"],
        [("08:30", "Normal", "18:40", "Normal")],
    ),
    "no punches, both windows open": Case([], [(None, "Todo", None, "Todo")], now="09:30"),
    "no check-in, window open to its last second": Case(
        [], [(None, "Todo", None, "Todo")], now="10:00"
    ),
    "no check-in, window closed": Case([], [(None, "Lack", None, "Todo")], now="10:00:01"),
    "no check-out, window open to its last second": Case(
        ["09:00"], [("09:00", "Normal", None, "Todo")], now="19:00"
    ),
    "no check-out, window closed": Case(
        ["09:00"], [("09:00", "Normal", None, "Lack")], now="19:00:01"
    ),
    "future day": Case([], [(None, "Todo", None, "Todo")], now="-24:00"),
    "segment no_need_off": Case(
        ["09:00", "18:00"],
        [("09:00", "Normal", None, "NoNeedCheck")],
        rules=[{**RULE, "no_need_off": True}],
    ),
    "shift-level no_need_off": Case(
        ["09:00", "18:00"],
        [("09:00", "Normal", None, "NoNeedCheck")],
        shift={"no_need_off": True},
    ),
    "shift-level no_need_off over the stored segment default": Case(
        ["09:00"],
        [("09:00", "Normal", None, "NoNeedCheck")],
        rules=[{**RULE, "no_need_off": False}],
        shift={"no_need_off": True},
    ),
    "second segment no_need_on": Case(
        ["09:00", "12:00", "13:00", "18:00"],
        [("09:00", "Normal", "12:00", "Normal"), (None, "NoNeedCheck", "18:00", "Normal")],
        rules=[SPLIT[0], {**SPLIT[1], "no_need_on": True}],
    ),
    "flexible: arriving late and leaving later": Case(
        ["09:30", "18:30"],
        [("09:30", "Normal", "18:30", "Normal")],
        shift={"is_flexible": True, "flexible_minutes": 30},
    ),
    "flexible: arriving late and leaving at the fixed off time": Case(
        ["09:30", "18:00"],
        [("09:30", "Normal", "18:00", "Early")],
        shift={"is_flexible": True, "flexible_minutes": 30},
    ),
    "flexible: lateness counts beyond the allowance": Case(
        ["10:00", "19:00"],
        [("10:00", "Late", "19:00", "Normal")],
        shift={"is_flexible": True, "flexible_minutes": 30},
    ),
    "flexible: check-in window grows by the allowance": Case(
        ["10:30", "19:30"],
        [("10:30", "Lack", "19:30", "Normal")],
        shift={"is_flexible": True, "flexible_minutes": 30},
    ),
    "flexible rule: arriving early allows leaving early": Case(
        ["08:20", "17:30"],
        [("08:20", "Normal", "17:30", "Normal")],
        shift={
            "is_flexible": True,
            "flexible_rule": [{"flexible_early_minutes": 30, "flexible_late_minutes": 60}],
        },
    ),
    "flexible rule: the largest late allowance applies": Case(
        ["10:00", "18:30"],
        [("10:00", "Normal", "18:30", "Early")],
        shift={
            "is_flexible": True,
            "flexible_rule": [
                {"flexible_early_minutes": 30, "flexible_late_minutes": 30},
                {"flexible_early_minutes": 0, "flexible_late_minutes": 60},
            ],
        },
    ),
    "flexible minutes ignored when not flexible": Case(
        ["09:30", "18:30"],
        [("09:30", "Late", "18:30", "Normal")],
        shift={"is_flexible": False, "flexible_minutes": 30},
    ),
    "night shift ending 26:00": Case(
        ["21:55", "26:05"],
        [("21:55", "Normal", "26:05", "Normal")],
        rules=[{**RULE, "on_time": "22:00", "off_time": "26:00"}],
    ),
    "night shift leaving early next day": Case(
        ["22:00", "25:30"],
        [("22:00", "Normal", "25:30", "Early")],
        rules=[{**RULE, "on_time": "22:00", "off_time": "26:00"}],
    ),
    "split shift": Case(
        ["08:55", "12:10", "12:50", "18:00"],
        [("08:55", "Normal", "12:10", "Normal"), ("12:50", "Normal", "18:00", "Normal")],
        rules=SPLIT,
    ),
    "split shift: windows cut at the gap's midpoint": Case(
        ["09:00", "12:29:59", "12:30", "18:00"],
        [("09:00", "Normal", "12:29:59", "Normal"), ("12:30", "Normal", "18:00", "Normal")],
        rules=SPLIT,
    ),
    "split shift: one punch in the gap is the next check-in": Case(
        ["09:00", "12:30", "18:00"],
        [("09:00", "Normal", None, "Lack"), ("12:30", "Normal", "18:00", "Normal")],
        rules=SPLIT,
    ),
    "split shift: late to the second segment": Case(
        ["09:00", "12:00", "13:30", "18:00"],
        [("09:00", "Normal", "12:00", "Normal"), ("13:30", "Late", "18:00", "Normal")],
        rules=SPLIT,
    ),
    "split shift: check-in never crosses the segment's midpoint": Case(
        ["15:30"],
        [(None, "Lack", None, "Lack"), (None, "Lack", "15:30", "Early")],
        rules=[SPLIT[0], {**SPLIT[1], "late_minutes_as_lack": 300, "early_minutes_as_lack": 300}],
    ),
    "before the midpoint is a check-in": Case(
        ["13:29:59"],
        [("13:29:59", "Late", None, "Lack")],
        rules=[{**RULE, "late_minutes_as_lack": 600, "early_minutes_as_lack": 600}],
    ),
    "on the midpoint is a check-out": Case(
        ["13:30"],
        [(None, "Lack", "13:30", "Early")],
        rules=[{**RULE, "late_minutes_as_lack": 600, "early_minutes_as_lack": 600}],
    ),
    # Nothing is judged on a rest day, but the duty worked shows (first in, last out).
    "rest day": Case(
        ["09:00", "12:00", "18:00"],
        [("09:00", "NoNeedCheck", "18:00", "NoNeedCheck")],
        shift={"day_type": 2},
    ),
    "rest day without punches": Case(
        [],
        [(None, "NoNeedCheck", None, "NoNeedCheck")],
        shift={"day_type": 2},
    ),
    "overtime adjoining the shift shares its punches": Case(
        ["08:55", "19:05"],
        [("08:55", "Normal", "19:05", "Normal"), ("08:55", "Normal", "19:05", "Normal")],
        shift={"overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}]},
        need_overtime=True,
    ),
    "overtime left early": Case(
        ["08:55", "18:10"],
        [("08:55", "Normal", "18:10", "Normal"), ("08:55", "Normal", "18:10", "Early")],
        shift={"overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}]},
        need_overtime=True,
    ),
    "overtime borrows the thresholds of the nearest segment": Case(
        ["09:00", "12:00", "13:00", "18:50"],
        [
            ("09:00", "Normal", "12:00", "Normal"),
            ("13:00", "Normal", "18:50", "Normal"),
            ("13:00", "Normal", "18:50", "Early"),
        ],
        rules=[SPLIT[0], {**SPLIT[1], "early_minutes_as_early": 5}],
        shift={"overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}]},
        need_overtime=True,
    ),
    "overtime not asked for still moves the check-out": Case(
        ["08:55", "19:30"],
        [("08:55", "Normal", "19:30", "Normal")],
        shift={"overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}]},
    ),
    "overtime apart from the shift has its own punches": Case(
        ["09:00", "18:00", "20:05", "21:00"],
        [("09:00", "Normal", "18:00", "Normal"), ("20:05", "Normal", "21:00", "Normal")],
        shift={"overtime_rule": [{"on_overtime": "20:00", "off_overtime": "21:00"}]},
        need_overtime=True,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_results(case: Case) -> None:
    assert [summary(r) for r in run(case)] == list(case.expected)


@pytest.mark.parametrize(
    ("day", "tz"),
    [
        (dt.date(2026, 11, 16), ZoneInfo("America/Los_Angeles")),
        (dt.date(2026, 3, 7), ZoneInfo("America/New_York")),  # night crosses spring-forward
        (dt.date(2026, 10, 31), ZoneInfo("America/New_York")),  # night crosses fall-back
        (dt.date(2026, 11, 16), dt.timezone(dt.timedelta(hours=5, minutes=30))),
    ],
    ids=["los-angeles", "new-york-spring-forward", "new-york-fall-back", "fixed-offset"],
)
@pytest.mark.parametrize(
    ("on", "off", "expected"),
    [
        ("9:00", "18:00", ("09:29", "Normal", "17:45", "Normal")),
        ("22:00", "30:00", ("22:31", "Late", "29:30", "Early")),
    ],
    ids=["day", "night"],
)
def test_shift_times_and_punches_use_the_group_time_zone(
    day: dt.date, tz: dt.tzinfo, on: str, off: str, expected: Expected
) -> None:
    punch_in, _, punch_out, _ = expected
    assert punch_in is not None
    assert punch_out is not None
    rule = {**RULE, "on_time": on, "off_time": off}
    (record,) = run(Case([punch_in, punch_out], [expected], rules=[rule]), day, tz)
    assert summary(record, day, tz) == expected
    assert record["check_in_shift_time"] == str(at(on, day, tz))
    assert record["check_out_shift_time"] == str(at(off, day, tz))


def test_record_has_the_wire_shape_of_the_contract_example() -> None:
    day = dt.date(2021, 1, 4)
    punches = [flow("08:58", day), flow("18:03", day)]
    now = dt.datetime(2021, 1, 5, tzinfo=SHANGHAI)
    shift = {"punch_time_rule": [RULE]}
    (record,) = task_records(shift, day, SHANGHAI, punches, now)
    assert record == {
        "check_in_record_id": "r-08:58",
        "check_in_record": punches[0],
        "check_out_record_id": "r-18:03",
        "check_out_record": punches[1],
        "check_in_result": "Normal",
        "check_out_result": "Normal",
        "check_in_result_supplement": "None",
        "check_out_result_supplement": "None",
        "check_in_shift_time": "1609722000",
        "check_out_shift_time": "1609754400",
        "task_shift_type": 0,
    }
    assert record["check_in_record"] is not punches[0]  # a copy, not the stored flow


def test_missing_punches_leave_the_id_empty_and_the_record_out() -> None:
    (record,) = run(Case([], [(None, "Lack", None, "Lack")]))
    assert record["check_in_record_id"] == record["check_out_record_id"] == ""
    assert "check_in_record" not in record
    assert "check_out_record" not in record


def test_overtime_records_carry_their_type_and_times() -> None:
    case = Case(
        ["09:00", "19:00"],
        [],
        shift={"overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}]},
        need_overtime=True,
    )
    normal, overtime = run(case)
    assert (normal["task_shift_type"], overtime["task_shift_type"]) == (0, 1)
    assert overtime["check_in_shift_time"] == str(at("18:00"))
    assert overtime["check_out_shift_time"] == str(at("19:00"))
    assert overtime["check_in_record_id"] == normal["check_in_record_id"] == "r-09:00"
    assert overtime["check_out_record_id"] == normal["check_out_record_id"] == "r-19:00"


def test_a_shift_without_segments_has_no_records() -> None:
    now = dt.datetime(2026, 11, 17, tzinfo=SHANGHAI)
    assert task_records({"punch_time_rule": []}, DAY, SHANGHAI, [flow("09:00")], now) == []


def test_punches_of_other_users_days_far_away_are_ignored() -> None:
    far = [flow("-10:00"), flow("50:00")]
    (record,) = run(Case([], [(None, "Lack", None, "Lack")]))
    now = dt.datetime(2026, 11, 17, 12, tzinfo=SHANGHAI)
    assert task_records({"punch_time_rule": [RULE]}, DAY, SHANGHAI, far, now) == [record]


RESULTS = {"Normal", "Late", "Early", "Lack", "NoNeedCheck", "Todo"}
SPLIT_WITH_OVERTIME = {
    "punch_time_rule": SPLIT,
    "overtime_rule": [{"on_overtime": "18:00", "off_overtime": "20:00"}],
}


@settings(max_examples=150, deadline=None)
@given(
    offsets=st.lists(st.integers(-3600, 26 * 3600), max_size=12),
    now=st.integers(0, 30 * 3600),
    seed=st.integers(0, 1000),
)
def test_any_punches_give_well_formed_order_free_results(
    offsets: list[int], now: int, seed: int
) -> None:
    base = at("00:00")
    flows = [
        {"record_id": f"r{i}", "user_id": "u1", "check_time": str(base + offset)}
        for i, offset in enumerate(offsets)
    ]
    clock = dt.datetime.fromtimestamp(base + now, SHANGHAI)
    records = task_records(SPLIT_WITH_OVERTIME, DAY, SHANGHAI, flows, clock, True)
    shuffled = random.Random(seed).sample(flows, len(flows))
    assert task_records(SPLIT_WITH_OVERTIME, DAY, SHANGHAI, shuffled, clock, True) == records
    assert [r["task_shift_type"] for r in records] == [0, 0, 1]
    ins = {r["check_in_record_id"] for r in records} - {""}
    outs = {r["check_out_record_id"] for r in records} - {""}
    assert not ins & outs  # a punch counts on one side only
    for record in records:
        assert {record["check_in_result"], record["check_out_result"]} <= RESULTS
        for side in ("in", "out"):
            if record[f"check_{side}_record_id"]:
                assert record[f"check_{side}_record"] in flows
            else:  # no exempt sides in this shift, so a side without a punch is pending or missing
                assert record[f"check_{side}_result"] in ("Todo", "Lack")


def test_a_night_shift_across_spring_forward_is_an_hour_shorter() -> None:
    new_york = ZoneInfo("America/New_York")
    rule = {**RULE, "on_time": "22:00", "off_time": "30:00"}
    now = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    (record,) = task_records({"punch_time_rule": [rule]}, dt.date(2026, 3, 7), new_york, [], now)
    on = dt.datetime(2026, 3, 8, 3, tzinfo=dt.UTC)  # 22:00 EST
    assert record["check_in_shift_time"] == str(int(on.timestamp()))
    assert record["check_out_shift_time"] == str(int(on.timestamp()) + 7 * 3600)  # 06:00 EDT
