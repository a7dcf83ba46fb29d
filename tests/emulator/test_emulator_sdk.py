"""The official SDK (lark-oapi 1.7.5) makes all eleven calls against the served emulator and
reads back what it wrote (contract §7)."""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.emulator import ENDPOINTS, EmulatorConfig, create_app, serving

with warnings.catch_warnings():
    # lark-oapi's bundled protobuf calls datetime.utcfromtimestamp, deprecated on 3.12+.
    warnings.simplefilter("ignore", DeprecationWarning)
    import lark_oapi as lark
    from lark_oapi.api.attendance.v1 import (
        BatchCreateUserFlowRequest,
        BatchCreateUserFlowRequestBody,
        BatchDelUserFlowRequest,
        BatchDelUserFlowRequestBody,
        CreateShiftRequest,
        DeleteShiftRequest,
        GetShiftRequest,
        GetUserFlowRequest,
        ListShiftRequest,
        PunchTimeRule,
        QueryShiftRequest,
        QueryUserFlowRequest,
        QueryUserFlowRequestBody,
        QueryUserTaskRequest,
        QueryUserTaskRequestBody,
        RestRule,
        Shift,
        UserFlow,
    )


MONDAY = 20240108
MONDAY_9AM = 1_704_675_600  # 2024-01-08 09:00 +08:00


@pytest.fixture
def sdk() -> Iterator[tuple[Any, httpx.Client]]:
    """An SDK client on a served emulator, and an httpx client for the admin API.

    lark-oapi caches tenant tokens per app id for the whole process, so every
    emulator here gets an app id of its own.
    """
    logging.getLogger("Lark").setLevel(logging.CRITICAL)
    config = EmulatorConfig(app_id=f"cli_{uuid.uuid4().hex[:16]}", rate_limit=0)
    app = create_app(config=config, seed={"users": [{"employee_id": "u1", "name": "张三"}]})
    with serving(app) as base_url, httpx.Client(base_url=base_url) as admin:
        client = (
            lark.Client.builder()
            .app_id(config.app_id)
            .app_secret(config.app_secret)
            .domain(base_url)
            .log_level(lark.LogLevel.CRITICAL)
            .build()
        )
        yield client.attendance.v1, admin
    app.close()


def _ok(response: Any) -> Any:
    assert response.success(), (response.code, response.msg)
    assert response.get_log_id()
    return getattr(response, "data", None)  # delete answers carry no data type


def _shift(name: str, on_time: str = "9:00") -> Shift:
    rule = (
        PunchTimeRule.builder()
        .on_time(on_time)
        .off_time("18:00")
        .late_minutes_as_late(30)
        .late_minutes_as_lack(60)
        .on_advance_minutes(60)
        .early_minutes_as_early(30)
        .early_minutes_as_lack(60)
        .off_delay_minutes(60)
        .build()
    )
    rest = RestRule.builder().rest_begin_time("12:00").rest_end_time("13:00").build()
    return (
        Shift.builder()
        .shift_name(name)
        .punch_times(1)
        .is_flexible(False)
        .punch_time_rule([rule])
        .rest_time_rule([rest])
        .build()
    )


def _flow(check_time: int, key: str) -> UserFlow:
    return (
        UserFlow.builder()
        .user_id("u1")
        .creator_id("u1")
        .location_name("西溪八方城")
        .check_time(str(check_time))
        .comment("打卡")
        .idempotent_id(key)
        .build()
    )


