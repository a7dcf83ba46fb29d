"""Punch records and attendance results through the client, against the emulator."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from reconciler.feishu import (
    DELETE_BATCH,
    FLOW_BATCH,
    FeishuClient,
    InvalidParameter,
    UserFlow,
    chunked,
)
from reconciler.model import Shift

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MONDAY = datetime.date(2024, 1, 8)


def at(day: datetime.date, hour: int, minute: int) -> int:
    return int(
        datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).timestamp()
    )


def punch(user: str, when: int, key: str | None = None) -> UserFlow:
    return UserFlow(
        user_id=user,
        creator_id=user,
        location_name="西溪八方城",
        check_time=when,
        comment="打卡",
        idempotent_id=key,
        external_id=key,
    )


@pytest.fixture
def tenant(target, client: FeishuClient, make_shift: Callable[..., Shift]) -> str:
    """Users u1 (in a group working 09:00–18:00 every weekday) and u2 (no group)."""
    shift_id = client.create_shift(make_shift("早班")).shift_id
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    target.admin.seed(
        {
            "users": [{"employee_id": "u1", "name": "张三"}, {"employee_id": "u2"}],
            "groups": [
                {"name": "HQ", "members": ["u1"], "shifts": dict.fromkeys(weekdays, shift_id)}
            ],
        }
    )
    return shift_id


def test_import_get_query_delete(tenant: str, client: FeishuClient) -> None:
    flows = [punch("u1", at(MONDAY, 8, 55), "k1"), punch("u1", at(MONDAY, 18, 5), "k2")]
    stored = client.create_flows(flows)
    assert [f.check_time for f in stored] == [f.check_time for f in flows]
    assert all(f.record_id for f in stored)
    assert [f.external_id for f in stored] == ["k1", "k2"]

    again = client.create_flows(flows)
    assert [f.record_id for f in again] == [f.record_id for f in stored]

    record_id = stored[0].record_id
    assert record_id is not None
    fetched = client.get_flow(record_id)
    assert (fetched.user_id, fetched.location_name, fetched.check_time) == (
        "u1",
        "西溪八方城",
        at(MONDAY, 8, 55),
    )

    day = client.query_flows(["u1", "u2"], at(MONDAY, 0, 0), at(MONDAY, 23, 59))
    assert sorted(f.record_id or "" for f in day) == sorted(f.record_id or "" for f in stored)
    assert client.query_flows(["u1"], at(MONDAY, 8, 55), at(MONDAY, 18, 5)) == [day[0]]

    ids = [f.record_id or "" for f in stored]
    result = client.delete_flows([*ids, "999999999"])
    assert sorted(result.success_record_ids) == sorted(ids)
    assert result.fail_record_ids == ("999999999",)
    assert client.query_flows(["u1"], at(MONDAY, 0, 0), at(MONDAY, 23, 59)) == []


def test_unknown_user_stores_nothing_of_the_batch(tenant: str, client: FeishuClient) -> None:
    with pytest.raises(InvalidParameter) as caught:
        client.create_flows([punch("u1", at(MONDAY, 9, 0)), punch("ghost", at(MONDAY, 9, 0))])
    assert caught.value.code == 1220004
    assert client.query_flows(["u1"], at(MONDAY, 0, 0), at(MONDAY, 23, 59)) == []


def test_bad_records_and_unknown_ids_are_invalid_parameter(
    tenant: str, client: FeishuClient
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        client.create_flows([punch("u1", at(datetime.date(2021, 6, 1), 9, 0))])
    assert caught.value.code == 1220001
    with pytest.raises(InvalidParameter):
        client.get_flow("424242")


def test_import_and_delete_converge_under_lost_answers(
    target, tenant: str, client: FeishuClient
) -> None:
    days = [MONDAY + datetime.timedelta(days=n) for n in range(5)]
    flows = [
        punch("u1", at(day, 9, minute), f"{day}-{minute}") for day in days for minute in range(24)
    ]
    target.admin.faults(
        endpoints={
            "user_flow.batch_create": {"lost_rate": 0.5, "error_rate": 0.2},
            "user_flow.batch_del": {"lost_rate": 0.5},
        }
    )
    for batch in chunked(flows, FLOW_BATCH // 5):  # more batches, more faults met
        client.create_flows(batch)
    stored = client.query_flows(["u1"], at(days[0], 0, 0), at(days[-1], 23, 59))
    assert sorted(f.idempotent_id or "" for f in stored) == sorted(
        f.idempotent_id or "" for f in flows
    )

    deleted: list[str] = []
    for batch in chunked([f.record_id or "" for f in stored], DELETE_BATCH):
        result = client.delete_flows(batch)
        assert result.fail_record_ids == ()
        deleted += result.success_record_ids
    assert sorted(deleted) == sorted(f.record_id or "" for f in stored)
    assert client.query_flows(["u1"], at(days[0], 0, 0), at(days[-1], 23, 59)) == []
    stats = target.admin.stats()
    assert stats["user_flow.batch_create"]["lost"] > 0
    assert stats["user_flow.batch_del"]["lost"] > 0


def test_tasks_report_results_and_invalid_users(tenant: str, client: FeishuClient) -> None:
    client.create_flows(
        [punch("u1", at(MONDAY, 8, 55), "in"), punch("u1", at(MONDAY, 18, 5), "out")]
    )
    result = client.query_tasks(["u1", "ghost"], MONDAY, MONDAY + datetime.timedelta(days=1))
    assert result.invalid_user_ids == ("ghost",)
    monday = next(t for t in result.tasks if t.day == MONDAY)
    assert (monday.user_id, monday.shift_id) == ("u1", tenant)
    (segment,) = monday.records
    assert (segment.check_in_result, segment.check_out_result) == ("Normal", "Normal")
    assert segment.check_in_shift_time == at(MONDAY, 9, 0)
    assert segment.check_out_shift_time == at(MONDAY, 18, 0)
    assert segment.check_in_record is not None
    assert segment.check_in_record.check_time == at(MONDAY, 8, 55)
    assert {t.day for t in result.tasks} == {MONDAY, MONDAY + datetime.timedelta(days=1)}


def test_employee_numbers_and_former_holders_of_an_id(target, client: FeishuClient) -> None:
    target.admin.seed({"users": [{"employee_id": "u9", "employee_no": "1009"}]})
    client.create_flows([punch("u9", at(MONDAY, 9, 0), "old-holder")])
    target.admin.seed({"users": [{"employee_id": "u9", "terminated": True}]})
    target.admin.seed({"users": [{"employee_id": "u9", "employee_no": "2009"}]})
    (new,) = client.create_flows(
        [punch("2009", at(MONDAY, 9, 5), "new-holder")], employee_type="employee_no"
    )
    assert new.user_id == "2009"

    day = (at(MONDAY, 0, 0), at(MONDAY, 23, 59))
    current = client.query_flows(["u9"], *day)
    assert [f.idempotent_id for f in current] == ["new-holder"]
    everyone = client.query_flows(["u9"], *day, include_terminated=True)
    assert sorted(f.idempotent_id or "" for f in everyone) == ["new-holder", "old-holder"]
    by_number = client.query_flows(["2009"], *day, employee_type="employee_no")
    assert [(f.user_id, f.idempotent_id) for f in by_number] == [("2009", "new-holder")]
    assert new.record_id is not None
    assert client.get_flow(new.record_id, employee_type="employee_no").user_id == "2009"


def test_task_query_parameters_reach_the_emulator(
    target, client: FeishuClient, make_shift: Callable[..., Shift]
) -> None:
    overtime = make_shift(
        "加班班", overtime_rule=[{"on_overtime": "18:00", "off_overtime": "20:00"}]
    )
    shift_id = client.create_shift(overtime).shift_id
    target.admin.seed(
        {
            "users": [{"employee_id": "u7", "employee_no": "E7"}],
            "groups": [{"name": "OT", "members": ["u7"], "shifts": {"monday": shift_id}}],
        }
    )
    plain = client.query_tasks(["u7"], MONDAY, MONDAY)
    assert [r.task_shift_type for r in plain.tasks[0].records] == [0]
    with_ot = client.query_tasks(
        ["E7"], MONDAY, MONDAY, employee_type="employee_no", need_overtime_result=True
    )
    assert [r.task_shift_type for r in with_ot.tasks[0].records] == [0, 1]
    assert with_ot.tasks[0].user_id == "E7"
    with pytest.raises(InvalidParameter) as caught:
        client.query_tasks(["u7", "ghost"], MONDAY, MONDAY, ignore_invalid_users=False)
    assert caught.value.code == 1220004

    target.admin.seed({"users": [{"employee_id": "u7", "terminated": True}]})
    target.admin.seed({"users": [{"employee_id": "u7", "employee_no": "E8"}]})
    current = client.query_tasks(["u7"], MONDAY, MONDAY)
    everyone = client.query_tasks(["u7"], MONDAY, MONDAY, include_terminated=True)
    assert [t.group_id for t in current.tasks] == ["1"]  # the new holder is in no group
    assert sorted(t.group_id for t in everyone.tasks) == sorted(["1", with_ot.tasks[0].group_id])
