"""Each call's request on the wire and its typed answer (the contract's §3–§5 shapes)."""

from __future__ import annotations

import datetime
import json

import httpx
import pytest
from shift_samples import RULE

from reconciler.feishu import FeishuClient, FeishuError, NotFound, UserFlow
from reconciler.model import Shift

V1 = "/open-apis/attendance/v1"


def wire_shift(n: int) -> dict[str, object]:
    return {
        "shift_id": str(7000 + n),
        "id": str(7000 + n),
        "shift_name": f"班次{n}",
        "punch_times": 1,
        "punch_time_rule": [RULE],
    }


def body(request: httpx.Request) -> dict[str, object]:
    return json.loads(request.content)  # type: ignore[no-any-return]


def test_list_follows_page_tokens_to_the_end(feishu, client: FeishuClient) -> None:
    feishu.add(
        "GET",
        f"{V1}/shifts",
        feishu.ok(
            {"shift_list": [wire_shift(1), wire_shift(2)], "page_token": "p2", "has_more": True}
        ),
        feishu.ok({"shift_list": [wire_shift(3)], "has_more": False}),
    )
    names = [remote.name for remote in client.list_shifts()]
    assert names == ["班次1", "班次2", "班次3"]
    first, second = feishu.business()
    assert first.url.params["page_size"] == "50"
    assert "page_token" not in first.url.params
    assert second.url.params["page_token"] == "p2"
    assert client.stats["shift.list"].requests == 2


def test_listing_is_lazy_and_reads_at_most_two_pages_ahead(feishu, client: FeishuClient) -> None:
    pages = [
        feishu.ok({"shift_list": [wire_shift(n)], "page_token": f"p{n}", "has_more": True})
        for n in range(6)
    ]
    feishu.add("GET", f"{V1}/shifts", *pages)
    shifts = client.list_shifts()
    assert feishu.business() == []
    assert next(shifts).name == "班次0"
    shifts.close()  # waits for the call in flight; nothing is fetched after it
    fetched = len(feishu.business())
    assert 1 <= fetched <= 3
    assert len(feishu.business()) == fetched


def test_a_shift_the_listing_cannot_read_fails_the_listing(feishu, client: FeishuClient) -> None:
    feishu.add("GET", f"{V1}/shifts", feishu.ok({"shift_list": [{"shift_id": "1"}]}))
    with pytest.raises(FeishuError, match=r"unexpected answer.*no shift_name"):
        list(client.list_shifts())


def test_list_with_a_failing_page_raises(feishu, make_client) -> None:
    client = make_client(max_retry_seconds=1)
    feishu.add(
        "GET",
        f"{V1}/shifts",
        feishu.ok({"shift_list": [wire_shift(1)], "page_token": "p2", "has_more": True}),
        feishu.error(500, 1225000),
    )
    with pytest.raises(FeishuError):
        list(client.list_shifts())


def test_list_claiming_more_without_a_token_raises(feishu, client: FeishuClient) -> None:
    feishu.add("GET", f"{V1}/shifts", feishu.ok({"shift_list": [], "has_more": True}))
    with pytest.raises(FeishuError, match="gives no page_token"):
        list(client.list_shifts())


def test_list_repeating_a_page_token_raises(feishu, client: FeishuClient) -> None:
    page = {"shift_list": [wire_shift(1)], "page_token": "same", "has_more": True}
    feishu.add("GET", f"{V1}/shifts", feishu.ok(page))
    with pytest.raises(FeishuError, match="repeats a page_token"):
        list(client.list_shifts())
    assert len(feishu.business()) == 2


def test_get_reads_a_flat_shift(feishu, client: FeishuClient) -> None:
    feishu.add("GET", f"{V1}/shifts/7001", feishu.ok(wire_shift(1)))
    remote = client.get_shift("7001")
    assert remote.shift_id == "7001"
    assert remote.shift.punch_time_rule[0].on_time == "09:00"


