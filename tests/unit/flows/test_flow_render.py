"""Rendering hand-built punch records and results: stable CSV/JSON, tables that fit."""

from __future__ import annotations

import csv
import datetime
import io
import json

from reconciler.feishu.types import TaskQueryResult, TaskResult, UserFlow, UserTask
from reconciler.flows.render import (
    FLOW_COLUMNS,
    TASK_COLUMNS,
    render_flow,
    render_flows,
    render_tasks,
)
from reconciler.flows.times import zone

TZ = zone("Asia/Shanghai")
IN = UserFlow("u1", "u1", "总部大楼东门", 1709514300, "上班", record_id="r1", type=7)
OUT = UserFlow("u1", "u1", "HQ", 1709550000, "", record_id="r2", is_wifi=True, ssid="corp")
NIGHT_OUT = UserFlow("u2", "u2", "Plant", 1709575200, "", record_id="r3")
NAMES = {"s1": "Day", "9": "(default shift)"}


def tasks() -> TaskQueryResult:
    day = datetime.date(2024, 3, 4)
    segment = TaskResult(
        check_in_record_id="r1",
        check_in_record=IN,
        check_out_record_id="r2",
        check_out_record=OUT,
        check_in_result="Late",
        check_out_result="Normal",
        check_in_result_supplement="None",
        check_out_result_supplement="Leave",
        check_in_shift_time=1709514000,
        check_out_shift_time=1709546400,
    )
    night = TaskResult(
        check_out_record_id="r3",
        check_out_record=NIGHT_OUT,
        check_in_result="Lack",
        check_out_result="Normal",
        check_in_shift_time=1709546400,
        check_out_shift_time=1709575200,
        task_shift_type=1,
    )
    return TaskQueryResult(
        tasks=(
            UserTask("t1", "u1", "张三", day, "g1", "s1", (segment,)),
            UserTask("t2", "u2", "Li", day, "g1", "s2", (night,)),
            UserTask("t3", "u3", "Rest", day, "1", "9", ()),
        ),
        invalid_user_ids=("ghost",),
    )


def test_flow_csv_has_a_fixed_header_and_times_with_offsets() -> None:
    text = render_flows([IN, OUT], "csv", TZ)
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == FLOW_COLUMNS
    assert table[0]["check_time"] == "2024-03-04T09:05:00+08:00"
    assert table[0]["location_name"] == "总部大楼东门"
    assert table[1]["is_wifi"] == "true"
    assert table[1]["is_field"] == ""


def test_flow_json_lists_records_under_flows_with_the_zone() -> None:
    data = json.loads(render_flows([IN], "json", zone("UTC"), invalid_user_ids=["x"]))
    assert list(data) == ["time_zone", "flows", "invalid_user_ids"]
    assert data["invalid_user_ids"] == ["x"]
    assert data["time_zone"] == "UTC"
    assert data["flows"][0]["check_time"] == "2024-03-04T01:05:00+00:00"
    assert list(data["flows"][0]) == list(FLOW_COLUMNS)
    assert json.loads(render_flow(IN, "json", TZ))["record_id"] == "r1"


def test_tables_fit_the_width_cutting_wide_text_by_terminal_cells() -> None:
    table = render_flows([IN, OUT], "table", TZ, width=70)
    lines = table.splitlines()
    assert lines[0].startswith("RECORD_ID")
    assert "2024-03-04 09:05:00+08:00" in lines[1]
    widths = [sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in line) for line in lines]
    assert max(widths) <= 70
    assert "…" in lines[1]
    assert render_flows([], "table", TZ) == "(no punch records)"


def test_one_flow_as_a_table_lists_its_fields() -> None:
    text = render_flow(OUT, "table", TZ)
    assert "record_id      r2" in text
    assert "ssid           corp" in text
    assert "comment" not in text  # empty values are left out


def test_task_csv_has_one_row_per_user_day_and_segment() -> None:
    text = render_tasks(tasks(), "csv", TZ, shift_names=NAMES)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == TASK_COLUMNS
    assert [r["shift_name"] for r in rows] == ["Day", "", "(default shift)"]
    assert [(r["user_id"], r["segment"]) for r in rows] == [("u1", "1"), ("u2", "1"), ("u3", "")]
    first = rows[0]
    assert first["check_in_shift_time"] == "2024-03-04T09:00:00+08:00"
    assert first["check_in_time"] == "2024-03-04T09:05:00+08:00"
    assert (first["check_in_result"], first["check_out_supplement"]) == ("Late", "Leave")
    assert rows[1]["segment_type"] == "overtime"
    assert rows[1]["check_in_time"] == ""


def test_task_json_keeps_refused_ids_and_nulls_for_absent_values() -> None:
    data = json.loads(render_tasks(tasks(), "json", TZ, shift_names=NAMES))
    assert data["invalid_user_ids"] == ["ghost"]
    assert [t["shift_name"] for t in data["tasks"]] == ["Day", None, "(default shift)"]
    assert data["tasks"][1]["check_in_time"] is None
    assert data["tasks"][2]["segment"] is None
    assert data["tasks"][2]["day"] == "2024-03-04"
    assert all(list(t) == list(TASK_COLUMNS) for t in data["tasks"][:2])


def test_task_table_shows_the_shift_and_clock_times_of_the_day_and_the_next_day() -> None:
    lines = render_tasks(tasks(), "table", TZ, shift_names=NAMES, width=200).splitlines()
    assert lines[0].split() == [
        "USER", "NAME", "DAY", "SHIFT", "SEG", "IN_PLAN", "IN", "IN_RESULT",
        "OUT_PLAN", "OUT", "OUT_RESULT",
    ]  # fmt: skip
    assert lines[1].split() == [
        "u1", "张三", "2024-03-04", "Day", "1", "09:00", "09:05", "Late",
        "18:00", "19:00", "Normal", "(Leave)",
    ]  # fmt: skip
    assert lines[2].split()[3] == "s2"  # a shift without a known name shows its id
    assert "02:00+1d" in lines[2]
    assert "1ot" in lines[2]
    assert lines[-1] == "times in Asia/Shanghai (+1d: the next day)"
