"""Queries and deletes cut into the API's batch sizes, merged back into one answer."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest

from reconciler.emulator import EmulatorApp
from reconciler.errors import InputError
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.types import TaskQueryResult, UserFlow, UserTask
from reconciler.flows.reading import (
    NOT_DELETED,
    NOT_TRIED,
    delete_flows,
    distinct,
    query_flows,
    query_tasks,
    shift_names,
)

START = 1709514000  # 2024-03-04 09:00 +08:00
MONDAY = datetime.date(2024, 3, 4)


def punch(client: FeishuClient, users: list[str], at: int = START) -> list[UserFlow]:
    flows = [UserFlow(user, user, "HQ", at + i, "") for i, user in enumerate(users)]
    return client.create_flows(flows)


def test_ids_are_split_on_commas_and_kept_once_in_order() -> None:
    assert distinct(["u2,u1", " u3 ", "u1", ",", "u2"]) == ["u2", "u1", "u3"]


def test_flows_of_more_than_50_users_come_from_several_calls_in_one_sorted_list(
    client: FeishuClient,
) -> None:
    users = [f"u{i}" for i in range(60, 0, -1)]
    punch(client, users[:40])
    punch(client, users[40:], START - 3600)
    found = query_flows(client, users, START - 3600, START + 3600, employee_type="employee_id")
    assert len(found) == 60
    assert client.stats["user_flow.query"].requests == 2
    keys = [(f.user_id, f.check_time) for f in found]
    assert keys == sorted(keys)


def test_the_range_is_half_open(client: FeishuClient) -> None:
    punch(client, ["u1"])
    assert query_flows(client, ["u1"], START, START + 1, employee_type="employee_id")
    assert not query_flows(client, ["u1"], START - 10, START, employee_type="employee_id")


@pytest.mark.parametrize(
    ("users", "start", "end", "message"),
    [
        ([], START, START + 1, "give at least one --user"),
        (["u1"], START, START, "--from must be before --to"),
    ],
)
def test_flow_queries_refuse_what_cannot_be_asked(
    client: FeishuClient, users: list[str], start: int, end: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        query_flows(client, users, start, end, employee_type="employee_id")


def test_deletes_go_ten_at_a_time_and_report_each_id(client: FeishuClient) -> None:
    created = punch(client, [f"u{i}" for i in range(1, 21)])
    ids = [f.record_id or "" for f in created] + ["404", "405"]
    outcome = delete_flows(client, ids)
    assert client.stats["user_flow.batch_del"].requests == 3
    assert sorted(outcome.deleted) == sorted(ids[:20])
    # Today's batch_del says why in its msg; the reason is Feishu's, per id.
    assert outcome.failed == (("404", "record does not exist"), ("405", "record does not exist"))
    again = delete_flows(client, ids[:1])
    assert again.deleted == ()
    assert [record_id for record_id, _ in again.failed] == ids[:1]


def test_a_delete_answer_without_reasons_reads_as_not_deleted(
    client: FeishuClient, feishu: EmulatorApp, set_faults: Callable[..., None]
) -> None:
    set_faults(feishu, dialect="legacy")  # its msg is "success", whatever failed
    outcome = delete_flows(client, ["404"])
    assert outcome.failed == (("404", NOT_DELETED),)


def test_tasks_of_more_than_50_users_merge_and_report_unknown_ones(client: FeishuClient) -> None:
    users = [f"u{i}" for i in range(1, 61)] + ["ghost"]
    result = query_tasks(
        client, users, MONDAY, MONDAY + datetime.timedelta(days=1), employee_type="employee_id"
    )
    assert client.stats["user_task.query"].requests == 2
    assert len(result.tasks) == 120
    assert result.invalid_user_ids == ("ghost",)
    keys = [(t.user_id, t.day) for t in result.tasks]
    assert keys == sorted(keys)


def test_long_ranges_are_asked_a_month_at_a_time(client: FeishuClient) -> None:
    last = MONDAY + datetime.timedelta(days=69)
    result = query_tasks(client, ["u1", "u2", "ghost"], MONDAY, last, employee_type="employee_id")
    assert client.stats["user_task.query"].requests == 3  # 31 + 31 + 8 days
    assert len(result.tasks) == 140
    assert result.invalid_user_ids == ("ghost",)
    assert {t.day for t in result.tasks} == {MONDAY + datetime.timedelta(days=n) for n in range(70)}


def test_task_dates_must_be_in_order(client: FeishuClient) -> None:
    with pytest.raises(InputError, match="--from 2024-03-05 is after --to 2024-03-04"):
        query_tasks(
            client, ["u1"], MONDAY + datetime.timedelta(days=1), MONDAY, employee_type="employee_id"
        )


def test_a_stop_leaves_the_ids_not_yet_sent_as_not_tried(client: FeishuClient) -> None:
    created = punch(client, [f"u{i}" for i in range(1, 26)])
    ids = [f.record_id or "" for f in created]
    stop = threading.Event()
    stop.set()
    outcome = delete_flows(client, ids, stop=stop)
    assert outcome.deleted == ()
    assert outcome.failed == tuple((record_id, NOT_TRIED) for record_id in ids)
    assert "user_flow.batch_del" not in client.stats


def test_shift_names_come_from_one_get_per_shift_and_an_unreadable_one_is_left_out(
    client: FeishuClient,
) -> None:
    week = query_tasks(
        client,
        ["u1", "u2"],
        MONDAY,
        MONDAY + datetime.timedelta(days=6),
        employee_type="employee_id",
    )
    stray = UserTask("r", "u1", "User 1", MONDAY, "g1", "404404", ())
    result = TaskQueryResult(tasks=(*week.tasks, stray))
    names = shift_names(client, result)
    assert names == {"9": "(default shift)", week.tasks[0].shift_id: "Day 9-18"}
    assert client.stats["shift.get"].requests == 2  # the day shift and the missing one
