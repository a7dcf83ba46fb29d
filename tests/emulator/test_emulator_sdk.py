"""The official SDK (lark-oapi 1.7.5) makes all sixteen calls against the served emulator and
reads back what it wrote (contract §7): the eleven shift, flow and task calls, and the five
attendance-group reads."""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from shift_samples import RULE

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
        GetGroupRequest,
        GetShiftRequest,
        GetUserFlowRequest,
        ListGroupRequest,
        ListShiftRequest,
        ListUserGroupRequest,
        PunchTimeRule,
        QueryShiftRequest,
        QueryUserDailyShiftRequest,
        QueryUserDailyShiftRequestBody,
        QueryUserFlowRequest,
        QueryUserFlowRequestBody,
        QueryUserTaskRequest,
        QueryUserTaskRequestBody,
        RestRule,
        SearchGroupRequest,
        SearchGroupRequestBody,
        Shift,
        UserFlow,
    )


MONDAY = 20240108
MONDAY_9AM = 1_704_675_600  # 2024-01-08 09:00 +08:00
GROUP_CALLS = {"group.list", "group.get", "group.search", "group.list_user"}
GROUP_CALLS |= {"user_daily_shift.query"}


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
    assert set(stats) == set(ENDPOINTS) - GROUP_CALLS  # all eleven, each answered
    assert all(counts["succeeded"] for counts in stats.values())


GROUP_SEED: dict[str, Any] = {
    "users": [{"employee_id": f"u{i}", "name": f"用户{i}"} for i in range(1, 5)],
    "shifts": [
        {
            "shift_id": "7000000000000000001",
            "shift_name": "早班",
            "punch_times": 1,
            "punch_time_rule": [RULE],
        },
    ],
    "groups": [
        {
            "id": "g1",
            "name": "研发",
            "time_zone": "Asia/Shanghai",
            "members": ["u1", "u2"],
            "shifts": {"monday": "早班", "friday": "早班"},
            "special_days": [{"day": "2024-02-04", "shift": "早班"}],
            "rest_days": ["2024-02-09"],
        },
        {
            "id": "g2",
            "name": "门店A",
            "type": "rota",
            "time_zone": "Europe/Berlin",
            "members": ["u3"],
            "schedule": {"u3": {"2024-01-08": "早班", "2024-01-09": "早班"}},
        },
    ],
}


def test_the_sdk_reads_groups_members_and_rota_schedules(sdk: tuple[Any, httpx.Client]) -> None:
    v1, admin = sdk
    assert admin.post("/_emulator/seed", json=GROUP_SEED).json()["code"] == 0
    first = _ok(v1.group.list(ListGroupRequest.builder().page_size(1).build()))
    assert ([g.group_id for g in first.group_list], first.has_more) == (["g1"], True)
    rest = _ok(
        v1.group.list(ListGroupRequest.builder().page_size(1).page_token(first.page_token).build())
    )
    assert ([(g.group_id, g.group_name) for g in rest.group_list], rest.has_more) == (
        [("g2", "门店A")],
        False,
    )

    got = _ok(
        v1.group.get(
            GetGroupRequest.builder()
            .group_id("g1")
            .employee_type("employee_id")
            .dept_type("od")
            .build()
        )
    )
    shift_id = "7000000000000000001"
    assert (got.group_name, got.group_type, got.time_zone) == ("研发", 0, "Asia/Shanghai")
    assert got.punch_day_shift_ids == [shift_id, "0", "0", "0", shift_id, "0", "0"]
    assert [(d.punch_day, d.shift_id) for d in got.need_punch_special_days] == [
        (20240204, shift_id)
    ]
    assert [d.punch_day for d in got.no_need_punch_special_days] == [20240209]
    assert got.bind_user_ids == ["u1", "u2"]
    rota = _ok(
        v1.group.get(
            GetGroupRequest.builder()
            .group_id("g2")
            .employee_type("employee_id")
            .dept_type("od")
            .build()
        )
    )
    assert (rota.group_type, rota.punch_day_shift_ids) == (2, [])

    # The search index follows writes about two seconds behind (the emulator clock).
    search = SearchGroupRequest.builder().request_body(
        SearchGroupRequestBody.builder().group_name("门店").build()
    )
    assert _ok(v1.group.search(search.build())).group_list in (None, [])
    assert admin.put("/_emulator/clock", json={"advance_seconds": 3}).json()["code"] == 0
    found = _ok(v1.group.search(search.build())).group_list
    assert [(g.group_id, g.group_name) for g in found] == [("g2", "门店A")]

    members = ListUserGroupRequest.builder().group_id("g1").employee_type("employee_id")
    members = members.dept_type("od").member_clock_type(0).page_size(1)
    page = _ok(v1.group.list_user(members.build()))
    assert ([u.user_id for u in page.users], page.has_more) == (["u1"], True)
    page = _ok(v1.group.list_user(members.page_token(page.page_token).build()))
    assert ([u.user_id for u in page.users], page.has_more) == (["u2"], False)

    body = (
        QueryUserDailyShiftRequestBody.builder()
        .user_ids(["u3"])
        .check_date_from(20240101)
        .check_date_to(20240130)
        .build()
    )
    daily = _ok(
        v1.user_daily_shift.query(
            QueryUserDailyShiftRequest.builder()
            .employee_type("employee_id")
            .request_body(body)
            .build()
        )
    ).user_daily_shifts
    assert [(d.user_id, d.group_id, d.shift_id, d.month, d.day_no) for d in daily] == [
        ("u3", "g2", shift_id, 202401, 8),
        ("u3", "g2", shift_id, 202401, 9),
    ]
    too_long = QueryUserDailyShiftRequestBody.builder().user_ids(["u3"])
    too_long = too_long.check_date_from(20240101).check_date_to(20240131).build()
    refused = v1.user_daily_shift.query(
        QueryUserDailyShiftRequest.builder()
        .employee_type("employee_id")
        .request_body(too_long)
        .build()
    )
    assert (refused.raw.status_code, refused.code) == (400, 1220001)
    stats = admin.get("/_emulator/stats").json()["data"]["endpoints"]
    assert set(stats) >= GROUP_CALLS
    assert all(stats[name]["succeeded"] for name in GROUP_CALLS)