def test_the_sdk_round_trips_all_eleven_calls(sdk: tuple[Any, httpx.Client]) -> None:
    v1, admin = sdk
    created = _ok(
        v1.shift.create(
            CreateShiftRequest.builder()
            .employee_type("employee_id")
            .request_body(_shift("早班"))
            .build()
        )
    ).shift
    shift_id = created.shift_id
    got = _ok(v1.shift.get(GetShiftRequest.builder().shift_id(shift_id).build()))
    assert (got.shift_name, got.punch_time_rule[0].on_time) == ("早班", "9:00")
    assert got.rest_time_rule[0].rest_begin_time == "12:00"
    found = _ok(v1.shift.query(QueryShiftRequest.builder().shift_name("早班").build()))
    assert found.shift_id == shift_id
    updated_body = _shift("早班", on_time="9:30")
    updated_body.id = shift_id
    updated = _ok(
        v1.shift.create(CreateShiftRequest.builder().request_body(updated_body).build())
    ).shift
    assert (updated.shift_id, updated.punch_time_rule[0].on_time) == (shift_id, "9:30")
    listed = _ok(v1.shift.list(ListShiftRequest.builder().page_size(50).build()))
    assert [s.shift_id for s in listed.shift_list] == [shift_id]
    assert listed.has_more is False

    group = {"id": "g1", "members": ["u1"], "shifts": {"monday": shift_id}}
    assert admin.post("/_emulator/seed", json={"groups": [group]}).json()["code"] == 0
    body = (
        BatchCreateUserFlowRequestBody.builder()
        .flow_records([_flow(MONDAY_9AM + 600, "in"), _flow(MONDAY_9AM + 9 * 3600 + 60, "out")])
        .build()
    )
    records = _ok(
        v1.user_flow.batch_create(
            BatchCreateUserFlowRequest.builder()
            .employee_type("employee_id")
            .request_body(body)
            .build()
        )
    ).flow_records
    record_ids = [r.record_id for r in records]
    one = _ok(
        v1.user_flow.get(
            GetUserFlowRequest.builder()
            .user_flow_id(record_ids[0])
            .employee_type("employee_id")
            .build()
        )
    )
    assert (one.user_id, one.check_time, one.location_name) == (
        "u1",
        str(MONDAY_9AM + 600),
        "西溪八方城",
    )
    query = (
        QueryUserFlowRequestBody.builder()
        .user_ids(["u1"])
        .check_time_from(str(MONDAY_9AM - 3600))
        .check_time_to(str(MONDAY_9AM + 86_400))
        .build()
    )
    flows = _ok(
        v1.user_flow.query(
            QueryUserFlowRequest.builder()
            .employee_type("employee_id")
            .include_terminated_user(False)
            .request_body(query)
            .build()
        )
    ).user_flow_results
    assert [f.record_id for f in flows] == record_ids

    tasks_body = (
        QueryUserTaskRequestBody.builder()
        .user_ids(["u1", "ghost"])
        .check_date_from(MONDAY)
        .check_date_to(MONDAY)
        .need_overtime_result(False)
        .build()
    )
    tasks = _ok(
        v1.user_task.query(
            QueryUserTaskRequest.builder()
            .employee_type("employee_id")
            .ignore_invalid_users(True)
            .include_terminated_user(True)
            .request_body(tasks_body)
            .build()
        )
    )
    assert tasks.invalid_user_ids == ["ghost"]
    (task,) = tasks.user_task_results
    assert (task.day, task.group_id, task.shift_id, task.employee_name) == (
        MONDAY,
        "g1",
        shift_id,
        "张三",
    )
    (result,) = task.records
    assert (result.check_in_record_id, result.check_out_record_id) == tuple(record_ids)
    assert result.check_in_record.check_time == str(MONDAY_9AM + 600)
    assert (result.check_in_result, result.check_out_result) == ("Normal", "Normal")

    deleted = _ok(
        v1.user_flow.batch_del(
            BatchDelUserFlowRequest.builder()
            .request_body(
                BatchDelUserFlowRequestBody.builder().record_ids([*record_ids, "404"]).build()
            )
            .build()
        )
    )
    assert (deleted.success_record_ids, deleted.fail_record_ids) == (record_ids, ["404"])
    after = _ok(
        v1.user_flow.query(
            QueryUserFlowRequest.builder().employee_type("employee_id").request_body(query).build()
        )
    )
    assert after.user_flow_results == []

    in_use = v1.shift.delete(DeleteShiftRequest.builder().shift_id(shift_id).build())
    assert (in_use.raw.status_code, in_use.code) == (400, 1220600)
    assert in_use.msg.startswith("shift can not be del")
    assert admin.post("/_emulator/seed", json={"groups": [{"id": "g1"}]}).json()["code"] == 0
    _ok(v1.shift.delete(DeleteShiftRequest.builder().shift_id(shift_id).build()))
    gone = v1.shift.get(GetShiftRequest.builder().shift_id(shift_id).build())
    assert (gone.raw.status_code, gone.code) == (400, 1220600)
    assert gone.msg.startswith("shift does not exist")
    assert _ok(v1.shift.list(ListShiftRequest.builder().build())).shift_list == []
    stats = admin.get("/_emulator/stats").json()["data"]["endpoints"]
    assert stats["auth.tenant_access_token"]["requests"] == 1  # the SDK cached its token
    assert set(stats) == set(ENDPOINTS)  # all eleven calls, each answered by the emulator
    assert all(counts["succeeded"] for counts in stats.values())
