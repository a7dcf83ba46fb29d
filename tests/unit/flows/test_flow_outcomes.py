"""What results mean: exceptions (unless a supplement explains them), the off time a
flexible day slid to, and the per-person counts of ``tasks --summary``."""

from __future__ import annotations

import datetime

import pytest

from reconciler.feishu.types import TaskResult, UserFlow, UserTask
from reconciler.flows.outcomes import due_off_time, is_exception, side_exceptions, summarize
from reconciler.model import FlexibleRule, PunchTimeRule, Shift

ON, OFF = 1709515800, 1709548200  # 2024-03-04 09:30 and 18:30 +08:00
RULE = PunchTimeRule("09:30", "18:30", 1, 120, 60, 1, 120, 60)
FLEX = Shift("弹性班", 1, (RULE,), is_flexible=True, flexible_rule=(FlexibleRule(30, 60),))


def punched(at: int | None, **fields: object) -> TaskResult:
    flow = UserFlow("u1", "u1", "HQ", at, "") if at is not None else None
    values: dict[str, object] = {
        "check_in_record": flow,
        "check_in_record_id": "r1" if flow else None,
        "check_in_shift_time": ON,
        "check_out_shift_time": OFF,
        **fields,
    }
    return TaskResult(**values)


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        (ON + 38 * 60, OFF + 38 * 60),  # late within the allowance: leave that much later
        (ON + 90 * 60, OFF + 60 * 60),  # later than the allowance: the allowance at most
        (ON - 45 * 60, OFF - 30 * 60),  # early: leave early by up to flexible_early_minutes
        (ON, None),  # on time: nothing slid
    ],
)
def test_a_flexible_day_slides_its_off_time_by_the_check_in(arrived: int, due: int | None) -> None:
    assert due_off_time(punched(arrived), FLEX) == due


def test_only_flexible_normal_segments_with_a_check_in_slide() -> None:
    fixed = Shift("x", 1, (RULE,))
    assert due_off_time(punched(ON + 600), fixed) is None
    assert due_off_time(punched(ON + 600), None) is None  # the shift could not be read
    assert due_off_time(punched(ON + 600, task_shift_type=1), FLEX) is None  # overtime
    assert due_off_time(punched(None), FLEX) is None
    minutes = Shift("y", 1, (RULE,), is_flexible=True, flexible_minutes=15)
    assert due_off_time(punched(ON + 600), minutes) == OFF + 600
    assert due_off_time(punched(ON + 3600), minutes) == OFF + 900


def test_a_supplement_explains_an_exception() -> None:
    late = punched(ON + 600, check_in_result="Late", check_out_result="Normal")
    assert side_exceptions(late) == ("Late", None)
    assert is_exception(late)
    on_leave = punched(None, check_in_result="Lack", check_in_result_supplement="Leave")
    assert not is_exception(on_leave)
    assert not is_exception(punched(ON, check_in_result="Todo", check_out_result="NoNeedCheck"))
    assert not is_exception(None)


def test_the_summary_counts_days_sides_and_exception_days_per_person() -> None:
    day = datetime.date(2024, 3, 4)
    rest = TaskResult(check_in_result="NoNeedCheck", check_out_result="NoNeedCheck")
    late_missing = punched(ON + 600, check_in_result="Late", check_out_result="Lack")
    too_late = punched(ON + 9000, check_in_result="Lack", check_out_result="Todo")
    early = TaskResult(
        check_in_result="Normal",
        check_out_result="Early",
        check_out_record_id="r2",
        check_out_result_supplement="None",
    )
    tasks = [
        UserTask("1", "u1", "张三", day, "g", "s", (late_missing,)),
        UserTask("2", "u1", "张三", day + datetime.timedelta(1), "g", "s", (rest,)),
        UserTask("3", "u1", "张三", day + datetime.timedelta(2), "g", "s", (too_late, early)),
        UserTask("4", "u2", "Li", day, "g", "s", (rest,)),
    ]
    one, two = summarize(tasks)
    assert (one.user_id, one.employee_name) == ("u1", "张三")
    counts = (one.days, one.late, one.early, one.lack, one.no_punch, one.todo)
    assert counts == (2, 1, 1, 1, 1, 1)
    assert one.exception_days == 2
    assert one.has_exceptions
    assert (two.days, two.exception_days, two.has_exceptions) == (0, 0, False)