def test_query_sends_the_name_in_the_query_string_without_body(
    feishu, client: FeishuClient
) -> None:
    feishu.add("POST", f"{V1}/shifts/query", feishu.ok(wire_shift(1)))
    assert client.query_shift("班次1") is not None
    request = feishu.business()[0]
    assert request.url.params["shift_name"] == "班次1"
    assert request.content == b""


def test_query_of_a_missing_name_is_none(feishu, client: FeishuClient) -> None:
    feishu.add("POST", f"{V1}/shifts/query", feishu.error(400, 1226003, "shift does not exist"))
    assert client.query_shift("nope") is None


def test_query_ignores_a_loose_match(feishu, client: FeishuClient) -> None:
    feishu.add("POST", f"{V1}/shifts/query", feishu.ok(wire_shift(12)))
    assert client.query_shift("班次1") is None


def test_create_sends_the_compact_shift_and_update_adds_id(feishu, client: FeishuClient) -> None:
    feishu.add("POST", f"{V1}/shifts", feishu.ok({"shift": wire_shift(1)}))
    shift = Shift.from_mapping(wire_shift(1))
    assert client.create_shift(shift).shift_id == "7001"
    assert client.update_shift("7001", shift).shift_id == "7001"
    create, update = feishu.business()
    assert create.headers["Content-Type"] == "application/json; charset=utf-8"
    assert create.url.params["employee_type"] == "employee_id"
    assert "id" not in body(create)
    assert "shift_id" not in body(create)
    assert "is_flexible" not in body(create)  # defaults left out
    assert body(create)["punch_time_rule"] == [{**RULE, "on_time": "09:00"}]
    assert body(update)["id"] == "7001"


def test_delete_and_missing_shift(feishu, client: FeishuClient) -> None:
    feishu.add("DELETE", f"{V1}/shifts/7001", feishu.ok({}))
    feishu.add("DELETE", f"{V1}/shifts/404", feishu.error(400, 1226003))
    client.delete_shift("7001")
    with pytest.raises(NotFound):
        client.delete_shift("404")


def test_path_ids_are_url_encoded(feishu, client: FeishuClient) -> None:
    feishu.add("GET", f"{V1}/shifts/a/b", feishu.ok(wire_shift(1)))
    client.get_shift("a/b")
    assert feishu.business()[0].url.raw_path == f"{V1}/shifts/a%2Fb".encode()


def test_flows_import_sends_times_as_strings(feishu, client: FeishuClient) -> None:
    punch = UserFlow(
        user_id="abd754f7",
        creator_id="abd754f7",
        location_name="西溪八方城",
        check_time=1611476284,
        comment="上班打卡",
        idempotent_id="k1",
    )
    stored = {**punch.to_wire(), "record_id": "6709359313699356941", "type": 7}
    feishu.add("POST", f"{V1}/user_flows/batch_create", feishu.ok({"flow_records": [stored]}))
    (record,) = client.create_flows([punch])
    request = feishu.business()[0]
    assert request.url.params["employee_type"] == "employee_id"
    sent = body(request)["flow_records"]
    assert sent == [
        {
            "user_id": "abd754f7",
            "creator_id": "abd754f7",
            "location_name": "西溪八方城",
            "check_time": "1611476284",
            "comment": "上班打卡",
            "idempotent_id": "k1",
        }
    ]
    assert record.record_id == "6709359313699356941"
    assert record.check_time == 1611476284
    assert record.type == 7


def test_flow_get_and_query(feishu, client: FeishuClient) -> None:
    punch = {"user_id": "u1", "creator_id": "u1", "location_name": "HQ", "check_time": "1700000000",
             "comment": "", "record_id": "r1", "is_wifi": True}  # fmt: skip
    feishu.add("GET", f"{V1}/user_flows/r1", feishu.ok(punch))
    feishu.add("POST", f"{V1}/user_flows/query", feishu.ok({"user_flow_results": [punch]}))
    assert client.get_flow("r1").is_wifi is True
    flows = client.query_flows(["u1"], 1700000000, 1700003600, include_terminated=True)
    assert [f.record_id for f in flows] == ["r1"]
    get, query = feishu.business()
    assert get.url.params["employee_type"] == "employee_id"
    assert query.url.params["include_terminated_user"] == "true"
    assert body(query) == {
        "user_ids": ["u1"],
        "check_time_from": "1700000000",
        "check_time_to": "1700003600",
    }


