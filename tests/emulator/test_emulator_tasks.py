"""user_tasks/query: the surrounding user_task of each user and day (results come from §8)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emulator_helpers import API, create_shift, fails, flow, ok, seed

TASKS = f"{API}/user_tasks/query"
MONDAY = 20240108  # 2024-01-08 was a Monday
MONDAY_9AM = 1_704_675_600  # 2024-01-08 09:00 +08:00


def _tasks(client: httpx.Client, user_ids: list[str], first: int, last: int, **params: str) -> Any:
    body = {"user_ids": user_ids, "check_date_from": first, "check_date_to": last}
    return ok(client.post(TASKS, params={"employee_type": "employee_id", **params}, json=body))


@pytest.fixture
def group(users: httpx.Client) -> dict[str, Any]:
    """u1 in group g1 working 早班 on Monday and 休息 (a rest-day shift) on Tuesday."""
    work = create_shift(users, "早班")
    rest = create_shift(users, "休息", day_type=2)
    seed(
        users,
        {
            "groups": [
                {
                    "id": "g1",
                    "name": "研发",
                    "members": ["u1"],
                    "shifts": {"monday": work["shift_id"], "tuesday": "休息"},
                }
            ]
        },
    )
    return {"work": work["shift_id"], "rest": rest["shift_id"]}


def test_a_user_day_in_a_group(users: httpx.Client, group: dict[str, Any]) -> None:
    ok(users.put("/_emulator/clock", json={"frozen": "2024-01-09T12:00:00+08:00"}))
    records = [flow("u1", MONDAY_9AM - 60), flow("u1", MONDAY_9AM + 9 * 3600 + 60)]
    stored = ok(
        users.post(
            f"{API}/user_flows/batch_create?employee_type=employee_id",
            json={"flow_records": records},
        )
    )["flow_records"]
    data = _tasks(users, ["u1"], MONDAY, MONDAY + 2)
    assert data["invalid_user_ids"] == []
    assert data["unauthorized_user_ids"] == []
    monday, tuesday, wednesday = data["user_task_results"]
    assert (monday["user_id"], monday["employee_name"], monday["day"]) == ("u1", "张三", MONDAY)
    assert (monday["group_id"], monday["shift_id"]) == ("g1", group["work"])
    assert monday["result_id"].isdigit()
    (record,) = monday["records"]
    assert record["check_in_record_id"] == stored[0]["record_id"]
    assert record["check_out_record_id"] == stored[1]["record_id"]
    assert (record["check_in_result"], record["check_out_result"]) == ("Normal", "Normal")
    assert record["check_in_shift_time"] == str(MONDAY_9AM)
    assert tuesday["shift_id"] == group["rest"]
    assert {r["check_in_result"] for r in tuesday["records"]} == {"NoNeedCheck"}
    assert (wednesday["group_id"], wednesday["shift_id"]) == ("g1", "9")  # no shift that day
    assert wednesday["records"][0]["check_in_result"] == "NoNeedCheck"
    again = _tasks(users, ["u1"], MONDAY, MONDAY)
    assert again["user_task_results"][0]["result_id"] == monday["result_id"]


def test_results_follow_the_emulator_clock(users: httpx.Client, group: dict[str, Any]) -> None:
    ok(users.put("/_emulator/clock", json={"frozen": "2024-01-08T08:00:00+08:00"}))
    (record,) = _tasks(users, ["u1"], MONDAY, MONDAY)["user_task_results"][0]["records"]
    assert record["check_in_result"] == "Todo"
    ok(users.put("/_emulator/clock", json={"advance_seconds": 86_400}))
    (record,) = _tasks(users, ["u1"], MONDAY, MONDAY)["user_task_results"][0]["records"]
    assert record["check_in_result"] == "Lack"


def test_a_user_in_no_group_gets_group_1_and_shift_9(users: httpx.Client) -> None:
    (task,) = _tasks(users, ["u2"], MONDAY, MONDAY)["user_task_results"]
    assert (task["group_id"], task["shift_id"]) == ("1", "9")
    assert [(r["check_in_result"], r["check_out_result"]) for r in task["records"]] == [
        ("NoNeedCheck", "NoNeedCheck")
    ]


def test_employee_no_and_invalid_users(users: httpx.Client) -> None:
    fails(
        users.post(
            f"{TASKS}?employee_type=employee_no",
            json={
                "user_ids": ["E001", "nobody"],
                "check_date_from": MONDAY,
                "check_date_to": MONDAY,
            },
        ),
        400,
        1220004,
    )
    for flag in ("true", "True", "1"):
        data = ok(
            users.post(
                TASKS,
                params={"employee_type": "employee_no", "ignore_invalid_users": flag},
                json={
                    "user_ids": ["E001", "nobody"],
                    "check_date_from": MONDAY,
                    "check_date_to": MONDAY,
                },
            )
        )
        assert data["invalid_user_ids"] == ["nobody"]
        assert [t["user_id"] for t in data["user_task_results"]] == ["E001"]


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({}, {"user_ids": ["u1"], "check_date_from": MONDAY, "check_date_to": MONDAY}),
        ({"employee_type": "employee_id"}, {"user_ids": ["u1"], "check_date_from": MONDAY}),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": "20240108", "check_date_to": MONDAY},
        ),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": 20240230, "check_date_to": 20240301},
        ),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": MONDAY, "check_date_to": MONDAY - 1},
        ),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": 20200101, "check_date_to": 20240101},
        ),
        # Days whose neighbours a date cannot hold, and years no date holds at all.
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": 99991231, "check_date_to": 99991231},
        ),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": 10101, "check_date_to": 10101},
        ),
        (
            {"employee_type": "employee_id"},
            {"user_ids": ["u1"], "check_date_from": 10**20, "check_date_to": 10**20},
        ),
        (
            {"employee_type": "employee_id"},
            {
                "user_ids": [f"u{i}" for i in range(51)],
                "check_date_from": MONDAY,
                "check_date_to": MONDAY,
            },
        ),
        (
            {"employee_type": "employee_id", "ignore_invalid_users": "maybe"},
            {"user_ids": ["u1"], "check_date_from": MONDAY, "check_date_to": MONDAY},
        ),
        (
            {"employee_type": "employee_id"},
            {
                "user_ids": ["u1"],
                "check_date_from": MONDAY,
                "check_date_to": MONDAY,
                "need_overtime_result": "yes",
            },
        ),
    ],
)
def test_invalid_task_queries_are_1220001(
    users: httpx.Client, params: dict[str, str], body: dict[str, Any]
) -> None:
    fails(users.post(TASKS, params=params, json=body), 400, 1220001)