def test_flow_delete_reports_both_lists(feishu, client: FeishuClient) -> None:
    answer = {"success_record_ids": ["r1"], "fail_record_ids": ["r9"]}
    feishu.add("POST", f"{V1}/user_flows/batch_del", feishu.ok(answer))
    result = client.delete_flows(["r1", "r9"])
    assert (result.success_record_ids, result.fail_record_ids) == (("r1",), ("r9",))
    assert body(feishu.business()[0]) == {"record_ids": ["r1", "r9"]}
    assert "employee_type" not in feishu.business()[0].url.params


def test_tasks_query_reads_days_records_and_refused_ids(feishu, client: FeishuClient) -> None:
    record = {"user_id": "u1", "creator_id": "u1", "location_name": "HQ",
              "check_time": "1609721000", "comment": "", "record_id": "r1"}  # fmt: skip
    task = {
        "result_id": "res1",
        "user_id": "u1",
        "employee_name": "张三",
        "day": 20210104,
        "group_id": "g1",
        "shift_id": "7001",
        "records": [
            {
                "check_in_record_id": "r1",
                "check_in_record": record,
                "check_out_record_id": "",
                "check_in_result": "Normal",
                "check_out_result": "Lack",
                "check_in_result_supplement": "None",
                "check_out_result_supplement": "None",
                "check_in_shift_time": "1609722000",
                "check_out_shift_time": "1609754400",
                "task_shift_type": 0,
            }
        ],
    }
    data = {"user_task_results": [task], "invalid_user_ids": ["bad"], "unauthorized_user_ids": []}
    feishu.add("POST", f"{V1}/user_tasks/query", feishu.ok(data))
    result = client.query_tasks(["u1", "bad"], datetime.date(2021, 1, 4), datetime.date(2021, 1, 5))
    (day,) = result.tasks
    assert day.day == datetime.date(2021, 1, 4)
    (segment,) = day.records
    assert segment.check_in_record is not None
    assert segment.check_in_record.check_time == 1609721000
    assert segment.check_out_record is None
    assert segment.check_out_record_id is None
    assert segment.check_in_shift_time == 1609722000
    assert result.invalid_user_ids == ("bad",)
    request = feishu.business()[0]
    assert request.url.params["ignore_invalid_users"] == "true"
    assert request.url.params["include_terminated_user"] == "false"
    assert body(request) == {
        "user_ids": ["u1", "bad"],
        "check_date_from": 20210104,
        "check_date_to": 20210105,
        "need_overtime_result": False,
    }


@pytest.mark.parametrize(
    ("call", "count"),
    [("create_flows", 51), ("delete_flows", 11), ("query_flows", 51), ("query_tasks", 51)],
)
def test_batch_limits_are_enforced_before_sending(
    feishu, client: FeishuClient, call: str, count: int
) -> None:
    punch = UserFlow(user_id="u", creator_id="u", location_name="x", check_time=1700000000)
    items: list[object] = [punch] * count if call == "create_flows" else ["id"] * count
    extra: tuple[object, ...] = ()
    if call == "query_flows":
        extra = (0, 1)
    elif call == "query_tasks":
        extra = (datetime.date(2024, 1, 1), datetime.date(2024, 1, 2))
    with pytest.raises(ValueError, match="at most"):
        getattr(client, call)(items, *extra)
    with pytest.raises(ValueError, match="at least one"):
        getattr(client, call)([], *extra)
    assert feishu.requests == []


def test_malformed_success_answer_is_a_feishu_error(feishu, client: FeishuClient) -> None:
    feishu.add("POST", f"{V1}/shifts/query", feishu.ok({"shift_name": "x"}))
    with pytest.raises(FeishuError, match="unexpected answer"):
        client.query_shift("x")


def test_repr_and_context_manager(feishu, make_client, app_secret: str) -> None:
    client = make_client()
    with client as same:
        assert same is client
        assert "cli_test" in repr(client)
        assert app_secret not in repr(client)
